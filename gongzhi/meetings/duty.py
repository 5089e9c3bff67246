"""Read side of duty reports (述职): the period a report covers, what it is prefilled with, and the meeting page's
side-by-side view with the units that did not report marked (未述职).

A unit's report before a meeting covers the time since the previous meeting of the same series (or the last
`DEFAULT_PERIOD_DAYS` days), in the meeting's communities (the host, and for an alliance meeting every community of
the alliance). It is prefilled with:

- its resolutions (决议): where it is a responsible unit, any status but cancelled, made in the period or still
  unfinished, with status, deadline and progress;
- the projects it leads or partners in there (gongzhi.lists.project_queries.unit_projects_at);
- the whistles it answered (吹哨报到) and the cases it handled (gongzhi.appeals.queries);
- service by its in-service party members registered at the communities: a count (there is no service record to
  read yet: "N in-service party members registered").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appeals.queries import cases_handled_by_unit, whistle_reports_of_unit
from gongzhi.core.models import Area, PartyMember, Unit
from gongzhi.lists.project_queries import unit_projects_at

from .models import DutyReport, DutyReportItem, Invitation, Meeting, Resolution

DEFAULT_PERIOD_DAYS = 90
MAX_ROWS = 50  # per kind of prefilled item
UNFINISHED = (Resolution.Status.OPEN, Resolution.Status.IN_PROGRESS)


def local_date(value: datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d}"


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The meeting of the same series before this one that took place or is planned (not skipped or cancelled)."""
    if meeting.series_id is None:
        return None
    return (Meeting.objects.filter(series_id=meeting.series_id, starts_at__lt=meeting.starts_at)
            .exclude(pk=meeting.pk).exclude(status__in=[Meeting.Status.SKIPPED, Meeting.Status.CANCELLED])
            .order_by("-starts_at", "-id").first())


def period_start(meeting: Meeting) -> datetime:
    before = previous_meeting(meeting)
    return before.starts_at if before is not None else meeting.starts_at - timedelta(days=DEFAULT_PERIOD_DAYS)


def meeting_communities(meeting: Meeting) -> list[Area]:
    """The host community, and for an alliance meeting every community of the alliance."""
    areas = [meeting.area]
    if meeting.alliance_id is not None:
        areas += [a for a in Area.objects.filter(alliances=meeting.alliance_id).order_by("path")
                  if a.pk != meeting.area_id]
    return areas


def invited_units(meeting: Meeting) -> list[Unit]:
    """The member units invited to the meeting (as a unit), by name."""
    ids = Invitation.objects.filter(meeting=meeting, role=Invitation.Role.UNIT, unit__isnull=False).values("unit_id")
    return list(Unit.objects.filter(pk__in=ids).order_by("name", "pk"))


@dataclass(frozen=True)
class Prefill:
    kind: str
    source_key: str
    title: str
    summary: str


def resolution_summary(resolution: Resolution) -> str:
    text = _("%(status)s, deadline %(due)s, progress %(progress)d%%") % {
        "status": resolution.get_status_display(), "due": f"{resolution.due_on:%Y-%m-%d}",
        "progress": resolution.progress}
    if resolution.overdue:
        text = _("%(summary)s, overdue") % {"summary": text}
    return text


def unit_resolutions(unit: Unit, communities: list[Area], since: datetime) -> QuerySet[Resolution]:
    q = Q()
    for area in communities:
        q |= Q(area__path__startswith=area.path)
    return (Resolution.objects.filter(q, units=unit).exclude(status=Resolution.Status.CANCELLED)
            .filter(Q(created_at__gte=since) | Q(status__in=UNFINISHED) | Q(completed_at__gte=since))
            .select_related("meeting").distinct().order_by("due_on", "id"))


