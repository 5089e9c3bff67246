# mypy: disable-error-code="arg-type,operator,union-attr"
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.appeals import actions
from gongzhi.appeals.models import Case, CaseEvent, ExtensionRequest
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import AuditEvent

from .conftest import dispatched, in_progress, lead, replied, submit


def audit(verb: str, case: Case) -> bool:
    return AuditEvent.objects.filter(verb=verb, object_id=str(case.pk), object_type="appeals.case").exists()


def test_it_submits_an_appeal_into_a_case_waiting_for_dispatch(cast):
    appeal = submit(cast)
    assert len(appeal.tracking_code) == 12
    assert appeal.case.status == Case.Status.PENDING_DISPATCH
    assert appeal.case.area_path == cast.building_a.path
    assert appeal.case.subdistrict == cast.subdistrict_a
    assert audit("appeals.submit", appeal.case)


def test_it_refuses_bad_input_and_stores_nothing(cast):
    with pytest.raises(ActionError) as exc:
        submit(cast, callback_phone="123")
    assert exc.value.field == "callback_phone"
    with pytest.raises(ActionError):
        submit(cast, body="  ")
    with pytest.raises(ActionError):
        submit(cast, area=None, address="")
    with pytest.raises(ActionError):
        submit(cast, body="买药 http://a.cn http://b.cn http://c.cn")
    with pytest.raises(ActionError):
        submit(cast, body="啊" * 30)
    assert Case.objects.count() == 0


def test_it_returns_the_same_appeal_for_the_same_idempotency_key(cast):
    a = submit(cast, idempotency_key="k1")
    b = submit(cast, idempotency_key="k1")
    assert a.pk == b.pk
    assert Case.objects.count() == 1


def test_it_only_lets_staff_enter_hotline_appeals(cast):
    with pytest.raises(PermissionDenied):
        submit(cast, channel="hotline")
    assert submit(cast, acting_user=cast.worker_a, channel="hotline").channel == "hotline"


def test_it_keeps_patrol_reports_inside_the_grid(cast):
    assert submit(cast, acting_user=cast.grid_worker_a, channel="grid_patrol").pk
    with pytest.raises(ActionError):
        submit(cast, acting_user=cast.grid_worker_a, channel="grid_patrol", area=cast.building_b)


def test_it_dispatches_and_sets_deadlines(cast, ac):
    case = dispatched(cast, ac)
    assert case.status == Case.Status.DISPATCHED
    assert case.due_at - case.dispatched_at == timedelta(days=7)
    assert case.accept_deadline - case.dispatched_at == timedelta(hours=2)
    assert case.remind_at == case.due_at - timedelta(hours=24)
    assert audit("appeals.dispatch", case)
    with pytest.raises(InvalidTransition):
        actions.do_dispatch_case(case, acting_user=cast.worker_a, lead_unit=cast.department)


def test_it_refuses_dispatch_from_another_community(cast, ac):
    appeal = submit(cast)
    with pytest.raises(PermissionDenied):
        actions.do_dispatch_case(appeal.case, acting_user=cast.worker_b, lead_unit=cast.department, category=ac.leaf)


def test_it_runs_the_whole_lifecycle_with_a_timeline(cast, ac):
    case = dispatched(cast, ac)
    actions.do_accept_assignment(lead(case), acting_user=cast.handler)
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    actions.do_add_progress_note(case, acting_user=cast.handler, note="已联系环卫")
    actions.do_supervise_case(case, acting_user=cast.subdistrict_staff_a, note="请尽快处理")
    actions.do_reply_case(case, acting_user=cast.handler, body="已清运")
    case.refresh_from_db()
    assert case.status == Case.Status.REPLIED
    actions.do_follow_up_case(case, acting_user=ac.caller, contacted=True, solved=True, satisfaction="satisfied")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED  # the satisfied follow-up closes it (APPEALS_AFTER_RATING)
    verbs = list(CaseEvent.objects.filter(case=case).values_list("verb", flat=True))
    assert verbs == ["submit", "dispatch", "accept", "progress", "supervise", "reply", "follow_up", "close"]
    assert all(e.duration is not None for e in CaseEvent.objects.filter(case=case)[1:])
    for verb in ("accept", "reply", "follow_up", "close", "supervise", "progress"):
        assert audit(f"appeals.{verb}", case)


