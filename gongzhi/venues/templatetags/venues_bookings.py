"""The bookings part's panel on a room's page (the rooms part includes venues/bookings/_room_panel.html with `room`):
whether the user may book it, whether they manage it, and the room's next bookings (who only for its managers)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from .. import permissions
from ..models import Booking

register = template.Library()


@register.simple_tag(takes_context=True)
def room_bookings_panel(context: Any, room: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return {"may_book": False, "manages": False, "next": []}
    manages = permissions.manages_venue(user, room.venue)
    upcoming = (Booking.objects.filter(room=room, status__in=Booking.HOLDING, ends_at__gte=timezone.now())
                .select_related("booker_community").order_by("starts_at")[:5])
    return {"may_book": permissions.can(user, "book", room), "manages": manages, "next": list(upcoming)}
