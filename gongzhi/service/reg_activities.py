"""What the activities part registers (called from gongzhi.service.registration): its hub card, audit verbs, tasks,
scheduled checks and demo step."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger("gongzhi.service.activities")


def remind_activities() -> dict[str, int]:
    """The day-before reminders of the confirmed sign-ups (every 5 minutes, each activity once)."""
    from .actions.activities import do_remind_activities

    sent = do_remind_activities(timezone.now())
    if sent:
        logger.info("activity reminders sent: %d", sent)
    return {"reminded": sent}


def activity_tasks(user: Any) -> list[Any]:
    """The activities the user signed up for (confirmed) in the next 7 days (one query; a participant with none sees
    it greyed, with 0). Written for the lead to register (`registry.task("service.activities", activity_tasks, order=...)`)."""
    from gongzhi.core.models import Role
    from gongzhi.core.permissions import user_grants
    from gongzhi.core.registry import Task

    from .models import Activity, SignUp
    from .permissions import PARTICIPANT_ROLES

    if not getattr(user, "is_authenticated", False):
        return []
    roles = {g.role for g in user_grants(user)}
    if not roles & PARTICIPANT_ROLES:
        return []  # staff and liaisons: no query (their grants are cached); they organise rather than attend
    now = timezone.now()
    soon = list(Activity.objects.filter(signups__user=user, signups__status=SignUp.Status.CONFIRMED,
                                        status=Activity.Status.PUBLISHED, ends_at__gte=now,
                                        starts_at__lte=now + timedelta(days=7))
                .order_by("starts_at").values_list("pk", flat=True)[:100])
    if not soon and not roles & {Role.PARTY_MEMBER, Role.VOLUNTEER}:
        return []  # a resident with nothing signed up: no task (serving is the members' and volunteers' work)
    url = reverse("service:activity", args=[soon[0]]) if len(soon) == 1 else reverse("service:activities") + "?mine=1"
    return [Task("service.activities", gettext_lazy("Activities I signed up for in the next 7 days"), len(soon), url,
                 "soon" if soon else "")]


def activities_card(user: Any) -> Any:
    """The hub card: the person's next sign-ups; for organisers, the upcoming activities of their communities."""
    from .hub import Card
    from .models import Activity, SignUp
    from .permissions import area_policy

    if not getattr(user, "is_authenticated", False):
        return None
    now = timezone.now()
    mine = list(SignUp.objects.filter(user=user, activity__ends_at__gte=now,
                                      activity__status=Activity.Status.PUBLISHED)
                .exclude(status=SignUp.Status.CANCELLED).select_related("activity")
                .order_by("activity__starts_at")[:3])
    lines: list[tuple[Any, Any]] = []
    for s in mine:
        label = _("Signed up") if s.status == SignUp.Status.CONFIRMED else _("On the waitlist")
        when = timezone.localtime(s.activity.starts_at).strftime("%m-%d %H:%M")
        lines.append((when, f"{s.activity.title}（{label}）"))
    links: list[tuple[Any, str]] = [(_("All activities"), reverse("service:activities")),
                                    (_("Check in with a code"), reverse("service:activity_checkin_code")),
                                    (_("My attendance record"), reverse("service:activity_attendance"))]
    communities = area_policy.areas_where(user, "manage_service").filter(level="community")
    if communities.exists():
        upcoming = list(Activity.objects.filter(community__in=communities, status=Activity.Status.PUBLISHED,
                                                ends_at__gte=now).order_by("starts_at")[:3])
        for a in upcoming:
            lines.append((timezone.localtime(a.starts_at).strftime("%m-%d %H:%M"), a.title))
        links.insert(1, (_("New activity"), reverse("service:activity_new")))
    if not lines:
        lines.append((_("Coming up"), _("No upcoming activities.")))
    return Card("activities", gettext_lazy("Service activities"), reverse("service:activities"), lines=lines,
                links=links, order=30)


def register() -> None:
    from gongzhi.core.registry import registry

    from .demo_activities import build_demo_activities
    from .hub import add_card

    add_card(activities_card)
    registry.scheduled(300)(remind_activities)
    registry.demo_builder("service.activities", build_demo_activities, order=62)
    registry.verbs({
        "service.activity.create": gettext_lazy("Published a service activity"),
        "service.activity.update": gettext_lazy("Changed a service activity"),
        "service.activity.cancel": gettext_lazy("Cancelled a service activity"),
        "service.activity.sign_up": gettext_lazy("Signed up for a service activity"),
        "service.activity.cancel_signup": gettext_lazy("Cancelled a sign-up for a service activity"),
        "service.activity.promote": gettext_lazy("Moved up from the waitlist of a service activity"),
        "service.activity.remind": gettext_lazy("Reminded the people signed up for a service activity"),
        "service.activity.check_in": gettext_lazy("Checked in to a service activity"),
        "service.activity.check_out": gettext_lazy("Checked out of a service activity"),
        "service.activity.confirm_hours": gettext_lazy("Confirmed the hours of a service activity"),
        "service.activity.correct_hours": gettext_lazy("Corrected the hours of a service activity"),
        "service.activity.create_series": gettext_lazy("Created a recurring service activity"),
        "service.activity.feedback": gettext_lazy("A resident gave feedback on a service activity"),
    })
