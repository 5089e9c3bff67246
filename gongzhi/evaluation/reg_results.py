"""What the results part registers (called from gongzhi.evaluation.registration): audit verbs, the scheduled close
at the deadline, the panels on the unit and party organization pages, and the demo step. The home-task functions
`objection_tasks` and `notice_tasks` are written here for the lead to register."""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.paging import capped_count
from gongzhi.core.policy import is_active_user, is_superuser, path_q, scope_paths
from gongzhi.core.registry import Task

logger = logging.getLogger("gongzhi.evaluation.scheduled")


def close_due_campaigns() -> dict[str, int]:
    """Every 10 minutes: close the rating of open campaigns whose deadline has passed (results computed, notice)."""
    from .actions.results import close_due

    done = close_due()
    if done["closed"]:
        logger.info("evaluation: closed the rating of %(closed)d campaign(s) at the deadline", done)
    return done


def objection_tasks(user: Any) -> list[Task]:
    """Organizers: objections waiting for an answer (one query; none for roles that organize nothing)."""
    from .models import Campaign, Objection
    from .permissions import ORGANIZER_ROLES

    if not is_active_user(user):
        return []
    qs = Objection.objects.filter(status=Objection.Status.OPEN, ratee__campaign__status=Campaign.Status.NOTICE)
    if not is_superuser(user):
        paths = scope_paths(user, ORGANIZER_ROLES)
        if not paths:
            return []
        qs = qs.filter(path_q(paths, "ratee__campaign__area__path"))
    first = qs.order_by("raised_at").values_list("ratee__campaign_id", flat=True).first()
    if first is None:
        return []
    count = capped_count(qs)
    return [Task("evaluation.objections", _("Objections to answer"), count,
                 reverse("evaluation:objections", args=[first]), "soon")]


def notice_tasks(user: Any) -> list[Task]:
    """A ratee's side: its results on public notice (it may object until the notice ends)."""
    from django.utils import timezone

    from .models import Campaign, Ratee
    from .permissions import own_ratee_q

    if not is_active_user(user):
        return []
    q = own_ratee_q(user)
    qs = Ratee.objects.filter(q, campaign__status=Campaign.Status.NOTICE, campaign__notice_ends_at__gt=timezone.now())
    first = qs.order_by("pk").values_list("pk", flat=True).first()
    if first is None:
        return []
    return [Task("evaluation.notice", _("Your evaluation results on public notice"), capped_count(qs),
                 reverse("evaluation:result", args=[first]), "")]


def results_card(user: Any) -> Any:
    """Organizers: the results of their campaigns past the set-up (newest five); a ratee's side: its results on
    notice or final (newest five). Two queries at most."""
    from .hub import Card
    from .models import Campaign, Ratee
    from .permissions import ORGANIZER_ROLES, RESULT_STATUSES, own_ratee_q

    if not is_active_user(user):
        return None
    lines: list[tuple[Any, Any]] = []
    links: list[tuple[Any, str]] = []
    if is_superuser(user) or scope_paths(user, ORGANIZER_ROLES):
        qs = Campaign.objects.exclude(status=Campaign.Status.DRAFT).select_related("area")
        if not is_superuser(user):
            qs = qs.filter(path_q(scope_paths(user, ORGANIZER_ROLES), "area__path"))
        for c in qs.order_by("-period_end", "-pk")[:5]:
            links.append((f"{c.title}（{c.get_status_display()}）", reverse("evaluation:results", args=[c.pk])))
    own = (Ratee.objects.filter(own_ratee_q(user), campaign__status__in=RESULT_STATUSES)
           .select_related("campaign").order_by("-campaign__period_end", "-pk")[:5])
    for r in own:
        lines.append((f"{r.campaign.title} · {r.name}", r.get_outcome_display() or "—"))
        links.append((_("Result of %(name)s") % {"name": r.name}, reverse("evaluation:result", args=[r.pk])))
    if not links:
        return None
    return Card("results", _("Evaluation results"), links[0][1], lines=lines, links=links, order=20)


def unit_results_panel(request: Any, unit: Any) -> str:
    """On a unit's page: the final outcomes of the unit and of its part-time committee members (评优评先依据)."""
    from .queries import final_results_for_unit

    rows = final_results_for_unit(unit)
    if not rows:
        return ""
    return render_to_string("evaluation/result_panel.html", {"rows": rows, "show_kind": True}, request=request)


def party_org_results_panel(request: Any, org: Any) -> str:
    """On a community committee's page: its part-time members' final outcomes."""
    from .queries import final_results_for_party_org

    rows = final_results_for_party_org(org)
    if not rows:
        return ""
    return render_to_string("evaluation/result_panel.html", {"rows": rows, "show_kind": False}, request=request)


def register() -> None:
    from gongzhi.core.registry import registry

    from .demo_results import build
    from .hub import add_card

    add_card(results_card)
    registry.scheduled(600)(close_due_campaigns)
    registry.panel("core.unit", "evaluation.results", unit_results_panel, order=60)
    registry.panel("core.party_org", "evaluation.member_results", party_org_results_panel, order=60)
    registry.demo_builder("evaluation.results", build, order=71)
    registry.verbs({
        "evaluation.close": _("Closed the rating of an evaluation campaign (results on public notice)"),
        "evaluation.object": _("Objected to an evaluation result"),
        "evaluation.answer_objection": _("Answered an objection to an evaluation result"),
        "evaluation.finalize": _("Made an evaluation campaign's results final"),
    })
