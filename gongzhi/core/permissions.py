"""The core policy: who sees which part of the tree, and who may do what there.

A role is granted at an area and covers its subtree. `visible_to` builds every list;
`can` answers one action on one object; `users_who_can` finds whom to notify.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Q

from .models import (
    Area,
    AuditEvent,
    Grant,
    ImportJob,
    Notification,
    PartyMember,
    PartyOrg,
    Resident,
    Role,
    Unit,
    User,
)

ADMIN_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN})
AREA_STAFF_ROLES = frozenset(
    {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.SUBDISTRICT_STAFF, Role.COMMUNITY_WORKER, Role.GRID_WORKER}
)
STAFF_ROLES = AREA_STAFF_ROLES | {Role.DEPARTMENT_HANDLER, Role.UNIT_LIAISON}
# Roles that work with residents' records.
PEOPLE_ROLES = AREA_STAFF_ROLES
# Roles that need residents' full phone, ID number and address (each reveal is logged).
REVEAL_ROLES = frozenset({Role.SUBDISTRICT_STAFF, Role.COMMUNITY_WORKER, Role.GRID_WORKER})
# Roles that maintain rosters (areas, units, people) in their scope.
MANAGE_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.SUBDISTRICT_STAFF, Role.COMMUNITY_WORKER})
AREA_MANAGE_ROLES = MANAGE_ROLES

ACTIONS = (
    "view",  # see the object at all
    "view_people",  # list residents and party members under an area
    "reveal",  # see one person's personal data in full
    "manage",  # create or edit rosters under an area
    "manage_areas",  # add or rename areas under an area
    "view_audit",  # read the audit log of an area
    "import",  # run a roster import for an area
)


def user_grants(user: Any) -> list[Grant]:
    """The user's grants, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_gongzhi_grants", None)
    if cached is None:
        cached = list(Grant.objects.filter(user=user).select_related("area", "unit"))
        user._gongzhi_grants = cached
    return cached


def user_roles(user: Any) -> set[str]:
    return {g.role for g in user_grants(user)}


def has_role(user: Any, roles: Iterable[str]) -> bool:
    wanted = set(roles)
    return any(g.role in wanted for g in user_grants(user))


def is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) and bool(getattr(user, "is_active", False))


def scope_paths(user: Any, roles: Iterable[str] | None = None) -> list[str]:
    """The area paths the user's grants (optionally only some roles) cover; the shortest that cover all."""
    wanted = set(roles) if roles is not None else None
    paths = sorted({g.area.path for g in user_grants(user) if wanted is None or g.role in wanted})
    minimal: list[str] = []
    for path in paths:
        if not any(path.startswith(p) for p in minimal):
            minimal.append(path)
    return minimal


def path_q(paths: list[str], field: str) -> Q:
    """Q matching rows whose `field` (an area path) lies under one of `paths`; matches nothing if empty."""
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def covers(user: Any, area: Area | None, roles: Iterable[str] | None = None) -> bool:
    if area is None:
        return False
    if is_superuser(user):
        return True
    return any(area.path.startswith(p) for p in scope_paths(user, roles))


def area_view_q(user: Any, field: str = "path") -> Q:
    """Areas the user may browse: the subtree of each grant, plus the ancestors on the way to it."""
    grants = user_grants(user)
    q = path_q(scope_paths(user), field)
    ancestor_ids = {aid for g in grants for aid in g.area.ancestor_ids()}
    if ancestor_ids:
        id_field = "pk" if field == "path" else field.replace("path", "id")
        q |= Q(**{f"{id_field}__in": ancestor_ids})
    return q


def visible_to(user: Any, model: type[models.Model]) -> models.QuerySet[Any]:
    """Every object of `model` the user may see. All lists start here."""
    manager: Any = model._default_manager
    qs = manager.all()
    if model is Notification:  # one's own only, superusers included
        return qs.filter(user=user) if getattr(user, "is_authenticated", False) else qs.none()
    if is_superuser(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if model is Area:
        return qs.filter(area_view_q(user))
    if model is Unit:
        own_units = [g.unit_id for g in user_grants(user) if g.unit_id]
        staff = path_q(scope_paths(user, AREA_STAFF_ROLES), "area__path")
        registered = path_q(scope_paths(user, AREA_STAFF_ROLES), "registrations__community__path")
        return qs.filter(staff | registered | Q(pk__in=own_units)).distinct()
    if model is PartyOrg:
        return qs.filter(path_q(scope_paths(user), "area__path"))
    if model is Resident:
        return qs.filter(path_q(scope_paths(user, PEOPLE_ROLES), "area__path"))
    if model is PartyMember:
        own = Q(user=user)
        return qs.filter(path_q(scope_paths(user, PEOPLE_ROLES), "home_area__path") | own)
    if model is AuditEvent:
        return qs.filter(path_q(scope_paths(user, ADMIN_ROLES), "area_path"))
    if model is ImportJob:
        return qs.filter(Q(created_by=user) | path_q(scope_paths(user, ADMIN_ROLES), "scope_area__path"))
    raise TypeError(f"No visibility rule for {model.__name__}")


def _area_of(obj: Any) -> Area | None:
    if isinstance(obj, Area):
        return obj
    if isinstance(obj, PartyMember):
        return obj.home_area
    area = getattr(obj, "area", None)
    return area if isinstance(area, Area) else None


def can(user: Any, action: str, obj: Any) -> bool:
    """May `user` do `action` on `obj` (an Area, Unit, PartyOrg, Resident or PartyMember)?"""
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if action == "view":
        return visible_to(user, type(obj)).filter(pk=obj.pk).exists()
    area = _area_of(obj)
    if is_superuser(user):
        return area is not None
    if action == "view_people":
        return covers(user, area, PEOPLE_ROLES)
    if action == "reveal":
        return isinstance(obj, (Resident, PartyMember)) and covers(user, area, REVEAL_ROLES)
    if action == "manage":
        return covers(user, area, MANAGE_ROLES)
    if action in ("manage_areas", "import"):
        return covers(user, area, AREA_MANAGE_ROLES if action == "manage_areas" else MANAGE_ROLES)
    if action == "view_audit":
        return covers(user, area, ADMIN_ROLES)
    return False


def users_who_can(action: str, area: Area) -> models.QuerySet[User]:
    """Active users whose grants give them `action` at `area` (for notifications)."""
    role_sets = {
        "view_people": PEOPLE_ROLES,
        "reveal": REVEAL_ROLES,
        "manage": MANAGE_ROLES,
        "manage_areas": AREA_MANAGE_ROLES,
        "import": MANAGE_ROLES,
        "view_audit": ADMIN_ROLES,
        "view": frozenset(Role.values),
    }
    roles = role_sets[action]
    ancestor_ids = area.ancestor_ids()
    return User.objects.filter(
        is_active=True, grants__role__in=list(roles), grants__area_id__in=ancestor_ids
    ).distinct()


def primary_area(user: Any) -> Area | None:
    """The highest area the user's grants cover, for landing pages."""
    grants = sorted(user_grants(user), key=lambda g: g.area.path)
    return grants[0].area if grants else None
