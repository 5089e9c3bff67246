"""Filters of the demand list, parsed once from the query string and used by the page and the API, so a filtered
list can be shared as a link (in the style of `gongzhi.appeals.worklist_filters`).

    filters = parse_filters(user, request.GET)   # never raises: bad values become Chinese messages in `errors`
    demands = filtered_demands(user, filters)

Every list starts from `visible_to(user, Demand)`: an area the user may not see is refused with the same message
as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.appeals.queries import active_category, category_subtree_q
from gongzhi.core.models import Area
from gongzhi.core.permissions import visible_to as core_visible_to

from .models import Demand, ResourceKind, Urgency

MAX_TERM = 50
FIELDS = ("q", "status", "source", "urgency", "area", "category", "kind")
PLACE_LEVELS = (Area.Level.DISTRICT, Area.Level.SUBDISTRICT, Area.Level.COMMUNITY, Area.Level.ESTATE,
                Area.Level.BUILDING)
MAX_PLACE_CHOICES = 1500


@dataclass(frozen=True)
class DemandFilters:
    q: str = ""
    status: str = ""
    source: str = ""
    urgency: str = ""
    area: Area | None = None
    category: Any = None
    kind: str = ""
    errors: tuple[str, ...] = field(default=())

    def params(self) -> dict[str, str]:
        values: dict[str, Any] = {
            "q": self.q, "status": self.status, "source": self.source, "urgency": self.urgency,
            "area": self.area.pk if self.area else "", "category": self.category.pk if self.category else "",
            "kind": self.kind,
        }
        return {key: str(values[key]) for key in FIELDS if values[key] not in ("", None)}

    def query_string(self) -> str:
        return urlencode(self.params())

    @property
    def narrowed(self) -> bool:
        return bool(self.params())


def _id(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 12 else None


def place_choices(user: Any) -> list[Area]:
    """The places the user may filter by: visible districts down to buildings while the list stays short, else
    down to communities."""
    visible = core_visible_to(user, Area).only("id", "name", "level", "path").order_by("path")
    rows = list(visible.filter(level__in=PLACE_LEVELS)[: MAX_PLACE_CHOICES + 1])
    if len(rows) <= MAX_PLACE_CHOICES:
        return rows
    return list(visible.filter(level__in=PLACE_LEVELS[:3])[:MAX_PLACE_CHOICES])


def parse_filters(user: Any, data: Mapping[str, Any]) -> DemandFilters:
    """The filters in `data` (a QueryDict or a dict); a wrong value is dropped with a Chinese message saying what
    to choose instead."""
    errors: list[str] = []

    def get(name: str) -> str:
        value = data.get(name, "")
        return str(value if value is not None else "").strip()

    def choice(name: str, values: list[str], message: str) -> str:
        value = get(name)
        if value and value not in values:
            errors.append(message)
            return ""
        return value

    q = get("q")
    if len(q) > MAX_TERM:
        errors.append(_("The search text is too long: at most 50 characters."))
        q = q[:MAX_TERM]
    status = choice("status", Demand.Status.values, _("Unknown status: please choose one from the list."))
    source = choice("source", Demand.Source.values, _("Unknown source: please choose one from the list."))
    urgency = choice("urgency", Urgency.values, _("Unknown urgency: please choose one from the list."))
    kind = choice("kind", ResourceKind.values, _("Unknown resource kind: please choose one from the list."))
    area = None
    raw = get("area")
    if raw:
        pk = _id(raw)
        area = core_visible_to(user, Area).filter(pk=pk).first() if pk else None
        if area is None:
            errors.append(_("This place does not exist or is outside your area: please choose one from the list."))
    category = None
    raw = get("category")
    if raw:
        pk = _id(raw)
        category = active_category(pk) if pk else None
        if category is None:
            errors.append(_("Unknown category: please choose one from the list."))
    return DemandFilters(q=q, status=status, source=source, urgency=urgency, area=area, category=category,
                         kind=kind, errors=tuple(errors))


def apply_filters(qs: QuerySet[Demand], filters: DemandFilters) -> QuerySet[Demand]:
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.urgency:
        qs = qs.filter(urgency=filters.urgency)
    if filters.area is not None:
        qs = qs.filter(area__path__startswith=filters.area.path)
    if filters.category is not None:
        qs = qs.filter(category_subtree_q(filters.category))
    if filters.kind:
        # JSON list membership, portable across SQLite and PostgreSQL: the quoted value inside the list's text.
        qs = qs.filter(resource_kinds__icontains=f'"{filters.kind}"')
    if filters.q:
        term = filters.q
        qs = qs.filter(Q(title__icontains=term) | Q(description__icontains=term) | Q(beneficiaries__icontains=term)
                       | Q(source_ref__icontains=term))
    return qs