def test_it_refuses_accepting_twice(cast, ac):
    case = dispatched(cast, ac)
    assignment = lead(case)
    actions.do_accept_assignment(assignment, acting_user=cast.handler)
    with pytest.raises(InvalidTransition):
        actions.do_accept_assignment(assignment, acting_user=cast.handler)


def test_it_refuses_another_department_accepting(cast, ac):
    case = dispatched(cast, ac)
    with pytest.raises(PermissionDenied):
        actions.do_accept_assignment(lead(case), acting_user=ac.handler2)


def test_it_returns_to_the_dispatcher_at_most_three_times(cast, ac):
    case = dispatched(cast, ac)
    due = case.due_at
    for _ in range(3):
        actions.do_return_assignment(lead(case), acting_user=cast.handler, reason="不属于本单位职责")
        case.refresh_from_db()
        assert case.status == Case.Status.PENDING_DISPATCH
        case = actions.do_dispatch_case(case, acting_user=cast.worker_a, lead_unit=cast.department)
        assert case.due_at == due  # the deadline stays fixed
    with pytest.raises(InvalidTransition):
        actions.do_return_assignment(lead(case), acting_user=cast.handler, reason="again")
    with pytest.raises(ActionError):
        actions.do_return_assignment(lead(case), acting_user=cast.handler, reason=" ")
    assert audit("appeals.return", case)


def test_it_reassigns_to_another_department(cast, ac):
    case = in_progress(cast, ac)
    actions.do_reassign_case(case, acting_user=cast.worker_a, lead_unit=ac.department2, reason="水务问题")
    case.refresh_from_db()
    assert case.status == Case.Status.DISPATCHED and case.lead_unit == ac.department2
    with pytest.raises(PermissionDenied):
        actions.do_reply_case(case, acting_user=cast.handler, body="x")
    actions.do_accept_assignment(lead(case), acting_user=ac.handler2)


def test_it_moves_the_deadline_only_on_approval(cast, ac):
    case = in_progress(cast, ac)
    new_due = case.due_at + timedelta(days=3)
    req = actions.do_request_extension(case, acting_user=cast.handler, new_due_at=new_due, reason="需协调")
    with pytest.raises(InvalidTransition):
        actions.do_request_extension(case, acting_user=cast.handler, new_due_at=new_due, reason="again")
    case.refresh_from_db()
    assert case.due_at != new_due
    with pytest.raises(PermissionDenied):
        actions.do_decide_extension(req, acting_user=cast.handler, approve=True)
    actions.do_decide_extension(req, acting_user=cast.worker_a, approve=True)
    case.refresh_from_db()
    assert case.due_at == new_due
    req.refresh_from_db()
    assert req.status == ExtensionRequest.Status.APPROVED
    with pytest.raises(InvalidTransition):
        actions.do_decide_extension(req, acting_user=cast.worker_a, approve=False)


