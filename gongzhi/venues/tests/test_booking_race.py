"""No double booking, ever: two people booking the same slot at once get one booking and one clear refusal — on
PostgreSQL (the room's row locked, the exclusion constraint behind it), and on SQLite through the write lock the
action takes first (the same guarantee, by serializing the writers)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from gongzhi.core.errors import ActionError
from gongzhi.test import race, require_postgresql
from gongzhi.venues.actions import bookings as actions
from gongzhi.venues.models import Booking, Room

from .test_bookings_rules import make_room, next_weekday

pytestmark = pytest.mark.django_db(transaction=True)


def _two_at_once(cast: Any, room: Room) -> list[Any]:
    start = next_weekday()

    def booking(user: Any, minutes: int) -> Any:
        return lambda: actions.do_book(acting_user=user, room=room, starts_at=start + timedelta(minutes=minutes),
                                       ends_at=start + timedelta(minutes=minutes + 60), purpose="议事会")

    return race(booking(cast.resident_user, 0), booking(cast.worker_a, 30))


def test_two_people_book_the_same_slot_at_once_on_postgresql(cast: Any) -> None:
    require_postgresql("the booking race")
    room = make_room(cast, approver=Room.Approver.VENUE)
    for _ in range(3):
        Booking.objects.filter(room=room).delete()
        results = _two_at_once(cast, room)
        booked = [r for r in results if isinstance(r, Booking)]
        refused = [r for r in results if isinstance(r, ActionError)]
        assert len(booked) == 1 and len(refused) == 1, results
        assert refused[0].message == "该时段已被预约，请选择其他时间。"
        assert Booking.objects.filter(room=room, status__in=Booking.HOLDING).count() == 1


def test_the_sqlite_lock_path_serializes_writers(cast: Any) -> None:
    """On SQLite the action's first statement is a write to the room's row: the second writer waits for the first
    to commit (or fails with a locked database, which refuses it too), and then sees the first booking."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite lock path")
    room = make_room(cast)
    results = _two_at_once(cast, room)
    booked = [r for r in results if isinstance(r, Booking)]
    assert len(booked) == 1, results
    assert Booking.objects.filter(room=room, status__in=Booking.HOLDING).count() == 1
    other = next(r for r in results if not isinstance(r, Booking))
    assert isinstance(other, Exception)
    if isinstance(other, ActionError):
        assert other.message == "该时段已被预约，请选择其他时间。"


def test_the_lock_is_taken_before_the_rules_are_read(cast: Any, monkeypatch: Any) -> None:
    """The room's row is written (SQLite) or locked (PostgreSQL) before any rule query runs."""
    room = make_room(cast)
    seen: list[str] = []
    real = actions.check_booking

    def spy(*args: Any, **kwargs: Any) -> None:
        seen.append("rules")
        real(*args, **kwargs)

    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(actions, "check_booking", spy)
    start = next_weekday()
    with CaptureQueriesContext(connection) as queries:
        actions.do_book(acting_user=cast.resident_user, room=room, starts_at=start,
                        ends_at=start + timedelta(hours=1), purpose="议事会")
    sqls = [q["sql"].upper() for q in queries.captured_queries]
    lock = next(i for i, sql in enumerate(sqls) if ("FOR UPDATE" in sql or sql.startswith("UPDATE"))
                and "VENUES_ROOM" in sql)
    first_booking_read = next(i for i, sql in enumerate(sqls) if "FROM \"VENUES_BOOKING\"" in sql)
    assert lock < first_booking_read and seen == ["rules"]
