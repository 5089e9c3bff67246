# mypy: disable-error-code="arg-type,operator,union-attr"
from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from gongzhi.appeals import actions
from gongzhi.appeals.models import Assignment, CaseEvent
from gongzhi.core.errors import InvalidTransition


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_racing_accepts_win(cast, ac):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (set DATABASE_URL=postgres://...)")
    from .conftest import dispatched, lead

    case = dispatched(cast, ac)
    assignment = lead(case)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def accept() -> None:
        try:
            barrier.wait()
            actions.do_accept_assignment(Assignment.objects.get(pk=assignment.pk), acting_user=cast.handler)
            results.append("ok")
        except InvalidTransition:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
    assert CaseEvent.objects.filter(case=case, verb="accept").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_racing_submissions_with_one_idempotency_key_make_one_appeal(cast):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")
    from gongzhi.appeals.models import Appeal, Case

    barrier = threading.Barrier(2)
    codes: list[tuple[str, bool]] = []

    def submit() -> None:
        try:
            barrier.wait()
            appeal = actions.do_submit_appeal(
                acting_user=cast.worker_a, title="路灯", body="路灯坏了", callback_phone="13800138000",
                channel="api", area=cast.building_a, idempotency_key="same-key",
            )
            codes.append((appeal.tracking_code, appeal.replayed))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(codes) == 2 and codes[0][0] == codes[1][0]
    assert sorted(replayed for _, replayed in codes) == [False, True]
    assert Appeal.objects.count() == 1 and Case.objects.count() == 1