def test_a_waiting_extension_lapses_when_the_case_leaves_the_unit(cast, ac):
    """Found by the state machine: a request still waiting when the case was answered could be rejected
    after the case was closed. It now lapses on reply, on a lead unit's return and on reassignment."""
    case = in_progress(cast, ac)
    req = actions.do_request_extension(case, acting_user=cast.handler, new_due_at=case.due_at + timedelta(days=3),
                                       reason="需协调")
    actions.do_reply_case(case, acting_user=cast.handler, body="已处理")
    req.refresh_from_db()
    assert req.status == ExtensionRequest.Status.LAPSED and req.decided_by is None and req.decided_at is not None
    assert "已答复" in req.decision_note
    assert AuditEvent.objects.filter(verb="appeals.reply", object_id=str(case.pk),
                                     after__lapsed_extensions=1).exists()
    actions.do_close_case(case, acting_user=cast.worker_a)
    with pytest.raises(InvalidTransition):
        actions.do_decide_extension(req, acting_user=cast.worker_a, approve=False)
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED

    case = in_progress(cast, ac)
    req = actions.do_request_extension(case, acting_user=cast.handler, new_due_at=case.due_at + timedelta(days=3),
                                       reason="需协调")
    actions.do_reassign_case(case, acting_user=cast.worker_a, lead_unit=ac.department2, reason="水务问题")
    req.refresh_from_db()
    assert req.status == ExtensionRequest.Status.LAPSED
    case.refresh_from_db()
    actions.do_accept_assignment(lead(case), acting_user=ac.handler2)
    # the new unit may ask for its own extension
    actions.do_request_extension(case, acting_user=ac.handler2, new_due_at=case.due_at + timedelta(days=3),
                                 reason="需现场勘查")

    case = in_progress(cast, ac)
    req = actions.do_request_extension(case, acting_user=cast.handler, new_due_at=case.due_at + timedelta(days=3),
                                       reason="需协调")
    actions.do_return_assignment(lead(case), acting_user=cast.handler, reason="不属于本单位职责")
    req.refresh_from_db()
    assert req.status == ExtensionRequest.Status.LAPSED


def test_it_reopens_once_when_unsatisfied(cast, ac):
    case = replied(cast, ac)
    with pytest.raises(InvalidTransition):
        actions.do_reopen_case(case, acting_user=cast.worker_a)
    actions.do_follow_up_case(case, acting_user=ac.caller, contacted=True, solved=False,
                              satisfaction="unsatisfied")
    actions.do_reopen_case(case, acting_user=cast.worker_a, note="居民不满意")
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.reopen_count == 1
    assert case.due_at > timezone.now() + timedelta(days=6)
    actions.do_reply_case(case, acting_user=cast.handler, body="再次处理")
    actions.do_follow_up_case(case, acting_user=ac.caller, contacted=True, satisfaction="unsatisfied")
    with pytest.raises(InvalidTransition):
        actions.do_reopen_case(case, acting_user=cast.worker_a)


def test_it_refuses_reply_and_follow_up_from_the_wrong_state(cast, ac):
    case = dispatched(cast, ac)
    with pytest.raises(InvalidTransition):
        actions.do_reply_case(case, acting_user=cast.handler, body="x")
    with pytest.raises(InvalidTransition):
        actions.do_follow_up_case(case, acting_user=ac.caller, contacted=False)
    with pytest.raises(InvalidTransition):
        actions.do_close_case(case, acting_user=cast.worker_a)


def test_it_merges_duplicates_and_shares_the_answer(cast, ac):
    from gongzhi.appeals.queries import answer_for_appeal

    first = submit(cast)
    second = submit(cast, acting_user=None, callback_phone="13911112222")
    actions.do_merge_appeals(first.case, appeals=[second], acting_user=cast.worker_a)
    second.refresh_from_db()
    old_case = Case.objects.get(merged_into=first.case)
    assert old_case.status == Case.Status.MERGED
    assert second.case_id == first.case_id
    case = actions.do_dispatch_case(first.case, acting_user=cast.worker_a, lead_unit=cast.department,
                                    category=ac.leaf)
    actions.do_accept_assignment(lead(case), acting_user=cast.handler)
    actions.do_reply_case(case, acting_user=cast.handler, body="统一答复")
    second.refresh_from_db()
    assert answer_for_appeal(second) == "统一答复"
    assert second.tracking_code != first.tracking_code


def test_it_refuses_merging_a_case_already_dispatched(cast, ac):
    target = submit(cast)
    other = dispatched(cast, ac)
    with pytest.raises(InvalidTransition):
        actions.do_merge_appeals(target.case, appeals=list(other.appeals.all()), acting_user=cast.worker_a)


def test_it_uses_an_assisting_unit(cast, ac):
    appeal = submit(cast)
    case = actions.do_dispatch_case(appeal.case, acting_user=cast.worker_a, lead_unit=cast.department,
                                    assist_units=[ac.department2], category=ac.leaf)
    assist = case.assignments.get(role="assist")
    actions.do_accept_assignment(assist, acting_user=ac.handler2)
    case.refresh_from_db()
    assert case.status == Case.Status.DISPATCHED  # only the lead's acceptance starts handling
    actions.do_return_assignment(assist, acting_user=ac.handler2, reason="无需协办")
    case.refresh_from_db()
    assert case.status == Case.Status.DISPATCHED


