"""On a phone in Debian's Chromium: community A's worker adds a room to the community's station, closes it for a day
that a resident's booking falls on (the page shows the booking first; the worker cancels it with notice), and reads
the station's utilisation with the share that served the alliance. Screenshots go to GONGZHI_SHOTS_DIR."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core.models import Notification
from gongzhi.test import PHONE, SHOTS, make_alliance, signed_in
from gongzhi.venues.models import Booking, Room, RoomClosure

from .rooms_scene import at, book, station

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = "document.documentElement.scrollWidth"


def test_a_room_is_added_closed_for_a_day_and_its_utilisation_read_on_a_phone(browser: Any, live_server: Any,
                                                                                cast: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    alliance = make_alliance(cast)
    venue = station(cast.community_a)
    page = signed_in(browser, live_server, cast.worker_a, **PHONE)
    page.goto(f"{live_server.url}/venues/places/{venue.pk}/")
    page.click("[data-testid=room-new]")
    page.wait_for_selector("[data-testid=room-form]")
    page.fill("#id_name", "共享会议室")
    page.fill("#id_capacity", "24")
    page.fill("#id_facilities", "投影仪、白板、视频连线")
    for weekday in ("6", "7"):
        page.check(f"input[name=open_days][value='{weekday}']")
    page.fill("#id_opens_at", "08:00")
    page.fill("#id_closes_at", "18:00")
    page.select_option("#id_who_may_book", "alliance")
    page.select_option("#id_approver", "venue")
    page.fill("#id_max_minutes", "20")  # shorter than the shortest (30 minutes): refused in Chinese
    assert page.evaluate(WIDTH) <= 390
    page.click("[data-testid=save-room]")
    page.wait_for_selector(".errorlist")
    assert "最长预约不能短于最短预约。" in page.inner_text("[data-testid=room-form]")
    page.fill("#id_max_minutes", "240")
    page.fill("#id_limit_count", "4")
    page.fill("#id_limit_hours", "8")
    page.click("[data-testid=save-room]")
    page.wait_for_selector("[data-testid=room-rules]")
    rules = page.inner_text("[data-testid=room-rules]")
    assert "和平里社区及其联盟社区" in rules and "由社区审批" in rules and "每月每人最多4次/8小时" in rules
    assert page.evaluate(WIDTH) <= 390
    page.screenshot(path=str(SHOTS / "venues-room-phone.png"), full_page=True)
    room = Room.objects.get(name="共享会议室")
    assert room.open_days == "1234567"

    # A resident across the border has booked the room the day after tomorrow; the past week was used too.
    day = timezone.localdate() + timedelta(days=2)
    hit = book(room, at(day, 9), 2, user=alliance.resident_c_user, community=alliance.community_c,
               purpose="跨省联谊活动筹备会")
    last_week = timezone.localdate() - timedelta(days=3)
    book(room, at(last_week, 9), 3, community=cast.community_a)
    book(room, at(last_week, 14), 2, community=alliance.community_c)

    page.click("[data-testid=room-close]")
    page.wait_for_selector("[data-testid=closure-form]")
    page.fill("#id_starts_on", day.isoformat())
    page.fill("#id_ends_on", day.isoformat())
    page.fill("#id_reason", "设备检修")
    page.click("[data-testid=closure-check]")
    page.wait_for_selector("[data-testid=closure-hits]")
    assert "跨省联谊活动筹备会" in page.inner_text("[data-testid=hit-list]")
    assert not RoomClosure.objects.exists()
    assert page.evaluate(WIDTH) <= 390
    page.screenshot(path=str(SHOTS / "venues-room-closure-hits-phone.png"), full_page=True)
    page.click("[data-testid=closure-cancel-hits]")
    page.wait_for_selector("[data-testid=closure-row]")
    assert "设备检修" in page.inner_text("[data-testid=closures]")
    hit.refresh_from_db()
    assert hit.status == Booking.Status.CANCELLED
    assert Notification.objects.filter(user=alliance.resident_c_user).exists()

    page.goto(f"{live_server.url}/venues/utilisation/?venue={venue.pk}")
    page.wait_for_selector("[data-testid=share-sentence]")
    assert page.inner_text("[data-testid=share-sentence]") == "其中 40% 服务其他社区，其中联盟社区 40%。"
    assert page.inner_text("[data-testid=alliance-share]") == "40.0%"
    page.wait_for_selector("#utilisation-chart canvas")
    assert page.evaluate(WIDTH) <= 390
    page.screenshot(path=str(SHOTS / "venues-utilisation-phone.png"), full_page=True)
