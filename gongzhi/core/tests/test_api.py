"""The core JSON API: scoped like the pages, 404 outside the scope, 403 for forbidden actions, masked data."""

from __future__ import annotations

import pytest
from django.test import Client

from gongzhi.core.models import AuditEvent
from gongzhi.test import Cast

pytestmark = pytest.mark.django_db


def _client(user: object | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)  # type: ignore[arg-type]
    return client


def test_it_requires_login() -> None:
    assert Client().get("/api/core/areas").status_code == 401


def test_it_serves_the_openapi_docs(client: Client) -> None:
    assert client.get("/api/openapi.json").status_code == 200
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    # Served by the app itself (an intranet has no CDN).
    assert b"cdn" not in docs.content.lower() and b"/static/ninja/" in docs.content


def test_it_lists_only_areas_in_scope(cast: Cast) -> None:
    names = {a["name"] for a in _client(cast.worker_a).get("/api/core/areas?limit=200").json()["items"]}
    assert cast.community_a.name in names and cast.building_a.name in names
    assert cast.community_b.name not in names


@pytest.mark.parametrize(
    ("user_name", "area_name", "status"),
    [
        ("worker_a", "community_a", 200),
        ("worker_a", "community_b", 404),
        ("worker_b", "community_a", 404),
        ("district_admin", "community_b", 200),
        ("grid_worker_a", "building_a", 200),
        ("grid_worker_a", "building_b", 404),
        ("handler", "community_a", 200),  # the department serves the whole district
        ("liaison", "community_b", 404),
        ("resident_user", "community_a", 200),
        ("resident_user", "community_b", 404),
    ],
)
def test_it_applies_the_area_matrix(cast: Cast, user_name: str, area_name: str, status: int) -> None:
    area = getattr(cast, area_name)
    response = _client(getattr(cast, user_name)).get(f"/api/core/areas/{area.pk}")
    assert response.status_code == status


def test_it_masks_residents_and_scopes_them(cast: Cast) -> None:
    items = _client(cast.worker_a).get("/api/core/residents").json()["items"]
    assert [r["name"] for r in items] == [cast.resident_a.name]
    assert items[0]["phone"] == "138****8000"
    assert items[0]["id_number"] == "110***********1239"
    assert "301" not in items[0]["address"]
    assert _client(cast.worker_a).get(f"/api/core/residents/{cast.resident_b.pk}").status_code == 404
    assert _client(cast.handler).get("/api/core/residents").json()["items"] == []


@pytest.mark.parametrize(
    ("user_name", "resident_name", "status"),
    [
        ("worker_a", "resident_a", 200),
        ("grid_worker_a", "resident_a", 200),
        ("subdistrict_staff_a", "resident_a", 200),
        ("district_admin", "resident_a", 403),  # sees the record, has no need for the full data
        ("worker_a", "resident_b", 404),
        ("handler", "resident_a", 404),
        ("resident_user", "resident_a", 404),
    ],
)
def test_it_reveals_only_to_roles_that_need_it(cast: Cast, user_name: str, resident_name: str, status: int) -> None:
    resident = getattr(cast, resident_name)
    before = AuditEvent.objects.filter(verb="core.pii.reveal").count()
    response = _client(getattr(cast, user_name)).post(f"/api/core/residents/{resident.pk}/reveal")
    assert response.status_code == status
    after = AuditEvent.objects.filter(verb="core.pii.reveal").count()
    if status == 200:
        assert response.json()["phone"] == resident.phone
        assert after == before + 1
    else:
        assert after == before
        assert "detail" in response.json()


def test_it_creates_areas_through_actions(cast: Cast) -> None:
    client = _client(cast.worker_a)
    response = client.post("/api/core/areas", {"parent_id": cast.community_a.pk, "name": "API小区", "level": "estate"},
                           content_type="application/json")
    assert response.status_code == 201
    assert AuditEvent.objects.filter(verb="core.area.create", object_repr="API小区").exists()
    bad = client.post("/api/core/areas", {"parent_id": cast.community_a.pk, "name": "错层", "level": "building"},
                      content_type="application/json")
    assert bad.status_code == 400 and "小区" in bad.json()["detail"]
    other = client.post("/api/core/areas", {"parent_id": cast.community_b.pk, "name": "越权", "level": "estate"},
                        content_type="application/json")
    assert other.status_code == 404
    forbidden = _client(cast.handler).post(
        "/api/core/areas", {"parent_id": cast.community_a.pk, "name": "越权", "level": "estate"},
        content_type="application/json",
    )
    assert forbidden.status_code == 403


def test_it_shows_the_audit_log_to_admins_only(cast: Cast) -> None:
    assert _client(cast.district_admin).get("/api/core/audit").status_code == 200
    assert _client(cast.worker_a).get("/api/core/audit").status_code == 403


def test_it_counts_party_org_members(cast: Cast) -> None:
    items = _client(cast.worker_a).get("/api/core/party-orgs").json()["items"]
    assert items == [
        {"id": cast.committee_a.pk, "name": "和平里社区大党委", "kind": "community_committee",
         "kind_label": "社区大党委", "area_id": cast.community_a.pk, "parent_id": None, "member_count": 1}
    ]


def test_it_describes_me(cast: Cast) -> None:
    me = _client(cast.handler).get("/api/core/me").json()
    assert me["grants"][0]["role_label"] == "部门办件人"
    assert me["grants"][0]["unit_name"] == cast.department.name


def test_it_answers_404_and_403_pages_in_chinese(cast: Cast) -> None:
    client = _client(cast.worker_a)
    missing = client.get(f"/areas/{cast.community_b.pk}/")
    assert missing.status_code == 404 and "不在您的管辖范围内" in missing.content.decode()
    denied = _client(cast.district_admin).post(f"/residents/{cast.resident_a.pk}/reveal/")
    assert denied.status_code == 403 and "无权" in denied.content.decode()
