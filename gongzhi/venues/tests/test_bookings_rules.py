"""Every booking rule refuses with its Chinese message naming the allowed value, and lets a booking inside it
through: who may book (alliance-only), opening days and hours, closed dates, shortest and longest, the ahead window
(at most and at least), capacity, the free slot, the buffer, the limit per booker per week or month (count and
hours), and approval (none: approved at once; else pending and the approvers told)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.test import make_alliance
from gongzhi.venues.actions import bookings as actions
from gongzhi.venues.models import Booking, Room, RoomClosure, Venue

pytestmark = pytest.mark.django_db


def next_weekday(days: int = 3, hour: int = 10, minute: int = 0) -> datetime:
    """A Monday-to-Friday date at least `days` ahead, at `hour`:`minute` local time."""
    day = timezone.localdate() + timedelta(days=days)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def make_room(cast: Any, **rules: Any) -> Room:
    venue = Venue.objects.create(name="和平里社区党群服务站", level=Venue.Level.STATION, area=cast.community_a)
    fields: dict[str, Any] = {"name": "议事厅", "capacity": 20, "who_may_book": Room.WhoMayBook.ANYONE,
                              "approver": Room.Approver.NONE, "min_hours_ahead": 0}
    fields.update(rules)
    return Room.objects.create(venue=venue, **fields)


def book(user: Any, room: Room, start: datetime, minutes: int = 60, **kw: Any) -> Booking:
    return actions.do_book(acting_user=user, room=room, starts_at=start, ends_at=start + timedelta(minutes=minutes),
                           purpose=kw.pop("purpose", "楼组议事会"), **kw)


def refused(user: Any, room: Room, start: datetime, minutes: int = 60, **kw: Any) -> str:
    with pytest.raises(ActionError) as exc:
        book(user, room, start, minutes, **kw)
    return exc.value.message


def test_it_approves_at_once_without_an_approver_and_audits(cast: Any) -> None:
    room = make_room(cast)
    b = book(cast.resident_user, room, next_weekday())
    assert b.status == Booking.Status.APPROVED and b.booker_kind == Booking.BookerKind.RESIDENT
    assert b.booker_community == cast.community_a
    assert AuditEvent.objects.filter(verb="venues.booking.create", object_id=str(b.pk)).exists()


def test_it_leaves_a_booking_pending_for_the_venue_and_tells_its_workers(cast: Any) -> None:
    room = make_room(cast, approver=Room.Approver.VENUE)
    b = book(cast.resident_user, room, next_weekday())
    assert b.status == Booking.Status.PENDING
    told = set(Notification.objects.filter(verb="venues.booking.pending").values_list("user__username", flat=True))
    assert told == {"worker_a"}
    # the venue's own staff book their room approved at once
    assert book(cast.worker_a, room, next_weekday(hour=14)).status == Booking.Status.APPROVED


def test_a_subdistrict_approver_is_told(cast: Any) -> None:
    room = make_room(cast, approver=Room.Approver.SUBDISTRICT)
    book(cast.resident_user, room, next_weekday())
    told = set(Notification.objects.filter(verb="venues.booking.pending").values_list("user__username", flat=True))
    assert told == {"subdistrict_staff_a"}


def test_the_longest_and_shortest_booking(cast: Any) -> None:
    room = make_room(cast, min_minutes=60, max_minutes=120)
    assert refused(cast.resident_user, room, next_weekday(), 150) == "该活动室每次预约最长 120 分钟。"
    assert refused(cast.resident_user, room, next_weekday(), 30) == "该活动室每次预约最短 60 分钟。"
    assert book(cast.resident_user, room, next_weekday(), 120).pk


def test_the_ahead_window(cast: Any) -> None:
    room = make_room(cast, max_days_ahead=7, min_hours_ahead=48)
    assert refused(cast.resident_user, room, next_weekday(days=10)) == "该活动室最多提前 7 天预约。"
    soon = timezone.now().replace(microsecond=0) + timedelta(hours=3)
    assert refused(cast.resident_user, room, soon) in {"该活动室须至少提前 48 小时预约。",
                                                      "该活动室每周开放：周一、周二、周三、周四、周五，请选择开放日。",
                                                      "该活动室开放时间为 08:30 至 17:30，请在开放时间内预约。"}
    room.opens_at, room.closes_at, room.open_days = time(0, 0), time(23, 59), "1234567"
    room.save()
    if timezone.localtime(soon).date() == timezone.localtime(soon + timedelta(hours=1)).date():
        assert refused(cast.resident_user, room, soon) == "该活动室须至少提前 48 小时预约。"
    past = timezone.now() - timedelta(days=1)
    assert refused(cast.resident_user, room, past) == "该时间已过，请选择以后的时间。"
    assert book(cast.resident_user, room, next_weekday(days=3)).pk


def test_the_opening_days_and_hours(cast: Any) -> None:
    room = make_room(cast, open_days="135", opens_at=time(9), closes_at=time(17))
    monday = next_weekday(days=3)
    while monday.isoweekday() != 2:
        monday += timedelta(days=1)
    assert refused(cast.resident_user, room, monday) == "该活动室每周开放：周一、周三、周五，请选择开放日。"
    wed = monday + timedelta(days=1)
    assert refused(cast.resident_user, room, wed.replace(hour=8)) == \
        "该活动室开放时间为 09:00 至 17:00，请在开放时间内预约。"
    assert refused(cast.resident_user, room, wed.replace(hour=16, minute=30)) == \
        "该活动室开放时间为 09:00 至 17:00，请在开放时间内预约。"
    assert book(cast.resident_user, room, wed.replace(hour=16)).pk


def test_closed_dates(cast: Any) -> None:
    room = make_room(cast)
    start = next_weekday(days=5)
    RoomClosure.objects.create(room=room, starts_on=start.date() - timedelta(days=1), ends_on=start.date(),
                               reason="消防设施改造")
    message = refused(cast.resident_user, room, start)
    assert message == (f"该活动室 {start.date() - timedelta(days=1):%Y-%m-%d} 至 {start.date():%Y-%m-%d} 暂停开放"
                       "（消防设施改造），请选择其他日期。")
    assert book(cast.resident_user, room, next_weekday(days=start.toordinal() - timezone.localdate().toordinal()
                                                        + 1)).pk


def test_alliance_only_rooms(cast: Any) -> None:
    scene = make_alliance(cast)
    room = make_room(cast, who_may_book=Room.WhoMayBook.ALLIANCE)
    b = book(scene.resident_c_user, room, next_weekday())  # across the provincial border, in the alliance
    assert b.booker_community == scene.community_c
    # community B is outside the alliance: the policy refuses (403), and the rule names who may book
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        book(cast.worker_b, room, next_weekday(hour=14))
    from gongzhi.venues.rules import Booker, check_booking

    with pytest.raises(ActionError) as exc:
        check_booking(room, Booker(Booking.BookerKind.RESIDENT, community=cast.community_b),
                      next_weekday(hour=14), next_weekday(hour=15), 5)
    assert exc.value.message == "该活动室仅限联盟社区预约，您所在的社区不在其中。"


def test_capacity(cast: Any) -> None:
    room = make_room(cast, capacity=12)
    assert refused(cast.resident_user, room, next_weekday(), attendees=13) == "该活动室最多容纳 12 人。"
    assert book(cast.resident_user, room, next_weekday(), attendees=12).attendees == 12


def test_a_taken_slot_and_the_buffer(cast: Any) -> None:
    room = make_room(cast, buffer_minutes=30)
    start = next_weekday()
    book(cast.worker_a, room, start)
    with pytest.raises(Conflict) as exc:
        book(cast.resident_user, room, start + timedelta(minutes=30))
    assert exc.value.message == "该时段已被预约，请选择其他时间。"
    assert refused(cast.resident_user, room, start + timedelta(minutes=80)) == \
        "该活动室相邻预约之间须间隔 30 分钟，所选时间离其他预约太近。"
    assert refused(cast.resident_user, room, start - timedelta(minutes=70)) == \
        "该活动室相邻预约之间须间隔 30 分钟，所选时间离其他预约太近。"
    assert book(cast.resident_user, room, start + timedelta(minutes=90)).pk


def test_a_refused_or_cancelled_booking_frees_its_slot(cast: Any) -> None:
    room = make_room(cast)
    start = next_weekday()
    first = book(cast.resident_user, room, start)
    actions.do_cancel_booking(first, acting_user=cast.resident_user)
    assert book(cast.worker_a, room, start).pk


def test_the_monthly_limit_count_and_hours(cast: Any) -> None:
    room = make_room(cast, limit_period=Room.LimitPeriod.MONTH, limit_count=2, max_days_ahead=60)
    day = timezone.localdate().replace(day=1) + timedelta(days=40)
    day = day.replace(day=3)
    starts: list[datetime] = []
    while len(starts) < 3:
        if day.isoweekday() <= 5:
            starts.append(timezone.make_aware(datetime.combine(day, time(10))))
        day += timedelta(days=1)
    book(cast.resident_user, room, starts[0])
    book(cast.resident_user, room, starts[1])
    assert refused(cast.resident_user, room, starts[2]) == "每位预约人每月最多预约该活动室 2 次。"
    assert book(cast.worker_a, room, starts[2]).pk  # another booker
    room.limit_count, room.limit_hours = None, 3
    room.save()
    assert refused(cast.resident_user, room, starts[2].replace(hour=13), 120) == "每位预约人每月最多预约该活动室 3 小时。"
    assert book(cast.resident_user, room, starts[2].replace(hour=13), 60).pk


def test_the_weekly_limit_counts_a_unit_as_one_booker(cast: Any) -> None:
    room = make_room(cast, limit_period=Room.LimitPeriod.WEEK, limit_count=1)
    monday = next_weekday(days=7)
    while monday.isoweekday() != 1:
        monday += timedelta(days=1)
    b = book(cast.liaison, room, monday, as_unit=cast.member_unit)
    assert b.booker_kind == Booking.BookerKind.UNIT and b.unit == cast.member_unit
    assert refused(cast.liaison, room, monday + timedelta(days=2), as_unit=cast.member_unit) == \
        "每位预约人每周最多预约该活动室 1 次。"
    assert book(cast.liaison, room, monday + timedelta(days=7), as_unit=cast.member_unit).pk  # the next week


def test_a_liaison_books_only_as_their_own_unit(cast: Any) -> None:
    room = make_room(cast)
    assert refused(cast.liaison, room, next_weekday(), as_unit=cast.department) == "您只能以您担任联络员的单位名义预约。"


def test_the_purpose_is_required(cast: Any) -> None:
    room = make_room(cast)
    assert refused(cast.resident_user, room, next_weekday(), purpose=" ") == "请填写预约用途。"
