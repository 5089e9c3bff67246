"""What the agreements part registers (called from gongzhi.disputes.registration): its hub card, audit verbs, scheduled
checks and demo step. Home-page task functions are written here for the lead to register: `follow_up_tasks`."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Role
from gongzhi.core.paging import capped_count
from gongzhi.core.policy import is_active_user, is_superuser, path_q, scope_paths
from gongzhi.core.registry import Task

logger = logging.getLogger("gongzhi.disputes.scheduled")
SOON_DAYS = 7


def my_follow_ups_q(user: Any) -> Q:
    """Visits the user makes or schedules: of the disputes assigned to them or to a body they belong to or head,
    and, for community workers, of their community's disputes."""
    from .permissions import body_ids

    members, _heads = body_ids(user)
    q = Q(dispute__assignments__active=True, dispute__assignments__mediator=user)
    if members:
        q |= Q(dispute__assignments__active=True, dispute__assignments__body_id__in=members)
    paths = scope_paths(user, {Role.COMMUNITY_WORKER})
    if paths:
        q |= path_q(paths, "dispute__community__path")
    return q


def follow_up_tasks(user: Any) -> list[Task]:
    """Mediators and community workers: follow-up visits due within 7 days or overdue (two queries)."""
    from .models import Dispute, FollowUp

    if not is_active_user(user):
        return []
    today = timezone.localdate()
    qs = FollowUp.objects.filter(done_at__isnull=True, due_on__lte=today + timedelta(days=SOON_DAYS)).exclude(
        dispute__status=Dispute.Status.CLOSED)
    if not is_superuser(user):
        qs = qs.filter(my_follow_ups_q(user))
    mine = FollowUp.objects.filter(pk__in=qs.values("pk"))
    first = mine.order_by("due_on").values_list("due_on", flat=True).first()
    if first is None:
        return []
    return [Task("disputes.follow_ups", _("Follow-up visits due"), capped_count(mine),
                 reverse("disputes:follow_ups") + "?when=due", "overdue" if first < today else "soon")]


def notify_due_follow_ups() -> dict[str, int]:
    """Every hour: tell the assignees, once, of each follow-up visit that falls due."""
    from .actions.agreements import notify_due_follow_ups as run

    done = run()
    if done["notified"]:
        logger.info("disputes: told the assignees of %(notified)d follow-up visit(s) due", done)
    return done


def follow_ups_card(user: Any) -> Any:
    """The hub card: the visits due for the user, the list of visits, the statistics (for area staff)."""
    from .hub import Card
    from .stats import can_see_stats

    if not is_active_user(user):
        return None
    tasks = follow_up_tasks(user)
    lines: list[tuple[Any, Any]] = [(_("Follow-up visits due"), tasks[0].count if tasks else 0)]
    links: list[tuple[Any, str]] = [(_("Follow-up visits"), reverse("disputes:follow_ups"))]
    if can_see_stats(user):
        links.append((_("Dispute statistics"), reverse("disputes:stats")))
    return Card("agreements", _("Agreements, follow-up visits and statistics"), reverse("disputes:follow_ups"),
                lines=lines, links=links, order=20)


def register() -> None:
    from gongzhi.core.registry import registry

    from .demo_agreements import build
    from .hub import add_card

    add_card(follow_ups_card)
    registry.scheduled(3600)(notify_due_follow_ups)
    registry.demo_builder("disputes.agreements", build, order=86)
    registry.verbs({
        "disputes.agreement.save": _("Wrote or edited a mediation agreement"),
        "disputes.agreement.sign": _("Signed a mediation agreement (dispute resolved, follow-up scheduled)"),
        "disputes.agreement.view": _("Viewed a mediation agreement"),
        "disputes.agreement.download": _("Downloaded a mediation agreement (Word, with the parties' particulars)"),
        "disputes.follow_up.schedule": _("Scheduled a follow-up visit of a dispute"),
        "disputes.follow_up.reschedule": _("Moved a follow-up visit of a dispute"),
        "disputes.follow_up.record": _("Recorded a follow-up visit of a dispute"),
        "disputes.mediation.reopen": _("Reopened mediation: the agreement did not hold"),
        "disputes.stats.export": _("Downloaded dispute statistics (Excel)"),
    })
