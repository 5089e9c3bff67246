"""Writes to duty reports (述职).

- `do_prepare_duty_reports(meeting)`: before a meeting, one report per invited member unit (the ones it lacks),
  prefilled with what the unit claimed or was assigned in the period (`gongzhi.meetings.duty`).
- The unit's liaison (or staff who manage the meeting, filling in from paper) edits each item's progress note and
  done flag, adds notes and items of its own, and submits; a submitted report is never edited again.
- `do_mark_missing_duty_reports(now)`: once a meeting has started, the units that did not report are marked
  missing (未述职): an audit row each, and one notice to the organizer.

Submitting a report whose resolution item is marked done completes that resolution (if it is still open) through
the resolutions part's `do_complete_resolution`, with the item's progress note as the evidence, in the same
transaction: the same rules (the liaison of a responsible unit, or the meeting's organizers), update row,
notification and audit row as completing it on its page.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import AuditEvent, User
from gongzhi.core.notifications import notify

from .. import duty, permissions
from ..models import DutyReport, DutyReportItem, Meeting, Resolution
from .resolutions import do_complete_resolution

MAX_NOTE = 2000
MAX_ITEMS = 300
# Reports are prepared for meetings starting within this many days (the scheduled check).
PREPARE_DAYS_AHEAD = 14
# A meeting that started this long ago is no longer checked for missing reports.
MISSING_LOOKBACK_DAYS = 7
MISSING_VERB = "meetings.duty_report_missing"


def report_url(report: DutyReport) -> str:
    return reverse("meetings:report", args=[report.pk])


def _text(value: Any, limit: int, message: str, field: str) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise ActionError(message, field=field)
    return text


def _refuse_if_submitted(report: DutyReport) -> None:
    if report.status == DutyReport.Status.SUBMITTED:
        raise InvalidTransition(_("This duty report has been submitted and can no longer be changed."))


def _lock(report: DutyReport) -> DutyReport:
    return DutyReport.objects.select_for_update(of=("self",)).select_related("meeting__area", "unit").get(pk=report.pk)


@transaction.atomic
def do_prepare_duty_reports(meeting: Meeting, *, acting_user: User | None = None) -> list[DutyReport]:
    """A prefilled report for each invited unit that has none yet; returns the reports created."""
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("area").get(pk=meeting.pk)
    permissions.meeting_policy.require(acting_user, "manage", meeting,
                                       _("Only the meeting's organizers prepare the duty reports."))
    if meeting.status in (Meeting.Status.SKIPPED, Meeting.Status.CANCELLED):
        raise InvalidTransition(_("This meeting was skipped or cancelled: it has no duty reports."))
    have = set(DutyReport.objects.filter(meeting=meeting).values_list("unit_id", flat=True))
    since = duty.period_start(meeting)
    now = timezone.now()
    created = []
    for unit in duty.invited_units(meeting):
        if unit.pk in have:
            continue
        report = DutyReport.objects.create(meeting=meeting, unit=unit, period_start=since, created_at=now,
                                           updated_at=now)
        DutyReportItem.objects.bulk_create([
            DutyReportItem(report=report, order=n, kind=p.kind, source_key=p.source_key, title=p.title,
                           summary=p.summary)
            for n, p in enumerate(duty.prefill_for(unit, meeting, since))])
        created.append(report)
    if created:
        log_event(acting_user, "meetings.prepare_duty_reports", meeting, area=meeting.area,
                  after={"units": [r.unit_id for r in created], "since": since.isoformat()})
        liaisons = User.objects.filter(is_active=True, grants__role="unit_liaison",
                                       grants__unit_id__in=[r.unit_id for r in created]).distinct()
        notify(liaisons, "meetings.duty_report_prepared",
               _("Your duty report for %(meeting)s is ready to fill in.") % {"meeting": meeting.title},
               reverse("meetings:reports_mine"))
    return created


@transaction.atomic
def do_update_duty_report_item(item: DutyReportItem, *, acting_user: User, progress_note: Any = None,
                               done: bool | None = None) -> DutyReportItem:
    report = _lock(item.report)
    permissions.duty_report_policy.require(acting_user, "fill", report,
                                           _("Only the unit's liaison fills in its duty report."))
    _refuse_if_submitted(report)
    item = DutyReportItem.objects.get(pk=item.pk, report=report)
    before = {"progress_note": item.progress_note, "done": item.done}
    if progress_note is not None:
        item.progress_note = _text(progress_note, MAX_NOTE, _("The progress note is too long (at most 2000 "
                                                              "characters)."), "progress_note")
    if done is not None:
        item.done = bool(done)
    item.save(update_fields=["progress_note", "done"])
    report.updated_at = timezone.now()
    report.save(update_fields=["updated_at"])
    log_event(acting_user, "meetings.fill_duty_report", report, area=report.meeting.area, before=before,
              after={"item": item.pk, "progress_note": item.progress_note[:200], "done": item.done})
    return item


@transaction.atomic
def do_add_duty_report_item(report: DutyReport, *, acting_user: User, title: Any,
                            progress_note: Any = "") -> DutyReportItem:
    """An item of the unit's own (something it did that the prefill did not know about)."""
    report = _lock(report)
    permissions.duty_report_policy.require(acting_user, "fill", report,
                                           _("Only the unit's liaison fills in its duty report."))
    _refuse_if_submitted(report)
    title = _text(title, 300, _("The item's title is too long (at most 300 characters)."), "title")
    if not title:
        raise ActionError(_("Please say what the item is."), field="title")
    if report.items.count() >= MAX_ITEMS:
        raise ActionError(_("A duty report has at most 300 items."), field="title")
    last = report.items.order_by("-order").values_list("order", flat=True).first()
    item = DutyReportItem.objects.create(
        report=report, order=(last or 0) + 1, kind=DutyReportItem.Kind.OTHER, title=title,
        progress_note=_text(progress_note, MAX_NOTE, _("The progress note is too long (at most 2000 characters)."),
                            "progress_note"))
    report.updated_at = timezone.now()
    report.save(update_fields=["updated_at"])
    log_event(acting_user, "meetings.fill_duty_report", report, area=report.meeting.area,
              after={"added": item.pk, "title": title[:200]})
    return item


