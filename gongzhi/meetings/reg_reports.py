"""What the reports part registers (called from gongzhi.meetings.registration): the meeting page's duty reports and
minutes sections, the scheduled checks, the home page's tasks, the audit verbs and the demo step."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.paging import capped_count
from gongzhi.core.policy import is_active_user
from gongzhi.core.registry import Task


def minutes_waiting(user: Any) -> Any:
    """The meetings the user organised that took place (in the last 90 days) without signed-off minutes, the ones
    that ended first first."""
    from datetime import timedelta

    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from .models import Meeting, Minutes

    now = timezone.now()
    signed = Minutes.objects.filter(meeting=OuterRef("pk"), status=Minutes.Status.SIGNED_OFF)
    return (Meeting.objects.filter(organizer=user, starts_at__lte=now, ends_at__gte=now - timedelta(days=90))
            .exclude(status__in=[Meeting.Status.SKIPPED, Meeting.Status.CANCELLED])
            .exclude(Exists(signed)).order_by("ends_at", "pk"))


def report_tasks(user: Any) -> list[Task]:
    """A liaison: its unit's duty reports to submit (meetings not over yet); an organizer: minutes to sign off (its
    meetings that took place without signed-off minutes; red three days after the meeting)."""
    from datetime import timedelta

    from django.utils import timezone

    from . import permissions
    from .models import DutyReport, Meeting

    if not is_active_user(user):
        return []
    tasks: list[Task] = []
    units = permissions.liaison_unit_ids(user)
    now = timezone.now()
    if units:
        qs = (DutyReport.objects.filter(unit_id__in=units, status=DutyReport.Status.DRAFT, meeting__ends_at__gte=now)
              .exclude(meeting__status__in=[Meeting.Status.SKIPPED, Meeting.Status.CANCELLED]))
        first = list(qs.order_by("meeting__starts_at").values_list("pk", flat=True)[:2])
        count = len(first) if len(first) < 2 else capped_count(qs)
        url = reverse("meetings:report", args=[first[0]]) if count == 1 else reverse("meetings:reports_mine")
        tasks.append(Task("meetings.duty_reports", _("Duty reports to submit"), count, url, "soon" if count else ""))
    if permissions.meeting_policy.can_somewhere(user, "manage"):
        waiting = minutes_waiting(user)
        rows = list(waiting.values_list("pk", "ends_at")[:2])
        count = len(rows) if len(rows) < 2 else capped_count(waiting)
        url = reverse("meetings:minutes", args=[rows[0][0]]) if count == 1 else reverse("meetings:minutes_waiting")
        late = bool(rows) and rows[0][1] <= now - timedelta(days=3)
        tasks.append(Task("meetings.minutes_to_sign", _("Minutes to sign off"), count, url,
                          "overdue" if late else ""))
    return tasks


def register() -> None:
    from gongzhi.core.registry import registry

    from . import scheduled_reports, sections_reports  # noqa: F401  (register the checks and the page sections)
    from .demo_reports import build_demo_reports

    registry.task("meetings.reports", report_tasks, order=46)
    registry.demo_builder("meetings.reports", build_demo_reports, order=52)
    registry.verbs({
        "meetings.prepare_duty_reports": _("Prepared the duty reports of a meeting"),
        "meetings.fill_duty_report": _("Filled in a duty report"),
        "meetings.submit_duty_report": _("Submitted a duty report"),
        "meetings.duty_report_missing": _("A unit did not submit its duty report"),
        "meetings.start_minutes": _("Started the minutes"),
        "meetings.edit_minutes": _("Edited the minutes"),
        "meetings.sign_off_minutes": _("Signed off the minutes"),
        "meetings.correct_minutes": _("Started a correction of the minutes"),
        "meetings.remind_minutes": _("Reminded of minutes not signed off"),
    })
