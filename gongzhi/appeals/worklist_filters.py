"""Search, filters and sort of the worklists, parsed once from the query string and used by the page, the Excel
export and the API, so a filtered list can be shared as a link and exported exactly as it is shown.

    filters = parse_filters(user, request.GET)      # never raises: bad values become Chinese messages
    cases = filtered_worklist(user, "overdue", filters)   # RateLimited when a phone search is over the limit

Every list starts from `queries.worklist` (itself from `visible_to`), so no filter can reach outside the user's
scope: an area or unit id the user may not see is refused with the same message as one that does not exist.

A search term is matched against the tracking code (the whole code, as the resident reads it out), the case
number, the title, and, only where `gongzhi.core.pii` lets the user reveal personal data, the callback phone
(exactly; each such search is audited and rate-limited as a people search is).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import actions as core_actions
from gongzhi.core import pii
from gongzhi.core.models import Area, Unit
from gongzhi.core.permissions import path_q
from gongzhi.core.permissions import visible_to as core_visible_to

from . import queries
from .models import Appeal, Assignment, Case, CaseEvent, Category, Urgency

MAX_TERM = 50
# Levels offered by the place filter; estates only while the list stays short (a community's staff).
PLACE_LEVELS = (Area.Level.DISTRICT, Area.Level.SUBDISTRICT, Area.Level.COMMUNITY)
MAX_PLACE_CHOICES = 1500

DEADLINES: dict[str, Any] = {
    "overdue": gettext_lazy("Overdue"),
    "due_soon": gettext_lazy("Due soon"),
    "on_time": gettext_lazy("Within the time limit"),
}
SORTS: dict[str, Any] = {
    "submitted": gettext_lazy("Submitted, oldest first"),
    "-submitted": gettext_lazy("Submitted, newest first"),
    "due": gettext_lazy("Due, soonest first"),
    "-due": gettext_lazy("Due, latest first"),
    "-changed": gettext_lazy("Last change, newest first"),
    "changed": gettext_lazy("Last change, oldest first"),
}
_SORT_FIELDS = {"submitted": "created_at", "due": "due_at", "changed": "last_change"}
# The fields of the query string, in the order links are written.
FIELDS = ("q", "area", "unit", "category", "channel", "urgency", "deadline", "status", "submitted_from",
          "submitted_to", "sort")
_DATE_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DATE_ZH = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")
_CASE_NUMBER = re.compile(r"^#?(\d{1,9})$")
_TRACKING_CODE = re.compile(r"^[A-Z0-9]{8,16}$")


@dataclass(frozen=True)
class WorklistFilters:
    q: str = ""
    area: Area | None = None
    unit: Unit | None = None
    category: Category | None = None
    channel: str = ""
    urgency: str = ""
    deadline: str = ""
    status: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None
    sort: str = ""
    errors: tuple[str, ...] = field(default=())

    def params(self) -> dict[str, str]:
        """The filters as query-string values (only those set), in a fixed order."""
        values: dict[str, Any] = {
            "q": self.q, "area": self.area.pk if self.area else "", "unit": self.unit.pk if self.unit else "",
            "category": self.category.pk if self.category else "", "channel": self.channel, "urgency": self.urgency,
            "deadline": self.deadline, "status": self.status,
            "submitted_from": self.submitted_from.isoformat() if self.submitted_from else "",
            "submitted_to": self.submitted_to.isoformat() if self.submitted_to else "", "sort": self.sort,
        }
        return {key: str(values[key]) for key in FIELDS if values[key] not in ("", None)}

    def query_string(self) -> str:
        return urlencode(self.params())

    @property
    def narrowed(self) -> bool:
        """Is anything but the sort order chosen?"""
        return any(key != "sort" for key in self.params())


def parse_date(value: str) -> date:
    """YYYY-MM-DD (also with / or .) or YYYY年M月D日; ValueError otherwise (a US order such as 12/01/2026 too)."""
    value = value.strip()
    match = _DATE_ISO.match(value) or _DATE_ZH.match(value)
    if match is None:
        raise ValueError(value)
    year, month, day = (int(part) for part in match.groups())
    return date(year, month, day)


def _id(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and len(value) <= 12 else None


def place_choices(user: Any) -> list[Area]:
    """The places the user may filter by (their visible districts, subdistricts, communities; estates too when
    they are few, as for a community's staff). One query in the usual case."""
    visible = core_visible_to(user, Area).only("id", "name", "level", "path").order_by("path")
    with_estates = list(visible.filter(level__in=(*PLACE_LEVELS, Area.Level.ESTATE))[: MAX_PLACE_CHOICES + 1])
    if len(with_estates) <= MAX_PLACE_CHOICES:
        return with_estates
    return list(visible.filter(level__in=PLACE_LEVELS)[:MAX_PLACE_CHOICES])


def unit_choices(user: Any) -> QuerySet[Unit]:
    """The units leading at least one of the user's cases, by name."""
    leads = queries.visible_cases(user).filter(lead_unit__isnull=False).values("lead_unit_id")
    return Unit.objects.filter(pk__in=leads).only("id", "name", "kind").order_by("name")


def category_choices() -> list[tuple[int, str]]:
    """Active categories as (id, label), each under its parent, indented by level."""
    return queries.category_choices()


def parse_filters(user: Any, data: Mapping[str, Any]) -> WorklistFilters:
    """Read the filters from a query string. Never raises: a bad value is left out and explained in `errors`."""
    def get(key: str) -> str:
        value = data.get(key, "")
        return value.strip() if isinstance(value, str) else ""

    errors: list[str] = []
    values: dict[str, Any] = {}
    term = get("q")
    if len(term) > MAX_TERM:
        errors.append(_("The search text is too long: at most %(max)d characters.") % {"max": MAX_TERM})
    else:
        values["q"] = term
    for key, queryset, message in (
        ("area", core_visible_to(user, Area),
         _("The chosen place does not exist or is outside your area; choose another.")),
        ("unit", Unit.objects.all(), _("The chosen unit does not exist; choose another.")),
        ("category", Category.objects.all(), _("The chosen category does not exist; choose another.")),
    ):
        if raw := get(key):
            pk = _id(raw)
            values[key] = chosen = queryset.filter(pk=pk).first() if pk is not None else None
            if chosen is None:
                errors.append(message)
    for key, allowed, message in (
        ("channel", Appeal.Channel.values, _("Unknown channel; choose one from the list.")),
        ("urgency", Urgency.values, _("Unknown urgency; choose one from the list.")),
        ("deadline", list(DEADLINES), _("Unknown time-limit filter; choose one from the list.")),
        ("status", Case.Status.values, _("Unknown status; choose one from the list.")),
        ("sort", list(SORTS), _("Unknown sort order; choose one from the list.")),
    ):
        if raw := get(key):
            if raw in allowed:
                values[key] = raw
            else:
                errors.append(message)
    for key in ("submitted_from", "submitted_to"):
        if raw := get(key):
            try:
                values[key] = parse_date(raw)
            except ValueError:
                errors.append(_("Enter dates as year-month-day, e.g. 2026-12-01 or 2026年12月1日."))
    start, end = values.get("submitted_from"), values.get("submitted_to")
    if start and end and start > end:
        errors.append(_("The start date is after the end date."))
        values.pop("submitted_to")
    return WorklistFilters(**values, errors=tuple(dict.fromkeys(errors)))


def searches_phone(user: Any, filters: WorklistFilters) -> bool:
    """Does the search look cases up by callback phone (audited and rate-limited)?"""
    return pii.searches_pii(user, filters.q)


def phone_search_refused(user: Any, filters: WorklistFilters) -> bool:
    """The term is a phone number but the user may not search by it: it matches titles and codes only."""
    return pii.is_pii_term(filters.q) and not searches_phone(user, filters)


def _term_q(user: Any, term: str) -> Q:
    q = Q(title__icontains=term)
    code = term.upper()
    if _TRACKING_CODE.match(code):
        q |= Q(pk__in=Appeal.objects.filter(tracking_code=code).values("case_id"))
    if match := _CASE_NUMBER.match(term):
        q |= Q(pk=int(match.group(1)))
    if pii.searches_pii(user, term):
        by_phone = Appeal.objects.filter(callback_phone=term, case__isnull=False)
        paths = pii.reveal_paths(user)
        if paths is not None:
            by_phone = by_phone.filter(path_q(paths, "case__area_path"))
        q |= Q(pk__in=by_phone.values("case_id"))
    return q


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def apply_filters(user: Any, qs: QuerySet[Case], filters: WorklistFilters, now: datetime | None = None
                  ) -> QuerySet[Case]:
    """Narrow and sort a worklist. Writes nothing (the phone search's audit row is `filtered_worklist`'s)."""
    now = now or timezone.now()
    if filters.q:
        qs = qs.filter(_term_q(user, filters.q))
    if filters.area is not None:
        qs = qs.filter(area_path__startswith=filters.area.path)
    if filters.unit is not None:
        qs = qs.filter(Q(lead_unit=filters.unit)
                       | Q(pk__in=Assignment.objects.filter(unit=filters.unit).values("case_id")))
    if filters.category is not None:
        c = filters.category
        qs = qs.filter(Q(category=c) | Q(category__parent=c) | Q(category__parent__parent=c))
    if filters.channel:
        qs = qs.filter(pk__in=Appeal.objects.filter(channel=filters.channel).values("case_id"))
    if filters.urgency:
        qs = qs.filter(urgency=filters.urgency)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.deadline == "overdue":
        qs = qs.filter(status__in=Case.RUNNING_STATUSES, due_at__lte=now)
    elif filters.deadline == "due_soon":
        qs = qs.filter(status__in=Case.RUNNING_STATUSES, remind_at__lte=now, due_at__gt=now)
    elif filters.deadline == "on_time":
        qs = qs.filter(status__in=Case.RUNNING_STATUSES, due_at__gt=now).exclude(remind_at__lte=now)
    if filters.submitted_from:
        qs = qs.filter(created_at__gte=_day_start(filters.submitted_from))
    if filters.submitted_to:
        qs = qs.filter(created_at__lt=_day_start(filters.submitted_to + timedelta(days=1)))
    qs = qs.annotate(last_change=Subquery(
        CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-created_at", "-id").values("created_at")[:1]))
    if filters.sort:
        name = _SORT_FIELDS[filters.sort.lstrip("-")]
        expr = F(name).desc(nulls_last=True) if filters.sort.startswith("-") else F(name).asc(nulls_last=True)
        qs = qs.order_by(expr, "-id" if filters.sort.startswith("-") else "id")
    return qs


def filtered_worklist(user: Any, name: str, filters: WorklistFilters, now: datetime | None = None
                      ) -> QuerySet[Case]:
    """One worklist (`queries.worklist`; KeyError for an unknown name) with the filters applied. A search by
    callback phone is recorded first (`core.actions.do_record_pii_search`: RateLimited when over the limit)."""
    qs = queries.worklist(user, name, now)
    if filters.q and searches_phone(user, filters):
        core_actions.do_record_pii_search(acting_user=user, kind="appeals", term=filters.q, area=filters.area)
    return apply_filters(user, qs, filters, now)


def _names(areas: Iterable[Area]) -> dict[int, Area]:
    ids = {pk for a in areas for pk in a.ancestor_ids()}
    return {a.pk: a for a in Area.objects.filter(pk__in=ids).only("id", "name", "level", "path")} if ids else {}


class PlaceNames:
    """The place of a case as people say it: the estate and the building ("幸福里小区 3号楼", the grid left out),
    an estate with its community, or a community, subdistrict or district by its own name; and the case's
    community. One query for a whole page."""

    def __init__(self, areas: Iterable[Area | None]) -> None:
        self.areas = _names(a for a in areas if a is not None)

    def _chain(self, area: Area) -> list[Area]:
        return [self.areas[pk] for pk in area.ancestor_ids() if pk in self.areas]

    def place(self, area: Area | None) -> str:
        if area is None:
            return ""
        chain = self._chain(area)
        levels = Area.Level
        if area.level in (levels.BUILDING, levels.GRID):
            parts = [a for a in chain if a.level == levels.ESTATE] + [area]
        elif area.level == levels.ESTATE:
            parts = [a for a in chain if a.level == levels.COMMUNITY] + [area]
        else:
            parts = [area]
        return " ".join(a.name for a in parts)

    def community(self, area: Area | None) -> str:
        if area is None:
            return ""
        chain = self._chain(area)
        found = [a for a in chain if a.level == Area.Level.COMMUNITY]
        return found[0].name if found else ""


def with_codes(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Load each case's appeals' tracking codes with the page (one query)."""
    return qs.prefetch_related(
        Prefetch("appeals", queryset=Appeal.objects.only("id", "tracking_code", "case_id").order_by("created_at", "id"))
    )


def decorate(cases: list[Case], now: datetime | None = None) -> list[Case]:
    """Give each case what the table (and the export) shows: its first tracking code (masked), its deadline
    badge, its place ("和平小区 1号楼") and community."""
    now = now or timezone.now()
    names = PlaceNames(case.area for case in cases)
    for case in cases:
        appeals = list(case.appeals.all())
        case.first_code = appeals[0].masked_code if appeals else ""  # type: ignore[attr-defined]
        case.badge = "overdue" if case.is_overdue(now) else "due_soon" if case.is_due_soon(now) else ""  # type: ignore[attr-defined]
        case.place_name = names.place(case.area)  # type: ignore[attr-defined]
        case.community_name = names.community(case.area)  # type: ignore[attr-defined]
    return cases
