"""The worker's deadline checks as actions: reminders before deadlines, escalation after.

Each case is reminded once (`reminder_sent_at`), told once that acceptance is late (`accept_reminder_sent_at`) and
escalated once (`escalated_at`). Rows are claimed with `select_for_update(skip_locked=True, of=("self",))` so two
workers never send the same message twice. Each is one transaction; `gongzhi.appeals.scheduled` runs them.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.notifications import notify

from .. import permissions
from ..models import Case, Whistle, WhistleReport
from ._common import _record


def _batch() -> int:
    """Rows one check claims per transaction (setting DEADLINE_CHECK_BATCH); the rest wait for the next round."""
    return max(1, int(getattr(settings, "DEADLINE_CHECK_BATCH", 500)))


def _url(case: Case) -> str:
    return f"/appeals/cases/{case.pk}/"


@transaction.atomic
def do_send_due_reminders(now: datetime | None = None) -> int:
    """Tell each lead unit once that its case is due soon."""
    now = now or timezone.now()
    cases = list(
        Case.objects.due_soon(now).filter(reminder_sent_at__isnull=True)
        .select_for_update(skip_locked=True, of=("self",)).select_related("lead_unit").order_by("due_at")[:_batch()]
    )
    for case in cases:
        if case.lead_unit is not None:
            due = timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M") if case.due_at else ""
            notify(permissions.users_who_can("handle", case.lead_unit), "appeals.due_soon",
                   _("The case %(title)s is due at %(due)s.") % {"title": case.title, "due": due}, _url(case))
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(reminder_sent_at=now)
    return len(cases)


@transaction.atomic
def do_send_accept_reminders(now: datetime | None = None) -> int:
    """Tell each lead unit once that it has not accepted its case in time."""
    now = now or timezone.now()
    cases = list(
        Case.objects.accept_overdue(now).filter(accept_reminder_sent_at__isnull=True)
        .select_for_update(skip_locked=True, of=("self",)).select_related("lead_unit").order_by("accept_deadline")[:_batch()]
    )
    for case in cases:
        text = _("The case %(title)s has not been accepted in time.") % {"title": case.title}
        if case.lead_unit is not None:
            notify(permissions.users_who_can("handle", case.lead_unit), "appeals.accept_late", text, _url(case))
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(accept_reminder_sent_at=now)
    return len(cases)


@transaction.atomic
def do_escalate_overdue_cases(now: datetime | None = None) -> int:
    """Escalate each overdue case once: its supervisors are told, its timeline and the audit log record it."""
    now = now or timezone.now()
    cases = list(
        Case.objects.overdue(now).filter(escalated_at__isnull=True)
        .select_for_update(skip_locked=True, of=("self",)).select_related("lead_unit", "supervising_area", "area")
        .order_by("due_at")[:_batch()]
    )
    for case in cases:
        text = _("The case %(title)s is overdue (lead unit: %(unit)s).") % {
            "title": case.title, "unit": case.lead_unit.name if case.lead_unit else "-"}
        users = list(permissions.users_who_can("supervise", case))
        if case.supervising_unit_id is not None and case.supervising_unit is not None:
            users += list(permissions.users_who_can("handle", case.supervising_unit))
        notify(users, "appeals.overdue", text, _url(case))
        _record(case, "escalate", None, note=text, from_status=case.status, at=now)
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(escalated_at=now)
    return len(cases)


@transaction.atomic
def do_remind_late_whistle_reports(now: datetime | None = None) -> int:
    """Tell each summoned department once (and the whistler) that its report to a whistle is late."""
    now = now or timezone.now()
    reports = list(
        WhistleReport.objects.filter(
            whistle__status=Whistle.Status.OPEN, whistle__report_deadline__lte=now, reported_at__isnull=True,
            reminder_sent_at__isnull=True,
        ).select_for_update(skip_locked=True, of=("self",)).select_related("whistle", "unit")[:_batch()]
    )
    for report in reports:
        text = _("%(unit)s has not reported to %(title)s in time.") % {
            "unit": report.unit.name, "title": report.whistle.title}
        users = list(permissions.users_who_can("handle", report.unit))
        users += list(permissions.users_who_can("whistle", report.whistle))
        notify(users, "appeals.whistle_late", text, f"/appeals/whistles/{report.whistle_id}/")
    WhistleReport.objects.filter(pk__in=[r.pk for r in reports]).update(reminder_sent_at=now)
    return len(reports)
