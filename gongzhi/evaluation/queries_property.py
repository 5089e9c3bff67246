"""Read side of the property part: the contracts list, an estate's page, the company ranking, the notices list.
Every list starts from `visible_to`; a fixed number of queries each (no N+1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from gongzhi.core.models import Area, Unit
from gongzhi.core.policy import covers

from . import grading, permissions
from .models import (
    Inspection,
    InspectionScore,
    PropertyContract,
    PropertyGrade,
    RectificationNotice,
    ServiceItem,
)


def in_force_q(day: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}starts_on__lte": day}) & (Q(**{f"{prefix}ends_on__isnull": True})
                                                    | Q(**{f"{prefix}ends_on__gte": day}))


def contract_list(user: Any, *, q: str = "", area: Area | None = None) -> QuerySet[PropertyContract]:
    qs = permissions.visible_to(user, PropertyContract).select_related("estate", "company")
    if area is not None:
        qs = qs.filter(estate__path__startswith=area.path)
    if q:
        qs = qs.filter(Q(estate__name__icontains=q) | Q(company__name__icontains=q))
    return qs.order_by("estate__path", "-starts_on", "id")


def latest_grades(contract_ids: list[int]) -> dict[int, PropertyGrade]:
    """Each contract's most recent grade (one query)."""
    found: dict[int, PropertyGrade] = {}
    for g in PropertyGrade.objects.filter(contract_id__in=contract_ids).order_by("contract_id", "-year", "-quarter"):
        found.setdefault(g.contract_id, g)
    return found


MANAGE_MESSAGE = "Only the community's workers over this estate may do this."
INSPECT_MESSAGE = "Only the community, the estate's party branch and its owners' committee inspect this contract."


def contract_for(user: Any, pk: int, action: str = "") -> PropertyContract:
    """The contract if the user sees it (404 otherwise) and, with `action`, may do it (403 otherwise): the pages' and
    the API's one way in."""
    from django.utils.translation import gettext as _

    contract = permissions.get_contract_for_user(user, pk)
    if action:
        permissions.require(user, action, contract, _(MANAGE_MESSAGE) if action == "manage" else _(INSPECT_MESSAGE))
    return contract


def sees_estate(user: Any, estate: Area) -> bool:
    """Area staff over the estate, and whoever sees one of its contracts (the company's or the owners' committee's
    liaison)."""
    if covers(user, estate, permissions.STAFF_ROLES):
        return True
    return permissions.visible_to(user, PropertyContract).filter(estate=estate).exists()


@dataclass
class EstatePage:
    estate: Area
    contracts: list[PropertyContract]
    current: PropertyContract | None
    inspections: list[Inspection]
    grades: list[PropertyGrade]
    notices: list[RectificationNotice]


def estate_page(user: Any, estate: Area) -> EstatePage:
    """The estate's contracts (with items), its latest inspections (with scores and photos), grades and notices —
    what the user may see of them."""
    today = timezone.localdate()
    contracts = list(permissions.visible_to(user, PropertyContract).filter(estate=estate)
                     .select_related("company").prefetch_related(
                         Prefetch("items", queryset=ServiceItem.objects.order_by("order", "id")))
                     .order_by("-starts_on", "-id"))
    current = next((c for c in contracts if c.starts_on <= today and (c.ends_on is None or c.ends_on >= today)),
                   None)
    ids = [c.pk for c in contracts]
    inspections = list(Inspection.objects.filter(contract_id__in=ids).select_related("inspector", "contract")
                       .prefetch_related(Prefetch("scores", queryset=InspectionScore.objects.select_related("item")
                                                  .order_by("item__order", "id")), "photos")
                       .order_by("-inspected_on", "-id")[:30])
    grades = list(PropertyGrade.objects.filter(contract_id__in=ids).select_related("contract", "contract__company")
                  .order_by("-year", "-quarter", "-id"))
    notices = list(notice_order(RectificationNotice.objects.filter(contract_id__in=ids))
                   .select_related("contract", "contract__company", "grade"))
    return EstatePage(estate=estate, contracts=contracts, current=current, inspections=inspections, grades=grades,
                      notices=notices)


def notice_order(qs: QuerySet[RectificationNotice]) -> QuerySet[RectificationNotice]:
    """Overdue first, then open, then replied, then closed; by deadline."""
    today = timezone.localdate()
    return qs.annotate(_rank=Case(
        When(~Q(status=RectificationNotice.Status.CLOSED) & Q(deadline__lt=today), then=Value(0)),
        When(status=RectificationNotice.Status.OPEN, then=Value(1)),
        When(status=RectificationNotice.Status.REPLIED, then=Value(2)),
        default=Value(3), output_field=IntegerField())).order_by("_rank", "deadline", "-id")


def notice_list(user: Any, *, status: str = "") -> QuerySet[RectificationNotice]:
    qs = permissions.visible_to(user, RectificationNotice).select_related(
        "contract", "contract__estate", "contract__company", "grade")
    today = timezone.localdate()
    if status == "overdue":
        qs = qs.exclude(status=RectificationNotice.Status.CLOSED).filter(deadline__lt=today)
    elif status in RectificationNotice.Status.values:
        qs = qs.filter(status=status)
    elif status == "active":
        qs = qs.exclude(status=RectificationNotice.Status.CLOSED)
    return notice_order(qs)


# --- the ranking ---------------------------------------------------------------------------------------------


@dataclass
class RankRow:
    company: Unit
    mean: Decimal
    estates: int
    lowest_estate: Area
    lowest_score: Decimal
    below_threshold: int
    rank: int = 0
    grades: list[PropertyGrade] = field(default_factory=list)


def graded_quarters(user: Any) -> list[tuple[int, int]]:
    """The quarters with grades the user sees, newest first (one query)."""
    return list(permissions.visible_to(user, PropertyGrade).order_by("-year", "-quarter")
                .values_list("year", "quarter").distinct()[:20])


def ranking(user: Any, year: int, quarter: int, *, area: Area | None = None) -> list[RankRow]:
    """The property companies by their mean score over their estates in the quarter (the grades the user sees;
    within `area` when given), best first, with competition ranks (1, 1, 3). One query."""
    qs = permissions.visible_to(user, PropertyGrade).filter(year=year, quarter=quarter).select_related(
        "contract__estate", "contract__company")
    if area is not None:
        qs = qs.filter(contract__estate__path__startswith=area.path)
    by_company: dict[int, list[PropertyGrade]] = {}
    for g in qs.order_by("contract__company_id", "score", "id"):
        by_company.setdefault(g.contract.company_id, []).append(g)
    rows = []
    for grades in by_company.values():
        mean = (sum((g.score for g in grades), Decimal(0)) / len(grades)).quantize(Decimal("0.01"))
        low = min(grades, key=lambda g: (g.score, g.pk))
        rows.append(RankRow(company=low.contract.company, mean=mean, estates=len({g.contract.estate_id for g in grades}),
                            lowest_estate=low.contract.estate, lowest_score=low.score,
                            below_threshold=sum(1 for g in grades if grading.below_threshold(g.score)),
                            grades=grades))
    rows.sort(key=lambda r: (-r.mean, r.company.name))
    for i, row in enumerate(rows):
        row.rank = rows[i - 1].rank if i and rows[i - 1].mean == row.mean else i + 1
    return rows
