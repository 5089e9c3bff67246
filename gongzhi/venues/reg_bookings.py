"""What the bookings part registers (called from gongzhi.venues.registration): its hub card, audit verbs, the release
check and the demo step. Home-page task functions are written here for the lead to register (`approval_tasks`,
`check_in_tasks`)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("gongzhi.venues.bookings")


def release_unchecked_bookings() -> dict[str, int]:
    """Every minute: approved bookings nobody checked into VENUES_RELEASE_MINUTES after their start are released."""
    from .actions.bookings import do_release_unchecked

    released = do_release_unchecked()
    if released:
        logger.info("room bookings released (no check-in): %d", released)
    return {"released": released}


def approval_tasks(user: Any) -> list[Any]:
    """The pending bookings the user approves (`registry.task("venues.approvals", approval_tasks, order=...)`);
    red when one starts within a day. One bounded query."""
    from gongzhi.core.policy import has_role
    from gongzhi.core.registry import Task

    from . import permissions
    from .queries import pending_for

    if not getattr(user, "is_authenticated", False) or not has_role(user, permissions.VENUE_MANAGERS):
        return []
    pending = pending_for(user, limit=1000)
    if not pending:
        return []
    soon = any(b.starts_at <= timezone.now() + timedelta(days=1) for b in pending)
    return [Task("venues.approvals", _("Room bookings awaiting approval"), len(pending), reverse("venues:approvals"),
                 "soon" if soon else "")]


def check_in_tasks(user: Any) -> list[Any]:
    """My approved bookings today not checked in yet (`registry.task("venues.check_in", check_in_tasks, ...)`);
    orange: check in when you arrive, or the booking is released. One query."""
    from gongzhi.core.registry import Task

    from .models import Booking

    if not getattr(user, "is_authenticated", False):
        return []
    now = timezone.localtime()
    end_of_day = now.replace(hour=23, minute=59, second=59)
    count = Booking.objects.filter(booked_by=user, status=Booking.Status.APPROVED, checked_in_at__isnull=True,
                                   starts_at__lte=end_of_day, ends_at__gt=now).count()
    if not count:
        return []
    return [Task("venues.check_in", _("Room bookings to check in today"), count, reverse("venues:bookings"), "soon")]


def bookings_card(user: Any) -> Any:
    """The hub card: my upcoming bookings and, for approvers, the bookings awaiting their approval."""
    from . import permissions
    from .hub import Card
    from .models import Booking
    from .queries import pending_for

    if not permissions.shows_venues(user):
        return None
    mine = Booking.objects.filter(booked_by=user, status__in=Booking.HOLDING, ends_at__gte=timezone.now())
    lines: list[tuple[Any, Any]] = [(_("My upcoming bookings"), mine.count())]
    links = [(_("My bookings"), reverse("venues:bookings"))]
    nxt = mine.select_related("room").order_by("starts_at").first()
    if nxt is not None:
        lines.append((_("The next one"), f"{timezone.localtime(nxt.starts_at):%m-%d %H:%M} {nxt.room.name}"))
    from gongzhi.core.policy import has_role

    if has_role(user, permissions.VENUE_MANAGERS):
        lines.append((_("Awaiting my approval"), len(pending_for(user))))
        links.append((_("Bookings awaiting approval"), reverse("venues:approvals")))
    return Card(key="bookings", title=_("Room bookings"), url=reverse("venues:bookings"), lines=lines, links=links,
                order=20)


def register() -> None:
    from gongzhi.core.registry import registry

    from .demo_bookings import build
    from .hub import add_card

    add_card(bookings_card)
    registry.scheduled(60)(release_unchecked_bookings)
    registry.demo_builder("venues.bookings", build, order=81)
    registry.verbs({
        "venues.booking.create": _("Booked a room"),
        "venues.booking.series": _("Booked a room repeatedly"),
        "venues.booking.approve": _("Approved a room booking"),
        "venues.booking.refuse": _("Refused a room booking"),
        "venues.booking.cancel": _("Cancelled a room booking"),
        "venues.booking.check_in": _("Checked in to a room booking"),
        "venues.booking.release": _("Released a room booking nobody checked into"),
    })
