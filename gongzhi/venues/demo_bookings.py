"""The bookings part's demo step (order 81, "venues.bookings"), in the rooms the rooms step (order 80) made
(`gongzhi.venues.demo_rooms`): bookings from both sides of the provincial border — 新塘's worker and resident
(xt_worker, xt_resident) in 枫溪's alliance meeting room, 枫溪's worker (fx_worker) in 新塘's — and 锦华's usual
accounts in their station; every status (pending for fx_worker to approve, approved, refused with a reason,
cancelled, released, checked in in the past), a weekly recurring booking, and eight weeks of past use so that the
utilisation page shows a realistic cross-community share. Times are relative to now, within opening hours; the
past is booked "as of" a few hours before each booking (the rules' `now`), through the actions.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

PAST_WEEKS = 8


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _weekday_on_or_after(day: date, weekday: int) -> date:
    """The first date on or after `day` that is the given ISO weekday (1 = Monday)."""
    return day + timedelta(days=(weekday - day.isoweekday()) % 7)


def build(ctx: Any) -> dict[str, int]:
    from gongzhi.core.models import User

    from . import demo_rooms as names
    from .actions import bookings as actions
    from .models import Booking, BookingSeries

    fx_meeting = names.demo_room(names.FX_STATION, names.FX_STATION_MEETING)
    xt_meeting = names.demo_room(names.XT_STATION, names.XT_STATION_MEETING)
    fx_party = names.demo_room(names.FX_STATION, names.FX_STATION_PARTY)
    jh_meeting = names.demo_room(names.JH_STATION, names.JH_STATION_MEETING)
    jh_health = names.demo_room(names.JH_STATION, names.JH_STATION_HEALTH)
    jh_hall = names.demo_room(names.JH_STATION, names.JH_STATION_HALL)
    users = {u.username: u for u in User.objects.filter(username__in=[
        "fx_worker", "xt_worker", "xt_resident", "sq_worker", "resident", "unit_liaison", "jd_staff"])}
    if fx_meeting is None or xt_meeting is None or "fx_worker" not in users or "xt_worker" not in users:
        ctx.say("venues.bookings: skipped (no demo rooms or alliance accounts)\n")
        return {"bookings": 0}
    fx, xt, xr = users["fx_worker"], users["xt_worker"], users.get("xt_resident")
    today = timezone.localdate()
    made: list[Booking] = []

    def book(user: Any, room: Any, start: datetime, minutes: int, purpose: str, attendees: int, **kw: Any
             ) -> Booking | None:
        as_of = min(timezone.now(), start - timedelta(hours=max(room.min_hours_ahead, 1) + 2))
        try:
            b = actions.do_book(acting_user=user, room=room, starts_at=start, ends_at=start + timedelta(minutes=minutes),
                                purpose=purpose, attendees=attendees, now=as_of, **kw)
        except Exception as exc:  # noqa: BLE001 - a demo date the rules refuse is left out, and said
            ctx.say(f"venues.bookings: {room} {start:%m-%d %H:%M} left out: {exc}\n")
            return None
        made.append(b)
        return b

    # --- eight weeks of past use of 枫溪's station, from both sides of the border ---------------------------
    # (weekday, hour, minute, minutes, who, room, purpose, attendees, weeks): every other week per booker in the
    # alliance meeting room (its limit: 4 bookings / 8 hours a month each), 枫溪's party members weekly in their own.
    past_plan = [
        (2, 9, 0, 120, fx, fx_meeting, "枫溪社区两委例会", 12, "even"),
        (3, 14, 0, 120, xt, fx_meeting, "新塘社区跨省联合党建交流", 18, "odd"),
        (4, 19, 0, 90, xr, fx_meeting, "新塘花园业主代表议事会", 10, "even"),
        (3, 14, 30, 120, fx, fx_party, "枫溪社区党员学习日", 26, "all"),
    ]
    past: list[Booking] = []
    first_monday = _weekday_on_or_after(today - timedelta(weeks=PAST_WEEKS), 1)
    for week in range(PAST_WEEKS):
        monday = first_monday + timedelta(weeks=week)
        for weekday, hour, minute, minutes, who, room, purpose, attendees, weeks in past_plan:
            if who is None or room is None or (weeks == "even" and week % 2) or (weeks == "odd" and not week % 2):
                continue
            start = _at(monday + timedelta(days=weekday - 1), hour, minute)
            if start + timedelta(minutes=minutes) > timezone.now() - timedelta(hours=1):
                continue
            b = book(who, room, start, minutes, purpose, attendees)
            if b is not None:
                past.append(b)
    # 枫溪's worker in 新塘's meeting room (the reverse direction).
    for week in (2, 6):
        start = _at(first_monday + timedelta(weeks=week, days=2), 10)
        if start < timezone.now() - timedelta(hours=4):
            b = book(fx, xt_meeting, start, 120, "赴新塘开展挂职交流座谈", 8)
            if b is not None:
                past.append(b)
    # Two past bookings nobody checked into: the release check frees them (by the system).
    cross = [b for b in past if b.room_id == fx_meeting.pk and b.booked_by_id != fx.pk]
    released_plan = {b.pk for b in cross[1:2] + cross[-2:-1]}
    for b in past:
        if b.status == Booking.Status.PENDING:
            approver = fx if b.room_id == fx_meeting.pk else xt
            actions.do_approve_booking(b, acting_user=approver)
        if b.pk not in released_plan:
            by = b.booked_by or (fx if b.room_id == fx_meeting.pk else xt)
            actions.do_check_in_booking(b, acting_user=by, now=b.starts_at + timedelta(minutes=5))
    released = actions.do_release_unchecked()

    # --- ahead: every status ------------------------------------------------------------------------------------
    def ahead(days: int, weekday_max: int = 5) -> date:
        d = today + timedelta(days=days)
        while d.isoweekday() > weekday_max:
            d += timedelta(days=1)
        return d

    counts = {"pending": 0, "refused": 0, "cancelled": 0}
    if xr is not None and book(xr, fx_meeting, _at(ahead(3), 15), 120, "新塘花园居民跨省文艺排练", 15):
        counts["pending"] += 1  # waits for fx_worker
    b = book(xt, fx_meeting, _at(ahead(5), 9, 30), 150, "枫溪—新塘生活圈季度联席会议", 22)
    if b is not None:
        actions.do_approve_booking(b, acting_user=fx)
    b = book(xt, fx_meeting, _at(ahead(8), 19), 60, "新塘社区志愿者培训", 24)
    if b is not None:
        actions.do_refuse_booking(b, acting_user=fx, reason="当晚会议室已安排消防演练，请改约其他日期。")
        counts["refused"] += 1
    b = book(fx, xt_meeting, _at(ahead(4), 14), 90, "跨省毗邻社区矛盾调解经验交流", 10)
    if b is not None:
        actions.do_approve_booking(b, acting_user=xt)
    b = book(fx, xt_meeting, _at(ahead(6), 10), 60, "联盟社区党建联席会预备会", 8)
    if b is not None:
        actions.do_cancel_booking(b, acting_user=fx, reason="会议改为线上召开。")
        counts["cancelled"] += 1
    # A weekly recurring booking: 枫溪's party members' day, every week for four weeks.
    series = 0
    if fx_party is not None:
        first = _at(ahead(2), 14, 30)
        try:
            result = actions.do_book_series(acting_user=fx, room=fx_party, starts_at=first,
                                            ends_at=first + timedelta(minutes=120), purpose="枫溪社区主题党日活动",
                                            attendees=30, frequency=BookingSeries.Frequency.WEEKLY,
                                            until=first.date() + timedelta(weeks=3), skip_taken=True)
            series = len(result.booked)
        except Exception as exc:  # noqa: BLE001
            ctx.say(f"venues.bookings: the recurring booking was left out: {exc}\n")
    # 锦华: the usual accounts.
    if jh_meeting is not None and "sq_worker" in users:
        book(users["sq_worker"], jh_meeting, _at(ahead(2), 9), 90, "锦华社区居民议事会", 14)
    if jh_health is not None and "resident" in users:
        book(users["resident"], jh_health, _at(ahead(1), 9), 30, "测量血压、血糖", 1)
    if jh_hall is not None and "unit_liaison" in users:
        from gongzhi.core.models import Unit
        from gongzhi.core.permissions import liaison_unit_ids

        unit = Unit.objects.filter(pk__in=liaison_unit_ids(users["unit_liaison"])).order_by("pk").first()
        if unit is not None:
            book(users["unit_liaison"], jh_hall, _at(ahead(4), 14), 120, "共建单位“邻里节”文艺汇演彩排", 60,
                 as_unit=unit)  # waits for the subdistrict (jd_staff)
    if jh_meeting is not None and "resident" in users and "sq_worker" in users:
        b = book(users["resident"], jh_meeting, _at(today - timedelta(days=7 + (today.isoweekday() - 1)), 10), 60,
                 "楼组长碰头会", 6)
        if b is not None:  # in the past: approved by the community and checked in
            actions.do_approve_booking(b, acting_user=users["sq_worker"])
            actions.do_check_in_booking(b, acting_user=users["resident"], now=b.starts_at + timedelta(minutes=3))
    ctx.say(f"venues.bookings: {len(made)} bookings ({len(past)} past, {released} released), "
            f"a weekly series of {series}\n")
    return {"bookings": len(made), "past": len(past), "released": released, "series": series, **counts}
