"""What the rooms part registers (called from gongzhi.venues.registration): its hub card, audit verbs and demo step
(order 80, "venues.rooms": gongzhi.venues.demo_rooms.build). It has no scheduled checks and no home-page tasks."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def rooms_card(user: Any) -> Any:
    """The hub card: for the venues' managers the venues they run and this month's utilisation (with the share that
    served other communities); for bookers, the rooms they may book ("find a room")."""
    from gongzhi.core.policy import has_role, is_superuser

    from . import permissions, utilisation
    from .hub import Card
    from .models import Room

    if not (is_superuser(user) or has_role(user, permissions.BOOKER_ROLES)):
        return None
    managed = utilisation.managed_venues(user).filter(active=True)
    count = managed.count() if permissions.venue_policy.can_somewhere(user, "manage") else 0
    if count:
        today = timezone.localdate()
        first, last = utilisation.month_bounds(today.year, today.month)
        report = utilisation.compute(managed[:200], first, min(last, today))
        total = report.total
        lines: list[tuple[Any, Any]] = [(_("Venues you run"), count),
                                        (_("Utilisation this month"),
                                         f"{total.rate}%" if total.rate is not None else "—")]
        if total.booked_hours:
            lines.append((_("Served other communities"), f"{total.other_share}%"))
        links = [(_("Utilisation"), reverse("venues:utilisation"))]
        if permissions.venue_policy.can_somewhere(user, "create_venue"):
            links.append((_("New venue"), reverse("venues:venue_new")))
        return Card(key="rooms", title=_("Venues and rooms"), url=reverse("venues:venues"), lines=lines,
                    links=links, order=10)
    rooms = permissions.visible_to(user, Room).count()
    if not rooms:
        return None
    return Card(key="rooms", title=_("Find a room"), url=reverse("venues:venues"),
                lines=[(_("Rooms you may book"), rooms)], links=[(_("Venues"), reverse("venues:venues"))], order=10)


def register() -> None:
    from gongzhi.core.registry import registry

    from .demo_rooms import build
    from .hub import add_card

    add_card(rooms_card)
    registry.demo_builder("venues.rooms", build, order=80)
    registry.verbs({
        "venues.venue.create": _("Set up a venue"),
        "venues.venue.update": _("Changed a venue"),
        "venues.venue.deactivate": _("Deactivated a venue"),
        "venues.venue.reactivate": _("Opened a venue again"),
        "venues.room.create": _("Added a room"),
        "venues.room.update": _("Changed a room's details or rules"),
        "venues.room.deactivate": _("Deactivated a room"),
        "venues.room.reactivate": _("Opened a room again"),
        "venues.photo.add": _("Added a photo of a room"),
        "venues.photo.delete": _("Deleted a photo of a room"),
        "venues.closure.create": _("Closed a room for dates"),
        "venues.closure.remove": _("Removed a room's closed dates"),
        "venues.booking.closure_cancel": _("A booking was cancelled: its room is closed"),
    })