@transaction.atomic
def do_set_duty_report_notes(report: DutyReport, *, acting_user: User, notes: Any) -> DutyReport:
    report = _lock(report)
    permissions.duty_report_policy.require(acting_user, "fill", report,
                                           _("Only the unit's liaison fills in its duty report."))
    _refuse_if_submitted(report)
    before = report.notes
    report.notes = _text(notes, MAX_NOTE, _("The notes are too long (at most 2000 characters)."), "notes")
    report.updated_at = timezone.now()
    report.save(update_fields=["notes", "updated_at"])
    log_event(acting_user, "meetings.fill_duty_report", report, area=report.meeting.area,
              before={"notes": before[:200]}, after={"notes": report.notes[:200]})
    return report


@transaction.atomic
def do_submit_duty_report(report: DutyReport, *, acting_user: User | None) -> DutyReport:
    report = _lock(report)
    permissions.duty_report_policy.require(acting_user, "fill", report,
                                           _("Only the unit's liaison submits its duty report."))
    _refuse_if_submitted(report)
    now = timezone.now()
    report.status = DutyReport.Status.SUBMITTED
    report.submitted_at = now
    report.submitted_by = acting_user
    report.updated_at = now
    report.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    completed = _complete_resolutions(report, acting_user)
    meeting = report.meeting
    if meeting.organizer_id and (acting_user is None or meeting.organizer_id != acting_user.pk):
        notify([meeting.organizer], "meetings.duty_report_submitted",
               _("%(unit)s submitted its duty report for %(meeting)s.") % {
                   "unit": report.unit.name, "meeting": meeting.title}, report_url(report))
    log_event(acting_user, "meetings.submit_duty_report", report, area=meeting.area,
              after={"items": report.items.count(), "done": report.items.filter(done=True).count(),
                     "resolutions_completed": completed})
    return report


def _complete_resolutions(report: DutyReport, acting_user: User | None) -> list[int]:
    """The open resolutions whose items the report marks done, completed with the item's note as evidence."""
    if acting_user is None:
        return []
    items = {duty.resolution_id(i): i for i in report.items.filter(kind=DutyReportItem.Kind.RESOLUTION, done=True)}
    items.pop(None, None)
    completed = []
    for resolution in Resolution.objects.filter(pk__in=list(items), units=report.unit_id,
                                                status__in=duty.UNFINISHED).order_by("pk"):
        item = items[resolution.pk]
        evidence = item.progress_note or _("Marked done in the duty report of %(unit)s for %(meeting)s.") % {
            "unit": report.unit.name, "meeting": report.meeting.title}
        do_complete_resolution(resolution, acting_user=acting_user, evidence=evidence)
        completed.append(resolution.pk)
    return completed


