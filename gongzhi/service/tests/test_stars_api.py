"""Star rules and ratings over the API (/api/service/star-rules/…, /api/service/star-ratings…)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gongzhi.service.models import StarRating, StarRule
from gongzhi.test import Cast

from .test_stars_scene import activity, at, registered_member, served

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
JSON = "application/json"


def test_rules_recompute_adjust_and_distribution(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    member = registered_member(cast)
    served(activity(cast.community_a), member.user, 600, at(YEAR, 2, 1))  # 10 hours
    client.force_login(cast.worker_a)
    rule = client.get(f"/api/service/star-rules/{cast.community_a.pk}").json()
    assert rule["configured"] is False and rule["two_stars"] == 20
    response = client.put(f"/api/service/star-rules/{cast.community_a.pk}", {"two_stars": 60, "three_stars": 40},
                          content_type=JSON)
    assert response.status_code == 400 and "3 星" in response.json()["detail"]
    assert not StarRule.objects.exists()
    response = client.put(f"/api/service/star-rules/{cast.community_a.pk}", {"two_stars": 10}, content_type=JSON)
    assert response.status_code == 200 and response.json()["configured"] is True
    response = client.post("/api/service/star-ratings/recompute", {"community_id": cast.community_a.pk},
                           content_type=JSON)
    assert response.json() == {"community_id": cast.community_a.pk, "year": YEAR, "ratings": 2}
    ratings = {r["party_member_name"]: r for r in client.get("/api/service/star-ratings").json()}
    assert ratings["李明"]["stars"] == 2 and ratings["李明"]["breakdown"][0]["key"] == "hours"
    distribution = client.get(f"/api/service/star-ratings/distribution?community_id={cast.community_a.pk}").json()
    assert distribution["counts"] == [1, 1, 0, 0, 0]
    rating_id = ratings["王红"]["id"]
    response = client.post(f"/api/service/star-ratings/{rating_id}/adjust", {"stars": 4, "reason": ""},
                           content_type=JSON)
    assert response.status_code == 400
    response = client.post(f"/api/service/star-ratings/{rating_id}/adjust", {"stars": 4, "reason": "表现突出"},
                           content_type=JSON)
    assert response.status_code == 200 and response.json()["stars"] == 4
    client.force_login(cast.party_member_user)
    mine = client.get("/api/service/star-ratings/mine").json()
    assert [(r["stars"], r["adjust_reason"]) for r in mine] == [(4, "表现突出")]
    assert client.post(f"/api/service/star-ratings/{rating_id}/adjust", {"stars": 5, "reason": "x"},
                       content_type=JSON).status_code == 403
    assert client.post("/api/service/star-ratings/recompute", {"community_id": cast.community_a.pk},
                       content_type=JSON).status_code == 403
    client.force_login(cast.worker_b)
    assert client.post(f"/api/service/star-ratings/{rating_id}/adjust", {"stars": 5, "reason": "x"},
                       content_type=JSON).status_code == 404
    assert client.get(f"/api/service/star-rules/{cast.community_a.pk}").status_code == 404
    assert StarRating.objects.get(pk=rating_id).adjusted_stars == 4


def test_mine_is_a_preview_before_the_worker_records_it(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    served(activity(cast.community_a), cast.party_member_user, 300, at(YEAR, 2, 1))
    client.force_login(cast.party_member_user)
    mine = client.get("/api/service/star-ratings/mine").json()
    assert mine[0]["preview"] is True and mine[0]["id"] is None and mine[0]["points"] == "10.00"
    assert not StarRating.objects.exists()
