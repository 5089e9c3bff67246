"""What the services part registers (called from gongzhi.venues.registration): its hub card, audit verbs, the
reminder check (every five minutes) and the demo step. `session_tasks` (today's sessions to check people in, for
providers) is written here for the lead to register with the home page's tasks."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.paging import capped_count
from gongzhi.core.policy import is_active_user
from gongzhi.core.registry import Task

from .hub import Card, add_card

logger = logging.getLogger("gongzhi.venues.services")
REMINDER_EVERY = 300


def remind_sessions() -> dict[str, int]:
    """Every five minutes: remind the people booked into sessions starting within VENUES_REMINDER_HOURS."""
    from .actions.services import do_remind_sessions

    sent = do_remind_sessions()
    if sent:
        logger.info("service session reminders sent: %d", sent)
    return {"reminded": sent}


def _today_run(user: Any) -> Any:
    """Today's sessions (not cancelled) of the services the user runs; None when they run none."""
    from gongzhi.core.policy import is_superuser

    from .models import ServiceSession
    from .permissions import runs_q, service_policy

    if not service_policy.can_somewhere(user, "run"):
        return None
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    start = datetime.combine(today, time.min, tzinfo=zone)
    qs = ServiceSession.objects.filter(cancelled_at__isnull=True, starts_at__gte=start,
                                       starts_at__lt=start + timedelta(days=1))
    if is_superuser(user):
        return qs
    return qs.filter(runs_q(user, "service__"))


def session_tasks(user: Any) -> list[Task]:
    """Providers: today's sessions of their services, to check people in (one bounded query). Written for the lead
    to register (`registry.task("venues.sessions_today", session_tasks, order=...)`)."""
    if not is_active_user(user):
        return []
    qs = _today_run(user)
    if qs is None:
        return []
    count = capped_count(qs)
    if not count:
        return []
    return [Task("venues.sessions_today", _("Service sessions today: check people in"), count,
                 reverse("venues:services") + "?mine=1", "soon")]


def services_card(user: Any) -> Card | None:
    """The services the user may use, the places they hold; providers: today's sessions."""
    from .models import ServiceBooking
    from .permissions import place_policy, service_policy

    if not is_active_user(user):
        return None
    url = reverse("venues:services")
    lines: list[tuple[Any, Any]] = [(_("Services you can use"),
                                     capped_count(service_policy.visible_to(user).filter(active=True)))]
    mine = place_policy.visible_to(user).filter(user=user, status=ServiceBooking.Status.BOOKED,
                                                session__starts_at__gte=timezone.now())
    lines.append((_("Your places booked"), capped_count(mine)))
    links: list[tuple[Any, str]] = [(_("Find a service"), url), (_("My places"), reverse("venues:my_places"))]
    today = _today_run(user)
    if today is not None:
        lines.append((_("Sessions of your services today"), capped_count(today)))
        links.append((_("Offer a service"), reverse("venues:service_new")))
    return Card("services", _("Shared services"), url, lines=lines, links=links, order=30)


def register() -> None:
    from gongzhi.core.registry import registry

    from .demo_services import build

    add_card(services_card)
    registry.scheduled(REMINDER_EVERY)(remind_sessions)
    registry.demo_builder("venues.services", build, order=82)
    registry.verbs({
        "venues.service.create": _("Set up a shared service"),
        "venues.service.update": _("Changed a shared service"),
        "venues.service.deactivate": _("Deactivated a shared service"),
        "venues.service.activate": _("Brought back a shared service"),
        "venues.session.create": _("Added a service session"),
        "venues.session.cancel": _("Cancelled a service session"),
        "venues.session.remind": _("Reminded the people booked into a service session"),
        "venues.place.take": _("Took a place in a service session"),
        "venues.place.cancel": _("Cancelled a place in a service session"),
        "venues.place.check_in": _("Checked a person in at a service session"),
        "venues.place.rate": _("Rated a shared service"),
    })