def do_prepare_upcoming_duty_reports(now: datetime | None = None, limit: int = 200) -> int:
    """The scheduled check: reports for meetings starting within `PREPARE_DAYS_AHEAD` days (new invitees too)."""
    now = now or timezone.now()
    meetings = (Meeting.objects.filter(status=Meeting.Status.SCHEDULED, starts_at__gt=now,
                                       starts_at__lte=now + timedelta(days=PREPARE_DAYS_AHEAD),
                                       invitations__role="unit", invitations__unit__isnull=False)
                .distinct().order_by("starts_at")[:limit])
    created = 0
    for meeting in meetings:
        created += len(do_prepare_duty_reports(meeting, acting_user=None))
    return created


def do_mark_missing_duty_reports(now: datetime | None = None, limit: int = 200) -> int:
    """Once a meeting has started, each invited unit without a submitted report is marked missing once (an audit
    row on the meeting per unit), and the organizer is told which units did not report. Returns the units marked."""
    now = now or timezone.now()
    meetings = (Meeting.objects.filter(starts_at__lte=now, starts_at__gte=now - timedelta(days=MISSING_LOOKBACK_DAYS))
                .exclude(status__in=[Meeting.Status.SKIPPED, Meeting.Status.CANCELLED])
                .select_related("area", "organizer").order_by("starts_at")[:limit])
    marked = 0
    for meeting in meetings:
        marked += _mark_missing(meeting, now)
    return marked


@transaction.atomic
def _mark_missing(meeting: Meeting, now: datetime) -> int:
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("area", "organizer").get(pk=meeting.pk)
    reports = {r.unit_id: r for r in DutyReport.objects.filter(meeting=meeting)}
    done = set(AuditEvent.objects.filter(verb=MISSING_VERB, object_type="meetings.meeting",
                                         object_id=str(meeting.pk)).values_list("after__unit", flat=True))
    missing = [u for u in duty.invited_units(meeting)
               if u.pk not in done and duty.is_missing(reports.get(u.pk), meeting, now)]
    for unit in missing:
        log_event(None, MISSING_VERB, meeting, area=meeting.area, after={"unit": unit.pk, "name": unit.name})
    if missing and meeting.organizer is not None:
        notify([meeting.organizer], MISSING_VERB,
               _("%(count)d units did not submit their duty reports for %(meeting)s: %(units)s.") % {
                   "count": len(missing), "meeting": meeting.title, "units": "、".join(u.name for u in missing)},
               reverse("meetings:meeting", args=[meeting.pk]) + "#duty-reports")
    return len(missing)


@transaction.atomic
def do_save_duty_report(report: DutyReport, *, acting_user: User | None, items: dict[int, dict[str, Any]],
                        notes: Any = None, submit: bool = False) -> DutyReport:
    """The report's form in one go: each item's progress note and done flag (`items`: by item id, keys
    "progress_note" and "done"), the notes, and (with `submit`) the submission. Refused whole, or saved whole."""
    report = _lock(report)
    permissions.duty_report_policy.require(acting_user, "fill", report,
                                           _("Only the unit's liaison fills in its duty report."))
    _refuse_if_submitted(report)
    rows = {i.pk: i for i in DutyReportItem.objects.filter(report=report)}
    unknown = set(items) - set(rows)
    if unknown:
        raise ActionError(_("Some of these items are not in this duty report."), field="items")
    changed = []
    for pk, values in items.items():
        item = rows[pk]
        note = item.progress_note if values.get("progress_note") is None else _text(
            values["progress_note"], MAX_NOTE, _("The progress note is too long (at most 2000 characters)."),
            "progress_note")
        done = item.done if values.get("done") is None else bool(values["done"])
        if (note, done) != (item.progress_note, item.done):
            item.progress_note, item.done = note, done
            changed.append(item)
    DutyReportItem.objects.bulk_update(changed, ["progress_note", "done"])
    if notes is not None:
        report.notes = _text(notes, MAX_NOTE, _("The notes are too long (at most 2000 characters)."), "notes")
    now = timezone.now()
    report.updated_at = now
    report.save(update_fields=["notes", "updated_at"])
    log_event(acting_user, "meetings.fill_duty_report", report, area=report.meeting.area,
              after={"items": [i.pk for i in changed], "notes": report.notes[:200]})
    if submit:
        return do_submit_duty_report(report, acting_user=acting_user)
    return report
