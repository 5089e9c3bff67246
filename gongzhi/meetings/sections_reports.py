"""The reports part's sections of a meeting's page: the duty reports side by side (order 40; units that did not
report marked 未述职) and the minutes (order 50: versions, the draft's form, sign off, correct, .docx). The same
context feeds the standalone pages /meetings/<id>/reports/ and /meetings/<id>/minutes/."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import duty, permissions
from .minutes import content_of, signed_off_label, versions
from .models import DutyReport, Meeting, Minutes
from .sections import Section, section

CLOSED = (Meeting.Status.SKIPPED, Meeting.Status.CANCELLED)


def duty_reports_context(request: Any, meeting: Meeting) -> dict[str, Any]:
    user = request.user
    manage = permissions.can(user, "manage", meeting)
    staff = manage or permissions.staff_covers_meeting(user, meeting, permissions.STAFF_ROLES)
    only = None if staff else permissions.liaison_unit_ids(user)
    columns = duty.side_by_side(meeting, permissions.visible_to(user, DutyReport), only_units=only)
    reports = [c.report for c in columns if c.report is not None]
    return {
        "duty_columns": columns, "duty_started": timezone.now() >= meeting.starts_at,
        "duty_submitted": sum(1 for r in reports if r.status == DutyReport.Status.SUBMITTED),
        "duty_missing": sum(1 for c in columns if c.missing),
        "duty_can_prepare": manage and meeting.status not in CLOSED and any(c.report is None for c in columns),
        "duty_period_start": reports[0].period_start if reports else duty.period_start(meeting),
        "duty_mine": permissions.liaison_unit_ids(user),
    }


def minutes_context(request: Any, meeting: Meeting) -> dict[str, Any]:
    can_edit = permissions.can(request.user, "manage", meeting)
    rows = versions(meeting)
    shown = [{"minutes": m, "content": content_of(m), "signed": signed_off_label(m),
              "can_edit": can_edit and m.status == Minutes.Status.DRAFT} for m in rows]
    latest = rows[0] if rows else None
    return {
        "minutes_versions": shown, "minutes_can_edit": can_edit,
        "minutes_can_start": can_edit and not rows and meeting.status not in CLOSED,
        "minutes_can_sign": meeting.starts_at <= timezone.now(),
        "minutes_can_correct": can_edit and latest is not None and latest.status == Minutes.Status.SIGNED_OFF,
        "minutes_latest": latest,
    }


@section("duty_reports", order=40)
def duty_reports_section(request: Any, meeting: Meeting) -> Section | None:
    if not permissions.duty_report_policy.can_somewhere(request.user, "browse"):
        return None
    context = duty_reports_context(request, meeting)
    if not context["duty_columns"] and not context["duty_can_prepare"]:
        return None
    return Section("meetings/_section_duty_reports.html", context, title=str(_("Duty reports")))


@section("minutes", order=50)
def minutes_section(request: Any, meeting: Meeting) -> Section | None:
    return Section("meetings/_section_minutes.html", minutes_context(request, meeting), title=str(_("Minutes")))
