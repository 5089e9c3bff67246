"""Posts over the API (/api/service/posts…): list, create, update, assign a term, end it; 400 refused with a
Chinese message, 403 not allowed, 404 out of scope."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gongzhi.service.models import Post, PostTerm
from gongzhi.test import Cast

from .test_stars_scene import post, registered_member

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
JSON = "application/json"


def test_a_worker_creates_fills_and_ends_a_post(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    response = client.post("/api/service/posts", {"community_id": cast.community_a.pk, "name": "楼栋长",
                                                  "duties": "联系住户", "area_id": cast.building_a.pk},
                           content_type=JSON)
    assert response.status_code == 201, response.content
    post_id = response.json()["id"]
    response = client.patch(f"/api/service/posts/{post_id}", {"seats": 2, "name": "1号楼楼栋长"}, content_type=JSON)
    assert response.status_code == 200 and response.json()["seats"] == 2
    response = client.post(f"/api/service/posts/{post_id}/terms", {
        "party_member_id": cast.party_member_a.pk, "starts_on": f"{YEAR}-01-01", "ends_on": f"{YEAR}-12-31"},
        content_type=JSON)
    assert response.status_code == 201
    term_id = response.json()["id"]
    listed = client.get(f"/api/service/posts?community_id={cast.community_a.pk}").json()
    assert listed[0]["holders"][0]["party_member_name"] == "王红"
    response = client.post(f"/api/service/posts/terms/{term_id}/end", {"ended_on": f"{YEAR}-01-01"},
                           content_type=JSON)
    assert response.status_code == 200 and response.json()["ended_on"] == f"{YEAR}-01-01"


def test_refused_forbidden_and_out_of_scope(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    p = post(cast, seats=1)
    client.force_login(cast.worker_a)
    term = {"party_member_id": cast.party_member_a.pk, "starts_on": f"{YEAR}-01-01", "ends_on": f"{YEAR}-12-31"}
    assert client.post(f"/api/service/posts/{p.pk}/terms", term, content_type=JSON).status_code == 201
    response = client.post(f"/api/service/posts/{p.pk}/terms", {**term, "party_member_id": registered_member(cast).pk},
                           content_type=JSON)
    assert response.status_code == 400 and "岗位已满" in response.json()["detail"]
    response = client.post("/api/service/posts", {"community_id": cast.community_a.pk, "name": "",
                                                  "duties": "x"}, content_type=JSON)
    assert response.status_code == 400
    client.force_login(cast.party_member_user)
    assert client.get(f"/api/service/posts?community_id={cast.community_a.pk}").status_code == 200
    assert client.patch(f"/api/service/posts/{p.pk}", {"seats": 3}, content_type=JSON).status_code == 403
    assert client.post("/api/service/posts", {"community_id": cast.community_a.pk, "name": "x",
                                              "duties": "x"}, content_type=JSON).status_code == 403
    client.force_login(cast.worker_b)
    assert client.patch(f"/api/service/posts/{p.pk}", {"seats": 3}, content_type=JSON).status_code == 404
    assert client.get(f"/api/service/posts?community_id={cast.community_a.pk}").status_code == 404
    assert client.post("/api/service/posts", {"community_id": cast.community_a.pk, "name": "x",
                                              "duties": "x"}, content_type=JSON).status_code == 404
    assert Post.objects.count() == 1 and PostTerm.objects.count() == 1 and Post.objects.get().seats == 1
