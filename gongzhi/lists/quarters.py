"""Read side of the quarterly refresh (每季度动态更新): a community's three lists in one quarter.

For each list (demands, resources, projects) the rows as they stood at the quarter's end (or now, for the quarter
under way), each with flags:

- `new`: created in the quarter;
- `changed`: created before it and changed in it (the row's `updated_at`, or an audit event of the quarter);
- `met` (demands met) / `finished` (projects finished) in the quarter;
- `stale`: an open demand no one touched for 90 days (`STALE_DAYS`), a resource past its validity, a project
  with an overdue milestone.

A closed quarter is read from its `QuarterSnapshot.data` (what `snapshot_data` wrote when it was closed), so later
edits never change it. A quarter that was not closed is computed from the rows and their dates: the statuses
they had at its end are rebuilt from the timestamps the actions keep (met_at, claimed_at, started_at,
finished_at, the agreement's signed_at, reservations' created and released times, progress updates).

The data's shape (version 1):

    {"version": 1, "quarter": "2026-Q3", "as_of": iso datetime,
     "lists": {"demands": [row, ...], "resources": [...], "projects": [...]},
     "counts": {"demands": {"total": n, "new": n, "changed": n, "met": n, "stale": n, "by_status": {...}}, ...}}

Rows keep ids, titles, status codes and the figures shown (labels are translated when shown, never stored).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.models import Area, AuditEvent

from .models import (
    Demand,
    Milestone,
    ProgressUpdate,
    Project,
    ProjectResource,
    QuarterSnapshot,
    Resource,
    ServiceAgreement,
)
from .notice import satisfaction_by_project

STALE_DAYS = 90
VERSION = 1
LISTS = ("demands", "resources", "projects")
# The flag each list counts as "done in the quarter".
DONE_FLAG = {"demands": "met", "resources": "", "projects": "finished"}
FLAGS = {"demands": ("new", "changed", "met", "stale"), "resources": ("new", "changed", "stale"),
         "projects": ("new", "changed", "finished", "stale")}
ACTIVE_PROJECT = (Project.Status.CLAIMED, Project.Status.AGREED, Project.Status.IN_PROGRESS)


# --- quarters ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> Quarter:
        return cls.of(timezone.localdate())

    @classmethod
    def parse(cls, text: str) -> Quarter | None:
        """ "2026-Q3" (or "2026q3") → Quarter(2026, 3); None for anything else."""
        value = (text or "").strip().upper()
        year, sep, number = value.partition("-Q")
        if not sep or not (year.isascii() and year.isdigit() and len(year) == 4) or number not in ("1", "2", "3", "4"):
            return None
        if not 2000 <= int(year) <= 2100:
            return None
        return cls(int(year), int(number))

    @property
    def slug(self) -> str:
        return f"{self.year}-Q{self.number}"

    def __str__(self) -> str:
        return _("Q%(n)d %(year)d") % {"n": self.number, "year": self.year}

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """The first day after the quarter."""
        return self.next().start

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end, time.min))

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def is_future(self) -> bool:
        return self > Quarter.current()

    def is_current(self) -> bool:
        return self == Quarter.current()


def snapshot_of(community: Area, quarter: Quarter) -> QuarterSnapshot | None:
    return (QuarterSnapshot.objects.select_related("closed_by")
            .filter(area=community, year=quarter.year, quarter=quarter.number).first())


def closed_quarters(community: Area) -> list[Quarter]:
    return [Quarter(y, q) for y, q in QuarterSnapshot.objects.filter(area=community)
            .order_by("-year", "-quarter").values_list("year", "quarter")]


# --- the lists at a moment -----------------------------------------------------------------------------------


def _number(value: Decimal | None) -> str:
    """12.50 → "12.5", 30.00 → "30" (for JSON and for the page)."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text


