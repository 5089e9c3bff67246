"""What the campaigns part registers (called from gongzhi.evaluation.registration): its hub card, audit verbs and
demo step. `rating_tasks` (ratings still to give in open campaigns, for the home page) is written here for the lead
to register."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.policy import is_active_user
from gongzhi.core.registry import Task

from .hub import Card, add_card


def rating_tasks(user: Any) -> list[Task]:
    """A rater: the ratings still to give in open campaigns before their deadline ("soon" when a deadline is within
    three days)."""
    from .queries_campaigns import unrated_count

    if not is_active_user(user):
        return []
    left, urgent = unrated_count(user)
    if not left:
        return []
    return [Task("evaluation.ratings_to_give", _("Ratings to give"), left, reverse("evaluation:rating_tasks"),
                 "soon" if urgent else "")]


def campaigns_card(user: Any) -> Card | None:
    """Raters: their progress in each open campaign; organizers: the campaigns of their area by status."""
    from django.db.models import Count

    from . import queries_campaigns as queries
    from .models import Campaign
    from .permissions import area_policy, visible_to

    if not is_active_user(user):
        return None
    lines: list[tuple[Any, Any]] = []
    links: list[tuple[Any, str]] = []
    tasks = queries.my_tasks(user)
    for t in tasks[:3]:
        lines.append((t.campaign.title, _("%(done)d of %(total)d rated") % {"done": t.done, "total": t.total}))
    if tasks:
        links.append((_("My rating tasks"), reverse("evaluation:rating_tasks")))
    organizer = area_policy.can_somewhere(user, "organize")
    if organizer:
        # Counted over the ids: the visibility filter joins the raters and ratees, which would multiply the rows.
        visible = visible_to(user, Campaign).values("pk")
        counts = dict(Campaign.objects.filter(pk__in=visible).values_list("status").annotate(n=Count("pk"))
                      .order_by())
        for status in (Campaign.Status.DRAFT, Campaign.Status.OPEN):
            lines.append((Campaign.Status(status).label, counts.get(status, 0)))
        links.append((_("Evaluation campaigns"), reverse("evaluation:campaigns")))
        links.append((_("New campaign"), reverse("evaluation:campaign_new")))
    if not lines and not links:
        return None
    return Card("campaigns", _("Evaluation campaigns"), reverse("evaluation:campaigns"), lines=lines, links=links,
                order=10)


def register() -> None:
    from gongzhi.core.registry import registry

    from .demo_campaigns import build

    add_card(campaigns_card)
    # After the removals (72): the open campaign rates the committee seats as they are now.
    registry.demo_builder("evaluation.campaigns", build, order=74)
    registry.verbs({
        "evaluation.campaign.create": _("Set up an evaluation campaign"),
        "evaluation.campaign.update": _("Changed an evaluation campaign's set-up"),
        "evaluation.campaign.refresh": _("Drew an evaluation campaign's ratees from the area again"),
        "evaluation.campaign.open": _("Opened the rating of an evaluation campaign"),
        "evaluation.ratee.remove": _("Left a ratee out of an evaluation campaign"),
        "evaluation.ratee.add": _("Put a ratee back into an evaluation campaign"),
        "evaluation.rater.add": _("Added a rater to an evaluation campaign"),
        "evaluation.rater.suggested": _("Added the suggested raters of a group"),
        "evaluation.rater.remove": _("Removed a rater from an evaluation campaign"),
        "evaluation.rate": _("Rated in an evaluation campaign"),
        "evaluation.rate_changed": _("Changed a rating in an evaluation campaign"),
    })
