# mypy: disable-error-code="arg-type,operator,union-attr,index,misc"
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from gongzhi.appeals import actions, deadlines
from gongzhi.appeals.models import Case, CaseEvent
from gongzhi.appeals.queries import worklist
from gongzhi.appeals.scheduled import check_deadlines
from gongzhi.core.models import Notification

from .conftest import dispatched, lead, submit

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


def test_it_computes_deadlines_from_the_policy(db):
    d = deadlines.compute_deadlines(T0, deadlines.limits_for("emergency"))
    assert d.due_at == T0 + timedelta(hours=2)
    assert d.accept_deadline == T0 + timedelta(minutes=30)
    assert d.remind_at == d.due_at - timedelta(minutes=24)  # 20 % of two hours
    d = deadlines.compute_deadlines(T0, deadlines.limits_for("complex"))
    assert d.due_at == T0 + timedelta(days=15)
    assert d.remind_at == d.due_at - timedelta(hours=24)
    assert deadlines.limits_for("utility").handle == timedelta(hours=24)
    assert deadlines.effective_kind("emergency", "complex") == "emergency"
    assert deadlines.effective_kind("normal", None) == "ordinary"
    assert deadlines.whistle_report_deadline(T0, urgent=True) == T0 + timedelta(minutes=30)


def test_it_reminds_once_and_escalates_once(cast, ac):
    with time_machine.travel(T0, tick=False) as traveller:
        case = dispatched(cast, ac)
        actions.do_accept_assignment(lead(case), acting_user=cast.handler)
        assert worklist(cast.handler, "due_soon").count() == 0
        traveller.move_to(T0 + timedelta(days=6, hours=1))
        assert [c.pk for c in worklist(cast.handler, "due_soon")] == [case.pk]
        assert check_deadlines()["reminded"] == 1
        assert check_deadlines()["reminded"] == 0
        assert Notification.objects.filter(user=cast.handler, verb="appeals.due_soon").count() == 1
        traveller.move_to(T0 + timedelta(days=7, minutes=1))
        assert [c.pk for c in worklist(cast.worker_a, "overdue")] == [case.pk]
        assert check_deadlines()["escalated"] == 1
        assert check_deadlines()["escalated"] == 0
        assert Notification.objects.filter(user=cast.subdistrict_staff_a, verb="appeals.overdue").count() == 1
        assert CaseEvent.objects.filter(case=case, verb="escalate").count() == 1


def test_it_flags_late_acceptance(cast, ac):
    with time_machine.travel(T0, tick=False) as traveller:
        dispatched(cast, ac)
        traveller.move_to(T0 + timedelta(hours=3))
        assert check_deadlines()["accept_late"] == 1
        assert check_deadlines()["accept_late"] == 0


def test_it_moves_the_clock_only_by_an_approved_extension(cast, ac):
    with time_machine.travel(T0, tick=False) as traveller:
        case = dispatched(cast, ac)
        actions.do_accept_assignment(lead(case), acting_user=cast.handler)
        traveller.move_to(T0 + timedelta(days=8))
        assert Case.objects.overdue().filter(pk=case.pk).exists()
        req = actions.do_request_extension(case, acting_user=cast.handler, new_due_at=T0 + timedelta(days=10),
                                           reason="需要协调")
        actions.do_decide_extension(req, acting_user=cast.worker_a, approve=True)
        assert not Case.objects.overdue().filter(pk=case.pk).exists()


def test_it_keeps_pending_cases_out_of_deadline_lists(cast):
    with time_machine.travel(T0, tick=False) as traveller:
        submit(cast)
        traveller.move_to(T0 + timedelta(days=30))
        assert Case.objects.overdue().count() == 0
        assert worklist(cast.worker_a, "pending_dispatch").count() == 1
        assert worklist(cast.worker_b, "pending_dispatch").count() == 0