class _Moment:
    """The community's rows as they stood at `as_of` within `quarter` (live when as_of is now)."""

    def __init__(self, community: Area, quarter: Quarter, now: datetime) -> None:
        self.community = community
        self.quarter = quarter
        self.now = now
        self.as_of = min(now, quarter.end_at)
        self.live = self.as_of >= now
        self.start = quarter.start_at
        self.today = timezone.localdate(self.as_of) if not self.live else timezone.localdate(now)
        self.stale_before = self.as_of - timedelta(days=STALE_DAYS)
        # Rows changed in the quarter by an audit event (what a later `updated_at` hides), for past quarters.
        self.audited: set[tuple[str, str]] = set()
        if not self.live:
            self.audited = set(AuditEvent.objects.filter(
                area_path__startswith=community.path, created_at__gte=self.start, created_at__lt=self.as_of,
                object_type__in=["lists.demand", "lists.resource", "lists.project"],
            ).values_list("object_type", "object_id").distinct())

    def in_quarter(self, at: datetime | None) -> bool:
        return at is not None and self.start <= at < self.as_of

    def changed(self, kind: str, row: Any) -> bool:
        return (self.in_quarter(row.updated_at) or (f"lists.{kind}", str(row.pk)) in self.audited) \
            and not self.in_quarter(row.created_at)

    # -- demands --

    def demands(self) -> list[dict[str, Any]]:
        qs = (Demand.objects.filter(area__path__startswith=self.community.path, created_at__lt=self.as_of)
              .exclude(status=Demand.Status.MET, met_at__lt=self.start)
              .exclude(status=Demand.Status.CLOSED, updated_at__lt=self.start)
              .select_related("area")
              .prefetch_related(Prefetch("projects", queryset=Project.objects.only("pk", "created_at", "claimed_at",
                                                                                   "status")))
              .order_by("pk"))
        demands = list(qs)
        last_touch = self._last_touch(demands)
        rows = []
        for d in demands:
            status = self._demand_status(d)
            touched = last_touch.get(d.pk, d.updated_at)
            flags = []
            if self.in_quarter(d.created_at):
                flags.append("new")
            elif self.changed("demand", d):
                flags.append("changed")
            if d.met_at is not None and self.in_quarter(d.met_at):
                flags.append("met")
            if status == Demand.Status.OPEN and touched < self.stale_before:
                flags.append("stale")
            rows.append({"id": d.pk, "title": d.title, "status": status, "area": d.area.name,
                         "beneficiaries": d.beneficiary_count, "urgency": d.urgency,
                         "last_change": timezone.localtime(touched).date().isoformat(), "flags": flags})
        return rows

    def _last_touch(self, demands: list[Demand]) -> dict[int, datetime]:
        """Each demand's last change at or before as_of (its updated_at, unless a later change moved that on: then
        the last audit event before as_of, or its creation)."""
        result = {d.pk: d.updated_at for d in demands}
        later = {str(d.pk): d for d in demands if d.updated_at > self.as_of}
        if not later:
            return result
        events = dict(AuditEvent.objects.filter(object_type="lists.demand", object_id__in=list(later),
                                                created_at__lt=self.as_of)
                      .values("object_id").annotate(last=Max("created_at")).values_list("object_id", "last"))
        for key, d in later.items():
            result[d.pk] = max(d.created_at, events.get(key) or d.created_at)
        return result

    def _demand_status(self, d: Demand) -> str:
        if self.live:
            return d.status
        if d.met_at is not None:
            if d.met_at < self.as_of:
                return Demand.Status.MET
        elif d.status == Demand.Status.CLOSED and d.updated_at < self.as_of:
            return Demand.Status.CLOSED
        projects = list(d.projects.all())
        if any(p.claimed_at is not None and p.claimed_at < self.as_of for p in projects):
            return Demand.Status.IN_PROJECT
        if any(p.created_at < self.as_of for p in projects):
            return Demand.Status.MATCHED
        if d.status == Demand.Status.MATCHED and d.updated_at < self.as_of:
            return Demand.Status.MATCHED
        return Demand.Status.OPEN

    # -- resources --

    def resources(self) -> list[dict[str, Any]]:
        community = self.community
        serving = (Q(area__path__startswith=community.path) | Q(area_id__in=community.ancestor_ids())
                   | Q(alliance__communities=community))
        qs = (Resource.objects.filter(serving, created_at__lt=self.as_of)
              .exclude(status=Resource.Status.WITHDRAWN, updated_at__lt=self.start)
              .select_related("provider_unit", "area").distinct().order_by("pk"))
        resources = list(qs)
        promised = self._promised([r.pk for r in resources])
        rows = []
        for r in resources:
            held = r.promised if self.live else promised.get(r.pk, Decimal(0))
            flags = []
            if self.in_quarter(r.created_at):
                flags.append("new")
            elif self.changed("resource", r):
                flags.append("changed")
            if r.status != Resource.Status.WITHDRAWN and r.valid_until is not None and r.valid_until < self.today:
                flags.append("stale")
            rows.append({"id": r.pk, "title": r.title, "status": r.status, "kind": r.kind,
                         "provider": r.provider_unit.name if r.provider_unit else "", "area": r.area.name,
                         "capacity": _number(r.capacity), "promised": _number(held),
                         "remaining": _number(r.capacity - held), "unit": r.capacity_unit,
                         "valid_until": r.valid_until.isoformat() if r.valid_until else "", "flags": flags})
        return rows

    def _promised(self, ids: list[int]) -> dict[int, Decimal]:
        """What was promised of each resource at as_of: reservations made before it, in full while not released,
        what was used once released."""
        if self.live or not ids:
            return {}
        result: dict[int, Decimal] = {}
        for res in ProjectResource.objects.filter(resource_id__in=ids, created_at__lt=self.as_of).only(
                "resource_id", "amount", "used", "released_at"):
            released = res.released_at is not None and res.released_at < self.as_of
            held = (res.used or Decimal(0)) if released else res.amount
            result[res.resource_id] = result.get(res.resource_id, Decimal(0)) + held
        return result

    # -- projects --

    def projects(self) -> list[dict[str, Any]]:
        qs = (Project.objects.filter(area=self.community, created_at__lt=self.as_of)
              .exclude(status=Project.Status.FINISHED, finished_at__lt=self.start)
              .exclude(status=Project.Status.CANCELLED, updated_at__lt=self.start)
              .select_related("lead_unit", "parent").order_by("pk"))
        projects = list(qs)
        ids = [p.pk for p in projects]
        overdue = self._overdue(ids)
        progress = self._progress(ids)
        signed = self._signed(ids)
        ratings = satisfaction_by_project(ids)
        rows = []
        for p in projects:
            status = self._project_status(p, signed.get(p.pk))
            flags = []
            if self.in_quarter(p.created_at):
                flags.append("new")
            elif self.changed("project", p):
                flags.append("changed")
            if p.finished_at is not None and self.in_quarter(p.finished_at):
                flags.append("finished")
            late = overdue.get(p.pk, 0) if status in ACTIVE_PROJECT else 0
            if late:
                flags.append("stale")
            rated = ratings.get(p.pk)
            rows.append({
                "id": p.pk, "title": p.title, "status": status, "parent": p.parent.title if p.parent else "",
                "progress": 100 if status == Project.Status.FINISHED else progress.get(p.pk, p.progress),
                "lead_unit": p.lead_unit.name if p.lead_unit else "", "budget": _number(p.budget),
                "overdue": late, "ratings": rated.total if rated else 0,
                "satisfaction": rated.percent if rated else "", "flags": flags})
        return rows

    def _overdue(self, ids: list[int]) -> dict[int, int]:
        result: dict[int, int] = {}
        for m in Milestone.objects.filter(project_id__in=ids, due_on__lt=self.today).filter(
                Q(done_at__isnull=True) | Q(done_at__gte=self.as_of)).only("project_id"):
            result[m.project_id] = result.get(m.project_id, 0) + 1
        return result

    def _progress(self, ids: list[int]) -> dict[int, int]:
        if self.live or not ids:
            return {}
        result: dict[int, int] = {p: 0 for p in ids}
        seen: set[int] = set()
        for u in (ProgressUpdate.objects.filter(project_id__in=ids, at__lt=self.as_of)
                  .order_by("project_id", "-at", "-pk").only("project_id", "percent")):
            if u.project_id not in seen:
                seen.add(u.project_id)
                result[u.project_id] = u.percent
        return result

    def _signed(self, ids: list[int]) -> dict[int, datetime | None]:
        if self.live or not ids:
            return {}
        return dict(ServiceAgreement.objects.filter(project_id__in=ids).values_list("project_id", "signed_at"))

    def _project_status(self, p: Project, signed_at: datetime | None) -> str:
        if self.live:
            return p.status
        if p.finished_at is not None and p.finished_at < self.as_of:
            return Project.Status.FINISHED
        if p.status == Project.Status.CANCELLED and p.updated_at < self.as_of:
            return Project.Status.CANCELLED
        if p.started_at is not None and p.started_at < self.as_of:
            return Project.Status.IN_PROGRESS
        if signed_at is not None and signed_at < self.as_of:
            return Project.Status.AGREED
        if p.claimed_at is not None and p.claimed_at < self.as_of:
            return Project.Status.CLAIMED
        return Project.Status.PROPOSED


