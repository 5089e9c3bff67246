"""The appeals policy: who sees which cases, appeals and whistles, and who may do what to them.

- Dispatchers (community workers, subdistrict staff, district and city admins) see and act on the
  cases whose area lies in their subtree; admins also see cases that have no area yet.
- Department handlers see the cases assigned to their unit and the whistles summoning it, and act
  on their unit's assignments. Subdistrict staff act as handlers of their subdistrict's office unit.
- Grid workers submit patrol reports and see the cases in their grid.
- Residents see their own appeals.

`visible_to` builds every list; out of scope → 404 (`get_case_for_user`), visible but not allowed →
403 (`require`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core.models import Area, Grant, Resident, Role, Unit, User
from gongzhi.core.permissions import (
    ADMIN_ROLES,
    AREA_STAFF_ROLES,
    covers,
    is_superuser,
    path_q,
    scope_paths,
    user_grants,
)

from .models import (
    Appeal,
    Assignment,
    Case,
    CaseEvent,
    RoutingRule,
    SubdistrictOffice,
    Whistle,
    WhistleReport,
)

DISPATCH_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.SUBDISTRICT_STAFF, Role.COMMUNITY_WORKER})
WHISTLE_ROLES = frozenset({Role.SUBDISTRICT_STAFF, Role.COMMUNITY_WORKER, Role.CITY_ADMIN, Role.DISTRICT_ADMIN})
CONFIG_ROLES = ADMIN_ROLES
HOTLINE_ROLES = DISPATCH_ROLES
PATROL_ROLES = frozenset({Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.SUBDISTRICT_STAFF})
RATES_ROLES = DISPATCH_ROLES | {Role.DEPARTMENT_HANDLER}

CASE_ACTIONS = (
    "view",
    "dispatch",  # dispatch, reassign, merge, close, decide extensions
    "supervise",  # 督办
    "follow_up",  # 回访, reopen
    "handle",  # accept/return an assignment, progress notes, reply, request an extension
    "note",  # add a progress note (handlers and dispatchers)
    "whistle",
)


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def handler_unit_ids(user: Any) -> set[int]:
    """Units the user handles cases for: their department grants, plus their subdistricts' offices."""
    if not _authenticated(user):
        return set()
    cached = getattr(user, "_appeals_units", None)
    if cached is not None:
        return set(cached)
    grants = user_grants(user)
    ids = {g.unit_id for g in grants if g.role == Role.DEPARTMENT_HANDLER and g.unit_id}
    sub_paths = scope_paths(user, {Role.SUBDISTRICT_STAFF})
    if sub_paths:
        ids |= set(
            SubdistrictOffice.objects.filter(path_q(sub_paths, "subdistrict__path")).values_list("unit_id", flat=True)
        )
    user._appeals_units = frozenset(ids)
    return ids


def _staff_case_q(user: Any, roles: frozenset[str] | set[str]) -> Q:
    paths = scope_paths(user, roles)
    q = path_q(paths, "area_path")
    if any(g.role in ADMIN_ROLES for g in user_grants(user)):
        q |= Q(area_path="")
    return q


def _case_q(user: Any) -> Q:
    q = _staff_case_q(user, AREA_STAFF_ROLES)
    units = handler_unit_ids(user)
    if units:
        q |= Q(pk__in=Assignment.objects.filter(unit_id__in=units).values("case_id"))
    return q


def _own_appeals(user: Any) -> list[models.QuerySet[Appeal]]:
    """The appeals the user sent, and those filed for them as a resident: two querysets, each an index scan
    when used as a subquery (one `OR` over a join would make PostgreSQL read every appeal)."""
    residents = Resident.objects.filter(user=user).values("pk")
    return [Appeal.objects.filter(submitted_by=user), Appeal.objects.filter(resident__in=residents)]


