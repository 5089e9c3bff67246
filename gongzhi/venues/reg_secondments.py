"""What the secondments part registers (called from gongzhi.venues.registration): its hub card, audit verbs, the
hourly check that starts and ends secondments with their period, and the demo step. `secondment_tasks`
(secondments to agree, reports to file) is written here for the lead to register with the home page's tasks."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.paging import capped_count
from gongzhi.core.policy import is_active_user
from gongzhi.core.registry import Task

from .hub import Card, add_card

logger = logging.getLogger("gongzhi.venues.secondments")
HOUR = 3600


def run_secondments() -> dict[str, int]:
    """Hourly: start the agreed secondments whose first day has come, end those whose last day has passed."""
    from .actions.secondments import do_run_secondments

    done = do_run_secondments()
    if any(done.values()):
        logger.info("secondments started %d, ended %d", done["started"], done["ended"])
    return done


def _to_agree(user: Any) -> Any:
    """Proposed secondments waiting for a side the user speaks for."""
    from gongzhi.core.policy import is_superuser, path_q, scope_paths

    from .models import Secondment
    from .permissions import VENUE_MANAGERS

    qs = Secondment.objects.filter(status=Secondment.Status.PROPOSED)
    if is_superuser(user):
        return qs
    paths = scope_paths(user, VENUE_MANAGERS)
    if not paths:
        return qs.none()
    return qs.filter((path_q(paths, "from_community__path") & Q(from_agreed_at__isnull=True))
                     | (path_q(paths, "to_community__path") & Q(to_agreed_at__isnull=True)))


def _reports_due(user: Any) -> Any:
    from .models import Secondment

    return Secondment.objects.filter(person=user, status=Secondment.Status.ENDED, report_filed_at__isnull=True)


def secondment_tasks(user: Any) -> list[Task]:
    """Community staff: secondments waiting for their community's agreement; the seconded person: reports to file.
    Written for the lead to register (`registry.task("venues.secondments", secondment_tasks, order=...)`)."""
    if not is_active_user(user):
        return []
    url = reverse("venues:secondments")
    tasks: list[Task] = []
    agree = capped_count(_to_agree(user))
    if agree:
        tasks.append(Task("venues.secondments_to_agree", _("Secondments to agree"), agree, url + "?status=proposed",
                          "soon"))
    due = capped_count(_reports_due(user))
    if due:
        tasks.append(Task("venues.secondment_reports", _("Secondment reports to file"), due, url, "soon"))
    return tasks


def secondments_card(user: Any) -> Card | None:
    from .models import Secondment
    from .permissions import secondment_policy

    if not is_active_user(user):
        return None
    visible = secondment_policy.visible_to(user)
    if not secondment_policy.can_somewhere(user, "propose") and not visible.exists():
        return None
    url = reverse("venues:secondments")
    lines: list[tuple[Any, Any]] = [
        (_("Secondments under way"), capped_count(visible.filter(status=Secondment.Status.ACTIVE))),
        (_("Waiting for your agreement"), capped_count(_to_agree(user))),
    ]
    links: list[tuple[Any, str]] = [(_("All secondments"), url)]
    if secondment_policy.can_somewhere(user, "propose"):
        links.append((_("Propose a secondment"), reverse("venues:secondment_new")))
    return Card("secondments", _("Staff exchanges (挂职)"), url, lines=lines, links=links, order=40)


def register() -> None:
    from gongzhi.core.registry import registry

    from .demo_secondments import build

    add_card(secondments_card)
    registry.scheduled(HOUR)(run_secondments)
    registry.demo_builder("venues.secondments", build, order=83)
    registry.verbs({
        "venues.secondment.propose": _("Proposed a secondment"),
        "venues.secondment.agree": _("Agreed to a secondment for a community"),
        "venues.secondment.cancel": _("Cancelled a secondment"),
        "venues.secondment.start": _("Started a secondment (host community role granted)"),
        "venues.secondment.end": _("Ended a secondment (host community role taken back)"),
        "venues.secondment.report": _("Filed a secondment report"),
    })
