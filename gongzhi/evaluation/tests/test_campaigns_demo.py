"""The campaigns part's demo step (order 70): an open campaign at 锦华街道 waiting for ratings — jd_staff, sq_worker and
three resident representatives rate; some ratings given, while sq_worker and the demo's `resident` still have
ratees to rate; the phone pages work for them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import User
from gongzhi.evaluation import queries_campaigns as queries
from gongzhi.evaluation.models import Campaign, Rating


@pytest.fixture(scope="module")
def demo(demo_city: Any) -> str:
    return str(demo_city.output)


@pytest.mark.django_db
def test_an_open_campaign_waits_for_ratings(demo: str) -> None:
    campaign = Campaign.objects.get(status=Campaign.Status.OPEN, area__name="锦华街道")
    assert campaign.title.endswith("年度锦华街道成员单位和兼职委员双向评议")
    assert (campaign.period_start.month, campaign.period_start.day) == (1, 1)
    assert (campaign.period_end.month, campaign.period_end.day) == (11, 30)
    assert timedelta(days=9) < campaign.deadline - timezone.now() <= timedelta(days=11)
    assert campaign.uses_scores and campaign.criteria.count() == 3
    assert campaign.ratees.filter(kind="unit").exists() and campaign.ratees.filter(kind="member").exists()
    raters = {r.user.username: r for r in campaign.raters.select_related("user", "group")}
    assert {"jd_staff", "sq_worker", "resident", "jh_rep1", "jh_rep2"} <= set(raters)
    assert raters["jd_staff"].group.kind == "subdistrict" and raters["sq_worker"].group.kind == "community"
    assert raters["resident"].group.kind == "residents" and raters["resident"].community is not None
    given = Rating.objects.filter(campaign=campaign)
    assert given.exists() and not given.filter(rater=raters["resident"]).exists()
    for username in ("sq_worker", "resident"):
        task = next(t for t in queries.my_tasks(User.objects.get(username=username)) if t.campaign == campaign)
        assert task.left > 0
    assert "evaluation.campaigns" in demo


@pytest.mark.django_db
def test_the_demo_resident_rates_on_the_phone_pages(demo: str) -> None:
    client = Client()
    client.force_login(User.objects.get(username="resident"))
    page = client.get(reverse("evaluation:rating_tasks"))
    assert page.status_code == 200 and "锦华街道" in page.content.decode()
    task = queries.my_tasks(User.objects.get(username="resident"))[0]
    ratee = task.next_ratee
    assert ratee is not None
    page = client.get(reverse("evaluation:rate", args=[ratee.pk]))
    assert page.status_code == 200 and 'data-testid="evidence"' in page.content.decode()
