"""The three rates per unit per month, the composite score and the monthly rankings.

Over the cases a unit led whose (latest) follow-up falls in the month:
    response_rate     = contacted / followed up
    resolution_rate   = solved / contacted
    satisfaction_rate = (satisfied + 0.9 × basically satisfied) / contacted      (valid = contacted)
    composite         = w1 × response + w2 × resolution + w3 × satisfaction      (RatesConfig, 0.1/0.5/0.4)
Subdistricts are ranked the same way over the cases in their area. Every figure can list its cases
with `cases_behind`. Everything is one aggregate query per ranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gongzhi.core.models import Unit

from .models import Case, RatesConfig

SATISFIED = Case.Satisfaction.SATISFIED
BASIC = Case.Satisfaction.BASICALLY_SATISFIED
FIGURES = ("followed_up", "contacted", "solved", "satisfied", "basically_satisfied", "unsatisfied")


@dataclass
class RateRow:
    key: int
    name: str
    followed_up: int
    contacted: int
    solved: int
    satisfied: int
    basically_satisfied: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    composite: float | None
    rank: int = 0


def weights() -> tuple[float, float, float]:
    config = RatesConfig.objects.first()
    if config is None:
        return (0.1, 0.5, 0.4)
    return (float(config.response_weight), float(config.resolution_weight), float(config.satisfaction_weight))


def month_range(month: date) -> tuple[datetime, datetime]:
    """[first instant of the month, first instant of the next month) in the local time zone."""
    tz = timezone.get_current_timezone()
    start = datetime(month.year, month.month, 1, tzinfo=tz)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=tz)
    return start, end


def followed_up_in(month: date) -> QuerySet[Case]:
    start, end = month_range(month)
    return Case.objects.filter(followed_up_at__gte=start, followed_up_at__lt=end)


def compute(followed_up: int, contacted: int, solved: int, satisfied: int, basic: int,
            w: tuple[float, float, float] | None = None) -> tuple[float | None, float | None, float | None, float | None]:
    """(response, resolution, satisfaction, composite); None where there is nothing to divide by."""
    w = w or weights()
    response = contacted / followed_up if followed_up else None
    resolution = solved / contacted if contacted else None
    satisfaction = (satisfied + 0.9 * basic) / contacted if contacted else None
    if response is None:
        return None, None, None, None
    composite = w[0] * response + w[1] * (resolution or 0.0) + w[2] * (satisfaction or 0.0)
    return response, resolution, satisfaction, composite


def _rows(qs: QuerySet[Case], key: str, name: str) -> list[RateRow]:
    w = weights()
    data = (
        qs.values(key, name)
        .annotate(
            followed_up=Count("id"),
            contacted_n=Count("id", filter=Q(contacted=True)),
            solved_n=Count("id", filter=Q(contacted=True, solved=True)),
            satisfied_n=Count("id", filter=Q(contacted=True, satisfaction=SATISFIED)),
            basic_n=Count("id", filter=Q(contacted=True, satisfaction=BASIC)),
        )
        .order_by()
    )
    rows = []
    for item in data:
        r, s, sat, comp = compute(item["followed_up"], item["contacted_n"], item["solved_n"], item["satisfied_n"],
                                  item["basic_n"], w)
        rows.append(RateRow(key=item[key], name=item[name], followed_up=item["followed_up"],
                            contacted=item["contacted_n"], solved=item["solved_n"], satisfied=item["satisfied_n"],
                            basically_satisfied=item["basic_n"], response_rate=r, resolution_rate=s,
                            satisfaction_rate=sat, composite=comp))
    rows.sort(key=lambda row: (-(row.composite or 0.0), row.name))
    for i, row in enumerate(rows, start=1):
        row.rank = i
    return rows


def unit_rates(month: date, *, kind: str | None = None, unit_ids: list[int] | None = None) -> list[RateRow]:
    """The three rates of every lead unit for the month, best composite first."""
    qs = followed_up_in(month).filter(lead_unit__isnull=False)
    if kind is not None:
        qs = qs.filter(lead_unit__kind=kind)
    if unit_ids is not None:
        qs = qs.filter(lead_unit_id__in=unit_ids)
    return _rows(qs, "lead_unit_id", "lead_unit__name")


def department_ranking(month: date) -> list[RateRow]:
    return unit_rates(month, kind=Unit.Kind.DEPARTMENT)


def subdistrict_ranking(month: date) -> list[RateRow]:
    return _rows(followed_up_in(month).filter(subdistrict__isnull=False), "subdistrict_id", "subdistrict__name")


def cases_behind(month: date, *, figure: str = "followed_up", unit_id: int | None = None,
                 subdistrict_id: int | None = None) -> QuerySet[Case]:
    """The cases counted in one figure of one row of the month's rates."""
    if figure not in FIGURES:
        raise ValueError(figure)
    qs = followed_up_in(month)
    if unit_id is not None:
        qs = qs.filter(lead_unit_id=unit_id)
    if subdistrict_id is not None:
        qs = qs.filter(subdistrict_id=subdistrict_id)
    filters: dict[str, Any] = {
        "followed_up": {},
        "contacted": {"contacted": True},
        "solved": {"contacted": True, "solved": True},
        "satisfied": {"contacted": True, "satisfaction": SATISFIED},
        "basically_satisfied": {"contacted": True, "satisfaction": BASIC},
        "unsatisfied": {"contacted": True, "satisfaction": Case.Satisfaction.UNSATISFIED},
    }
    return qs.filter(**filters[figure]).select_related("lead_unit", "area", "category").order_by("followed_up_at", "id")


def parse_month(value: str) -> date:
    """"2026-03" → date(2026, 3, 1); raises ValueError on anything else."""
    year, month = value.split("-")
    return date(int(year), int(month), 1)
