"""The star pages: the member's stars with the breakdown (a preview before the worker has recorded them), staff's
ratings and distribution with "recompute now", the rules form (thresholds in order, Chinese errors), an adjustment
with a reason; 404 for another community, 403 for a role that may only look; bad input changes nothing; the hub
card."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.service.actions import commitments as actions
from gongzhi.service.models import StarRating, StarRule
from gongzhi.test import Cast

from .test_stars_scene import activity, at, post, registered_member, served, year_term

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def test_the_member_sees_the_breakdown_before_and_after_the_recompute(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    served(activity(cast.community_a), cast.party_member_user, 180, at(YEAR, 3, 1))
    year_term(cast, post(cast), cast.party_member_a)
    client.force_login(cast.party_member_user)
    page = client.get(reverse("service:stars")).content.decode()
    assert 'data-testid="breakdown-hours"' in page and "3.00 小时" in page and "即时计算" in page
    assert 'data-testid="breakdown-posts"' in page and 'data-testid="breakdown-feedback"' in page
    assert not StarRating.objects.exists()
    actions.do_recompute_star_ratings(cast.community_a, acting_user=cast.worker_a)
    page = client.get(reverse("service:stars")).content.decode()
    assert "即时计算" not in page and "16.00" in page  # 3 hours × 2 + one post × 10
    assert 'data-testid="distribution"' not in page


def test_staff_see_the_distribution_and_recompute_now(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    registered_member(cast)
    client.force_login(cast.worker_a)
    page = client.get(reverse("service:stars")).content.decode()
    assert 'data-testid="recompute"' in page and "尚未评定" in page
    response = client.post(reverse("service:star_recompute"), {"community": cast.community_a.pk, "year": YEAR})
    assert response.status_code == 302 and StarRating.objects.count() == 2
    page = client.get(reverse("service:stars")).content.decode()
    assert page.count('data-testid="rating-row"') == 2 and 'id="star-distribution"' in page
    assert "vendor/echarts.min.js" in page and "<script>" not in page
    rating = StarRating.objects.get(party_member=cast.party_member_a)
    response = client.post(reverse("service:star_adjust", args=[rating.pk]), {"stars": 5, "reason": "表现突出"})
    assert response.status_code == 302
    page = client.get(reverse("service:star", args=[rating.pk])).content.decode()
    assert "表现突出" in page and 'data-testid="breakdown-hours"' in page


def test_bad_input_changes_nothing(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    actions.do_recompute_star_ratings(cast.community_a, acting_user=cast.worker_a)
    rating = StarRating.objects.get()
    client.force_login(cast.worker_a)
    response = client.post(reverse("service:star_adjust", args=[rating.pk]), {"stars": 5, "reason": ""})
    assert response.status_code == 400
    response = client.post(reverse("service:star_adjust", args=[rating.pk]), {"stars": 9, "reason": "x"})
    assert response.status_code == 400
    rating.refresh_from_db()
    assert rating.adjusted_stars is None
    data = {"points_per_hour": 2, "points_per_party_day": 10, "points_per_pledge_kept": 10, "points_per_post": 10,
            "points_per_feedback": 5, "two_stars": 30, "three_stars": 20, "four_stars": 60, "five_stars": 80}
    response = client.post(reverse("service:star_rule"), {**data, "community": cast.community_a.pk})
    assert response.status_code == 400 and "3 星所需积分必须高于 2 星" in response.content.decode()
    response = client.post(reverse("service:star_rule"), {**data, "two_stars": "", "community": cast.community_a.pk})
    assert response.status_code == 400
    assert not StarRule.objects.exists()
    response = client.post(reverse("service:star_rule"), {**data, "two_stars": 10,
                                                          "community": cast.community_a.pk})
    assert response.status_code == 302 and StarRule.objects.get().two_stars == 10


def test_another_community_is_404_and_others_403(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    actions.do_recompute_star_ratings(cast.community_a, acting_user=cast.worker_a)
    rating = StarRating.objects.get()
    client.force_login(cast.worker_b)
    assert client.get(reverse("service:star", args=[rating.pk])).status_code == 404
    assert client.get(reverse("service:stars") + f"?community={cast.community_a.pk}").status_code == 404
    assert client.post(reverse("service:star_recompute"), {"community": cast.community_a.pk}).status_code == 404
    assert client.get(reverse("service:star_rule") + f"?community={cast.community_a.pk}").status_code == 404
    client.force_login(cast.party_member_user)
    assert client.get(reverse("service:star", args=[rating.pk])).status_code == 200
    assert client.post(reverse("service:star_adjust", args=[rating.pk]),
                       {"stars": 5, "reason": "自评"}).status_code == 403
    assert client.post(reverse("service:star_recompute"), {"community": cast.community_a.pk}).status_code == 403
    assert client.get(reverse("service:star_rule")).status_code == 403
    client.force_login(cast.resident_user)
    assert client.get(reverse("service:star", args=[rating.pk])).status_code == 404
    rating.refresh_from_db()
    assert rating.adjusted_stars is None


def test_the_liaison_sees_its_members_stars(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    registered_member(cast)  # also works at the liaison's unit
    actions.do_recompute_star_ratings(cast.community_a, acting_user=cast.worker_a)
    client.force_login(cast.liaison)
    page = client.get(reverse("service:stars")).content.decode()
    assert page.count('data-testid="rating-row"') == 2 and 'data-testid="recompute"' not in page


def test_the_hub_card(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.party_member_user)
    page = client.get(reverse("service:home")).content.decode()
    assert 'data-testid="hub-commitments"' in page and "我今年的承诺" in page
    client.force_login(cast.worker_a)
    page = client.get(reverse("service:home")).content.decode()
    assert "待评定承诺" in page


def test_the_star_list_takes_a_fixed_number_of_queries(client, cast: Cast, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        registered_member(cast, username=f"m{n}", name=f"党员{n}")
    actions.do_recompute_star_ratings(cast.community_a, acting_user=cast.worker_a)
    client.force_login(cast.worker_a)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("service:stars")).status_code == 200
