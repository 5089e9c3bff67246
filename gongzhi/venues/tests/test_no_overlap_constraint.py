"""The database itself refuses a double booking on PostgreSQL (the exclusion constraint of migration 0002):
overlapping bookings of one room that hold their slot cannot both exist; touching ones, another room's, and a
refused or cancelled one can. Skipped on SQLite (the booking action locks there instead)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.test import require_postgresql
from gongzhi.venues.models import Booking, Room, Venue

pytestmark = pytest.mark.django_db


def _book(room: Room, start: Any, minutes: int, status: str = Booking.Status.APPROVED) -> Booking:
    return Booking.objects.create(room=room, starts_at=start, ends_at=start + timedelta(minutes=minutes),
                                  purpose="议事", booker_kind=Booking.BookerKind.STAFF, status=status)


def test_the_database_refuses_overlapping_bookings_of_a_room(cast: Any) -> None:
    require_postgresql("the exclusion constraint")
    venue = Venue.objects.create(name="和平里社区党群服务站", level=Venue.Level.STATION, area=cast.community_a)
    room, other = (Room.objects.create(venue=venue, name=name) for name in ("议事厅", "活动室"))
    start = timezone.now().replace(microsecond=0) + timedelta(days=2)
    _book(room, start, 60)
    with pytest.raises(IntegrityError), transaction.atomic():
        _book(room, start + timedelta(minutes=30), 60, Booking.Status.PENDING)
    _book(room, start + timedelta(minutes=60), 30)  # touching: [start+60, start+90) after [start, start+60)
    _book(other, start, 60)  # another room
    _book(room, start + timedelta(minutes=10), 20, Booking.Status.REFUSED)  # holds no slot
    assert Booking.objects.filter(room=room).count() == 3
