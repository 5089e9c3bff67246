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
