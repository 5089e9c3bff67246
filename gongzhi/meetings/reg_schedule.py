"""What the schedule part registers (called from gongzhi.meetings.registration): the 联席会议 nav entry, the audit
verbs, the meeting page's attendance section, the invitees' home task, the reminders and the demo step."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def meeting_tasks(user: Any) -> list[Any]:
    """Invitees: the meetings they are invited to in the next 7 days (one query)."""
    from gongzhi.core.registry import Task

    from .models import Meeting
    from .permissions import liaison_unit_ids

    if not getattr(user, "is_authenticated", False):
        return []
    units = liaison_unit_ids(user)
    q = Q(invitations__user=user)
    if units:
        q |= Q(invitations__unit_id__in=units)
    elif not Meeting.objects.filter(invitations__user=user).exists():
        return []
    now = timezone.now()
    soon = list(Meeting.objects.filter(q, status=Meeting.Status.SCHEDULED, starts_at__gte=now - timedelta(hours=2),
                                       starts_at__lte=now + timedelta(days=7))
                .distinct().order_by("starts_at").values_list("pk", flat=True)[:100])
    url = reverse("meetings:meeting", args=[soon[0]]) if len(soon) == 1 else reverse("meetings:list")
    return [Task("meetings.upcoming", _("Meetings in the next 7 days"), len(soon), url, "soon" if soon else "")]


def shows_meetings(user: Any) -> bool:
    """The nav entry: staff and liaisons by their roles (no query: the grants are cached), anybody else when
    invited in person (one query)."""
    from gongzhi.core.policy import has_role, is_superuser

    from .permissions import meeting_policy

    if is_superuser(user) or has_role(user, meeting_policy.rules["browse"]):
        return True
    return meeting_policy.can_somewhere(user, "browse")


def register() -> None:
    from gongzhi.core.navigation import NavEntry
    from gongzhi.core.registry import registry

    from . import scheduled  # noqa: F401  (registers the day-before reminders)
    from .demo_schedule import build_demo_schedule
    from .views import schedule  # noqa: F401  (registers the attendance section)

    registry.nav(NavEntry("meetings", _("Joint meetings"), "meetings:list", shows_meetings, priority=60),
                 before="audit")
    registry.task("meetings.upcoming", meeting_tasks, order=45)
    registry.demo_builder("meetings.schedule", build_demo_schedule, order=50)
    registry.verbs({
        "meetings.create_series": _("Created a recurring meeting"),
        "meetings.create_meeting": _("Scheduled a meeting"),
        "meetings.update_meeting": _("Changed a meeting"),
        "meetings.move_meeting": _("Moved a meeting"),
        "meetings.skip_meeting": _("Skipped a meeting"),
        "meetings.cancel_meeting": _("Cancelled a meeting"),
        "meetings.mark_held": _("Marked a meeting as held"),
        "meetings.invite": _("Invited to a meeting"),
        "meetings.remove_invitation": _("Removed an invitation"),
        "meetings.sign_in": _("Signed in to a meeting"),
        "meetings.mark_present": _("Marked an invitee present"),
        "meetings.record_absence": _("Recorded an absence"),
        "meetings.create_feed": _("Created a calendar subscription"),
        "meetings.renew_feed": _("Renewed a calendar subscription"),
        "meetings.remind": _("Reminded the invitees of a meeting"),
    })
