"""The hub card (my upcoming bookings; for approvers, those awaiting approval) and the home-task functions written
for the lead to register: approval_tasks (pending bookings to decide) and check_in_tasks (my bookings today)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.venues.models import Booking, Room
from gongzhi.venues.reg_bookings import approval_tasks, bookings_card, check_in_tasks

from .test_bookings_rules import book, make_room, next_weekday

pytestmark = pytest.mark.django_db


def test_the_card_and_the_tasks(cast: Any) -> None:
    room = make_room(cast, approver=Room.Approver.VENUE)
    book(cast.resident_user, room, next_weekday())
    card = bookings_card(cast.resident_user)
    assert card is not None and dict(card.lines)["我即将到来的预约"] == 1
    assert str(dict(card.lines)["最近一次"]).endswith(room.name)  # the next booking, never "下一页" (next page)
    assert "待我审批" not in dict(card.lines)
    staff = bookings_card(cast.worker_a)
    assert staff is not None and dict(staff.lines)["待我审批"] == 1
    tasks = approval_tasks(cast.worker_a)
    assert [(t.key, t.count) for t in tasks] == [("venues.approvals", 1)]
    assert approval_tasks(cast.worker_b) == [] and approval_tasks(cast.resident_user) == []
    # a booking later today, approved: the booker has one to check in
    assert check_in_tasks(cast.resident_user) == []
    now = timezone.now()
    b = Booking.objects.create(room=room, starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(minutes=25),
                               purpose="议事", booker_kind="resident", booked_by=cast.resident_user,
                               status=Booking.Status.APPROVED)
    assert [(t.key, t.count) for t in check_in_tasks(cast.resident_user)] == [("venues.check_in", 1)]
    b.checked_in_at = now
    b.save(update_fields=["checked_in_at"])
    assert check_in_tasks(cast.resident_user) == []
