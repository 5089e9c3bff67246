"""The lists policy. Area staff (and member-unit liaisons) see the demands and themes of their subtree;
staff who maintain rosters there (community workers and up) add demands; subdistrict staff and
district or city admins propose the month's theme for their subdistrict or district. Community staff
also see the themes of the subdistrict and district above them.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.http import Http404

from gongzhi.core.models import Area, Role
from gongzhi.core.permissions import (
    AREA_STAFF_ROLES,
    MANAGE_ROLES,
    covers,
    is_superuser,
    path_q,
    scope_paths,
    user_grants,
)

from .models import Demand, MonthlyTheme

VIEW_ROLES = AREA_STAFF_ROLES | {Role.UNIT_LIAISON}
DEMAND_ROLES = MANAGE_ROLES
THEME_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.SUBDISTRICT_STAFF})
THEME_LEVELS = ("city", "district", "subdistrict")

ACTIONS = ("view", "create_demand", "propose_theme")


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def can_view_lists(user: Any) -> bool:
    return is_superuser(user) or any(g.role in VIEW_ROLES for g in user_grants(user))


def visible_to(user: Any, model: type[models.Model]) -> models.QuerySet[Any]:
    manager: Any = model._default_manager
    qs = manager.all()
    if is_superuser(user):
        return qs
    if not _authenticated(user):
        return qs.none()
    paths = scope_paths(user, VIEW_ROLES)
    if model is Demand:
        return qs.filter(path_q(paths, "area__path"))
    if model is MonthlyTheme:
        above = {aid for g in user_grants(user) if g.role in VIEW_ROLES for aid in g.area.ancestor_ids()}
        return qs.filter(path_q(paths, "area__path") | Q(area_id__in=above))
    raise TypeError(f"No visibility rule for {model.__name__}")


def can(user: Any, action: str, obj: Any) -> bool:
    """`view` a Demand or MonthlyTheme; `create_demand` or `propose_theme` at an Area."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}")
    if not _authenticated(user):
        return False
    if action == "view":
        return visible_to(user, type(obj)).filter(pk=obj.pk).exists()
    if not isinstance(obj, Area):
        return False
    if action == "create_demand":
        return covers(user, obj, DEMAND_ROLES)
    return obj.level in THEME_LEVELS and covers(user, obj, THEME_ROLES)


def can_create_demands(user: Any) -> bool:
    return is_superuser(user) or any(g.role in DEMAND_ROLES for g in user_grants(user))


def can_propose_themes(user: Any) -> bool:
    return is_superuser(user) or any(g.role in THEME_ROLES for g in user_grants(user))


def demand_areas(user: Any) -> models.QuerySet[Area]:
    """Areas where the user may add demands (community level and above, within their scope)."""
    qs = Area.objects.exclude(level__in=("estate", "grid", "building"))
    if is_superuser(user):
        return qs
    return qs.filter(path_q(scope_paths(user, DEMAND_ROLES), "path"))


def theme_areas(user: Any) -> models.QuerySet[Area]:
    """Subdistricts, districts and cities for which the user may propose the month's theme."""
    qs = Area.objects.filter(level__in=THEME_LEVELS)
    if is_superuser(user):
        return qs
    return qs.filter(path_q(scope_paths(user, THEME_ROLES), "path"))


def get_demand_for_user(user: Any, pk: int) -> Demand:
    demand = visible_to(user, Demand).select_related("area", "created_by").filter(pk=pk).first()
    if demand is None:
        raise Http404
    return demand


def get_theme_for_user(user: Any, pk: int) -> MonthlyTheme:
    theme = visible_to(user, MonthlyTheme).select_related("area", "proposed_by").filter(pk=pk).first()
    if theme is None:
        raise Http404
    return theme
