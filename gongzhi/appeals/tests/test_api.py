# mypy: disable-error-code="arg-type,operator,union-attr,index,misc"
from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from gongzhi.appeals.models import Appeal, Case
from gongzhi.core.models import ApiKey, AuditEvent

from .conftest import dispatched, in_progress, lead, replied, submit

BASE = "/api/appeals"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def post(client, url, data=None, **headers):
    return client.post(BASE + url, data=data or {}, content_type="application/json", headers=headers)


def test_it_submits_idempotently(client, cast):
    client.force_login(cast.resident_user)
    body = {"title": "路灯不亮", "body": "1号楼前路灯坏了", "callback_phone": "13800138000", "area_id": cast.building_a.pk}
    first = post(client, "/submit", body, **{"Idempotency-Key": "abc-1"})
    assert first.status_code == 201, first.content
    again = post(client, "/submit", body, **{"Idempotency-Key": "abc-1"})
    assert again.status_code == 200
    assert again.json()["tracking_code"] == first.json()["tracking_code"]
    assert Appeal.objects.count() == 1
    assert first.json()["callback_phone"] == "138****8000"


def test_it_rejects_bad_input_with_a_chinese_message(client, cast):
    client.force_login(cast.resident_user)
    response = post(client, "/submit", {"body": "x", "callback_phone": "12", "area_id": cast.building_a.pk})
    assert response.status_code == 400
    assert "手机" in response.json()["detail"] or "电话" in response.json()["detail"]
    assert Appeal.objects.count() == 0


def test_it_tracks_publicly_with_code_and_last_four_digits(client, cast, ac):
    case = replied(cast, ac)
    appeal = case.appeals.get()
    ok = post(client, "/track", {"code": appeal.tracking_code, "phone_last4": "8000"})
    assert ok.status_code == 200
    assert ok.json()["answer"] == "已清运完毕"
    assert post(client, "/track", {"code": appeal.tracking_code, "phone_last4": "1111"}).status_code == 404


def test_it_hides_cases_out_of_scope_with_404(client, cast, ac):
    case = dispatched(cast, ac)
    client.force_login(cast.worker_b)
    assert client.get(f"{BASE}/cases/{case.pk}").status_code == 404
    assert post(client, f"/cases/{case.pk}/supervise", {"note": "x"}).status_code == 404
    assert post(client, f"/assignments/{lead(case).pk}/accept").status_code == 404
    client.force_login(ac.handler2)
    assert post(client, f"/assignments/{lead(case).pk}/accept").status_code == 404


def test_it_forbids_the_wrong_role_with_403(client, cast, ac):
    case = dispatched(cast, ac)
    client.force_login(cast.grid_worker_a)  # sees cases in the grid, may not act on them
    assert client.get(f"{BASE}/cases/{case.pk}").status_code == 200
    assert post(client, f"/cases/{case.pk}/supervise", {"note": "x"}).status_code == 403
    client.force_login(cast.handler)
    assert post(client, f"/cases/{case.pk}/reassign", {"lead_unit_id": ac.department2.pk}).status_code == 403


def test_it_runs_transitions_through_the_api(client, cast, ac):
    appeal = submit(cast)
    client.force_login(cast.worker_a)
    r = post(client, f"/cases/{appeal.case_id}/dispatch", {"lead_unit_id": cast.department.pk, "category_id": ac.leaf.pk})
    assert r.status_code == 200, r.content
    again = post(client, f"/cases/{appeal.case_id}/dispatch", {"lead_unit_id": cast.department.pk})
    assert again.status_code == 400 and "派单" in again.json()["detail"]
    client.force_login(cast.handler)
    assert [c["id"] for c in client.get(f"{BASE}/worklists/to_accept").json()] == [appeal.case_id]
    case = Case.objects.get(pk=appeal.case_id)
    assert post(client, f"/assignments/{lead(case).pk}/accept").status_code == 200
    assert post(client, f"/cases/{case.pk}/reply", {"template_id": None, "body": "已处理"}).status_code == 200
    client.force_login(ac.caller)  # the follow-up comes from a caller who takes no part in the case
    assert [c["id"] for c in client.get(f"{BASE}/worklists/to_follow_up").json()] == [case.pk]
    r = post(client, f"/cases/{case.pk}/follow-up", {"contacted": True, "solved": True, "satisfaction": "satisfied"})
    assert r.status_code == 200
    client.force_login(cast.worker_a)
    # The satisfied follow-up closed it (APPEALS_AFTER_RATING): 办结 has nothing left to close.
    assert post(client, f"/cases/{case.pk}/close").status_code == 400
    detail = client.get(f"{BASE}/cases/{case.pk}").json()
    assert detail["status"] == "closed" and detail["status_label"] == "已办结"
    assert [e["verb"] for e in detail["timeline"]] == ["submit", "dispatch", "accept", "reply", "follow_up", "close"]
    assert AuditEvent.objects.filter(verb="appeals.close").exists()


