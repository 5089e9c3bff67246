"""The bookings part's demo step (order 81): bookings from both sides of the border in the rooms of the rooms step —
新塘's resident and worker in 枫溪's alliance meeting room and 枫溪's worker in 新塘's — in every status (pending for
fx_worker, approved, refused with a reason, cancelled, released, checked in in the past), a weekly series, and enough
past use for a realistic cross-community share."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core.models import AuditEvent, User
from gongzhi.venues import demo_rooms as names
from gongzhi.venues import permissions
from gongzhi.venues.models import Booking, BookingSeries
from gongzhi.venues.queries import pending_for


@pytest.fixture(scope="module")
def demo(demo_city: Any) -> str:
    return str(demo_city.output)


@pytest.mark.django_db
def test_it_books_across_the_border_in_every_status(demo: str) -> None:
    assert "venues.bookings:" in demo and "left out" not in demo
    meeting = names.demo_room(names.FX_STATION, names.FX_STATION_MEETING)
    assert meeting is not None
    bookings = Booking.objects.filter(room=meeting).select_related("booker_community", "booked_by")
    statuses = {b.status for b in Booking.objects.all()}
    assert {"pending", "approved", "refused", "cancelled", "released"} <= statuses
    communities = {b.booker_community.name for b in bookings if b.booker_community}
    assert {"枫溪社区", "新塘社区"} <= communities
    assert {b.booked_by.username for b in bookings if b.booked_by} >= {"fx_worker", "xt_worker", "xt_resident"}
    # 枫溪's worker in 新塘's meeting room: the reverse direction
    xt_meeting = names.demo_room(names.XT_STATION, names.XT_STATION_MEETING)
    assert Booking.objects.filter(room=xt_meeting, booker_community__name="枫溪社区").exists()
    # pending for fx_worker to approve
    fx = User.objects.get(username="fx_worker")
    pending = pending_for(fx)
    assert pending and all(permissions.approves(fx, b) for b in pending)
    refused = Booking.objects.get(status="refused")
    assert refused.reason and refused.decided_by == fx
    # the past: checked in, two released by the system; within opening hours
    now = timezone.now()
    past = bookings.filter(ends_at__lt=now)
    checked = past.filter(checked_in_at__isnull=False)
    assert checked.count() >= 10
    cross = checked.exclude(booker_community__name="枫溪社区").count()
    assert 0.3 <= cross / checked.count() <= 0.8  # a realistic cross-community share
    assert AuditEvent.objects.filter(verb="venues.booking.release", actor__isnull=True).count() >= 2
    for b in Booking.objects.select_related("room"):
        start, end = timezone.localtime(b.starts_at), timezone.localtime(b.ends_at)
        assert b.room.opens_at <= start.time() and end.time() <= b.room.closes_at, b
        assert str(start.isoweekday()) in b.room.open_days, b
    # a weekly recurring booking
    series = BookingSeries.objects.get(frequency="weekly")
    assert series.bookings.count() >= 3
