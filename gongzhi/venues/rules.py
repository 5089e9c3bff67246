"""The booking rules of a room (阵地预约规则): each refuses with a Chinese sentence naming the rule and the allowed value.

`check_booking(room, booker, starts_at, ends_at, attendees)` raises `ActionError` (or `Conflict` for a taken slot)
on the first rule the booking breaks, in this order: who may book (the room's rule for the booker's community;
managers of the venue always may), opening days, opening hours, closed dates (`RoomClosure`), the shortest and
longest booking, at most N days ahead, at least N hours ahead, attendees within the capacity, the slot free (no
overlap with a pending or approved booking), the buffer before and after the holding bookings, and the limit per
booker per week or month (count and hours). A booker is the user, the unit a liaison books as, or the phone hash of a
resident without an account.

Callers hold the room's lock (`gongzhi.venues.actions.bookings.do_book`), so the slot check cannot race.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import Area, Unit

from . import queries
from .models import Booking, Room, RoomClosure
from .permissions import community_may_book

WEEKDAYS = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}


@dataclass
class Booker:
    """Who books: `kind` (Booking.BookerKind), the signed-in user (None for a resident without an account), the unit
    a liaison books as, the phone hash of a resident without an account, and the community they come from.
    `manager`: they manage the venue (the room's "who may book" rule does not apply to them)."""

    kind: str
    user: Any = None
    unit: Unit | None = None
    phone_hash: str = ""
    community: Area | None = None
    manager: bool = False

    def bookings_q(self) -> Q:
        """Their bookings, for the limit per booker: the unit's, the phone's, or the user's own."""
        if self.unit is not None:
            return Q(booker_kind=Booking.BookerKind.UNIT, unit=self.unit)
        if self.phone_hash:
            return Q(phone_hash=self.phone_hash)
        if self.user is not None:
            return Q(booked_by=self.user, unit__isnull=True)
        return Q(pk__in=[])


def open_days_label(room: Room) -> str:
    return "、".join(WEEKDAYS[int(d)] for d in sorted(set(room.open_days)) if d.isdigit() and 1 <= int(d) <= 7)


def is_open_day(room: Room, day: date) -> bool:
    return str(day.isoweekday()) in room.open_days


def closures_between(room: Room, first: date, last: date) -> list[RoomClosure]:
    """The room's closures touching [first, last] (the rooms part's `venues.queries`)."""
    return list(queries.closures_between(room, first, last))


def holding(room: Room) -> Any:
    return Booking.objects.filter(room=room, status__in=Booking.HOLDING)


def period_bounds(room: Room, day: date) -> tuple[datetime, datetime]:
    """The week (Monday to Sunday) or the calendar month holding `day`, as aware datetimes."""
    if room.limit_period == Room.LimitPeriod.WEEK:
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=7)
    else:
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return datetime.combine(first, time.min, tzinfo=tz), datetime.combine(last, time.min, tzinfo=tz)


