"""The agreements part through its pages and its API: writing and signing the agreement (Chinese errors, 400), the
panel, the follow-up list (dates only), recording and moving visits, reopening, the audit of reads and writes."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import AuditEvent, User
from gongzhi.disputes.models import Dispute, FollowUp

from .agreements_scene import FACTS, PERFORMANCE, TERMS, make_scene, sign


@pytest.fixture
def scene(cast: Any) -> Any:
    return make_scene(cast)


def _put(client: Any, dispute: Dispute, **kw: Any) -> Any:
    body = {"facts": FACTS, "terms": TERMS, "performance": PERFORMANCE, **kw}
    return client.put(f"/api/disputes/{dispute.pk}/agreement", json.dumps(body), content_type="application/json")


def test_the_api_writes_signs_reads_and_records(scene: Any, client: Any) -> None:
    d = scene.dispute_a
    client.force_login(scene.c.worker_a)
    assert client.get(f"/api/disputes/{d.pk}/agreement").status_code == 404  # none yet
    draft = _put(client, d)
    assert draft.status_code == 200 and draft.json()["signed"] is False
    assert draft.json()["numbered_terms"][0].startswith("一、")
    bad = _put(client, d, signed_on=(timezone.localdate() + timedelta(days=2)).isoformat())
    assert bad.status_code == 400 and bad.json()["detail"] == "签署日期不能是将来的日期。"
    signed = _put(client, d, signed_on=timezone.localdate().isoformat())
    assert signed.status_code == 200 and signed.json()["dispute_status"] == "agreed"
    again = _put(client, d, terms="改")
    assert again.status_code == 400 and "不能再修改" in again.json()["detail"]
    read = client.get(f"/api/disputes/{d.pk}/agreement")
    assert read.status_code == 200 and read.json()["terms"] == TERMS
    assert AuditEvent.objects.filter(verb="disputes.agreement.view", actor=scene.c.worker_a).count() == 1
    visits = client.get(f"/api/disputes/{d.pk}/follow-ups").json()
    assert len(visits) == 1 and visits[0]["due_on"] == (timezone.localdate() + timedelta(days=30)).isoformat()
    docx = client.get(f"/api/disputes/{d.pk}/agreement.docx")
    assert docx.status_code == 200 and docx["Content-Type"].endswith("wordprocessingml.document")
    vid = visits[0]["id"]
    moved = client.post(f"/api/disputes/follow-ups/{vid}/reschedule",
                        json.dumps({"due_on": timezone.localdate().isoformat()}), content_type="application/json")
    assert moved.status_code == 200
    due = client.get("/api/disputes/follow-ups").json()
    assert [v["reference"] for v in due] == [d.reference] and due[0]["note"] == "" and due[0]["holds"] is None
    record = client.post(f"/api/disputes/follow-ups/{vid}/record",
                         json.dumps({"holds": False, "note": "未按期付款"}), content_type="application/json")
    assert record.status_code == 200 and record.json()["holds"] is False
    reopened = client.post(f"/api/disputes/{d.pk}/reopen")
    assert reopened.status_code == 200 and reopened.json()["status"] == "in_mediation"
    added = client.post(f"/api/disputes/{d.pk}/follow-ups", json.dumps({"due_on": timezone.localdate().isoformat()}),
                        content_type="application/json")
    # the failed agreement is not visited again: the visits come with the next agreement signed
    assert added.status_code == 400, added.content
    assert "签署" in added.json()["detail"]
    # out of scope: 404; a record-level viewer: 403
    client.force_login(scene.c.worker_b)
    assert client.get(f"/api/disputes/{d.pk}/agreement").status_code == 404
    assert _put(client, d).status_code == 404
    client.force_login(scene.c.city_admin)
    assert client.get(f"/api/disputes/{d.pk}/agreement").status_code == 403
    assert client.get(f"/api/disputes/{d.pk}/agreement.docx").status_code == 403


def test_the_pages_write_sign_and_follow_up(scene: Any, client: Any) -> None:
    d = scene.dispute_a
    client.force_login(scene.c.worker_a)
    panel = client.get(reverse("disputes:agreement", args=[d.pk]), HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and 'data-testid="agreement-form"' in panel.content.decode()
    assert "<html" not in panel.content.decode()  # htmx gets the panel alone
    assert AuditEvent.objects.filter(verb="disputes.agreement.view", actor=scene.c.worker_a,
                                     object_id=str(d.pk)).exists()
    url = reverse("disputes:agreement_save", args=[d.pk])
    bad = client.post(url, {"facts": FACTS, "terms": "", "performance": ""})
    assert bad.status_code == 400 and "必填" in bad.content.decode()
    bad = client.post(url, {"facts": FACTS, "terms": TERMS, "performance": "",
                            "signed_on": timezone.localdate().isoformat()})
    assert bad.status_code == 400 and "签署前请填写协议的履行方式、时限。" in bad.content.decode()
    ok = client.post(url, {"facts": FACTS, "terms": TERMS, "performance": PERFORMANCE,
                           "signed_on": timezone.localdate().isoformat()})
    assert ok.status_code == 302
    page = client.get(reverse("disputes:agreement", args=[d.pk])).content.decode()
    assert 'data-testid="agreement-docx"' in page and 'data-testid="agreement-form"' not in page
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert due in page and 'data-testid="follow-up-record"' in page
    visit = FollowUp.objects.get(dispute=d)
    bad = client.post(reverse("disputes:follow_up_record", args=[visit.pk]), {f"r{visit.pk}-holds": "no"})
    assert bad.status_code == 400 and "请说明哪些约定没有履行及原因。" in bad.content.decode()
    done = client.post(reverse("disputes:follow_up_record", args=[visit.pk]),
                       {f"r{visit.pk}-holds": "no", f"r{visit.pk}-note": "被申请人未修复防水层。"})
    assert done.status_code == 302
    page = client.get(reverse("disputes:agreement", args=[d.pk])).content.decode()
    assert 'data-testid="not-holding"' in page and 'data-testid="reopen"' in page
    assert client.post(reverse("disputes:mediation_reopen", args=[d.pk])).status_code == 302
    assert Dispute.objects.get(pk=d.pk).status == Dispute.Status.IN_MEDIATION


def test_the_worker_moves_a_visit_from_the_list_without_the_content(scene: Any, client: Any) -> None:
    sign(scene.dispute_b, scene.mediator_b, days_ago=28)
    visit = FollowUp.objects.get(dispute=scene.dispute_b)
    client.force_login(scene.c.worker_b)
    page = client.get(reverse("disputes:follow_ups"))
    text = page.content.decode()
    assert page.status_code == 200 and scene.dispute_b.reference in text and 'data-testid="list-move"' in text
    assert "楼上漏水" not in text and scene.c.resident_b.name not in text
    new = (timezone.localdate() + timedelta(days=6)).isoformat()
    moved = client.post(reverse("disputes:follow_up_reschedule", args=[visit.pk]), {f"m{visit.pk}-due_on": new})
    assert moved.status_code == 302 and moved["Location"] == reverse("disputes:follow_ups")
    assert FollowUp.objects.get(pk=visit.pk).due_on.isoformat() == new
    past = client.post(reverse("disputes:follow_up_reschedule", args=[visit.pk]),
                       {f"m{visit.pk}-due_on": "2020-01-01"}, follow=True)
    assert "回访日期不能早于今天。" in past.content.decode()
    assert client.post(reverse("disputes:follow_up_record", args=[visit.pk]),
                       {f"m{visit.pk}-holds": "yes"}).status_code == 403
    client.force_login(scene.c.worker_a)
    assert client.post(reverse("disputes:follow_up_reschedule", args=[visit.pk]),
                       {f"m{visit.pk}-due_on": new}).status_code == 404
    assert scene.dispute_b.reference not in client.get(reverse("disputes:follow_ups")).content.decode()
    client.force_login(scene.c.resident_user)
    assert client.get(reverse("disputes:follow_ups")).status_code == 403
    assert client.get(reverse("disputes:home")).status_code == 403
    client.force_login(User.objects.get(pk=scene.c.worker_b.pk))
    hub = client.get(reverse("disputes:home")).content.decode()
    assert 'data-testid="hub-agreements"' in hub and reverse("disputes:stats") in hub
