"""The services flow on a phone (390×844) in Debian's Chromium: a resident of community C (across the provincial
border) books a place in community A's health-check session, community A's worker checks them in from the session's
list, the resident rates the service on their place page, and the service shows the average. Screenshots go to
GONGZHI_SHOTS_DIR."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.test import PHONE, SHOTS, make_alliance, signed_in
from gongzhi.venues.actions import services as actions
from gongzhi.venues.models import ServiceBooking, ServiceRating, Venue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

WIDTH = "document.documentElement.scrollWidth"


def fits(page: Any, name: str) -> None:
    assert page.evaluate(WIDTH) <= 390, name
    page.screenshot(path=str(SHOTS / f"services-flow-{name}.png"), full_page=True)


def test_a_resident_across_the_border_books_is_checked_in_and_rates(browser: Any, live_server: Any,
                                                                    cast: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    scene_c = make_alliance(cast)
    venue = Venue.objects.create(name="和平里社区党群服务站", level=Venue.Level.STATION, area=cast.community_a,
                                 address="和平里东街12号")
    service = actions.do_create_service(acting_user=cast.worker_a, venue=venue, title="健康小屋免费体检",
                                        kind="health", who_may_use="alliance", provider_community=cast.community_a,
                                        description="量血压、测血糖，免费。")
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    session = actions.do_create_session(service, acting_user=cast.worker_a, starts_at=start,
                                        ends_at=start + timedelta(hours=2), capacity=10)

    # 1. The resident of C finds the service and takes a place.
    resident = signed_in(browser, live_server, scene_c.resident_c_user, **PHONE)
    resident.goto(f"{live_server.url}/venues/services/")
    row = resident.locator("[data-testid=service-row]", has_text="健康小屋免费体检")
    fits(resident, "1-list")
    row.locator("h2 a").click()
    assert "10/10" in resident.locator("[data-testid=places-left]").first.inner_text()
    fits(resident, "2-service")
    resident.click("[data-testid=go-session]")
    resident.click("[data-testid=take-place]")
    resident.wait_for_selector("[data-testid=place-card]")
    place = ServiceBooking.objects.get(session=session, user=scene_c.resident_c_user)
    assert place.community == scene_c.community_c
    assert f"{place.pk}" in resident.locator("[data-testid=place-number]").inner_text()
    assert "已预约" in resident.locator("[data-testid=place-status]").inner_text()
    fits(resident, "3-my-place")

    # 2. Community A's worker checks the resident in from the session's list (htmx replaces the row).
    worker = signed_in(browser, live_server, cast.worker_a, **PHONE)
    worker.goto(f"{live_server.url}/venues/services/sessions/{session.pk}/")
    row = worker.locator("[data-testid=place-row]", has_text="陈美华")
    assert "新塘社区" in row.inner_text()
    fits(worker, "4-places")
    row.locator("[data-testid=check-in]").click()
    worker.wait_for_selector("[data-testid=checked-in]")
    fits(worker, "5-checked-in")
    assert ServiceBooking.objects.get(pk=place.pk).status == ServiceBooking.Status.ATTENDED

    # 3. The resident rates the service on their place page.
    resident.goto(f"{live_server.url}/venues/services/places/{place.pk}/")
    assert "参加" in resident.locator("[data-testid=place-status]").inner_text()
    resident.check("[data-testid=rate-box] input[value='5']")
    resident.fill("[data-testid=rate-box] textarea", "过河就到，医生很耐心")
    fits(resident, "6-rate")
    resident.click("[data-testid=rate-submit]")
    resident.wait_for_selector("[data-testid=my-rating]")
    assert ServiceRating.objects.get(place=place).score == 5
    resident.goto(f"{live_server.url}/venues/services/{service.pk}/")
    assert "5.0/5" in resident.locator("[data-testid=service-rating]").inner_text()
    fits(resident, "7-rated")

    # The provider sees the attendance: one from another community.
    worker.goto(f"{live_server.url}/venues/services/{service.pk}/")
    assert "来自其他社区 1 人" in worker.locator("[data-testid=service-attendance]").inner_text()
    fits(worker, "8-attendance")
