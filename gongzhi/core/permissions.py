"""The core policy: who sees which part of the tree, and who may do what there.

A role is granted at an area and covers its subtree. One policy per model, declared on the base class
in `gongzhi.core.policy`: `visible_to` builds every list; `can` answers one action on one object;
`get_<noun>_for_user(user, pk)` fetches one object (404 when missing or out of scope); `users_who_can`
finds whom to notify.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.db.models import Q

from .models import (
    Area,
    AuditEvent,
    ImportJob,
    Notification,
    PartyMember,
    PartyOrg,
    Resident,
    Role,
    Unit,
    User,
)
from .policy import (
    Policy,
    PolicySet,
    covers,
    has_role,
    is_active_user,
    is_superuser,
    path_q,
    scope_paths,
    user_grants,
    user_roles,
    users_with_roles_at,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet

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

# Who may grant a role: someone holding a higher one over the area (and the right to manage it there); never
# oneself. The ranks follow the tree: the admins over the staff who reveal personal data over everyone else.
ROLE_RANK: dict[str, int] = {
    Role.CITY_ADMIN: 7, Role.DISTRICT_ADMIN: 6, Role.SUBDISTRICT_STAFF: 5, Role.COMMUNITY_WORKER: 4,
    Role.GRID_WORKER: 3, Role.FOLLOW_UP_CALLER: 3, Role.DEPARTMENT_HANDLER: 2, Role.UNIT_LIAISON: 2, Role.PARTY_MEMBER: 1, Role.VOLUNTEER: 1,
    Role.RESIDENT: 1,
}


def liaison_unit_ids(user: Any) -> set[int]:
    """The units the user is the liaison of (from the grants cached for the request; no query)."""
    return {g.unit_id for g in user_grants(user) if g.role == Role.UNIT_LIAISON and g.unit_id is not None}


def roles_above(role: str) -> frozenset[str]:
    """The roles ranked higher than `role`: one of them over an area is needed to grant `role` there."""
    rank = ROLE_RANK[role]
    return frozenset(r for r, n in ROLE_RANK.items() if n > rank)


def can_grant(user: Any, role: str, area: Area, grantee: Any) -> bool:
    """May `user` grant `role` at `area` to `grantee`? Not to themselves (superusers neither); otherwise the
    superuser, or someone who manages the area and holds a role ranked above `role` there."""
    if grantee is not None and getattr(user, "pk", None) is not None and grantee.pk == user.pk:
        return False
    if is_superuser(user):
        return True
    return (is_active_user(user) and role in ROLE_RANK and covers(user, area, AREA_RULES["manage_areas"])
            and covers(user, area, roles_above(role)))


# Per action on an area (and on what lies in it), the roles that may do it at that area and below.
AREA_RULES: dict[str, frozenset[str]] = {
    "view_people": PEOPLE_ROLES,
    "manage": MANAGE_ROLES,
    "manage_areas": AREA_MANAGE_ROLES,
    "view_audit": ADMIN_ROLES,
    "import": MANAGE_ROLES,
    "reveal": REVEAL_ROLES,
}
PERSON_RULES: dict[str, frozenset[str]] = {**AREA_RULES, "browse": PEOPLE_ROLES}

ACTIONS = (
    "view",  # see the object at all
    "browse",  # open the pages listing this kind of record at all (their rows are still scoped)
    "view_people",  # list residents and party members under an area
    "reveal",  # see one person's personal data in full (at an area: of the people there), or search by it
    "manage",  # create or edit rosters under an area
    "manage_areas",  # add or rename areas under an area
    "view_audit",  # read the audit log of an area
    "import",  # run a roster import for an area
)


def area_view_q(user: Any, field: str = "path") -> Q:
    """Areas the user may browse: the subtree of each grant, plus the ancestors on the way to it."""
    grants = user_grants(user)
    q = path_q(scope_paths(user), field)
    ancestor_ids = {aid for g in grants for aid in g.area.ancestor_ids()}
    if ancestor_ids:
        id_field = "pk" if field == "path" else field.replace("path", "id")
        q |= Q(**{f"{id_field}__in": ancestor_ids})
    return q


class CorePolicy(Policy[Any]):
    """Core's common declaration: the area actions, each for its roles at the object's area and below."""

    rules: ClassVar[Mapping[str, frozenset[str]]] = AREA_RULES
    actions = ACTIONS
    inactive_users_see = True


class AreaPolicy(CorePolicy):
    """Everyone sees the subtree of each grant, plus the ancestors on the way to it (the breadcrumb)."""

    model = Area
    noun = "area"
    area_path = "path"
    select_related = ("parent",)

    def visible_q(self, user: Any) -> Q:
        return area_view_q(user)


class UnitPolicy(CorePolicy):
    """Area staff see the units of their subtree and those registered there; a unit's people see their unit."""

    model = Unit
    noun = "unit"
    area_path = "area__path"
    rules: ClassVar[Mapping[str, frozenset[str]]] = {**AREA_RULES, "browse": STAFF_ROLES}
    select_related = ("area",)

    def visible_q(self, user: Any) -> Q:
        own_units = [g.unit_id for g in user_grants(user) if g.unit_id]
        staff = path_q(scope_paths(user, AREA_STAFF_ROLES), "area__path")
        registered = path_q(scope_paths(user, AREA_STAFF_ROLES), "registrations__community__path")
        return staff | registered | Q(pk__in=own_units)

    def scope(self, qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
        return qs.filter(self.visible_q(user)).distinct()


class PartyOrgPolicy(CorePolicy):
    model = PartyOrg
    noun = "party_org"
    area_path = "area__path"
    rules: ClassVar[Mapping[str, frozenset[str]]] = {**AREA_RULES, "browse": STAFF_ROLES}
    select_related = ("area", "parent")


class ResidentPolicy(CorePolicy):
    model = Resident
    noun = "resident"
    area_path = "area__path"
    view_roles = PEOPLE_ROLES
    rules: ClassVar[Mapping[str, frozenset[str]]] = PERSON_RULES
    select_related = ("area", "household")


class PartyMemberPolicy(CorePolicy):
    """People roles see the members living in their subtree; a member sees their own record."""

    model = PartyMember
    noun = "party_member"
    area_path = "home_area__path"
    area_attr = "home_area"
    view_roles = PEOPLE_ROLES
    rules: ClassVar[Mapping[str, frozenset[str]]] = PERSON_RULES
    select_related = ("home_area", "party_org", "work_unit")

    def visible_q(self, user: Any) -> Q:
        return super().visible_q(user) | Q(user=user)


class AuditEventPolicy(CorePolicy):
    """Admins read the events of their scope."""

    model = AuditEvent
    noun = "audit_event"
    area_path = "area_path"
    view_roles = ADMIN_ROLES
    rules: ClassVar[Mapping[str, frozenset[str]]] = {**AREA_RULES, "browse": ADMIN_ROLES}
    select_related = ("actor",)


class ImportJobPolicy(CorePolicy):
    """Who started the job sees it; so do the admins over its scope."""

    model = ImportJob
    noun = "import_job"
    area_path = "scope_area__path"
    area_attr = "scope_area"
    view_roles = ADMIN_ROLES
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": MANAGE_ROLES | AREA_STAFF_ROLES}
    select_related = ("scope_area", "created_by")

    def visible_q(self, user: Any) -> Q:
        return Q(created_by=user) | super().visible_q(user)


class NotificationPolicy(Policy[Notification]):
    """One's own notifications only: a superuser too sees only theirs (any app notifies through core)."""

    model = Notification
    noun = "notification"
    actions = ("view",)
    inactive_users_see = True

    def visible_q(self, user: Any) -> Q:
        return Q(user=user)

    def visible_to(self, user: Any) -> models.QuerySet[Notification]:
        manager: Any = self.model._default_manager
        return manager.filter(self.visible_q(user)) if getattr(user, "is_authenticated", False) else manager.none()


area_policy = AreaPolicy()
unit_policy = UnitPolicy()
party_org_policy = PartyOrgPolicy()
resident_policy = ResidentPolicy()
party_member_policy = PartyMemberPolicy()
audit_event_policy = AuditEventPolicy()
import_job_policy = ImportJobPolicy()
notification_policy = NotificationPolicy()
policies = PolicySet(
    area_policy, unit_policy, party_org_policy, resident_policy, party_member_policy, audit_event_policy,
    import_job_policy, notification_policy,
)

get_area_for_user = area_policy.get_for_user
get_unit_for_user = unit_policy.get_for_user
get_party_org_for_user = party_org_policy.get_for_user
get_resident_for_user = resident_policy.get_for_user
get_party_member_for_user = party_member_policy.get_for_user
get_audit_event_for_user = audit_event_policy.get_for_user
get_import_job_for_user = import_job_policy.get_for_user
get_notification_for_user = notification_policy.get_for_user


def visible_to(user: Any, model: type[models.Model]) -> models.QuerySet[Any]:
    """Every object of `model` the user may see. All lists start here."""
    return policies.visible_to(user, model)


def can(user: Any, action: str, obj: Any) -> bool:
    """May `user` do `action` on `obj` (an Area, Unit, PartyOrg, Resident, PartyMember, AuditEvent, ImportJob)?"""
    return policies.can(user, action, obj)


def require(user: Any, action: str, obj: Any) -> None:
    """Raise PermissionDenied unless `user` may do `action` on `obj`. System jobs pass user=None."""
    policies.require(user, action, obj)


def users_who_can(action: str, area: Area) -> models.QuerySet[User]:
    """Active users whose grants give them `action` at `area` (for notifications)."""
    roles = frozenset(Role.values) if action == "view" else PERSON_RULES.get(action)
    if roles is None or action == "browse":
        raise KeyError(action)
    return users_with_roles_at(roles, area)


def primary_area(user: Any) -> Area | None:
    """The highest area the user's grants cover, for landing pages."""
    grants = sorted(user_grants(user), key=lambda g: g.area.path)
    return grants[0].area if grants else None


__all__ = [
    "ACTIONS", "ADMIN_ROLES", "AREA_MANAGE_ROLES", "AREA_STAFF_ROLES", "MANAGE_ROLES", "PEOPLE_ROLES",
    "REVEAL_ROLES", "ROLE_RANK", "STAFF_ROLES", "area_view_q", "can", "can_grant", "covers", "has_role",
    "is_active_user", "is_superuser", "path_q", "policies", "primary_area", "require", "roles_above", "scope_paths",
    "user_grants", "user_roles", "users_who_can", "visible_to",
]
