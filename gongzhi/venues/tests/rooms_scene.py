"""The rooms part's test scene on the cast: a station on community A and one on community B, each with a room its
own community may book; bookings made directly (the booking actions belong to the bookings part)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.models import Area
from gongzhi.test import Cast
from gongzhi.venues.actions import rooms as actions
from gongzhi.venues.models import Booking, Room, Venue

RULES: dict[str, Any] = {"capacity": 20, "facilities": "投影仪、白板", "open_days": "12345", "opens_at": "08:00",
                         "closes_at": "18:00", "who_may_book": "community", "approver": "venue", "min_minutes": 30,
                         "max_minutes": 240, "max_days_ahead": 30, "min_hours_ahead": 2, "buffer_minutes": 0,
                         "limit_period": "month", "limit_count": None, "limit_hours": None}


def station(area: Area, name: str = "") -> Venue:
    return actions.do_create_venue(acting_user=None, area=area, name=name or f"{area.name}党群服务站", level="station",
                                   address="和平路1号")


def room(venue: Venue, name: str = "会议室", **rules: Any) -> Room:
    return actions.do_create_room(venue, acting_user=None, **{**RULES, "name": name, **rules})


def scene(cast: Cast) -> tuple[Venue, Room, Venue, Room]:
    venue_a = station(cast.community_a)
    venue_b = station(cast.community_b)
    return venue_a, room(venue_a), venue_b, room(venue_b)


def at(day: Any, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def book(room: Room, starts_at: datetime, hours: float, *, status: str = "approved", user: Any = None,
         community: Area | None = None, contact: str = "", phone_masked: str = "", purpose: str = "议事会") -> Booking:
    return Booking.objects.create(room=room, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
                                  purpose=purpose, booker_kind="resident" if user is None else "staff",
                                  booked_by=user, booker_community=community, contact_name=contact,
                                  phone_hash="h" * 64 if phone_masked else "", phone_masked=phone_masked,
                                  status=status)