def _counts(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    counts: dict[str, Any] = {"total": len(rows), "by_status": {}}
    for flag in FLAGS[name]:
        counts[flag] = sum(1 for r in rows if flag in r["flags"])
    for r in rows:
        counts["by_status"][r["status"]] = counts["by_status"].get(r["status"], 0) + 1
    return counts


def snapshot_data(community: Area, quarter: Quarter, now: datetime | None = None) -> dict[str, Any]:
    """The community's three lists in `quarter` as they stood at its end, or now if it is under way (the data a
    snapshot keeps, and what an unclosed quarter's page shows)."""
    now = now or timezone.now()
    moment = _Moment(community, quarter, now)
    lists = {"demands": moment.demands(), "resources": moment.resources(), "projects": moment.projects()}
    return {"version": VERSION, "quarter": quarter.slug, "as_of": moment.as_of.isoformat(), "lists": lists,
            "counts": {name: _counts(name, rows) for name, rows in lists.items()}}


@dataclass
class QuarterView:
    """One quarter of a community as a page shows it: from its snapshot when closed, else computed."""

    community: Area
    quarter: Quarter
    data: dict[str, Any]
    snapshot: QuarterSnapshot | None

    @property
    def closed(self) -> bool:
        return self.snapshot is not None

    @property
    def as_of(self) -> datetime:
        return datetime.fromisoformat(self.data["as_of"])

    def rows(self, name: str, flag: str = "") -> list[dict[str, Any]]:
        rows = self.data["lists"].get(name, [])
        return [r for r in rows if flag in r["flags"]] if flag else list(rows)

    def counts(self, name: str) -> dict[str, Any]:
        return dict(self.data["counts"].get(name, {}))


def quarter_view(community: Area, quarter: Quarter, now: datetime | None = None) -> QuarterView:
    snapshot = snapshot_of(community, quarter)
    if snapshot is not None:
        return QuarterView(community, quarter, snapshot.data, snapshot)
    return QuarterView(community, quarter, snapshot_data(community, quarter, now), None)


# --- comparing two quarters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    list: str
    id: int
    title: str
    before: str  # status code in the first quarter ("" when the item was not on the list)
    after: str  # status code in the second ("" when it left the list)


def compare(a: QuarterView, b: QuarterView) -> dict[str, Any]:
    """Counts side by side, and the items whose status differs between the two quarters (new on the list, gone
    from it, or moved), per list."""
    counts = {}
    changes: dict[str, list[Change]] = {}
    for name in LISTS:
        ca, cb = a.counts(name), b.counts(name)
        keys = ["total", *FLAGS[name]]
        counts[name] = [(key, ca.get(key, 0), cb.get(key, 0), cb.get(key, 0) - ca.get(key, 0)) for key in keys]
        before = {r["id"]: r for r in a.rows(name)}
        after = {r["id"]: r for r in b.rows(name)}
        moved = []
        for pk in sorted(set(before) | set(after)):
            ra, rb = before.get(pk), after.get(pk)
            sa, sb = (ra or {}).get("status", ""), (rb or {}).get("status", "")
            if sa != sb:
                moved.append(Change(name, pk, (rb or ra or {}).get("title", ""), sa, sb))
        changes[name] = moved
    return {"counts": counts, "changes": changes}


def statuses(names: Iterable[str] = LISTS) -> dict[str, dict[str, str]]:
    """The status labels of each list (translated when called)."""
    choices = {"demands": Demand.Status.choices, "resources": Resource.Status.choices,
               "projects": Project.Status.choices}
    return {name: {value: str(label) for value, label in choices[name]} for name in names}
