"""Approval and refusal (a reason required), cancellation (one, or the rest of a series; the booker told), check-in
(the booker on the day, staff any time), release of bookings nobody checked into, recurring bookings with both
choices, the booking policy's matrix, and a few http cells of the pages."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.errors import ActionError
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.test import check_http_matrix, check_policy_matrix, make_alliance
from gongzhi.venues import permissions
from gongzhi.venues.actions import bookings as actions
from gongzhi.venues.models import Booking, BookingSeries, Room

from .test_bookings_rules import book, make_room, next_weekday

pytestmark = pytest.mark.django_db


def test_approve_and_refuse_with_a_reason(cast: Any) -> None:
    room = make_room(cast, approver=Room.Approver.VENUE)
    a = book(cast.resident_user, room, next_weekday())
    with pytest.raises(ActionError) as exc:
        actions.do_refuse_booking(a, acting_user=cast.worker_a, reason=" ")
    assert exc.value.message == "请填写不予通过的理由。"
    actions.do_approve_booking(a, acting_user=cast.worker_a)
    a.refresh_from_db()
    assert a.status == Booking.Status.APPROVED and a.decided_by == cast.worker_a
    with pytest.raises(ActionError):
        actions.do_approve_booking(a, acting_user=cast.worker_a)
    b = book(cast.resident_user, room, next_weekday(hour=14))
    actions.do_refuse_booking(b, acting_user=cast.worker_a, reason="当天下午消防检查")
    b.refresh_from_db()
    assert b.status == Booking.Status.REFUSED and b.reason == "当天下午消防检查"
    texts = list(Notification.objects.filter(user=cast.resident_user).values_list("text", flat=True))
    assert any("已通过审批" in t for t in texts) and any("当天下午消防检查" in t for t in texts)
    assert AuditEvent.objects.filter(verb="venues.booking.refuse").count() == 1
    from django.core.exceptions import PermissionDenied

    c = book(cast.resident_user, room, next_weekday(hour=16))
    with pytest.raises(PermissionDenied):
        actions.do_approve_booking(c, acting_user=cast.worker_b)


def test_cancel_by_a_manager_needs_a_reason_and_tells_the_booker(cast: Any) -> None:
    room = make_room(cast)
    b = book(cast.resident_user, room, next_weekday())
    with pytest.raises(ActionError) as exc:
        actions.do_cancel_booking(b, acting_user=cast.worker_a)
    assert exc.value.message == "请填写取消原因，系统将通知预约人。"
    actions.do_cancel_booking(b, acting_user=cast.worker_a, reason="临时承接区里会议")
    b.refresh_from_db()
    assert b.status == Booking.Status.CANCELLED
    assert Notification.objects.filter(user=cast.resident_user, verb="venues.booking.cancel").exists()


def test_check_in_on_the_day_and_by_staff(cast: Any) -> None:
    room = make_room(cast)
    start = next_weekday(days=2)
    b = book(cast.resident_user, room, start)
    with pytest.raises(ActionError) as exc:
        actions.do_check_in_booking(b, acting_user=cast.resident_user)
    assert exc.value.message == "只能在预约当天签到。"
    actions.do_check_in_booking(b, acting_user=cast.resident_user, now=start + timedelta(minutes=3))
    b.refresh_from_db()
    assert b.checked_in_at == start + timedelta(minutes=3)
    with pytest.raises(ActionError) as exc:
        actions.do_cancel_booking(b, acting_user=cast.resident_user)
    assert exc.value.message == "预约人已签到，不能再取消。"
    other = book(cast.resident_user, room, start + timedelta(hours=2))
    actions.do_check_in_booking(other, acting_user=cast.worker_a)  # staff: any time
    assert AuditEvent.objects.filter(verb="venues.booking.check_in").count() == 2


def test_release_frees_the_slot_of_a_booking_nobody_checked_into(cast: Any, settings: Any) -> None:
    settings.VENUES_RELEASE_MINUTES = 15
    room = make_room(cast)
    start = next_weekday(days=2)
    kept = book(cast.resident_user, room, start)
    gone = book(cast.worker_a, room, start + timedelta(hours=2))
    actions.do_check_in_booking(kept, acting_user=cast.resident_user, now=start + timedelta(minutes=2))
    assert actions.do_release_unchecked(now=start + timedelta(hours=2, minutes=14)) == 0
    assert actions.do_release_unchecked(now=start + timedelta(hours=2, minutes=15)) == 1
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert gone.status == Booking.Status.RELEASED and kept.status == Booking.Status.APPROVED
    event = AuditEvent.objects.get(verb="venues.booking.release")
    assert event.actor is None
    assert Notification.objects.filter(user=cast.worker_a, verb="venues.booking.release").exists()
    # the slot is free again
    from gongzhi.venues.rules import holding

    assert not holding(room).filter(pk=gone.pk).exists()
    from gongzhi.venues.reg_bookings import release_unchecked_bookings

    assert release_unchecked_bookings() == {"released": 0}


def _monday(weeks: int = 1) -> datetime:
    day = timezone.localdate() + timedelta(days=2)
    while day.isoweekday() != 1:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(10)))


def test_a_recurring_booking_skips_the_taken_dates(cast: Any) -> None:
    room = make_room(cast, max_days_ahead=60)
    first = _monday()
    book(cast.worker_a, room, first + timedelta(weeks=2))
    result = actions.do_book_series(acting_user=cast.resident_user, room=room, starts_at=first,
                                    ends_at=first + timedelta(hours=1), purpose="书法班", attendees=8,
                                    frequency=BookingSeries.Frequency.WEEKLY,
                                    until=(first + timedelta(weeks=3)).date(), skip_taken=True)
    assert [b.starts_at for b in result.booked] == [first, first + timedelta(weeks=1), first + timedelta(weeks=3)]
    assert result.skipped == [(first + timedelta(weeks=2), "该时段已被预约，请选择其他时间。")]
    assert {b.series_id for b in result.booked} == {result.series.pk}
    # cancel the rest of the series from the second date on
    done = actions.do_cancel_booking(result.booked[1], acting_user=cast.resident_user, rest_of_series=True)
    assert len(done) == 2
    assert Booking.objects.filter(series=result.series, status=Booking.Status.APPROVED).count() == 1


def test_a_recurring_booking_books_nothing_when_asked_and_a_date_is_taken(cast: Any) -> None:
    room = make_room(cast, max_days_ahead=60)
    first = _monday()
    book(cast.worker_a, room, first + timedelta(weeks=1))
    with pytest.raises(actions.SeriesRefused) as exc:
        actions.do_book_series(acting_user=cast.resident_user, room=room, starts_at=first,
                               ends_at=first + timedelta(hours=1), purpose="书法班", attendees=8,
                               frequency=BookingSeries.Frequency.WEEKLY,
                               until=(first + timedelta(weeks=2)).date(), skip_taken=False)
    assert exc.value.message == "其中 1 个日期无法预约，因此全部未预约。"
    assert exc.value.conflicts == [(first + timedelta(weeks=1), "该时段已被预约，请选择其他时间。")]
    assert Booking.objects.filter(booked_by=cast.resident_user).count() == 0
    assert BookingSeries.objects.count() == 0


def test_monthly_and_fortnightly_occurrences() -> None:
    tz = timezone.get_current_timezone()
    start = datetime(2027, 1, 31, 10, tzinfo=tz)
    monthly = actions.occurrences(start, start + timedelta(hours=1), "monthly", date(2027, 5, 1))
    assert [s.date().isoformat() for s, _e in monthly] == ["2027-01-31", "2027-03-31"]
    fortnightly = actions.occurrences(start, start + timedelta(hours=1), "fortnightly", date(2027, 3, 1))
    assert [s.day for s, _e in fortnightly] == [31, 14, 28]


def test_the_constraint_backstop_gives_the_same_refusal(cast: Any, monkeypatch: Any) -> None:
    """Were the rule check to miss an overlap, the database's refusal (PostgreSQL) becomes the same message."""
    from gongzhi.test import require_postgresql

    require_postgresql("the exclusion constraint")
    room = make_room(cast)
    start = next_weekday()
    book(cast.worker_a, room, start)
    monkeypatch.setattr(actions, "check_booking", lambda *a, **k: None)
    with pytest.raises(ActionError) as exc:
        book(cast.resident_user, room, start)
    assert exc.value.message == "该时段已被预约，请选择其他时间。"


