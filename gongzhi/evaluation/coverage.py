"""The estates' three coverage rates (三率) of an area (a community, a subdistrict, a district, the city):

- committee: the share of its estates with an owners' committee (业委会) or a property management committee
  (物管会): `EstateProfile.owners_committee` set or `management_committee`;
- service:   with property service: a property contract in force today;
- party:     with a party organization and its work: a party organization at the estate or below it, or a
  party-building instructor (`EstateProfile.party_instructor`).

One query reads every estate below the area with the three flags (EXISTS subqueries), one more the child areas;
the child areas' rates are summed from the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area, PartyOrg

from .models import EstateProfile, PropertyContract

FIGURES: dict[str, Any] = {
    "committee": _("Owners' or property management committee"),
    "service": _("Property service coverage"),
    "party": _("Party organization and its work"),
}
LACKS: dict[str, Any] = {
    "committee": _("No owners' committee or property management committee"),
    "service": _("No property service in force"),
    "party": _("No party organization or party-building instructor"),
}
LEVELS = (Area.Level.CITY, Area.Level.DISTRICT, Area.Level.SUBDISTRICT, Area.Level.COMMUNITY)


def estates_with_flags(area: Area, today: date | None = None) -> QuerySet[Area]:
    """The estates below `area`, each annotated with `has_committee`, `has_service` and `has_party`."""
    today = today or timezone.localdate()
    profiles = EstateProfile.objects.filter(estate=OuterRef("pk"))
    return (Area.objects.filter(level=Area.Level.ESTATE, path__startswith=area.path)
            .annotate(
                has_committee=Exists(profiles.filter(Q(owners_committee__isnull=False) | Q(management_committee=True))),
                has_service=Exists(PropertyContract.objects.filter(estate=OuterRef("pk"), starts_on__lte=today).filter(
                    Q(ends_on__isnull=True) | Q(ends_on__gte=today))),
                has_party=Exists(PartyOrg.objects.filter(area__path__startswith=OuterRef("path")))
                | Exists(profiles.exclude(party_instructor="")),
            ).order_by("path"))


@dataclass
class EstateRow:
    estate: Area
    committee: bool
    service: bool
    party: bool

    def has(self, figure: str) -> bool:
        return bool(getattr(self, figure))

    @property
    def lacks(self) -> list[Any]:
        return [LACKS[f] for f in FIGURES if not self.has(f)]


@dataclass
class Rates:
    area: Area
    estates: int = 0
    committee: int = 0
    service: int = 0
    party: int = 0
    rows: list[EstateRow] = field(default_factory=list)

    def add(self, row: EstateRow) -> None:
        self.estates += 1
        self.committee += row.committee
        self.service += row.service
        self.party += row.party

    def count(self, figure: str) -> int:
        return int(getattr(self, figure))

    def rate(self, figure: str) -> float | None:
        """Percent, one decimal (None when the area has no estate)."""
        return round(self.count(figure) * 100 / self.estates, 1) if self.estates else None

    def figures(self) -> list[dict[str, Any]]:
        return [{"key": f, "label": FIGURES[f], "count": self.count(f), "rate": self.rate(f),
                 "missing": self.estates - self.count(f)} for f in FIGURES]


def estate_rows(area: Area, today: date | None = None) -> list[EstateRow]:
    return [EstateRow(estate=e, committee=e.has_committee, service=e.has_service,  # type: ignore[attr-defined]
                      party=e.has_party)  # type: ignore[attr-defined]
            for e in estates_with_flags(area, today)]


def area_coverage(area: Area, today: date | None = None, *, with_children: bool = True) -> tuple[Rates, list[Rates]]:
    """The area's rates and (for a city, district or subdistrict) its child areas' rates, in their order. Two
    queries (one without the children)."""
    rows = estate_rows(area, today)
    total = Rates(area=area, rows=rows)
    for row in rows:
        total.add(row)
    if not with_children or area.level == Area.Level.COMMUNITY:
        return total, []
    children = {c.pk: Rates(area=c) for c in Area.objects.filter(parent=area).order_by("path")}
    depth = len(area.ancestor_ids())
    for row in rows:
        ids = row.estate.ancestor_ids()
        child = children.get(ids[depth]) if len(ids) > depth else None
        if child is not None:
            child.add(row)
            child.rows.append(row)
    return total, list(children.values())


def behind(area: Area, figure: str, covered: bool, today: date | None = None) -> list[EstateRow]:
    """The estates behind one figure: those that have it (covered) or lack it."""
    if figure not in FIGURES:
        raise ValueError(figure)
    return [r for r in estate_rows(area, today) if r.has(figure) == covered]