def prefill_for(unit: Unit, meeting: Meeting, since: datetime) -> list[Prefill]:
    """What the unit claimed or was assigned in the period, in the order the report shows it."""
    communities = meeting_communities(meeting)
    paths = [a.path for a in communities]
    rows: list[Prefill] = []
    for r in unit_resolutions(unit, communities, since)[:MAX_ROWS]:
        title = _("%(task)s (resolution of %(meeting)s)") % {"task": r.task, "meeting": r.meeting.title}
        rows.append(Prefill(DutyReportItem.Kind.RESOLUTION, f"meetings.resolution:{r.pk}", title[:300],
                            resolution_summary(r)[:300]))
    for p in unit_projects_at(unit.pk, paths=paths, since=since)[:MAX_ROWS]:
        role = _("leading") if p.lead_unit_id == unit.pk else _("partnering")
        summary = _("%(role)s, %(status)s, progress %(progress)d%%") % {
            "role": role, "status": p.get_status_display(), "progress": p.progress}
        rows.append(Prefill(DutyReportItem.Kind.PROJECT, f"lists.project:{p.pk}", p.title[:300], summary[:300]))
    for w in whistle_reports_of_unit(unit.pk, paths=paths, since=since)[:MAX_ROWS]:
        assert w.reported_at is not None
        summary = _("reported on %(date)s, %(done)s") % {
            "date": local_date(w.reported_at), "done": _("done") if w.done_at else _("not done yet")}
        if w.rating:
            summary = _("%(summary)s, rated %(rating)s") % {"summary": summary, "rating": w.get_rating_display()}
        rows.append(Prefill(DutyReportItem.Kind.WHISTLE, f"appeals.whistle:{w.whistle_id}", w.whistle.title[:300],
                            summary[:300]))
    for c in cases_handled_by_unit(unit.pk, paths=paths, since=since)[:MAX_ROWS]:
        summary = _("%(status)s, received %(date)s") % {"status": c.get_status_display(),
                                                         "date": local_date(c.created_at)}
        rows.append(Prefill(DutyReportItem.Kind.CASE, f"appeals.case:{c.pk}", c.title[:300], summary[:300]))
    members = in_service_members(unit, communities)
    if members:
        rows.append(Prefill(DutyReportItem.Kind.SERVICE, "", _("Service by in-service party members"),
                            _("%(count)d in-service party members registered at the community") % {
                                "count": members}))
    return rows


def in_service_members(unit: Unit, communities: list[Area]) -> int:
    """The unit's in-service party members (在职党员) registered (双报到) at these communities."""
    return (PartyMember.objects.filter(work_unit=unit, in_service=True,
                                       registrations__community__in=[a.pk for a in communities],
                                       registrations__status="confirmed")
            .distinct().count())


def resolution_id(item: DutyReportItem) -> int | None:
    if item.kind != DutyReportItem.Kind.RESOLUTION or not item.source_key.startswith("meetings.resolution:"):
        return None
    tail = item.source_key.partition(":")[2]
    return int(tail) if tail.isdigit() else None


# --- the meeting page ----------------------------------------------------------------------------------------


def is_missing(report: DutyReport | None, meeting: Meeting, now: datetime | None = None) -> bool:
    """A unit that had not submitted its report when the meeting started is missing (未述职)."""
    now = now or timezone.now()
    return now >= meeting.starts_at and (report is None or report.status != DutyReport.Status.SUBMITTED
                                         or (report.submitted_at is not None and report.submitted_at > meeting.starts_at))


@dataclass
class Column:
    unit: Unit
    report: DutyReport | None
    items: list[DutyReportItem]
    missing: bool


def side_by_side(meeting: Meeting, reports: QuerySet[DutyReport], *, only_units: set[int] | None = None,
                 now: datetime | None = None) -> list[Column]:
    """One column per invited unit (and per unit with a report), its report and items, and whether it is missing.
    `reports` is what the viewer may see; a unit whose report the viewer may not see is left out, and with
    `only_units` (a liaison) only those units are shown."""
    visible = {r.unit_id: r for r in reports.filter(meeting=meeting).select_related("unit", "submitted_by")
               .prefetch_related("items")}
    units = {u.pk: u for u in invited_units(meeting)}
    for r in visible.values():
        units.setdefault(r.unit_id, r.unit)
    columns = []
    all_ids = set(DutyReport.objects.filter(meeting=meeting).values_list("unit_id", flat=True))
    for unit in sorted(units.values(), key=lambda u: (u.name, u.pk)):
        if only_units is not None and unit.pk not in only_units:
            continue
        report = visible.get(unit.pk)
        if report is None and unit.pk in all_ids:
            continue  # someone else's report, out of the viewer's sight
        columns.append(Column(unit, report, list(report.items.all()) if report else [],
                              is_missing(report, meeting, now)))
    return columns
