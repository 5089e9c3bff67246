"""Routing: (category, area) → lead unit and assisting units.

The most specific active rule wins: the deepest matching category first (a rule on the leaf beats a
rule on its parent, which beats a rule with no category), then the deepest matching area. With no
rule, the case goes to the subdistrict of its area, represented by the subdistrict's office unit
(`SubdistrictOffice`, a `Unit(kind=institution)` named "<街道>办事处"). Offices are made by the action
`do_open_subdistrict_offices` when a subdistrict is created; routing only reads them (a read never writes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from gongzhi.core.models import Area, Unit

from .models import Category, RoutingRule, SubdistrictOffice


@dataclass
class Route:
    lead: Unit | None
    assists: list[Unit] = field(default_factory=list)
    rule: RoutingRule | None = None


def _category_chain(category: Category | None) -> list[int]:
    return category.ancestor_ids() if category is not None else []


def find_rule(category: Category | None, area: Area | None) -> RoutingRule | None:
    cat_ids = _category_chain(category)
    area_ids = area.ancestor_ids() if area is not None else []
    rules = RoutingRule.objects.filter(
        Q(category__isnull=True) | Q(category_id__in=cat_ids),
        Q(area__isnull=True) | Q(area_id__in=area_ids),
        active=True,
    ).select_related("lead_unit")

    def specificity(rule: RoutingRule) -> tuple[int, int, int]:
        cat_depth = cat_ids.index(rule.category_id) + 1 if rule.category_id else 0
        area_depth = area_ids.index(rule.area_id) + 1 if rule.area_id else 0
        return (cat_depth, area_depth, rule.pk)

    best = max(rules, key=specificity, default=None)
    return best


def subdistrict_office_unit(subdistrict: Area) -> Unit | None:
    """The unit standing for a subdistrict office (None when the subdistrict has none)."""
    office = SubdistrictOffice.objects.select_related("unit").filter(subdistrict=subdistrict).first()
    return office.unit if office is not None else None


def suggest_route(category: Category | None, area: Area | None) -> Route:
    """The units a case should go to; the dispatcher confirms or edits before dispatching."""
    rule = find_rule(category, area)
    if rule is not None:
        return Route(lead=rule.lead_unit, assists=list(rule.assist_units.all()), rule=rule)
    subdistrict = area.ancestor_of_level(Area.Level.SUBDISTRICT) if area is not None else None
    if subdistrict is None:
        return Route(lead=None)
    return Route(lead=subdistrict_office_unit(subdistrict))
