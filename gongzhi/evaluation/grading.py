"""The quarterly score of a property contract (物业履约评价).

    inspections   = the mean percent score of the contract's inspections in the quarter
    satisfaction  = residents' satisfaction from a survey of the three lists (its first single-choice question, the
                    options mapped by order to 100 .. 0: `gongzhi.lists.queries.survey_satisfaction`)
    appeals       = the mean of the available three rates (response, resolution, satisfaction; × 100) of the
                    estate's cases in property categories (EVALUATION_PROPERTY_CATEGORIES) followed up in the quarter
    score         = the weighted mean (EVALUATION_PROPERTY_WEIGHTS, default 50/30/20) over the parts present: a
                    missing part's weight is shared out over the others (renormalized)
    level         = ≥ 90 优秀, ≥ 80 良好, ≥ 60 合格, else 不合格; below EVALUATION_PROPERTY_THRESHOLD (default 70) the
                    community issues a rectification notice.

`combine`, `level_for` and `appeals_score` are pure (tested from fixed inputs); `gather` reads the inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count
from django.utils import timezone

from gongzhi.appeals.queries import area_category_rates
from gongzhi.lists.queries import survey_satisfaction

from .models import Inspection, PropertyContract, PropertyGrade

PARTS = ("inspection", "satisfaction", "appeals")
CENT = Decimal("0.01")
LEVELS = ((Decimal(90), PropertyGrade.Level.EXCELLENT), (Decimal(80), PropertyGrade.Level.GOOD),
          (Decimal(60), PropertyGrade.Level.PASS))


def weights() -> tuple[int, int, int]:
    """(inspections, satisfaction, appeals) in percent, from EVALUATION_PROPERTY_WEIGHTS."""
    raw = tuple(int(w) for w in getattr(settings, "EVALUATION_PROPERTY_WEIGHTS", (50, 30, 20)))
    if len(raw) != 3 or any(w < 0 for w in raw) or not sum(raw):
        return (50, 30, 20)
    return raw  # type: ignore[return-value]


def threshold() -> Decimal:
    return Decimal(int(getattr(settings, "EVALUATION_PROPERTY_THRESHOLD", 70)))


def category_names() -> list[str]:
    return list(getattr(settings, "EVALUATION_PROPERTY_CATEGORIES", ["物业管理"]))


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def level_for(score: Decimal | float | int) -> str:
    value = Decimal(str(score))
    for floor, level in LEVELS:
        if value >= floor:
            return str(level)
    return str(PropertyGrade.Level.FAIL)


def below_threshold(score: Decimal | float | int | None) -> bool:
    return score is not None and Decimal(str(score)) < threshold()


def appeals_score(rates: dict[str, Any]) -> Decimal | None:
    """The mean of the available three rates, as a 0–100 score (None when there is no rate at all)."""
    values = [rates.get(k) for k in ("response_rate", "resolution_rate", "satisfaction_rate")]
    present = [float(v) for v in values if v is not None]
    return _dec(sum(present) / len(present) * 100) if present else None


@dataclass(frozen=True)
class Combined:
    score: Decimal
    level: str
    # The weight each present part carried after renormalizing (percent, summing to 100), by part name.
    used_weights: dict[str, float]


def combine(inspection: Decimal | float | None, satisfaction: Decimal | float | None,
            appeals: Decimal | float | None, w: tuple[int, int, int] | None = None) -> Combined | None:
    """The weighted score over the parts present (None: no part at all)."""
    w = w or weights()
    parts = {name: (Decimal(str(value)), Decimal(weight)) for name, value, weight
             in zip(PARTS, (inspection, satisfaction, appeals), w, strict=True) if value is not None and weight}
    total = sum((weight for _v, weight in parts.values()), Decimal(0))
    if not parts or not total:
        return None
    score = _dec(sum((value * weight for value, weight in parts.values()), Decimal(0)) / total)
    used = {name: float(_dec(weight * 100 / total)) for name, (_v, weight) in parts.items()}
    return Combined(score=score, level=level_for(score), used_weights=used)


# --- quarters --------------------------------------------------------------------------------------------------


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and the last day of the quarter."""
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def quarter_instants(year: int, quarter: int) -> tuple[datetime, datetime]:
    """[first instant of the quarter, first instant of the next one) in the local time zone."""
    tz = timezone.get_current_timezone()
    start = datetime(year, 3 * quarter - 2, 1, tzinfo=tz)
    end = datetime(year + (quarter == 4), (3 * quarter) % 12 + 1, 1, tzinfo=tz)
    return start, end


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def recent_quarters(today: date | None = None, count: int = 8) -> list[tuple[int, int]]:
    """This quarter and the ones before it, newest first."""
    current = quarter_of(today or timezone.localdate())
    out = [current]
    while len(out) < count:
        out.append(previous_quarter(*out[-1]))
    return out


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}年第{quarter}季度"


# --- the inputs --------------------------------------------------------------------------------------------------


def gather(contract: PropertyContract, year: int, quarter: int, survey_id: int | None) -> dict[str, Any]:
    """Every input of the quarter's grade, as recorded in its details (a few aggregate queries)."""
    start, end = quarter_bounds(year, quarter)
    agg = Inspection.objects.filter(contract=contract, inspected_on__gte=start, inspected_on__lte=end).aggregate(
        n=Count("id"), mean=Avg("score"))
    inspection = _dec(agg["mean"]) if agg["n"] else None
    respondents, satisfaction = survey_satisfaction(survey_id) if survey_id else (0, None)
    begin, finish = quarter_instants(year, quarter)
    rates = area_category_rates(contract.estate.path, begin, finish, category_names())
    appeals = appeals_score(rates)
    w = weights()
    combined = combine(inspection, _dec(satisfaction) if satisfaction is not None else None, appeals, w)
    return {
        "year": year, "quarter": quarter, "period": [start.isoformat(), end.isoformat()],
        "inspections": {"count": agg["n"], "mean": float(inspection) if inspection is not None else None},
        "survey": {"id": survey_id, "respondents": respondents,
                   "score": round(satisfaction, 2) if satisfaction is not None else None},
        "appeals": {**rates, "score": float(appeals) if appeals is not None else None},
        "weights": dict(zip(PARTS, w, strict=True)),
        "used_weights": combined.used_weights if combined else {},
        "threshold": int(threshold()),
        "inspection_score": inspection,
        "satisfaction_score": _dec(satisfaction) if satisfaction is not None else None,
        "appeals_score": appeals,
        "combined": combined,
    }
