# mypy: disable-error-code="union-attr,dict-item,arg-type"
"""The cases part's actions: every rule and its Chinese error, the transitions, the audit rows, the notifications."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.core.errors import ActionError, Conflict, InvalidTransition
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.disputes.actions import cases as actions
from gongzhi.disputes.models import Dispute, DisputeParty, MediationAssignment

from .test_cases_scene import Scene, scene_fixture, walk_in  # noqa: F401

pytestmark = pytest.mark.django_db

APPLICANT = {"side": "applicant", "name": "张桂兰"}
RESPONDENT = {"side": "respondent", "name": "李四海"}


def refused(fn: Any, *args: Any, **kwargs: Any) -> ActionError:
    with pytest.raises(ActionError) as info:
        fn(*args, **kwargs)
    return info.value


def test_recording_checks_each_field_in_chinese(scene: Scene) -> None:
    c = scene.cast
    record = actions.do_record_dispute
    base: dict[str, Any] = {"acting_user": c.worker_a, "community": c.community_a, "title": "噪音",
                            "kind": "neighbours", "stakes": "夜间噪音", "parties": [APPLICANT, RESPONDENT]}
    cases = [
        ({"community": None}, "community", "请选择登记纠纷的社区。"),
        ({"community": c.estate_a}, "community", "请选择登记纠纷的社区。"),
        ({"title": " "}, "title", "请填写纠纷标题。"),
        ({"title": "长" * 201}, "title", "最多 200 个字"),
        ({"kind": "gossip"}, "kind", "请选择纠纷类型。"),
        ({"stakes": ""}, "stakes", "请填写纠纷事项。"),
        ({"urgency": "asap"}, "urgency", "请选择紧急程度。"),
        ({"risk": "huge"}, "risk", "请选择激化风险。"),
        ({"source": "rumour"}, "source", "请选择纠纷来源。"),
        ({"parties": [APPLICANT]}, "parties", "请至少登记一名被申请人（另一方）。"),
        ({"parties": [RESPONDENT]}, "parties", "请至少登记一名申请人（提出调解的一方）。"),
        ({"parties": [APPLICANT, {**RESPONDENT, "side": ""}]}, "party-2-side", "第2方当事人：请选择申请人或被申请人。"),
        ({"parties": [APPLICANT, {**RESPONDENT, "kind": "cat"}]}, "party-2-kind", "第2方当事人：请选择当事人类型。"),
        ({"parties": [APPLICANT, {"side": "respondent", "phone": "13800138000"}]}, "party-2-name",
         "第2方当事人：请填写当事人姓名或名称。"),
        ({"parties": [{**APPLICANT, "phone": "12345"}, RESPONDENT]}, "party-1-phone", "第1方当事人：手机号 12345 无效"),
        ({"parties": [{**APPLICANT, "id_number": "110101195001011230"}, RESPONDENT]}, "party-1-id_number",
         "第1方当事人：身份证号无效"),
        ({"parties": [APPLICANT, {**RESPONDENT, "kind": "property_company", "id_number": "110101195001011239"}]},
         "party-2-id_number", "只有自然人有身份证号"),
        ({"parties": [APPLICANT, {**RESPONDENT, "address": "长" * 201}]}, "party-2-address", "住址过长"),
        ({"parties": [APPLICANT, {**RESPONDENT, "name": "名" * 101}]}, "party-2-name", "100"),
        ({"parties": [APPLICANT, {**RESPONDENT, "resident": c.resident_b.pk}]}, "party-2-resident",
         "在您可查看的居民中找不到该居民。"),
        ({"parties": [APPLICANT, {**RESPONDENT, "kind": "unit", "resident": c.resident_a.pk}]}, "party-2-resident",
         "只有居民当事人才能从居民中选择。"),
        ({"parties": [APPLICANT, {**RESPONDENT, "unit": c.member_unit.pk}]}, "party-2-unit",
         "居民当事人不能从单位中选择。"),
        ({"parties": [APPLICANT, {**RESPONDENT, "community": c.estate_a.pk}]}, "party-2-community",
         "请从列表中选择当事人所在社区。"),
        ({"parties": [APPLICANT, {**RESPONDENT, "community": c.community_b.pk}]}, "parties",
         "不在同一联盟"),
        ({"parties": [APPLICANT, RESPONDENT] * 11}, "parties", "最多登记20方当事人"),
        ({"alliance": scene.alliance.alliance, "community": c.community_b, "acting_user": c.worker_b},
         "alliance", "不属于"),
    ]
    for change, field, message in cases:
        error = refused(record, **{**base, **change})
        assert error.field == field, (change, error.field, error.message)
        assert message in error.message, (change, error.message)
    assert Dispute.objects.count() == 2  # the scene's only
    with pytest.raises(PermissionDenied):
        record(**{**base, "community": c.community_b})
    with pytest.raises(PermissionDenied):
        record(**{**base, "acting_user": c.grid_worker_a, "community": c.community_b})  # not their grid's community


def test_a_dispute_records_its_parties_and_a_random_reference(scene: Scene) -> None:
    c = scene.cast
    d = actions.do_record_dispute(
        acting_user=c.worker_a, community=c.community_a, title="物业费争议", kind="property", stakes="物业费上涨",
        source="referral", urgency="urgent", risk="high",
        parties=[{"side": "applicant", "resident": c.resident_a.pk},
                 {"side": "respondent", "kind": "property_company", "unit": c.member_unit.pk},
                 {"side": "respondent", "kind": "resident", "name": "", "phone": ""}])  # an empty row is skipped
    assert d.reference.startswith(f"TJ{timezone.localdate().year}-") and len(d.reference) == 13
    assert d.reference != str(d.pk) and d.status == Dispute.Status.RECORDED and d.recorded_by == c.worker_a
    applicant, company = d.parties.order_by("side", "id")
    assert (applicant.name, applicant.phone, applicant.id_number, applicant.resident) == (
        "张桂兰", "13800138000", "110101195001011239", c.resident_a)
    assert applicant.community == c.community_a
    assert (company.name, company.unit, company.phone) == ("和平物业服务有限公司", c.member_unit, "13800001111")
    event = AuditEvent.objects.get(verb="disputes.record", object_id=str(d.pk))
    assert event.after == {"source": "referral", "kind": "property", "urgency": "urgent", "risk": "high",
                           "parties": 2, "alliance": None}
    # The recorder sees the content until it is assigned.
    assert actions.sees_content(c.worker_a, d)


def test_across_the_border_the_alliance_is_derived(scene: Scene) -> None:
    c, s = scene.cast, scene.alliance
    d = walk_in(c.worker_a, c.community_a, parties=[
        {"side": "applicant", "name": "张桂兰"},
        {"side": "respondent", "name": "陈美华", "community": s.community_c.pk, "phone": "13600136000"}])
    assert d.alliance == s.alliance
    assert d.parties.get(side="respondent").community == s.community_c
    # the office of the alliance covers it: its head (a worker of C) sees the record
    from gongzhi.disputes.permissions import dispute_policy

    assert dispute_policy.visible_to(s.worker_c).filter(pk=d.pk).exists()


def test_assignment_rules_and_notifications(scene: Scene) -> None:
    c = scene.cast
    d = walk_in(c.worker_a, c.community_a)
    error = refused(actions.do_assign, d, acting_user=c.worker_a)
    assert error.field == "assignee" and error.message == "请选择一名调解员或一个调解组织。"
    error = refused(actions.do_assign, d, acting_user=c.worker_a, mediator=c.liaison)
    assert error.field == "mediator" and "未担任和平里社区矛盾调解员岗位" in error.message
    error = refused(actions.do_assign, d, acting_user=c.worker_a, body=scene.committee_b)
    assert error.field == "body" and "不负责该纠纷" in error.message
    with pytest.raises(PermissionDenied):
        actions.do_assign(d, acting_user=c.party_member_user, body=scene.committee_a)
    a1 = actions.do_assign(d, acting_user=c.worker_a, body=scene.committee_a)
    d.refresh_from_db()
    assert d.status == Dispute.Status.ASSIGNED and a1.active
    told = set(Notification.objects.filter(verb="disputes.assigned").values_list("user__username", flat=True))
    assert {"worker_a", "volunteer"} <= told
    with pytest.raises(Conflict):
        actions.do_assign(d, acting_user=c.worker_a, body=scene.committee_a)
    a2 = actions.do_assign(d, acting_user=c.worker_a, body=scene.office)  # the alliance office: A is in it
    a3 = actions.do_assign(d, acting_user=c.worker_a, mediator=c.party_member_user)  # the post holder
    assert list(MediationAssignment.objects.filter(dispute=d, active=True)) == [a3]
    assert not MediationAssignment.objects.get(pk=a2.pk).active
    note = Notification.objects.filter(user=c.party_member_user, verb="disputes.assigned").latest("id")
    assert d.reference in note.text and note.url == f"/disputes/cases/{d.pk}/" and "楼道" not in note.text
    assert AuditEvent.objects.filter(verb="disputes.assign", object_id=str(d.pk)).count() == 3


def test_sessions_outcome_and_closing(scene: Scene) -> None:
    c = scene.cast
    d = scene.dispute_a
    mediator = c.party_member_user
    now = timezone.now()
    with pytest.raises(PermissionDenied):
        actions.do_record_session(d, acting_user=c.city_admin, held_at=now, place="x", attendees="x", notes="x")
    with pytest.raises(PermissionDenied):  # the subdistrict supervises, it does not mediate
        actions.do_record_session(d, acting_user=c.subdistrict_staff_a, held_at=now, place="x", attendees="x",
                                  notes="x")
    ok = {"held_at": now - timedelta(hours=1), "place": "社区调解室", "attendees": "双方当事人", "notes": "双方同意协商"}
    for change, field, message in [
        ({"held_at": ""}, "held_at", "请填写调解时间。"),
        ({"held_at": "明天"}, "held_at", "请按 2026-03-01 14:30 的格式填写日期和时间。"),
        ({"held_at": now + timedelta(hours=2)}, "held_at", "调解时间不能晚于现在"),
        ({"held_at": now - timedelta(days=30)}, "held_at", "调解时间不能早于纠纷登记时间。"),
        ({"place": ""}, "place", "请填写调解地点。"),
        ({"attendees": ""}, "attendees", "请填写参加人员。"),
        ({"notes": ""}, "notes", "请填写调解情况记录。"),
    ]:
        error = refused(actions.do_record_session, d, acting_user=mediator, **{**ok, **change})
        assert (error.field, message in error.message) == (field, True), (change, error.message)
    error = refused(actions.do_record_outcome, d, acting_user=mediator, outcome="agreed", reason="x")
    assert error.field == "outcome" and "调解未成" in error.message
    with pytest.raises(InvalidTransition):
        actions.do_close(d, acting_user=c.worker_a)
    actions.do_record_session(d, acting_user=mediator, **ok)
    d.refresh_from_db()
    assert d.status == Dispute.Status.IN_MEDIATION and d.sessions.count() == 1
    for change, field, message in [
        ({"reason": ""}, "reason", "请说明理由。"),
        ({"outcome": "referred", "referred_to": ""}, "referred_to", "请选择转至何处。"),
        ({"outcome": "referred", "referred_to": "department"}, "referred_unit", "请选择转至的部门。"),
        ({"outcome": "referred", "referred_to": "department", "referred_unit": c.member_unit}, "referred_unit",
         "不是政府部门"),
    ]:
        error = refused(actions.do_record_outcome, d, acting_user=mediator,
                        **{"outcome": "not_agreed", "reason": "分歧较大", **change})
        assert (error.field, message in error.message) == (field, True), (change, error.message)
    actions.do_record_outcome(d, acting_user=mediator, outcome="referred", referred_to="department",
                              referred_unit=c.department, reason="涉及房屋安全鉴定，转住建委处理")
    d.refresh_from_db()
    assert (d.status, d.referred_to, d.referred_unit, d.resolved_at is not None) == (
        Dispute.Status.REFERRED, "department", c.department, True)
    error = refused(actions.do_record_session, d, acting_user=mediator, **ok)
    assert isinstance(error, InvalidTransition)
    with pytest.raises(InvalidTransition):
        actions.do_assign(d, acting_user=c.worker_a, body=scene.committee_a)
    with pytest.raises(PermissionDenied):
        actions.do_close(d, acting_user=c.volunteer)
    actions.do_close(d, acting_user=c.worker_a)  # the community desk closes
    d.refresh_from_db()
    assert d.status == Dispute.Status.CLOSED
    with pytest.raises(Conflict):
        actions.do_close(d, acting_user=c.worker_a)
    verbs = list(AuditEvent.objects.filter(object_id=str(d.pk), verb__startswith="disputes.")
                 .values_list("verb", flat=True).order_by("id"))
    assert verbs[-3:] == ["disputes.session", "disputes.outcome", "disputes.close"]


def test_not_agreed_outcome(scene: Scene) -> None:
    d = scene.dispute_b
    actions.do_record_outcome(d, acting_user=scene.cast.worker_b, outcome="not_agreed", reason="双方分歧较大")
    d.refresh_from_db()
    assert d.status == Dispute.Status.NOT_AGREED and d.referred_to == "" and d.outcome_reason == "双方分歧较大"
    with pytest.raises(InvalidTransition):
        actions.do_record_outcome(d, acting_user=scene.cast.worker_b, outcome="not_agreed", reason="x")


def test_editing_the_parties(scene: Scene) -> None:
    c = scene.cast
    d = scene.dispute_a
    applicant, respondent = d.parties.order_by("side", "id")
    rows = [{"id": applicant.pk, "side": "applicant", "name": "张桂兰", "phone": "13900001111"},
            {"side": "respondent", "kind": "owners_committee", "name": "和平小区业主委员会"}]
    with pytest.raises(PermissionDenied):
        actions.do_save_parties(d, acting_user=c.city_admin, parties=rows)
    error = refused(actions.do_save_parties, d, acting_user=c.party_member_user, parties=rows[:1])
    assert error.field == "parties"
    actions.do_save_parties(d, acting_user=c.party_member_user, parties=rows)
    parties = list(d.parties.order_by("side", "id"))
    assert [(p.pk == applicant.pk, p.name, p.kind) for p in parties] == [
        (True, "张桂兰", "resident"), (False, "和平小区业主委员会", "owners_committee")]
    assert parties[0].phone == "13900001111" and not DisputeParty.objects.filter(pk=respondent.pk).exists()
    assert AuditEvent.objects.get(verb="disputes.parties").after == {"parties": 2, "removed": 1}
    Dispute.objects.filter(pk=d.pk).update(status=Dispute.Status.CLOSED)
    with pytest.raises(InvalidTransition):
        actions.do_save_parties(d, acting_user=c.party_member_user, parties=rows)
