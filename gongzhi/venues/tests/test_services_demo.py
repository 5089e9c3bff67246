# mypy: disable-error-code="union-attr"
"""The services part's demo step (order 82): in the alliance 枫溪—新塘 a health-check service at 枫溪's station for
the alliance's residents with past sessions (attended, rated) and upcoming ones booked from both sides (xt_resident
included), 枫溪's community dining, and 新塘's business advice open to 枫溪."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from gongzhi.venues.models import ServiceBooking, ServiceRating, SharedService


@pytest.fixture(scope="module")
def demo(demo_city: Any) -> str:
    return str(demo_city.output)


@pytest.mark.django_db
def test_it_makes_the_three_services_with_sessions_places_and_ratings(demo: str) -> None:
    assert "共享服务" in demo
    health = SharedService.objects.select_related("venue", "provider_community").get(title="健康小屋免费体检")
    assert health.provider_community.name == "枫溪社区" and health.who_may_use == "alliance"
    assert health.alliance is not None and health.alliance.name == "枫溪—新塘跨省毗邻社区生活圈"
    now = timezone.now()
    past = health.sessions.filter(ends_at__lt=now)
    coming = health.sessions.filter(starts_at__gt=now)
    assert past.count() == 2 and coming.count() == 2
    attended = ServiceBooking.objects.filter(session__in=past, status="attended")
    assert attended.filter(community__name="新塘社区").exists() and attended.filter(community__name="枫溪社区").exists()
    assert ServiceRating.objects.filter(place__session__service=health).count() >= 4
    booked = ServiceBooking.objects.filter(session__in=coming, status="booked")
    assert booked.filter(user__username="xt_resident").exists()
    assert {"枫溪社区", "新塘社区"} <= set(booked.values_list("community__name", flat=True))
    assert SharedService.objects.get(title="社区长者食堂").who_may_use == "community"
    business = SharedService.objects.get(title="创业就业指导")
    assert business.provider_community.name == "新塘社区" and business.kind == "business"
    assert ServiceBooking.objects.filter(session__service=business, community__name="枫溪社区").exists()
