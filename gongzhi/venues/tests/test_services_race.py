"""Two people taking the last place of a session at the same moment: one gets it, the other is told the session is
full (PostgreSQL: the session row is locked)."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.core.errors import ActionError
from gongzhi.test import race, require_postgresql
from gongzhi.venues.actions import services as actions
from gongzhi.venues.models import ServiceBooking, ServiceSession

from .test_services_actions import scene

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_people_taking_the_last_place_one_gets_it(cast: Any) -> None:
    require_postgresql("row locks")
    s = scene(cast, capacity=1)
    session = ServiceSession.objects.get(pk=s.session_a.pk)
    results = race(lambda: actions.do_take_place(session, acting_user=cast.resident_user),
                   lambda: actions.do_take_place(session, acting_user=cast.volunteer))
    won = [r for r in results if isinstance(r, ServiceBooking)]
    lost = [r for r in results if isinstance(r, ActionError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "名额已满" in lost[0].message
    assert ServiceBooking.objects.filter(session=session, status="booked").count() == 1


def test_two_phone_bookings_of_one_number_at_once_make_one_place(cast: Any) -> None:
    require_postgresql("the unique constraint under concurrency")
    s = scene(cast, capacity=5)
    session = ServiceSession.objects.get(pk=s.session_a.pk)
    results = race(*[lambda: actions.do_take_place_for_demo(session, phone="13700137009", name="王阿姨",
                                                            community=cast.community_a) for _ in range(2)])
    assert sum(isinstance(r, ServiceBooking) for r in results) == 1, results
    assert ServiceBooking.objects.filter(session=session, status="booked").count() == 1
