"""Read-side helpers of the venues app shared by its parts.

Closed dates (the rooms part): `closure_on(room, day)` answers whether a room is closed on a (local) day, and with
which closure; `closures_between` / `closed_days` give the closures over a stretch of days (the calendar, the
bookings' checks); `bookings_hit(room, starts_on, ends_on)` are the bookings holding their slot (pending, approved)
that a closure over those dates would hit. `pending_for(user)`: the pending bookings a user approves (the approvals
page, its API and the home task). Days are local dates (settings.TIME_ZONE); a booking hits a day when its
time range overlaps that day's local midnight-to-midnight.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from . import permissions
from .models import Booking, Room, RoomClosure


def day_start(day: date) -> datetime:
    """The aware datetime of a local day's midnight."""
    return timezone.make_aware(datetime.combine(day, time.min))


def closure_on(room: Room | int, day: date) -> RoomClosure | None:
    """The closure that covers `day` for the room (the earliest starting one), or None when it is open that day."""
    room_id = room if isinstance(room, int) else room.pk
    return (RoomClosure.objects.filter(room_id=room_id, starts_on__lte=day, ends_on__gte=day)
            .order_by("starts_on", "pk").first())


def closure_between(room: Room | int, starts_at: datetime, ends_at: datetime) -> RoomClosure | None:
    """The first closure of the room on any local day that the time range [starts_at, ends_at) touches."""
    first = timezone.localtime(starts_at).date()
    last = timezone.localtime(ends_at - timedelta(microseconds=1)).date() if ends_at > starts_at else first
    return closures_between(room, first, last).first()


def closures_between(room: Room | int, first: date, last: date) -> QuerySet[RoomClosure]:
    """The room's closures that overlap the days first..last (inclusive), in date order."""
    room_id = room if isinstance(room, int) else room.pk
    return RoomClosure.objects.filter(room_id=room_id, starts_on__lte=last, ends_on__gte=first).order_by(
        "starts_on", "pk")


def closed_days(room: Room | int, first: date, last: date) -> dict[date, RoomClosure]:
    """Every closed day between first and last (inclusive), with its closure."""
    days: dict[date, RoomClosure] = {}
    for closure in closures_between(room, first, last):
        day = max(closure.starts_on, first)
        while day <= min(closure.ends_on, last):
            days.setdefault(day, closure)
            day += timedelta(days=1)
    return days


def bookings_hit(room: Room | int, starts_on: date, ends_on: date) -> QuerySet[Booking]:
    """The room's bookings holding their slot (pending, approved) that overlap the days starts_on..ends_on."""
    room_id = room if isinstance(room, int) else room.pk
    return Booking.objects.filter(room_id=room_id, status__in=Booking.HOLDING,
                                  starts_at__lt=day_start(ends_on + timedelta(days=1)),
                                  ends_at__gt=day_start(starts_on)).select_related(
        "booked_by", "booker_community", "unit").order_by("starts_at", "pk")


# --- a room's rules in plain Chinese (the room page, the booking pages, the API) ----------------------------------


def duration_text(minutes: int) -> str:
    """90 → "1小时30分钟", 240 → "4小时", 30 → "30分钟"."""
    from django.utils.translation import gettext as _

    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}
    if hours:
        return _("%(h)d h") % {"h": hours}
    return _("%(m)d min") % {"m": rest}


def days_text(open_days: str) -> str:
    """"12345" → "周一至周五", "1234567" → "每天", "135" → "周一、周三、周五"."""
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    names = {"1": pgettext("weekday", "Mon"), "2": pgettext("weekday", "Tue"), "3": pgettext("weekday", "Wed"),
             "4": pgettext("weekday", "Thu"), "5": pgettext("weekday", "Fri"), "6": pgettext("weekday", "Sat"),
             "7": pgettext("weekday", "Sun")}
    days = sorted({d for d in open_days if d in names})
    if len(days) == 7:
        return _("every day")
    runs: list[list[str]] = []
    for d in days:
        if runs and int(d) == int(runs[-1][-1]) + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    parts = [(_("%(first)s to %(last)s") % {"first": names[r[0]], "last": names[r[-1]]}) if len(r) >= 3
             else "、".join(names[d] for d in r) for r in runs]
    return "、".join(parts)


def room_rules(room: Room) -> list[tuple[str, str]]:
    """The room's rules as (label, sentence) pairs, as a booker reads them: who may book, approval, length,
    how far ahead, buffer, limits, opening hours."""
    from django.utils.translation import gettext as _

    from .permissions import community_of_area, subdistrict_of_area

    area = room.venue.area
    own = community_of_area(area)
    sub = subdistrict_of_area(area)
    rules: list[tuple[str, str]] = []
    who = {
        Room.WhoMayBook.COMMUNITY: _("residents, staff and units of %(name)s") % {
            "name": (own or sub or area).name},
        Room.WhoMayBook.SUBDISTRICT: _("every community of %(name)s") % {"name": (sub or area).name},
        Room.WhoMayBook.ALLIANCE: (_("%(name)s and the communities allied with it") % {"name": own.name}
                                   if own is not None else _("every community of %(name)s") % {
                                       "name": (sub or area).name}),
        Room.WhoMayBook.ANYONE: _("any resident"),
    }[room.who_may_book]  # type: ignore[index]
    rules.append((_("Who may book"), who))
    if room.approver == Room.Approver.NONE:
        rules.append((_("Approval"), _("no approval: a booking is confirmed at once")))
    elif room.approver == Room.Approver.SUBDISTRICT:
        rules.append((_("Needs approval"), _("by the subdistrict")))
    else:
        rules.append((_("Needs approval"), _("by the community")))
    rules.append((_("Length"), _("%(min)s to %(max)s each time") % {
        "min": duration_text(room.min_minutes), "max": duration_text(room.max_minutes)}))
    rules.append((_("When to book"), _("at most %(days)d days and at least %(hours)d hours ahead") % {
        "days": room.max_days_ahead, "hours": room.min_hours_ahead}))
    if room.buffer_minutes:
        rules.append((_("Between bookings"), _("%(m)d minutes are kept free") % {"m": room.buffer_minutes}))
    if room.limit_count or room.limit_hours:
        period = _("a week") if room.limit_period == Room.LimitPeriod.WEEK else _("a month")
        if room.limit_count and room.limit_hours:
            text = _("at most %(n)d bookings / %(h)d hours per booker in %(period)s") % {
                "n": room.limit_count, "h": room.limit_hours, "period": period}
        elif room.limit_count:
            text = _("at most %(n)d bookings per booker in %(period)s") % {"n": room.limit_count, "period": period}
        else:
            text = _("at most %(h)d hours per booker in %(period)s") % {"h": room.limit_hours, "period": period}
        rules.append((_("Limit"), text))
    rules.append((_("Opening hours"), f"{days_text(room.open_days)} {room.opens_at:%H:%M}–{room.closes_at:%H:%M}"))
    return rules


def rules_summary(room: Room) -> str:
    """The rules in one line: "需审批：由社区审批；每次30分钟至4小时；…"."""
    return "；".join(f"{label}：{text}" for label, text in room_rules(room))


def pending_for(user: Any, limit: int = 200) -> list[Booking]:
    """The pending bookings the user approves (in their scope), soonest first."""
    qs = permissions.visible_to(user, Booking).filter(status=Booking.Status.PENDING).select_related(
        "room", "room__venue", "room__venue__area", "booker_community", "unit", "booked_by").order_by("starts_at")
    return [b for b in qs[:limit] if permissions.approves(user, b)]