BOOKING_MATRIX = """
                      view     decide   cancel   check_in
superuser             ok/ok    ok/ok    ok/ok    ok/ok
city_admin            ok/ok    ok/ok    ok/ok    ok/ok
district_admin        ok/ok    ok/ok    ok/ok    ok/ok
subdistrict_staff_a   ok/404   ok/404   ok/404   ok/404
worker_a              ok/404   ok/404   ok/404   ok/404
worker_b              404/ok   404/ok   404/ok   404/ok
grid_worker_a         404/404  404/404  404/404  404/404
handler               404/404  404/404  404/404  404/404
liaison               404/404  404/404  404/404  404/404
party_member_user     404/404  404/404  404/404  404/404
volunteer             404/404  404/404  404/404  404/404
resident_user         ok/404   403/404  ok/404   ok/404
"""


def test_the_booking_policy_matrix(cast: Any) -> None:
    from gongzhi.venues.models import Venue

    room_a = make_room(cast, approver=Room.Approver.VENUE)
    venue_b = Venue.objects.create(name="安定门社区党群服务站", level=Venue.Level.STATION, area=cast.community_b)
    room_b = Room.objects.create(venue=venue_b, name="活动室", who_may_book=Room.WhoMayBook.ANYONE,
                                 approver=Room.Approver.VENUE, min_hours_ahead=0)
    a = book(cast.resident_user, room_a, next_weekday())  # pending: decide, cancel
    b = book(cast.worker_b, room_b, next_weekday())
    Booking.objects.filter(pk=b.pk).update(status=Booking.Status.PENDING, decided_at=None)

    def objects(action: str) -> tuple[Any, Any]:
        if action == "check_in":  # approved, not checked in
            Booking.objects.filter(pk__in=[a.pk, b.pk]).update(status=Booking.Status.APPROVED)
        else:
            Booking.objects.filter(pk__in=[a.pk, b.pk]).update(status=Booking.Status.PENDING)
        return Booking.objects.get(pk=a.pk), Booking.objects.get(pk=b.pk)

    assert check_policy_matrix(cast, BOOKING_MATRIX, subjects=objects, can=permissions.can,
                               fetch=permissions.get_booking_for_user) == 96


