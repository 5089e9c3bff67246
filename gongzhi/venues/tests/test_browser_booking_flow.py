"""The issue's browser test, on phones in Debian's Chromium: a resident of the alliance community across the
provincial border (新塘社区, 邻省) books a room in the other community's station (和平里社区党群服务站: the room open to
the alliance, approved by the venue's community); a second person booking the same slot is refused with a clear
message; the community worker approves the first; the resident checks in on the day; the venue's utilisation shows
the cross-community use. Screenshots go to GONGZHI_SHOTS_DIR."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest

from gongzhi.test import PHONE, SHOTS, make_alliance, signed_in
from gongzhi.venues.models import Booking, Room, Venue

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = "document.documentElement.scrollWidth"


def _morning_zone() -> str:
    """A fixed-offset zone where it is about nine in the morning now, so that a booking later today fits the day
    (and the booker can check in on its day) whenever the test runs."""
    offset = (9 - datetime.now(UTC).hour) % 24
    if offset > 14:
        offset -= 24
    return f"Etc/GMT{'-' if offset >= 0 else '+'}{abs(offset)}"


def test_a_cross_border_resident_books_is_approved_and_checks_in(browser: Any, live_server: Any, cast: Any,
                                                                  settings: Any) -> None:
    settings.TIME_ZONE = _morning_zone()
    SHOTS.mkdir(parents=True, exist_ok=True)
    scene = make_alliance(cast)
    venue = Venue.objects.create(name="和平里社区党群服务站", level=Venue.Level.STATION, area=cast.community_a,
                                 address="和平里东街8号")
    room = Room.objects.create(venue=venue, name="共享会议室", capacity=24, who_may_book=Room.WhoMayBook.ALLIANCE,
                               approver=Room.Approver.VENUE, open_days="1234567", opens_at=time(0, 0),
                               closes_at=time(23, 59), min_hours_ahead=0, min_minutes=30, max_minutes=240)

    # The resident of 新塘社区 opens the room's calendar on their phone and taps the first free time.
    resident = signed_in(browser, live_server, scene.resident_c_user, **PHONE)
    resident.goto(f"{live_server.url}/venues/rooms/{room.pk}/calendar/")
    resident.wait_for_selector("[data-testid=calendar]")
    assert resident.evaluate(WIDTH) <= 390
    resident.screenshot(path=str(SHOTS / "bookings-1-calendar.png"), full_page=False)
    resident.locator("[data-testid=slot-free]").first.click()
    resident.wait_for_selector("[data-testid=booking-form]")
    slot_day = resident.input_value("#id_day")
    slot_start = resident.input_value("#id_starts")
    resident.fill("#id_purpose", "新塘花园居民跨省合唱排练")
    resident.fill("#id_attendees", "12")
    assert resident.evaluate(WIDTH) <= 390
    resident.screenshot(path=str(SHOTS / "bookings-2-form.png"), full_page=True)
    resident.click("[data-testid=submit-booking]")
    resident.wait_for_selector("[data-testid=booking]")
    assert "待审批" in resident.inner_text("[data-testid=booking-status]")
    booking = Booking.objects.get(booked_by=scene.resident_c_user)
    assert booking.status == Booking.Status.PENDING and booking.booker_community == scene.community_c

    # A second person (a resident of 和平里社区) tries the same slot: refused with a clear message; the calendar
    # shows the slot only as awaiting approval, never who took it.
    other = signed_in(browser, live_server, cast.resident_user, **PHONE)
    other.goto(f"{live_server.url}/venues/rooms/{room.pk}/calendar/?view=day&from={slot_day}")
    other.wait_for_selector("[data-testid=slot-taken]")
    calendar_text = other.inner_text("[data-testid=calendar]")
    assert "待审批" in calendar_text and "陈美华" not in calendar_text
    other.goto(f"{live_server.url}/venues/rooms/{room.pk}/book/?day={slot_day}&start={slot_start}")
    other.fill("#id_purpose", "楼组长碰头会")
    other.fill("#id_attendees", "6")
    other.click("[data-testid=submit-booking]")
    other.wait_for_selector("[data-testid=field-error]")
    assert "该时段已被预约，请选择其他时间。" in other.inner_text("[data-testid=booking-form]")
    assert other.evaluate(WIDTH) <= 390
    other.screenshot(path=str(SHOTS / "bookings-3-refused.png"), full_page=True)
    assert Booking.objects.filter(room=room, status__in=Booking.HOLDING).count() == 1

    # The community worker of 和平里 approves it from the approvals list.
    worker = signed_in(browser, live_server, cast.worker_a, **PHONE)
    worker.goto(f"{live_server.url}/venues/bookings/approvals/")
    worker.wait_for_selector("[data-testid=approval]")
    assert "新塘社区" in worker.inner_text("[data-testid=approval]")
    assert worker.evaluate(WIDTH) <= 390
    worker.screenshot(path=str(SHOTS / "bookings-4-approvals.png"), full_page=True)
    worker.click("[data-testid=approve]")
    worker.wait_for_selector("[data-testid=no-approvals]")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED and booking.decided_by == cast.worker_a

    # The resident checks in on the day.
    resident.goto(f"{live_server.url}/venues/bookings/{booking.pk}/")
    resident.click("[data-testid=check-in]")
    resident.wait_for_selector("[data-testid=checked-in]")
    assert "已签到" in resident.inner_text("[data-testid=booking-status]")
    resident.screenshot(path=str(SHOTS / "bookings-5-checked-in.png"), full_page=True)
    booking.refresh_from_db()
    assert booking.checked_in_at is not None

    # The venue's utilisation shows the use by the community across the border.
    worker.goto(f"{live_server.url}/venues/utilisation/?venue={venue.pk}")
    worker.wait_for_selector("[data-testid=utilisation-figures]")
    assert worker.inner_text("[data-testid=other-share]").strip() == "100.0%"
    assert worker.inner_text("[data-testid=alliance-share]").strip() == "100.0%"
    assert worker.evaluate(WIDTH) <= 390
    worker.screenshot(path=str(SHOTS / "bookings-6-utilisation.png"), full_page=True)
