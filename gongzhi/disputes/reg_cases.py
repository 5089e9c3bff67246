"""What the cases part registers (called from gongzhi.disputes.registration): its hub card, audit verbs, the panel
on the appeals case page and the demo step. `mediation_tasks` (disputes waiting for a first session for their
mediators; recorded disputes waiting for assignment for the community desk) is written here for the lead to
register with the home page's tasks."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.paging import capped_count
from gongzhi.core.policy import is_active_user
from gongzhi.core.registry import Task

from .hub import Card, add_card


def _to_assign(user: Any) -> Any:
    """Recorded disputes the user may assign (the community desk over the community, heads of covering bodies)."""
    from gongzhi.core.policy import is_superuser, path_q, scope_paths

    from .models import Dispute
    from .permissions import ASSIGN_ROLES, body_ids, covering_body_q

    recorded = Dispute.objects.filter(status=Dispute.Status.RECORDED)
    if is_superuser(user):
        return recorded
    _members, heads = body_ids(user)
    q = path_q(scope_paths(user, ASSIGN_ROLES), "community__path") | covering_body_q(heads)
    return recorded.filter(q).distinct()


def _to_mediate(user: Any) -> Any:
    from .models import Dispute
    from .queries import mine_q

    return Dispute.objects.filter(mine_q(user), status=Dispute.Status.ASSIGNED)


def mediation_tasks(user: Any) -> list[Task]:
    """Disputes assigned to me or my body waiting for a first session; recorded ones waiting for assignment."""
    if not is_active_user(user):
        return []
    from .permissions import shows_disputes

    if not shows_disputes(user):
        return []
    url = reverse("disputes:dispute_list")
    tasks: list[Task] = []
    mine = capped_count(_to_mediate(user))
    if mine:
        tasks.append(Task("disputes.to_mediate", _("Disputes waiting for a mediation session"), mine,
                          url + "?mine=on&status=assigned", "soon"))
    to_assign = capped_count(_to_assign(user))
    if to_assign:
        tasks.append(Task("disputes.to_assign", _("Disputes waiting for assignment"), to_assign,
                          url + "?status=recorded", "soon"))
    return tasks


def cases_card(user: Any) -> Card | None:
    from . import queries
    from .permissions import shows_disputes

    if not is_active_user(user) or not shows_disputes(user):
        return None
    counts = queries.counts_for(user)
    url = reverse("disputes:dispute_list")
    links: list[tuple[Any, str]] = [(_("All disputes"), url), (_("Mediation bodies"), reverse("disputes:bodies"))]
    from .views.cases import record_communities

    if record_communities(user):
        links.insert(0, (_("Record a dispute"), reverse("disputes:dispute_new")))
    return Card("cases", _("Dispute cases"), url, lines=[
        (_("Open disputes"), counts["open"]), (_("Waiting for assignment"), counts["unassigned"]),
        (_("Assigned to me or my body"), counts["mine"])], links=links, order=10)


def register() -> None:
    from gongzhi.core.registry import registry

    from .demo_cases import build
    from .views.cases import appeal_case_panel

    add_card(cases_card)
    registry.panel("appeals.case", "disputes.from_appeal", appeal_case_panel, order=70)
    registry.demo_builder("disputes.cases", build, order=85)
    registry.verbs({
        "disputes.record": _("Recorded a dispute"),
        "disputes.from_appeal": _("Turned an appeal into a dispute"),
        "disputes.parties": _("Changed the parties of a dispute"),
        "disputes.assign": _("Assigned a dispute for mediation"),
        "disputes.session": _("Recorded a mediation session"),
        "disputes.outcome": _("Recorded the outcome of a dispute"),
        "disputes.close": _("Closed a dispute"),
        "disputes.view": _("Viewed a dispute"),
        "disputes.party.reveal": _("Showed a party's personal data in full"),
        "disputes.body.create": _("Set up a mediation body"),
        "disputes.body.update": _("Changed a mediation body"),
    })
