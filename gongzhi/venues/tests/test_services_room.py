"""A session that reserves a room of the service's venue through the bookings part's action: the booking is kept on
the session, a taken slot is refused with the bookings' message, a room of another venue is refused, and cancelling
the session cancels the room's booking."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core.errors import ActionError
from gongzhi.venues.actions import services as actions
from gongzhi.venues.models import Booking, Room

from .test_services_actions import scene

pytestmark = pytest.mark.django_db


def test_a_session_books_its_room(cast: Any) -> None:
    s = scene(cast)
    room = Room.objects.create(venue=s.venue_a, name="健康小屋", open_days="1234567", opens_at=time(0, 0),
                               closes_at=time(23, 59), approver=Room.Approver.NONE)
    other = Room.objects.create(venue=s.venue_b, name="活动室", open_days="1234567", opens_at=time(0, 0),
                                closes_at=time(23, 59))
    day = timezone.localdate() + timedelta(days=3)
    start = datetime.combine(day, time(10, 0), tzinfo=timezone.get_current_timezone())
    session = actions.do_create_session(s.service_a, acting_user=cast.worker_a, starts_at=start,
                                        ends_at=start + timedelta(hours=2), capacity=10, room=room)
    assert session.booking is not None and session.booking.room == room
    assert session.booking.status in Booking.HOLDING
    with pytest.raises(ActionError):  # the slot is taken: the bookings part refuses
        actions.do_create_session(s.service_a, acting_user=cast.worker_a, starts_at=start + timedelta(hours=1),
                                  ends_at=start + timedelta(hours=3), capacity=10, room=room)
    with pytest.raises(ActionError, match="服务所在阵地"):
        actions.do_create_session(s.service_a, acting_user=cast.worker_a, starts_at=start,
                                  ends_at=start + timedelta(hours=2), capacity=10, room=other)
    actions.do_cancel_session(session, acting_user=cast.worker_a, reason="医生临时出诊")
    assert Booking.objects.get(pk=session.booking.pk).status == Booking.Status.CANCELLED
