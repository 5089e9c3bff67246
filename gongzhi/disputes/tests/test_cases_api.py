"""The cases part's API (/api/disputes/): record, the list's filters, parties, assign, sessions, outcome, close,
bodies; errors in Chinese (400), 403, 404, 409."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from gongzhi.disputes.models import Dispute

from .test_cases_scene import Scene, scene_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def post(client: Any, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


def test_a_walk_in_through_the_whole_mediation(client: Any, scene: Scene) -> None:
    c = scene.cast
    client.force_login(c.worker_a)
    body = {"community_id": c.community_a.pk, "title": "宠物狗噪音", "kind": "neighbours", "stakes": "狗夜间吠叫",
            "risk": "medium", "parties": [{"side": "applicant", "name": "张桂兰", "phone": "13800138000"},
                                          {"side": "respondent", "name": "赵大妈"}]}
    bad = post(client, "/api/disputes/cases", {**body, "parties": [{"side": "applicant", "name": "张桂兰",
                                                                     "phone": "123"}]})
    assert bad.status_code == 400 and bad.json()["detail"].startswith("第1方当事人：手机号 123 无效")
    created = post(client, "/api/disputes/cases", body)
    assert created.status_code == 201
    d = created.json()
    assert d["status"] == "recorded" and d["reference"].startswith("TJ") and d["sees_content"]
    assert [p["phone"] for p in d["parties"] if p["side"] == "applicant"] == ["138****8000"]
    pk = d["id"]
    assert post(client, f"/api/disputes/cases/{pk}/assign", {}).status_code == 400
    assigned = post(client, f"/api/disputes/cases/{pk}/assign", {"mediator_id": c.party_member_user.pk})
    assert assigned.status_code == 200 and assigned.json()["status"] == "assigned"
    assert assigned.json()["assignments"][0]["mediator"] == "王红"
    client.force_login(c.party_member_user)
    session = post(client, f"/api/disputes/cases/{pk}/sessions", {
        "held_at": timezone.now().isoformat(), "place": "社区调解室", "attendees": "双方", "notes": "约定拴绳遛狗"})
    assert session.status_code == 201 and session.json()["status"] == "in_mediation"
    assert session.json()["sessions"][0]["notes"] == "约定拴绳遛狗"
    refused = post(client, f"/api/disputes/cases/{pk}/outcome", {"outcome": "referred", "reason": "x"})
    assert refused.status_code == 400 and refused.json()["detail"] == "请选择转至何处。"
    done = post(client, f"/api/disputes/cases/{pk}/outcome", {"outcome": "referred", "referred_to": "arbitration",
                                                              "reason": "涉及赔偿金额，申请仲裁"})
    assert done.status_code == 200 and done.json()["status"] == "referred" and done.json()["referred_to"] == "arbitration"
    closed = post(client, f"/api/disputes/cases/{pk}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert post(client, f"/api/disputes/cases/{pk}/close").status_code == 409
    # the city sees the record without the content, and may not act
    client.force_login(c.city_admin)
    record = client.get(f"/api/disputes/cases/{pk}").json()
    assert record["sessions"][0]["notes"] == "" and record["outcome_reason"] == "" and record["parties"] == []
    open_b = scene.dispute_b.pk
    assert post(client, f"/api/disputes/cases/{open_b}/outcome", {"outcome": "not_agreed", "reason": "x"}) \
        .status_code == 403
    assert post(client, f"/api/disputes/cases/{open_b}/assign", {"body_id": scene.committee_b.pk}).status_code == 403


def test_the_list_filters(client: Any, scene: Scene) -> None:
    c = scene.cast
    client.force_login(c.superuser)
    refs = {d.reference for d in Dispute.objects.all()}
    assert {r["reference"] for r in client.get("/api/disputes/cases").json()} == refs
    assert client.get("/api/disputes/cases", {"community_id": c.community_b.pk}).json()[0]["reference"] == \
        scene.dispute_b.reference
    assert client.get("/api/disputes/cases", {"status": "closed"}).json() == []
    assert len(client.get("/api/disputes/cases", {"status": "open"}).json()) == 2
    assert client.get("/api/disputes/cases", {"kind": "family"}).json() == []
    client.force_login(c.party_member_user)
    mine = client.get("/api/disputes/cases", {"mine": "true"}).json()
    assert [r["reference"] for r in mine] == [scene.dispute_a.reference]
    client.force_login(c.resident_user)
    assert client.get("/api/disputes/cases").status_code == 403


def test_parties_through_the_api(client: Any, scene: Scene) -> None:
    c = scene.cast
    d = scene.dispute_a
    client.force_login(c.worker_a)  # the committee's head sees the content (and the units of A)
    current = client.get(f"/api/disputes/cases/{d.pk}").json()["parties"]
    rows = [{"id": p["id"], "side": p["side"], "kind": p["kind"], "name": p["name"]} for p in current]
    rows.append({"side": "respondent", "kind": "property_company", "name": "和平物业服务有限公司",
                 "unit_id": c.member_unit.pk})
    response = client.put(f"/api/disputes/cases/{d.pk}/parties", {"parties": rows}, content_type="application/json")
    assert response.status_code == 200 and len(response.json()["parties"]) == 3
    client.force_login(c.city_admin)
    assert client.put(f"/api/disputes/cases/{d.pk}/parties", {"parties": rows},
                      content_type="application/json").status_code == 403


def test_bodies_through_the_api(client: Any, scene: Scene) -> None:
    c = scene.cast
    client.force_login(c.worker_a)
    names = {b["name"] for b in client.get("/api/disputes/bodies").json()}
    assert names == {"和平里社区人民调解委员会", "和平—新塘矛盾化解处"}
    office = client.get(f"/api/disputes/bodies/{scene.office.pk}").json()
    assert office["kind"] == "alliance_office" and office["head"] == "新塘社工"
    assert client.get(f"/api/disputes/bodies/{scene.committee_b.pk}").status_code == 404


def test_bodies_are_set_up_and_changed_through_the_api(client: Any, scene: Scene) -> None:
    s = scene.alliance
    client.force_login(s.worker_c)
    body = {"kind": "committee", "name": "新塘社区人民调解委员会", "community_id": s.community_c.pk,
            "head_id": s.worker_c.pk, "member_ids": [s.worker_c.pk, s.resident_c_user.pk]}
    created = post(client, "/api/disputes/bodies", body)
    assert created.status_code == 201 and set(created.json()["members"]) == {"新塘社工", "陈美华"}
    assert post(client, "/api/disputes/bodies", body).status_code == 409
    pk = created.json()["id"]
    changed = client.put(f"/api/disputes/bodies/{pk}", {"name": "新塘人调委", "head_id": s.worker_c.pk,
                                                        "member_ids": [scene.cast.worker_b.pk]},
                         content_type="application/json")
    assert changed.status_code == 400 and changed.json()["detail"] == "安定门社工在该调解组织覆盖的社区没有任职。"
    client.force_login(scene.cast.worker_b)
    assert client.put(f"/api/disputes/bodies/{pk}", {"name": "x", "head_id": s.worker_c.pk},
                      content_type="application/json").status_code == 404
