"""The three rates per unit per month, the composite score and the monthly rankings.

Over the cases a unit led whose (latest) follow-up falls in the month:
    response_rate     = contacted / followed up
    resolution_rate   = solved / contacted
    satisfaction_rate = (satisfied + 0.9 × basically satisfied) / contacted      (valid = contacted)
    composite         = w1 × response + w2 × resolution + w3 × satisfaction      (RatesConfig, 0.1/0.5/0.4)
Subdistricts are ranked the same way over the cases in their area. Every figure can list its cases
with `cases_behind`. Everything is one aggregate query per ranking.

Ranks are standard competition ranks (1, 1, 3): equal composite scores share a rank (并列). A row resting on
fewer follow-ups than `settings.APPEALS_RANKING_MIN_FOLLOW_UPS` is listed after the ranked ones with no rank
(样本不足): a unit with one satisfied follow-up would otherwise head the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
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
    rank: int | None = None  # None: not ranked (too few follow-ups, see `ranked`)
    tied: bool = False  # another ranked row has the same rank (并列)

    @property
    def ranked(self) -> bool:
        return self.rank is not None


def min_follow_ups() -> int:
    """Follow-ups a row needs to be ranked (APPEALS_RANKING_MIN_FOLLOW_UPS)."""
    return max(int(getattr(settings, "APPEALS_RANKING_MIN_FOLLOW_UPS", 5)), 0)


def rank_rows(rows: list[RateRow], minimum: int | None = None) -> list[RateRow]:
    """Rows in ranking order with competition ranks (1, 1, 3) on the composite score; rows under `minimum`
    follow-ups come last, by name, unranked."""
    minimum = min_follow_ups() if minimum is None else minimum

    def key(row: RateRow) -> float:
        # Compare what is shown (one decimal of a 0-100 score) so two figures that read the same rank the same.
        return round((row.composite or 0.0) * 1000)

    ranked = sorted((r for r in rows if r.followed_up >= minimum), key=lambda r: (-key(r), r.name))
    unranked = sorted((r for r in rows if r.followed_up < minimum), key=lambda r: r.name)
    for i, row in enumerate(ranked):
        row.rank = ranked[i - 1].rank if i and key(ranked[i - 1]) == key(row) else i + 1
    for i, row in enumerate(ranked):
        row.tied = (i > 0 and ranked[i - 1].rank == row.rank) or (i + 1 < len(ranked) and ranked[i + 1].rank == row.rank)
    for row in unranked:
        row.rank, row.tied = None, False
    return ranked + unranked


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
    return rank_rows(rows)


def unit_rates(month: date, *, kind: str | None = None, unit_ids: list[int] | None = None) -> list[RateRow]:
    """The three rates of every lead unit for the month, best composite first (see `rank_rows`)."""
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