def test_it_falls_back_to_the_subdistrict_office(cast, ac):
    from gongzhi.appeals.routing import suggest_route

    route = suggest_route(ac.leaf, cast.building_a)
    assert route.lead is not None and route.lead.name == "和平街道办事处"
    appeal = submit(cast)
    case = actions.do_dispatch_case(appeal.case, acting_user=cast.worker_a, lead_unit=route.lead, category=ac.leaf)
    actions.do_accept_assignment(lead(case), acting_user=cast.subdistrict_staff_a)


def test_it_picks_the_most_specific_routing_rule(cast, ac):
    from gongzhi.appeals.routing import suggest_route

    with pytest.raises(PermissionDenied):  # a rule for the whole city is the city's to make
        actions.do_create_routing_rule(acting_user=cast.district_admin, lead_unit=ac.department2,
                                       category=ac.leaf.parent)
    actions.do_create_routing_rule(acting_user=cast.city_admin, lead_unit=ac.department2, category=ac.leaf.parent)
    with pytest.raises(ActionError):  # one rule per (category, area)
        actions.do_create_routing_rule(acting_user=cast.city_admin, lead_unit=cast.department,
                                       category=ac.leaf.parent)
    actions.do_create_routing_rule(acting_user=cast.district_admin, lead_unit=cast.department, category=ac.leaf,
                                   area=cast.district)
    actions.do_create_routing_rule(acting_user=cast.city_admin, lead_unit=ac.department2, category=ac.leaf,
                                   area=cast.city)
    assert suggest_route(ac.leaf, cast.building_a).lead == cast.department
    other_leaf = ac.leaf.parent.children.exclude(pk=ac.leaf.pk).first()
    assert suggest_route(other_leaf, cast.building_a).lead == ac.department2


def test_it_lets_only_admins_edit_categories(cast):
    with pytest.raises(PermissionDenied):
        actions.do_create_category(acting_user=cast.worker_a, name="新类")
    top = actions.do_create_category(acting_user=cast.city_admin, name="新类")
    mid = actions.do_create_category(acting_user=cast.city_admin, name="二级", parent=top)
    leaf = actions.do_create_category(acting_user=cast.city_admin, name="三级", parent=mid, time_limit_kind="complex")
    with pytest.raises(ActionError):
        actions.do_create_category(acting_user=cast.city_admin, name="四级", parent=leaf)
    with pytest.raises(PermissionDenied):  # the tree holds for the whole city
        actions.do_update_category(leaf, acting_user=cast.district_admin, active=False)
    actions.do_update_category(leaf, acting_user=cast.city_admin, active=False)
    leaf.refresh_from_db()
    assert not leaf.active


def test_it_reveals_a_callback_phone_only_to_those_who_call_back(cast, ac):
    case = dispatched(cast, ac)
    appeal = case.appeals.get()
    with pytest.raises(PermissionDenied):
        actions.do_reveal_callback_phone(appeal, acting_user=cast.resident_user)
    assert actions.do_reveal_callback_phone(appeal, acting_user=cast.handler) == appeal.callback_phone
    event = AuditEvent.objects.get(verb="appeals.phone.reveal")
    assert event.actor == cast.handler and appeal.callback_phone not in str(event.after)


def test_it_marks_only_the_users_own_notifications_read(cast, ac):
    from gongzhi.core import actions as core_actions
    from gongzhi.core.models import Notification

    dispatched(cast, ac)
    mine = Notification.objects.filter(user=cast.handler, read_at__isnull=True).count()
    assert mine >= 1
    others = Notification.objects.exclude(user=cast.handler).filter(read_at__isnull=True).count()
    assert core_actions.do_mark_notifications_read(cast.handler) == mine
    assert Notification.objects.exclude(user=cast.handler).filter(read_at__isnull=True).count() == others
