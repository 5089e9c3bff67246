# mypy: disable-error-code="arg-type,operator,union-attr"
from __future__ import annotations

import pytest

from gongzhi.appeals import actions
from gongzhi.appeals.models import Assignment, CaseEvent
from gongzhi.core.errors import InvalidTransition
from gongzhi.test import race, require_postgresql


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_racing_accepts_win(cast, ac):
    require_postgresql("PostgreSQL row locks")
    from .conftest import dispatched, lead

    case = dispatched(cast, ac)
    assignment = lead(case)

    def accept() -> str:
        actions.do_accept_assignment(Assignment.objects.get(pk=assignment.pk), acting_user=cast.handler)
        return "ok"

    results = race(accept, accept)
    outcomes = ["refused" if isinstance(r, InvalidTransition) else r if r == "ok" else repr(r) for r in results]
    assert sorted(outcomes) == ["ok", "refused"]
    assert CaseEvent.objects.filter(case=case, verb="accept").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_racing_submissions_with_one_idempotency_key_make_one_appeal(cast):
    require_postgresql()
    from gongzhi.appeals.models import Appeal, Case

    def submit() -> tuple[str, bool]:
        appeal = actions.do_submit_appeal(
            acting_user=cast.worker_a, title="路灯", body="路灯坏了", callback_phone="13800138000",
            channel="api", area=cast.building_a, idempotency_key="same-key",
        )
        return appeal.tracking_code, appeal.replayed

    codes = race(submit, submit)
    assert all(isinstance(c, tuple) for c in codes), codes
    assert len(codes) == 2 and codes[0][0] == codes[1][0]
    assert sorted(replayed for _, replayed in codes) == [False, True]
    assert Appeal.objects.count() == 1 and Case.objects.count() == 1