def visible_to(user: Any, model: type[models.Model]) -> models.QuerySet[Any]:
    """Every object of `model` the user may see. All lists start here."""
    manager: Any = model._default_manager
    qs = manager.all()
    if is_superuser(user):
        return qs
    if not _authenticated(user):
        return qs.none()
    if model is Case:
        q = _case_q(user)
        for own in _own_appeals(user):
            q |= Q(pk__in=own.exclude(case=None).values("case_id"))
        return qs.filter(q)
    if model is Appeal:
        q = Q(case__in=Case.objects.filter(_case_q(user)).values("pk"))
        for own in _own_appeals(user):
            q |= Q(pk__in=own.values("pk"))
        return qs.filter(q)
    if model is Assignment:
        return qs.filter(case__in=visible_to(user, Case).values("pk"))
    if model is CaseEvent:
        return qs.filter(case__in=visible_to(user, Case).values("pk"))
    if model is Whistle:
        q = path_q(scope_paths(user, AREA_STAFF_ROLES), "whistler_area_path") | Q(whistler=user)
        units = handler_unit_ids(user)
        if units:
            q |= Q(pk__in=WhistleReport.objects.filter(unit_id__in=units).values("whistle_id"))
        return qs.filter(q)
    if model is WhistleReport:
        return qs.filter(whistle__in=visible_to(user, Whistle).values("pk"))
    if model is RoutingRule:
        # Rules of the areas an admin covers; rules without an area (city-wide) for city admins only.
        if not can_configure(user):
            return qs.none()
        q = path_q(scope_paths(user, CONFIG_ROLES), "area__path")
        if has_citywide_config_grant(user):
            q |= Q(area__isnull=True)
        return qs.filter(q)
    raise TypeError(f"No visibility rule for {model.__name__}")


def has_citywide_config_grant(user: Any) -> bool:
    """An admin role granted at a root area (a city): things that hold for the whole city are theirs."""
    return is_superuser(user) or (
        _authenticated(user)
        and any(g.role in CONFIG_ROLES and g.area.parent_id is None for g in user_grants(user))
    )


def get_routing_rule_for_user(user: Any, rule_id: int) -> RoutingRule:
    rule = visible_to(user, RoutingRule).filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    return rule


def _covers_case(user: Any, case: Case, roles: frozenset[str] | set[str]) -> bool:
    if is_superuser(user):
        return True
    if case.area_path == "":
        return any(g.role in ADMIN_ROLES for g in user_grants(user))
    return any(case.area_path.startswith(p) for p in scope_paths(user, roles))


def handles_case(user: Any, case: Case) -> bool:
    units = handler_unit_ids(user)
    return bool(units) and case.assignments.filter(
        unit_id__in=units, status__in=Assignment.ACTIVE_STATUSES
    ).exists()


def can(user: Any, action: str, obj: Any) -> bool:
    """May `user` do `action` on `obj` (a Case, Assignment, Whistle, WhistleReport or Area)?"""
    if not _authenticated(user):
        return False
    if isinstance(obj, Case):
        if action not in CASE_ACTIONS:
            raise ValueError(f"Unknown action {action!r}")
        if action == "view":
            return visible_to(user, Case).filter(pk=obj.pk).exists()
        if action in ("dispatch", "supervise", "follow_up", "whistle"):
            return _covers_case(user, obj, DISPATCH_ROLES if action != "whistle" else WHISTLE_ROLES)
        if action == "handle":
            return is_superuser(user) or handles_case(user, obj)
        if action == "note":
            return _covers_case(user, obj, DISPATCH_ROLES) or handles_case(user, obj)
        return False
    if isinstance(obj, Assignment):
        if action != "handle":
            raise ValueError(f"Unknown action {action!r}")
        return is_superuser(user) or obj.unit_id in handler_unit_ids(user)
    if isinstance(obj, Whistle):
        if action == "view":
            return visible_to(user, Whistle).filter(pk=obj.pk).exists()
        if action == "rate":
            return obj.whistler_id == user.pk or covers(user, obj.whistler_area, WHISTLE_ROLES)
        raise ValueError(f"Unknown action {action!r}")
    if isinstance(obj, WhistleReport):
        if action != "report":
            raise ValueError(f"Unknown action {action!r}")
        return is_superuser(user) or obj.unit_id in handler_unit_ids(user)
    if isinstance(obj, Area):
        if action == "whistle":
            return covers(user, obj, WHISTLE_ROLES)
        if action == "hotline":
            return covers(user, obj, HOTLINE_ROLES) or is_superuser(user)
        if action == "patrol":
            return covers(user, obj, PATROL_ROLES)
        if action == "configure":
            return covers(user, obj, CONFIG_ROLES)
        if action == "view_rates":
            return is_superuser(user) or covers(user, obj, RATES_ROLES)
        raise ValueError(f"Unknown action {action!r}")
    raise TypeError(f"No policy for {type(obj).__name__}")