def test_it_accepts_an_api_key(client, cast, ac):
    _, raw = ApiKey.issue(user=cast.worker_a, name="12345 对接")
    body = {"title": "噪音", "body": "夜间施工噪音", "callback_phone": "13800138000", "area_id": cast.building_a.pk}
    r = client.post(f"{BASE}/submit", data=body, content_type="application/json", headers={"X-API-Key": raw,
                                                                                         "Idempotency-Key": "k"})
    assert r.status_code == 201, r.content
    assert Appeal.objects.get().submitted_by == cast.worker_a
    bad = client.post(f"{BASE}/submit", data=body, content_type="application/json", headers={"X-API-Key": "nope"})
    assert bad.status_code == 401


def test_it_exports_a_worklist(client, cast, ac):
    in_progress(cast, ac)
    client.force_login(cast.worker_a)
    r = client.get(f"{BASE}/worklists/in_progress/export")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert ws.max_row == 2


def test_it_imports_12345_work_orders_all_or_nothing(client, cast):
    from gongzhi.appeals.imports import template_bytes

    client.force_login(cast.worker_a)
    wb = load_workbook(io.BytesIO(template_bytes()))
    ws = wb.worksheets[0]
    ws.append(["BJ2", "", "", "投诉", "一般", "", "", "", "", "13800138000", "和平里社区", ""])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "orders.xlsx"
    r = client.post(f"{BASE}/imports/12345", {"file": buf})
    assert r.status_code == 400 and "3" in r.json()["detail"]
    assert Appeal.objects.count() == 0
    good = io.BytesIO(template_bytes())
    good.name = "orders.xlsx"
    r = client.post(f"{BASE}/imports/12345", {"file": good})
    assert r.status_code == 200, r.content
    assert Appeal.objects.get().source_ref == "BJ20260301000001"


def test_an_integration_retry_gets_the_first_appeal_back(client, cast, ac):
    _, raw = ApiKey.issue(user=cast.worker_a, name="12345 对接")
    body = {"title": "噪音", "body": "夜间施工噪音", "callback_phone": "13800138000", "area_id": cast.building_a.pk}
    headers = {"X-API-Key": raw, "Idempotency-Key": "wo-1"}
    first = client.post(f"{BASE}/submit", data=body, content_type="application/json", headers=headers)
    again = client.post(f"{BASE}/submit", data=body, content_type="application/json", headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["tracking_code"] == first.json()["tracking_code"]
    assert Appeal.objects.count() == 1 and Case.objects.count() == 1
    assert AuditEvent.objects.filter(verb="appeals.submit").count() == 1


def test_a_key_deactivated_in_the_admin_stops_working(client, cast, django_capture_on_commit_callbacks):

    from gongzhi.core.models import User

    key, raw = ApiKey.issue(user=cast.worker_a, name="12345 对接")
    body = {"title": "噪音", "body": "夜间施工噪音", "callback_phone": "13800138000", "area_id": cast.building_a.pk}
    assert client.post(f"{BASE}/submit", data=body, content_type="application/json",
                       headers={"X-API-Key": raw}).status_code == 201
    admin = User.objects.create_superuser("root_admin", password="x-Very-long-1")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/core/apikey/{key.pk}/change/",
                               {"name": key.name, "user": cast.worker_a.pk, "active": ""})
    assert response.status_code == 302, response.content
    client.logout()
    assert client.post(f"{BASE}/submit", data=body, content_type="application/json",
                       headers={"X-API-Key": raw}).status_code == 401


def test_an_unknown_area_is_404_and_not_remembered(client, cast):
    from gongzhi.core.models import Area
    from gongzhi.core.queries import cached_area

    client.force_login(cast.resident_user)
    body = {"body": "路灯坏了", "callback_phone": "13800138000", "area_id": 987654}
    assert post(client, "/submit", body).status_code == 404
    assert Appeal.objects.count() == 0
    grid = cast.building_a.parent
    Area.objects.create(pk=987654, name="9号楼", level="building", parent=grid, path=f"{grid.path}987654/")
    assert cached_area(987654) is not None  # a miss is never remembered
    assert post(client, "/submit", body).status_code == 201


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, "PNG")
    return out.getvalue()


PNG = _png()  # a real picture: photos are decoded and re-encoded


def test_it_submits_with_photos_as_a_multipart_form(client, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.resident_user)
    data = {"title": "路灯不亮", "body": "1号楼前路灯坏了", "callback_phone": "13800138000",
            "area_id": str(cast.building_a.pk),
            "photos": [SimpleUploadedFile("a.png", PNG, "image/png"), SimpleUploadedFile("b.png", PNG, "image/png")]}
    response = client.post(f"{BASE}/submit-with-photos", data=data)
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get(tracking_code=response.json()["tracking_code"])
    assert appeal.photos.count() == 2


def test_it_refuses_a_file_that_is_not_a_photo_and_stores_nothing(client, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.resident_user)
    data = {"body": "1号楼前路灯坏了", "callback_phone": "13800138000", "area_id": str(cast.building_a.pk),
            "photos": [SimpleUploadedFile("x.png", b"MZ\x90\x00 not an image", "image/png")]}
    response = client.post(f"{BASE}/submit-with-photos", data=data)
    assert response.status_code == 400
    assert "照片" in response.json()["detail"]
    assert Appeal.objects.count() == 0 and Case.objects.count() == 0