def test_pages_http_cells(cast: Any) -> None:
    scene = make_alliance(cast)
    room = make_room(cast, who_may_book=Room.WhoMayBook.ALLIANCE, approver=Room.Approver.VENUE)
    client = Client()
    client.force_login(scene.resident_c_user)
    assert client.get(reverse("venues:calendar", args=[room.pk])).status_code == 200
    start = next_weekday()
    response = client.post(reverse("venues:book", args=[room.pk]), {
        "day": start.date().isoformat(), "starts": "10:00", "ends": "11:00", "purpose": "跨省联谊", "attendees": 6,
        "repeat": "", "skip_taken": "skip"})
    booking = Booking.objects.get(booked_by=scene.resident_c_user)
    assert response.status_code == 302 and response["Location"] == reverse("venues:booking", args=[booking.pk])
    assert booking.status == Booking.Status.PENDING and booking.booker_community == scene.community_c
    # the same slot again: the clear refusal on the form; the calendar shows only 待审批, never who
    client.force_login(cast.resident_user)
    page = client.get(reverse("venues:calendar", args=[room.pk]) + f"?from={start.date().isoformat()}")
    assert "待审批" in page.content.decode() and "陈美华" not in page.content.decode()
    again = client.post(reverse("venues:book", args=[room.pk]), {
        "day": start.date().isoformat(), "starts": "10:30", "ends": "11:30", "purpose": "楼组会", "attendees": 6})
    assert again.status_code == 400 and "该时段已被预约，请选择其他时间。" in again.content.decode()
    # community B is outside the alliance: 404 on the calendar (the room is not theirs to see)
    client.force_login(cast.worker_b)
    assert client.get(reverse("venues:calendar", args=[room.pk])).status_code == 404
    # approvals: worker_a sees it, approves it
    client.force_login(cast.worker_a)
    assert "跨省联谊" in client.get(reverse("venues:approvals")).content.decode()
    assert client.post(reverse("venues:booking_approve", args=[booking.pk])).status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED
    # refusing needs a reason; another community's worker gets 404 on the booking
    client.force_login(cast.worker_b)
    assert client.get(reverse("venues:booking", args=[booking.pk])).status_code == 404
    client.force_login(scene.resident_c_user)
    assert "跨省联谊" in client.get(reverse("venues:bookings")).content.decode()


