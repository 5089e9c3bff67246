"""An appeal turned into a dispute: the button on the case page (community workers), the form prefilled from the
appeal (its resident as the applicant with their particulars, its text as what is at stake), the core Link
"disputes.from_appeal", the case page's panel ("已转矛盾纠纷调解 TJ…", no content), the resident told (their
account and an SMS, the phone never logged), and a second conversion refused. At the end the applicants are told
the outcome (agreed, not agreed, referred), phone-only ones by SMS; a walk-in dispute tells nobody."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import override_settings

from gongzhi.appeals.actions import intake
from gongzhi.core.models import AuditEvent, Link, Notification
from gongzhi.core.notifications import MemorySmsBackend
from gongzhi.disputes.actions import cases as actions
from gongzhi.disputes.models import Dispute

from .test_cases_scene import Scene, scene_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

TITLE = "楼上邻居深夜噪音"
BODY = "楼上住户每天凌晨还在拖动家具，影响休息，沟通无果，希望社区帮忙调解。"


@pytest.fixture
def appeal(scene: Scene) -> Any:
    c = scene.cast
    return intake.do_submit_appeal(acting_user=c.resident_user, title=TITLE, body=BODY,
                                   callback_phone="13800138000", callback_name="张桂兰", area=c.building_a)


@override_settings(SMS_BACKEND="memory")
def test_the_case_page_offers_the_conversion_and_the_form_is_prefilled(
        client: Any, scene: Scene, appeal: Any, django_capture_on_commit_callbacks: Any) -> None:
    c = scene.cast
    assert appeal.resident == c.resident_a
    client.force_login(c.worker_a)
    page = client.get(f"/appeals/cases/{appeal.case_id}/").content.decode()
    assert 'data-testid="appeal-to-dispute"' in page and "转为矛盾纠纷调解" in page
    form = client.get("/disputes/cases/new/", {"appeal": appeal.pk}).content.decode()
    assert TITLE in form and BODY in form and appeal.masked_code in form and appeal.tracking_code not in form
    assert f'name="party-1-resident" value="{c.resident_a.pk}"' in form or \
        f'<option value="{c.resident_a.pk}" selected>' in form
    MemorySmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/disputes/cases/new/", {
            "appeal": appeal.pk, "community": c.community_a.pk, "title": TITLE, "kind": "neighbours",
            "stakes": BODY, "urgency": "normal", "risk": "medium",
            "party-1-side": "applicant", "party-1-kind": "resident", "party-1-resident": c.resident_a.pk,
            "party-2-side": "respondent", "party-2-kind": "resident", "party-2-name": "楼上住户"})
    d = Dispute.objects.get(title=TITLE)
    assert response.status_code == 302 and response["Location"] == f"/disputes/cases/{d.pk}/"
    assert d.source == Dispute.Source.APPEAL and d.stakes == BODY
    applicant = d.parties.get(side="applicant")
    assert (applicant.resident, applicant.phone, applicant.id_number) == (c.resident_a, "13800138000",
                                                                            "110101195001011239")
    link = Link.objects.get(kind="disputes.from_appeal")
    assert (link.from_id, link.to_id, link.created_by) == (d.pk, appeal.pk, c.worker_a)
    # the resident is told, on their account and by SMS
    note = Notification.objects.get(user=c.resident_user, verb="disputes.from_appeal")
    assert appeal.tracking_code in note.text and d.reference in note.text
    assert MemorySmsBackend.outbox == [("13800138000", note.text)]
    event = AuditEvent.objects.get(verb="disputes.from_appeal")
    assert event.after == {"appeal": appeal.pk, "resident_notified": True, "sms": True}
    assert "13800138000" not in json.dumps([e.after for e in AuditEvent.objects.all()], ensure_ascii=False)
    # the case page now shows the link, not the content
    page = client.get(f"/appeals/cases/{appeal.case_id}/").content.decode()
    assert f"已转矛盾纠纷调解 {d.reference}" in page and 'data-testid="appeal-to-dispute"' not in page


def test_the_panel_shows_no_content_and_no_button_to_others(client: Any, scene: Scene, appeal: Any) -> None:
    c = scene.cast
    d = actions.do_record_from_appeal(appeal, acting_user=c.worker_a, parties=[
        actions.appeal_party(appeal), {"side": "respondent", "name": "楼上住户"}])
    assert d.title == TITLE and d.community == c.community_a
    client.force_login(c.district_admin)  # sees the case, may not record a dispute
    page = client.get(f"/appeals/cases/{appeal.case_id}/").content.decode()
    assert f"已转矛盾纠纷调解 {d.reference}" in page
    panel = page.split('data-testid="disputes-appeal-panel"')[1].split("</section>")[0]
    assert "楼上住户" not in panel and 'data-testid="appeal-to-dispute"' not in panel


def test_a_second_conversion_is_refused(scene: Scene, appeal: Any) -> None:
    c = scene.cast
    rows = [actions.appeal_party(appeal), {"side": "respondent", "name": "楼上住户"}]
    d = actions.do_record_from_appeal(appeal, acting_user=c.worker_a, parties=rows)
    with pytest.raises(actions.Conflict) as info:
        actions.do_record_from_appeal(appeal, acting_user=c.worker_a, parties=rows)
    assert info.value.message == f"该诉求已转为矛盾纠纷调解 {d.reference}。"
    assert Dispute.objects.filter(source="appeal").count() == 1


def test_the_api_converts_and_another_community_cannot(client: Any, scene: Scene, appeal: Any) -> None:
    c = scene.cast
    client.force_login(c.worker_b)  # does not see the appeal
    body = {"appeal_id": appeal.pk, "parties": [{"side": "applicant", "name": "张桂兰"},
                                                {"side": "respondent", "name": "楼上住户"}]}
    assert client.post("/api/disputes/cases/from-appeal", body, content_type="application/json").status_code == 404
    client.force_login(c.worker_a)
    response = client.post("/api/disputes/cases/from-appeal", {"appeal_id": appeal.pk},
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"] == "请至少登记一名被申请人（另一方）。"
    response = client.post("/api/disputes/cases/from-appeal", body, content_type="application/json")
    assert response.status_code == 201
    data = response.json()
    assert data["source"] == "appeal" and data["title"] == TITLE and data["sees_content"] is True
    again = client.post("/api/disputes/cases/from-appeal", body, content_type="application/json")
    assert again.status_code == 409


def _mediated(scene: Scene, appeal: Any, parties: list[dict[str, Any]]) -> Dispute:
    c = scene.cast
    d = actions.do_record_from_appeal(appeal, acting_user=c.worker_a, parties=parties)
    actions.do_assign(d, acting_user=c.worker_a, mediator=c.party_member_user)
    return d


@override_settings(SMS_BACKEND="memory")
def test_the_appeals_resident_is_told_the_outcome_on_their_account_and_by_sms(
        scene: Scene, appeal: Any, django_capture_on_commit_callbacks: Any) -> None:
    c = scene.cast
    d = _mediated(scene, appeal, [actions.appeal_party(appeal), {"side": "respondent", "name": "楼上住户"}])
    MemorySmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_record_outcome(d, acting_user=c.party_member_user, outcome="referred",
                                  reason="涉及房屋损坏赔偿金额较大，双方同意诉讼解决。", referred_to="court")
    note = Notification.objects.get(user=c.resident_user, verb="disputes.outcome_told")
    assert note.text == f"您的纠纷（编号 {d.reference}）已转交人民法院，后续由其处理。"
    assert [text for _phone, text in MemorySmsBackend.outbox] == [note.text]
    # nothing of the content goes out, and the audit keeps counts, never the phone
    assert "楼上住户" not in note.text and "赔偿" not in note.text
    event = AuditEvent.objects.get(verb="disputes.outcome")
    assert event.after is not None and event.after["told"] == {"accounts": 1, "sms": 1}
    assert "13800138000" not in json.dumps(event.after, ensure_ascii=False)


@override_settings(SMS_BACKEND="memory")
def test_a_phone_only_applicant_hears_the_end_by_sms(
        scene: Scene, appeal: Any, django_capture_on_commit_callbacks: Any) -> None:
    c = scene.cast
    d = _mediated(scene, appeal, [{"side": "applicant", "name": "李阿姨", "phone": "13900139000"},
                                  {"side": "respondent", "name": "楼上住户"}])
    MemorySmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_record_outcome(d, acting_user=c.party_member_user, outcome="not_agreed",
                                  reason="双方对赔偿数额分歧较大。")
    assert MemorySmsBackend.outbox == [("13900139000", f"您的纠纷（编号 {d.reference}）经调解未能达成协议，"
                                        f"{c.community_a.name}的调解员将告知您其他解决途径（如诉讼、仲裁）。")]
    assert not Notification.objects.filter(verb="disputes.outcome_told").exists()


@override_settings(SMS_BACKEND="memory")
def test_a_walk_in_dispute_tells_nobody_by_sms(scene: Scene, django_capture_on_commit_callbacks: Any) -> None:
    c = scene.cast
    MemorySmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_record_outcome(scene.dispute_a, acting_user=c.party_member_user, outcome="not_agreed",
                                  reason="申请人撤回调解申请。")
    assert MemorySmsBackend.outbox == []
    after = AuditEvent.objects.get(verb="disputes.outcome").after
    assert after is not None and after["told"] == {"accounts": 0, "sms": 0}
