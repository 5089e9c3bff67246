"""The lists policy. Area staff (and member-unit liaisons) see the demands and themes of their subtree;
staff who maintain rosters there (community workers and up) add demands; subdistrict staff and
district or city admins propose the month's theme for their subdistrict or district. Community staff
also see the themes of the subdistrict and district above them.

Declared on core's base policy (`gongzhi.core.policy`): one policy per model, plus the actions taken at an
area (`create_demand`, `propose_theme`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q

from gongzhi.core.models import Area, Role
from gongzhi.core.permissions import AREA_STAFF_ROLES, MANAGE_ROLES, user_grants
from gongzhi.core.policy import Policy, PolicySet

from .models import Demand, MonthlyTheme

VIEW_ROLES = AREA_STAFF_ROLES | {Role.UNIT_LIAISON}
DEMAND_ROLES = MANAGE_ROLES
THEME_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.SUBDISTRICT_STAFF})
THEME_LEVELS = ("city", "district", "subdistrict")
# Demands are added for a community or above, not for an estate, a grid or a building.
DEMAND_EXCLUDED_LEVELS = ("estate", "grid", "building")

ACTIONS = ("view", "create_demand", "propose_theme")

# Roles that open the lists at all (the rows are still scoped).
RULES: dict[str, frozenset[str]] = {"browse": VIEW_ROLES}


class DemandPolicy(Policy[Demand]):
    model = Demand
    noun = "demand"
    area_path = "area__path"
    view_roles = VIEW_ROLES
    actions = ACTIONS
    rules: ClassVar[Mapping[str, frozenset[str]]] = RULES
    select_related = ("area",)


class MonthlyThemePolicy(Policy[MonthlyTheme]):
    """Themes of the subtree, and those proposed for the areas above one's grants."""

    model = MonthlyTheme
    noun = "monthly_theme"
    area_path = "area__path"
    view_roles = VIEW_ROLES
    actions = ACTIONS
    rules: ClassVar[Mapping[str, frozenset[str]]] = RULES
    select_related = ("area",)

    def visible_q(self, user: Any) -> Q:
        above = {aid for g in user_grants(user) if g.role in VIEW_ROLES for aid in g.area.ancestor_ids()}
        return super().visible_q(user) | Q(area_id__in=above)


class ListsAreaPolicy(Policy[Area]):
    """What lists staff do at an area: add a demand there, propose the month's theme for it."""

    model = Area
    noun = "area"
    area_path = "path"
    answers_visibility = False
    actions = ACTIONS
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"create_demand": DEMAND_ROLES, "propose_theme": THEME_ROLES}

    def check_propose_theme(self, user: Any, area: Area) -> bool:
        return area.level in THEME_LEVELS and self.in_scope(user, area, THEME_ROLES)


demand_policy = DemandPolicy()
monthly_theme_policy = MonthlyThemePolicy()
area_policy = ListsAreaPolicy()
policies = PolicySet(demand_policy, monthly_theme_policy, area_policy)

get_demand_for_user = demand_policy.get_for_user
get_monthly_theme_for_user = monthly_theme_policy.get_for_user


def visible_to(user: Any, model: type[models.Model]) -> models.QuerySet[Any]:
    return policies.visible_to(user, model)


def can(user: Any, action: str, obj: Any) -> bool:
    """`view` a Demand or MonthlyTheme; `create_demand` or `propose_theme` at an Area."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}")
    if action != "view" and not isinstance(obj, Area):
        return False
    return policies.can(user, action, obj)


def require(user: Any, action: str, obj: Any, message: str | None = None) -> None:
    policies.require(user, action, obj, message)


def can_view_lists(user: Any) -> bool:
    return demand_policy.can_somewhere(user, "browse")


def can_create_demands(user: Any) -> bool:
    return area_policy.can_somewhere(user, "create_demand")


def can_propose_themes(user: Any) -> bool:
    return area_policy.can_somewhere(user, "propose_theme")


def demand_areas(user: Any) -> models.QuerySet[Area]:
    """Areas where the user may add demands (community level and above, within their scope)."""
    return area_policy.areas_where(user, "create_demand").exclude(level__in=DEMAND_EXCLUDED_LEVELS)


def theme_areas(user: Any) -> models.QuerySet[Area]:
    """Subdistricts, districts and cities for which the user may propose the month's theme."""
    return area_policy.areas_where(user, "propose_theme").filter(level__in=THEME_LEVELS)


def users_who_can(action: str, obj: Any) -> models.QuerySet[Any]:
    return policies.policy_for(type(obj)).users_who_can(action, obj)
