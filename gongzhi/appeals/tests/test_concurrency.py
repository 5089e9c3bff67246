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


@pytest.mark.django_db(transaction=True)
def test_a_worker_closing_while_the_resident_rates_closes_the_case_once(cast, ac):
    """办结 pressed as the resident's 满意 closes the case by the rule: one close, one follow-up, one hook."""
    require_postgresql("PostgreSQL row locks")
    from gongzhi.appeals.models import Case
    from gongzhi.core.registry import CASE_CLOSED, registry

    from .conftest import replied

    case = replied(cast, ac)
    appeal = case.appeals.get()
    closed: list[int] = []

    def on_closed(**kwargs):
        closed.append(kwargs["case"].pk)

    registry.hook(CASE_CLOSED, on_closed)
    try:
        def close() -> str:
            actions.do_close_case(Case.objects.get(pk=case.pk), acting_user=cast.worker_a)
            return "closed"

        def rate() -> str:
            actions.do_rate_appeal(appeal, acting_user=cast.resident_user, solved=True, satisfaction="satisfied")
            return "rated"

        results = race(close, rate)
    finally:
        registry._hooks[CASE_CLOSED] = [h for h in registry._hooks[CASE_CLOSED] if h.fn is not on_closed]
    assert "rated" in results, results  # the rating is never lost
    assert results[0] in ("closed", ) or isinstance(results[0], InvalidTransition), results
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.satisfaction == "satisfied"
    assert CaseEvent.objects.filter(case=case, verb="close").count() == 1
    assert CaseEvent.objects.filter(case=case, verb="follow_up").count() == 1
    assert closed == [case.pk]