def can_configure(user: Any) -> bool:
    """City or district admins configure categories, time limits, routing and weights."""
    return is_superuser(user) or (_authenticated(user) and any(g.role in CONFIG_ROLES for g in user_grants(user)))


def can_configure_citywide(user: Any) -> bool:
    """City admins (granted at a root area) change what holds for the whole city."""
    return is_superuser(user) or (
        _authenticated(user)
        and any(g.role == Role.CITY_ADMIN and g.area.parent_id is None for g in user_grants(user))
    )


def can_take_hotline(user: Any) -> bool:
    return is_superuser(user) or (_authenticated(user) and any(g.role in HOTLINE_ROLES for g in user_grants(user)))


def can_patrol(user: Any) -> bool:
    return _authenticated(user) and any(g.role in PATROL_ROLES for g in user_grants(user))


def can_view_rates(user: Any) -> bool:
    return is_superuser(user) or (_authenticated(user) and any(g.role in RATES_ROLES for g in user_grants(user)))


def can_whistle(user: Any) -> bool:
    return is_superuser(user) or (_authenticated(user) and any(g.role in WHISTLE_ROLES for g in user_grants(user)))


def require(user: Any, action: str, obj: Any) -> None:
    """Raise PermissionDenied unless `user` may do `action` on `obj`. System jobs pass user=None."""
    if user is None:
        return
    if not can(user, action, obj):
        raise PermissionDenied(_("You do not have permission to do this here."))


def get_case_for_user(user: Any, case_id: int) -> Case:
    """The case if it exists and the user may see it; Http404 otherwise (never reveal that it exists)."""
    case = visible_to(user, Case).select_related("category", "area", "lead_unit").filter(pk=case_id).first()
    if case is None:
        raise Http404
    return case


def get_assignment_for_user(user: Any, assignment_id: int) -> Assignment:
    assignment = visible_to(user, Assignment).select_related("case", "unit").filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404
    return assignment


def get_appeal_for_user(user: Any, appeal_id: int) -> Appeal:
    appeal = visible_to(user, Appeal).select_related("case", "category", "area").filter(pk=appeal_id).first()
    if appeal is None:
        raise Http404
    return appeal


def get_whistle_for_user(user: Any, whistle_id: int) -> Whistle:
    whistle = visible_to(user, Whistle).select_related("area", "whistler_area", "case").filter(pk=whistle_id).first()
    if whistle is None:
        raise Http404
    return whistle


def get_whistle_report_for_user(user: Any, report_id: int) -> WhistleReport:
    report = visible_to(user, WhistleReport).select_related("whistle", "unit").filter(pk=report_id).first()
    if report is None:
        raise Http404
    return report


def users_who_can(action: str, obj: Any) -> models.QuerySet[User]:
    """Active users to notify: `dispatch` on a case → dispatchers over its area; `handle` on a Unit → its handlers."""
    if action in ("dispatch", "supervise") and isinstance(obj, Case):
        area = obj.supervising_area or obj.area
        if area is None:
            return User.objects.filter(is_active=True, grants__role__in=list(ADMIN_ROLES)).distinct()
        return User.objects.filter(
            is_active=True, grants__role__in=list(DISPATCH_ROLES), grants__area_id__in=area.ancestor_ids()
        ).distinct()
    if action == "handle" and isinstance(obj, Unit):
        q = Q(grants__role=Role.DEPARTMENT_HANDLER, grants__unit=obj)
        office = SubdistrictOffice.objects.filter(unit=obj).select_related("subdistrict").first()
        if office is not None:
            q |= Q(grants__role=Role.SUBDISTRICT_STAFF, grants__area_id__in=office.subdistrict.ancestor_ids()[-1:])
        return User.objects.filter(q, is_active=True).distinct()
    if action == "whistle" and isinstance(obj, Whistle):
        return User.objects.filter(pk=obj.whistler_id, is_active=True)
    raise ValueError(f"Unknown action {action!r} for {type(obj).__name__}")


__all__ = ["Grant", "can", "visible_to", "users_who_can", "require", "handler_unit_ids"]