def test_http_matrix_of_the_booking_page(cast: Any) -> None:
    from gongzhi.venues.models import Venue

    room_a = make_room(cast)
    venue_b = Venue.objects.create(name="安定门社区党群服务站", level=Venue.Level.STATION, area=cast.community_b)
    room_b = Room.objects.create(venue=venue_b, name="活动室", who_may_book=Room.WhoMayBook.ANYONE,
                                 approver=Room.Approver.NONE, min_hours_ahead=0)
    a = book(cast.resident_user, room_a, next_weekday())
    b = book(cast.worker_b, room_b, next_weekday())
    assert check_http_matrix(Client(), cast, """
                          view
    superuser             ok/ok
    city_admin            ok/ok
    district_admin        ok/ok
    subdistrict_staff_a   ok/404
    worker_a              ok/404
    worker_b              404/ok
    grid_worker_a         404/404
    handler               404/404
    liaison               404/404
    party_member_user     404/404
    volunteer             404/404
    resident_user         ok/404
    """, url=lambda action, obj: reverse("venues:booking", args=[obj.pk]), subjects=(a, b)) == 24


def test_the_public_page_books_with_a_phone_code(cast: Any, monkeypatch: Any) -> None:
    from gongzhi.venues.views.bookings import public_token

    scene = make_alliance(cast)
    room = make_room(cast, who_may_book=Room.WhoMayBook.ALLIANCE, approver=Room.Approver.VENUE)
    token = public_token(room)
    client = Client()
    page = client.get(reverse("venues:public_book", args=[token]))
    assert page.status_code == 200 and "新塘社区" in page.content.decode()
    assert client.get(reverse("venues:public_book", args=["x" + token])).status_code == 404
    sent: list[str] = []
    monkeypatch.setattr("gongzhi.lists.phone_codes.send_sms", lambda phone, text: sent.append(text))
    assert client.post(reverse("venues:public_code", args=[token]), {"phone": "13912345678"}).status_code == 200
    import re

    code = re.search(r"\d{6}", sent[0]).group(0)  # type: ignore[union-attr]
    start = next_weekday()
    form = {"day": start.date().isoformat(), "starts": "10:00", "ends": "11:00", "purpose": "新塘居民合唱排练",
            "attendees": 12, "contact_name": "李秀英", "community": scene.community_c.pk, "phone": "13912345678"}
    wrong = client.post(reverse("venues:public_book", args=[token]), {**form, "code": "000000"})
    assert wrong.status_code == 400 and "验证码错误或已过期" in wrong.content.decode()
    done = client.post(reverse("venues:public_book", args=[token]), {**form, "code": code})
    assert done.status_code == 200, done.content.decode()[:2000]
    b = Booking.objects.get(contact_name="李秀英")
    assert b.phone_masked == "139****5678" and b.phone_hash and b.booked_by is None
    assert b.booker_community == scene.community_c and b.status == Booking.Status.PENDING
    assert "13912345678" not in str(list(AuditEvent.objects.values_list("after", flat=True)))
    # community B is not in the alliance: refused with the rule
    refused = client.post(reverse("venues:public_book", args=[token]), {
        **form, "community": cast.community_b.pk, "code": code})
    assert refused.status_code == 400