def _minutes(a: datetime, b: datetime) -> int:
    return int((b - a).total_seconds() // 60)


def check_booking(room: Room, booker: Booker, starts_at: datetime, ends_at: datetime, attendees: int, *,
                  now: datetime | None = None, exclude_pk: int | None = None) -> None:
    """Raise on the first rule the booking breaks (see the module's docstring); None when it may be made."""
    now = now or timezone.now()
    if ends_at <= starts_at:
        raise ActionError(_("The booking must end after it starts."), field="ends_at")
    if not room.active or not room.venue.active:
        raise ActionError(_("This room is not open for booking."))
    if not booker.manager and not community_may_book(room, booker.community):
        raise ActionError(_("This room may be booked only by %(rule)s; your community is not among them.")
                          % {"rule": room.get_who_may_book_display()}, field="community")
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if not is_open_day(room, start.date()):
        raise ActionError(_("The room is open on %(days)s only; please choose one of these days.")
                          % {"days": open_days_label(room) or "—"}, field="starts_at")
    opens, closes = room.opens_at, room.closes_at
    if isinstance(opens, str):  # a room built in memory with the model's string defaults
        opens, closes = time.fromisoformat(opens), time.fromisoformat(str(closes))
    if end.date() != start.date() or start.time() < opens or end.time() > closes:
        raise ActionError(_("The room is open from %(opens)s to %(closes)s; please book within these hours.")
                          % {"opens": f"{opens:%H:%M}", "closes": f"{closes:%H:%M}"}, field="starts_at")
    closed = closures_between(room, start.date(), start.date())
    if closed:
        c = closed[0]
        raise ActionError(_("The room is closed from %(first)s to %(last)s (%(reason)s); please choose another "
                            "date.") % {"first": f"{c.starts_on:%Y-%m-%d}", "last": f"{c.ends_on:%Y-%m-%d}",
                                        "reason": c.reason}, field="starts_at")
    minutes = _minutes(starts_at, ends_at)
    if minutes < room.min_minutes:
        raise ActionError(_("A booking of this room lasts at least %(n)d minutes.") % {"n": room.min_minutes},
                          field="ends_at")
    if minutes > room.max_minutes:
        raise ActionError(_("A booking of this room lasts at most %(n)d minutes.") % {"n": room.max_minutes},
                          field="ends_at")
    if start.date() > timezone.localtime(now).date() + timedelta(days=room.max_days_ahead):
        raise ActionError(_("This room can be booked at most %(n)d days ahead.") % {"n": room.max_days_ahead},
                          field="starts_at")
    if starts_at < now + timedelta(hours=room.min_hours_ahead):
        if starts_at < now:
            raise ActionError(_("This time has already passed; please choose a later one."), field="starts_at")
        raise ActionError(_("This room must be booked at least %(n)d hours ahead.") % {"n": room.min_hours_ahead},
                          field="starts_at")
    if attendees < 1:
        raise ActionError(_("Please enter how many people will come."), field="attendees")
    if attendees > room.capacity:
        raise ActionError(_("The room holds at most %(n)d people.") % {"n": room.capacity}, field="attendees")
    others = holding(room)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise Conflict(slot_taken_message(), field="starts_at")
    if room.buffer_minutes:
        gap = timedelta(minutes=room.buffer_minutes)
        if others.filter(starts_at__lt=ends_at + gap, ends_at__gt=starts_at - gap).exists():
            raise Conflict(_("Bookings of this room are kept %(n)d minutes apart; this time is too close to another "
                             "booking.") % {"n": room.buffer_minutes}, field="starts_at")
    if room.limit_count or room.limit_hours:
        first, last = period_bounds(room, start.date())
        weekly = room.limit_period == Room.LimitPeriod.WEEK
        mine = list(others.filter(booker.bookings_q(), starts_at__gte=first, starts_at__lt=last)
                    .values_list("starts_at", "ends_at"))
        if room.limit_count and len(mine) + 1 > room.limit_count:
            message = (_("Each booker may book this room at most %(n)d times a week.") if weekly
                       else _("Each booker may book this room at most %(n)d times a month."))
            raise ActionError(message % {"n": room.limit_count}, field="starts_at")
        used = sum(_minutes(a, b) for a, b in mine)
        if room.limit_hours and used + minutes > room.limit_hours * 60:
            message = (_("Each booker may book this room at most %(n)d hours a week.") if weekly
                       else _("Each booker may book this room at most %(n)d hours a month."))
            raise ActionError(message % {"n": room.limit_hours}, field="ends_at")


def slot_taken_message() -> str:
    return _("This time is already booked. Please choose another time.")


# --- the calendar (free and taken times) -----------------------------------------------------------------------

SLOT_MINUTES = 30


@dataclass
class Slot:
    starts_at: datetime
    ends_at: datetime
    state: str  # free, approved, pending, past, buffer

    @property
    def label(self) -> str:
        return f"{timezone.localtime(self.starts_at):%H:%M}"


@dataclass
class CalendarDay:
    day: date
    open: bool
    closed_reason: str
    slots: list[Slot]

    @property
    def weekday(self) -> str:
        return WEEKDAYS[self.day.isoweekday()]


def _times(room: Room) -> tuple[time, time]:
    opens, closes = room.opens_at, room.closes_at
    if isinstance(opens, str):
        return time.fromisoformat(opens), time.fromisoformat(str(closes))
    return opens, closes


def calendar(room: Room, first: date, days: int, *, now: datetime | None = None) -> list[CalendarDay]:
    """`days` days from `first`: on an open day, the room's half hours within its opening hours, each free, taken
    (approved or pending: only that, never who), past, or inside the buffer of a booking; closed dates marked."""
    now = now or timezone.now()
    last = first + timedelta(days=days - 1)
    tz = timezone.get_current_timezone()
    closures = closures_between(room, first, last)
    lo = datetime.combine(first, time.min, tzinfo=tz)
    hi = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    taken = list(holding(room).filter(starts_at__lt=hi, ends_at__gt=lo).values_list("starts_at", "ends_at", "status"))
    gap = timedelta(minutes=room.buffer_minutes)
    opens, closes = _times(room)
    out: list[CalendarDay] = []
    for i in range(days):
        day = first + timedelta(days=i)
        closed = next((c for c in closures if c.starts_on <= day <= c.ends_on), None)
        if closed is not None or not is_open_day(room, day):
            out.append(CalendarDay(day, False, closed.reason if closed else "", []))
            continue
        slots: list[Slot] = []
        cursor = datetime.combine(day, opens, tzinfo=tz)
        end_of_day = datetime.combine(day, closes, tzinfo=tz)
        while cursor < end_of_day:
            nxt = min(cursor + timedelta(minutes=SLOT_MINUTES), end_of_day)
            states = [status for a, b, status in taken if a < nxt and b > cursor]
            state: str
            if states:
                state = Booking.Status.APPROVED if Booking.Status.APPROVED in states else Booking.Status.PENDING
            elif cursor < now + timedelta(hours=room.min_hours_ahead):
                state = "past"
            elif gap and any(a < nxt + gap and b > cursor - gap for a, b, _s in taken):
                state = "buffer"
            else:
                state = "free"
            slots.append(Slot(cursor, nxt, str(state)))
            cursor = nxt
        out.append(CalendarDay(day, True, "", slots))
    return out
