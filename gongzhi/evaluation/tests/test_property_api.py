"""The property part over the API (/api/evaluation/…): contracts, inspections (multipart with photos), grades and
the ranking, rectification notices, coverage and estate profiles; 400 refused with a Chinese message, 403 not
allowed, 404 out of scope."""

from __future__ import annotations

import json

import pytest

from gongzhi.core.models import AuditEvent
from gongzhi.evaluation.models import Inspection, PropertyGrade, RectificationNotice
from gongzhi.test import Cast

from .test_property_scene import QUARTER, TODAY, YEAR, contract, grade, png

pytestmark = pytest.mark.django_db
JSON = "application/json"
BASE = "/api/evaluation"


def test_a_worker_runs_a_contract_through_the_api(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    response = client.post(f"{BASE}/property/contracts", {"estate_id": cast.estate_a.pk,
                                                           "company_id": cast.member_unit.pk,
                                                           "starts_on": f"{YEAR}-01-01"}, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["items"]) == 6 and body["in_force"] and body["company_name"] == "和平物业服务有限公司"
    cid = body["id"]
    items = [{**i, "points": i["points"]} for i in body["items"]]
    items[0]["standard"] = "楼道每日两次清扫"
    response = client.patch(f"{BASE}/property/contracts/{cid}", {"note": "续签", "items": items}, content_type=JSON)
    assert response.status_code == 200 and response.json()["items"][0]["standard"] == "楼道每日两次清扫"
    assert client.get(f"{BASE}/property/contracts?estate_id={cast.estate_a.pk}").json()[0]["note"] == "续签"

    scores = [{"item_id": i["id"], "score": i["points"] - 8, "remark": "多处不达标"} for i in items]
    response = client.post(f"{BASE}/property/contracts/{cid}/inspections", {
        "inspected_on": TODAY.isoformat(), "by": "community", "scores": json.dumps(scores), "photos": [png()]})
    assert response.status_code == 201, response.content
    ins = response.json()
    assert ins["score"] == "52.00" and len(ins["photo_urls"]) == 1 and len(ins["scores"]) == 6
    assert client.get(ins["photo_urls"][0]).status_code == 200

    response = client.post(f"{BASE}/property/contracts/{cid}/grades", {"year": YEAR, "quarter": QUARTER},
                           content_type=JSON)
    assert response.status_code == 201, response.content
    g = response.json()
    assert g["score"] == "52.00" and g["level"] == "fail" and g["below_threshold"]
    assert g["details"]["inspections"]["count"] == 1
    assert client.get(f"{BASE}/property/grades?year={YEAR}&quarter={QUARTER}").json()[0]["id"] == g["id"]
    ranking = client.get(f"{BASE}/property/ranking").json()
    assert ranking["rows"][0]["company_name"] == "和平物业服务有限公司" and ranking["rows"][0]["rank"] == 1

    response = client.post(f"{BASE}/property/grades/{g['id']}/rectifications", {
        "items": [{"item": "保洁", "requirement": "楼道每日清扫"}],
        "deadline": TODAY.isoformat()}, content_type=JSON)
    assert response.status_code == 400 and "期限" in response.json()["detail"]
    from datetime import timedelta

    response = client.post(f"{BASE}/property/grades/{g['id']}/rectifications", {
        "items": [{"item": "保洁", "requirement": "楼道每日清扫"}],
        "deadline": (TODAY + timedelta(days=10)).isoformat()}, content_type=JSON)
    assert response.status_code == 201
    nid = response.json()["id"]
    assert client.post(f"{BASE}/property/rectifications/{nid}/reply", {"reply": "x"},
                       content_type=JSON).status_code == 403
    client.force_login(cast.liaison)
    assert [n["id"] for n in client.get(f"{BASE}/property/rectifications?status=open").json()] == [nid]
    response = client.post(f"{BASE}/property/rectifications/{nid}/reply", {"reply": "已整改"}, content_type=JSON)
    assert response.status_code == 200 and response.json()["status"] == "replied"
    assert client.post(f"{BASE}/property/rectifications/{nid}/reply", {"reply": "again"},
                       content_type=JSON).status_code == 400
    client.force_login(cast.worker_a)
    response = client.post(f"{BASE}/property/rectifications/{nid}/close", {"accept": True, "note": "复查合格"},
                           content_type=JSON)
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert AuditEvent.objects.filter(verb__startswith="evaluation.").count() == 7


def test_refused_forbidden_and_out_of_scope(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    c = contract(cast)
    client.force_login(cast.worker_a)
    bad = {"inspected_on": TODAY.isoformat(), "by": "community",
           "scores": json.dumps([{"item_id": i.pk, "score": i.points} for i in c.items.all()])}
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(f"{BASE}/property/contracts/{c.pk}/inspections",
                           {**bad, "photos": [SimpleUploadedFile("x.png", b"not a png")]})
    assert response.status_code == 400 and "JPEG" in response.json()["detail"]
    response = client.post(f"{BASE}/property/contracts/{c.pk}/inspections", {**bad, "scores": "[{"})
    assert response.status_code == 400
    assert Inspection.objects.count() == 0
    response = client.post(f"{BASE}/property/contracts", {"estate_id": cast.estate_a.pk,
                                                           "company_id": cast.department.pk,
                                                           "starts_on": f"{YEAR}-01-01"}, content_type=JSON)
    assert response.status_code == 400 and "物业" in response.json()["detail"]
    assert client.post(f"{BASE}/property/contracts/{c.pk}/grades", {"year": YEAR, "quarter": QUARTER},
                       content_type=JSON).status_code == 400
    client.force_login(cast.worker_b)
    assert client.get(f"{BASE}/property/contracts/{c.pk}").status_code == 404
    assert client.post(f"{BASE}/property/contracts", {"estate_id": cast.estate_a.pk,
                                                       "company_id": cast.member_unit.pk,
                                                       "starts_on": f"{YEAR}-01-01"},
                       content_type=JSON).status_code == 404
    client.force_login(cast.liaison)
    assert client.get(f"{BASE}/property/contracts/{c.pk}").status_code == 200
    assert client.patch(f"{BASE}/property/contracts/{c.pk}", {"note": "x"}, content_type=JSON).status_code == 403
    assert client.post(f"{BASE}/property/contracts/{c.pk}/inspections", bad).status_code == 403
    g = grade(cast, c)
    assert client.get(f"{BASE}/property/grades/{g.pk}").status_code == 200
    assert client.post(f"{BASE}/property/grades/{g.pk}/rectifications", {
        "items": [{"item": "保洁", "requirement": "x"}], "deadline": "2100-01-01"}, content_type=JSON).status_code == 403
    assert PropertyGrade.objects.count() == 1 and RectificationNotice.objects.count() == 0


def test_coverage_and_profiles_over_the_api(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    from gongzhi.core import actions as core_actions
    from gongzhi.core.models import Unit

    contract(cast)
    owners = core_actions.do_create_unit(acting_user=None, area=cast.community_a, name="和平小区业主委员会",
                                         kind=Unit.Kind.OWNERS_COMMITTEE)
    client.force_login(cast.worker_a)
    response = client.put(f"{BASE}/estates/{cast.estate_a.pk}/profile", {
        "owners_committee_id": owners.pk, "management_committee": False, "party_instructor": "陈建华"},
        content_type=JSON)
    assert response.status_code == 200 and response.json()["owners_committee_name"] == "和平小区业主委员会"
    response = client.put(f"{BASE}/estates/{cast.estate_a.pk}/profile", {"owners_committee_id": cast.member_unit.pk},
                          content_type=JSON)
    assert response.status_code == 400
    body = client.get(f"{BASE}/coverage/{cast.community_a.pk}").json()
    assert body["estates"] == 1 and [f["rate"] for f in body["figures"]] == [100.0, 100.0, 100.0]
    assert body["estate_rows"][0]["lacks"] == []
    client.force_login(cast.city_admin)
    body = client.get(f"{BASE}/coverage/{cast.city.pk}").json()
    assert body["estates"] == 2 and [f["count"] for f in body["figures"]] == [1, 1, 1]
    assert [c["area_name"] for c in body["children"]] == ["东城区"]
    client.force_login(cast.worker_b)
    assert client.get(f"{BASE}/coverage/{cast.community_a.pk}").status_code == 404
    assert client.get(f"{BASE}/estates/{cast.estate_a.pk}/profile").status_code == 404
    client.force_login(cast.grid_worker_a)
    assert client.get(f"{BASE}/estates/{cast.estate_a.pk}/profile").status_code == 404
    client.force_login(cast.liaison)
    assert client.get(f"{BASE}/coverage/{cast.community_a.pk}").status_code == 404
