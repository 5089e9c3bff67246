"""The demo's posts, pledges and stars (steps service.commitments, order 61, and service.stars, order 64) at
sq_worker's community (锦华社区): a newcomer signed in as the party member or the worker sees each of them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import User
from gongzhi.service.models import Pledge, Post, PostTerm, StarRating, StarRule

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(demo_city: Any) -> str:
    return str(demo_city.output)


def test_the_demo_has_posts_pledges_and_stars(demo: str) -> None:
    year = timezone.localdate().year
    community = Post.objects.first().community  # type: ignore[union-attr]
    assert community.name == "锦华社区"
    assert Post.objects.filter(community=community, area__level="building").count() == 2
    member = User.objects.get(username="party_member").party_member  # type: ignore[attr-defined]
    assert PostTerm.objects.filter(party_member=member, starts_on__year=year).exists()
    assert PostTerm.objects.filter(ended_on__isnull=False).exists()
    assert Pledge.objects.filter(year=year, status="open", party_member=member).count() == 2
    assert set(Pledge.objects.filter(year=year - 1).values_list("status", flat=True)) == {"kept", "partly",
                                                                                          "not_kept"}
    assert not Pledge.objects.filter(year=year - 1, status__in=["partly", "not_kept"], evidence="").exists()
    assert StarRule.objects.filter(community=community).exists()
    assert StarRating.objects.filter(community=community, year=year, party_member=member).exists()
    adjusted = StarRating.objects.get(adjusted_stars__isnull=False)
    assert adjusted.adjust_reason and adjusted.year == year - 1


def test_the_member_and_the_worker_see_them(demo: str) -> None:
    client = Client()
    client.force_login(User.objects.get(username="party_member"))
    page = client.get(reverse("service:stars")).content.decode()
    assert 'data-testid="breakdown-hours"' in page
    assert 'data-testid="my-term"' in client.get(reverse("service:posts")).content.decode()
    assert 'data-testid="my-pledge"' in client.get(reverse("service:pledges")).content.decode()
    client.force_login(User.objects.get(username="sq_worker"))
    page = client.get(reverse("service:stars")).content.decode()
    assert 'data-testid="rating-row"' in page and 'id="star-distribution"' in page
    year = timezone.localdate().year
    page = client.get(reverse("service:pledges") + f"?year={year - 1}").content.decode()
    assert page.count('data-testid="pledge-row"') == 6
    community = Post.objects.first().community  # type: ignore[union-attr]
    public = Client().get(reverse("service:community_public", args=[community.pk]))
    assert public.status_code == 200 and 'data-testid="public-member"' in public.content.decode()
