"""Read-side helpers of the venues app shared by its parts.

Closed dates (the rooms part): `closure_on(room, day)` answers whether a room is closed on a (local) day, and with
which closure; `closures_between` / `closed_days` give the closures over a stretch of days (the calendar, the
bookings' checks); `bookings_hit(room, starts_on, ends_on)` are the bookings holding their slot (pending, approved)
that a closure over those dates would hit. Days are local dates (settings.TIME_ZONE); a booking hits a day when its
time range overlaps that day's local midnight-to-midnight.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

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
