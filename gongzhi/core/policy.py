"""Permission policies as declarations, as Wagtail's `permission_policies/base.py`.

A role is granted at a node of the area tree and covers its subtree. A policy names a model, the path from
the model to its area's path, the roles that see its objects in their subtree and, per action, the roles
that may do it there; an app adds its extra rules as small hooks:

    class DemandPolicy(Policy[Demand]):
        model = Demand
        noun = "demand"
        area_path = "area__path"
        view_roles = VIEW_ROLES
        rules = {"create_demand": DEMAND_ROLES}

    demand_policy = DemandPolicy()
    get_demand_for_user = demand_policy.get_for_user

Every policy answers the same questions with one signature:

- `visible_to(user)` → the queryset every list starts from;
- `can(user, action, obj)` / `require(user, action, obj)` (PermissionDenied → 403);
- `get_for_user(user, pk)` → the object, or Http404 when it does not exist *or* lies outside the user's
  scope (never reveal that it exists); apps expose it as `get_<noun>_for_user`;
- `users_who_can(action, obj)` → whom to notify;
- `can_somewhere(user, action)` (the action anywhere, for menus and page gates) and `areas_where(user,
  action)` (the areas where the user may do it, for forms' area choices).

Hooks a policy may override: `visible_q(user)` (the visibility filter), `scope(qs, user)` (e.g. to add
`.distinct()`), `path_of(obj)`, `in_scope(user, obj, roles)`, `check_<action>(user, obj)` for an action whose
rule is more than "these roles in the subtree", and `grantees(action, obj)`.

An app's module-level `visible_to(user, model)` / `can(user, action, obj)` dispatch to its policies through a
`PolicySet`. The user's grants are read once per request and cached on the user object.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Area, Grant, Role, User

if TYPE_CHECKING:
    from django.db.models import QuerySet

M = TypeVar("M", bound=models.Model)

Roles = frozenset[str]


# --- The user's grants and the tree ------------------------------------------------------------------------


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


def is_active_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


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
    """Does one of the user's grants (of `roles`) lie at `area` or above it?"""
    if area is None:
        return False
    if is_superuser(user):
        return True
    return any(area.path.startswith(p) for p in scope_paths(user, roles))


def users_with_roles_at(roles: Iterable[str], area: Area) -> models.QuerySet[User]:
    """Active users granted one of `roles` at `area` or above it."""
    return User.objects.filter(
        is_active=True, grants__role__in=list(roles), grants__area_id__in=area.ancestor_ids()
    ).distinct()


# --- The base policy -----------------------------------------------------------------------------------------


class Policy(Generic[M]):
    """Who sees the objects of `model` and who may do what to them. Subclass it, declare, and instantiate once."""

    model: ClassVar[type[models.Model]]
    # Used in messages and in the name of the access helper the app exposes: get_<noun>_for_user.
    noun: ClassVar[str] = ""
    # The lookup from the model to its area's path ("area__path", "area_path", "path"); "" for records that
    # belong to no area: then the rules hold anywhere (a role anywhere is enough).
    area_path: ClassVar[str] = ""
    # The attribute holding an object's Area, for rules checked on one object.
    area_attr: ClassVar[str] = "area"
    # Roles that see the objects under their grants' areas; None: any role.
    view_roles: ClassVar[Roles | None] = None
    # Per action, the roles that may do it at the object's area and below.
    rules: ClassVar[Mapping[str, Roles]] = {}
    # Every action name `can` accepts (unknown ones raise ValueError); defaults to "view" and the rules'.
    actions: ClassVar[tuple[str, ...]] = ()
    # What get_for_user loads with the object.
    select_related: ClassVar[tuple[str, ...]] = ()
    # False for a policy of what is done *at* an area (another app's policy answers who sees the areas).
    answers_visibility: ClassVar[bool] = True
    # Inactive users still see lists (core's rule: they cannot sign in anyway); otherwise they see nothing.
    inactive_users_see: ClassVar[bool] = False

    # -- hooks ------------------------------------------------------------------------------------------

    def visible_q(self, user: Any) -> Q:
        """The filter of what a signed-in, non-superuser `user` sees."""
        if not self.area_path:
            return Q() if self.view_roles is None or has_role(user, self.view_roles) else Q(pk__in=[])
        return path_q(scope_paths(user, self.view_roles), self.area_path)

    def scope(self, qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
        return qs.filter(self.visible_q(user))

    def area_of(self, obj: Any) -> Area | None:
        if isinstance(obj, Area):
            return obj
        area = getattr(obj, self.area_attr, None)
        return area if isinstance(area, Area) else None

    def path_of(self, obj: Any) -> str | None:
        area = self.area_of(obj)
        return area.path if area is not None else None

    def in_scope(self, user: Any, obj: Any, roles: Iterable[str]) -> bool:
        """Does a grant of `roles` cover `obj` (its area, or anywhere for records without one)?"""
        if is_superuser(user):
            return self.path_of(obj) is not None if self.area_path else True
        if not self.area_path:
            return has_role(user, roles)
        path = self.path_of(obj)
        return path is not None and any(path.startswith(p) for p in scope_paths(user, roles))

    def grantees(self, action: str, obj: Any) -> models.QuerySet[User]:
        roles = self.rules.get(action) if action != "view" else (self.view_roles or frozenset(Role.values))
        if roles is None:
            raise ValueError(f"Unknown action {action!r} for {self.model.__name__}")
        area = self.area_of(obj)
        if area is None:
            return User.objects.filter(is_active=True, grants__role__in=list(roles)).distinct()
        return users_with_roles_at(roles, area)

    # -- the questions ----------------------------------------------------------------------------------

    def all_actions(self) -> tuple[str, ...]:
        return self.actions or ("view", *self.rules)

    def visible_to(self, user: Any) -> QuerySet[M]:
        """Every object the user may see. All lists start here."""
        if not self.answers_visibility:
            raise TypeError(f"No visibility rule for {self.model.__name__}")
        manager: Any = self.model._default_manager
        qs = manager.all()
        if is_superuser(user):
            return qs
        if not (getattr(user, "is_authenticated", False) if self.inactive_users_see else is_active_user(user)):
            return qs.none()
        return self.scope(qs, user)

    def can(self, user: Any, action: str, obj: Any) -> bool:
        """May `user` do `action` on `obj`?"""
        if action not in self.all_actions():
            raise ValueError(f"Unknown action {action!r}")
        if not is_active_user(user):
            return False
        hook = getattr(self, f"check_{action}", None)
        if hook is not None:
            return bool(hook(user, obj))
        if action == "view" and action not in self.rules:
            return bool(self.visible_to(user).filter(pk=obj.pk).exists())
        roles = self.rules.get(action)
        return roles is not None and self.in_scope(user, obj, roles)

    def require(self, user: Any, action: str, obj: Any, message: str | None = None) -> None:
        """Raise PermissionDenied unless `user` may do `action` on `obj`. System jobs pass user=None."""
        if user is None:
            return
        if not self.can(user, action, obj):
            raise PermissionDenied(_("You do not have permission to do this here.") if message is None else message)

    def can_somewhere(self, user: Any, action: str) -> bool:
        """May `user` do `action` anywhere (menus, page gates)? A superuser may."""
        roles = self.rules.get(action)
        if roles is None:
            raise ValueError(f"Unknown action {action!r}")
        return is_superuser(user) or (is_active_user(user) and has_role(user, roles))

    def require_somewhere(self, user: Any, action: str, message: str | None = None) -> None:
        """Raise PermissionDenied (403) unless `user` may do `action` somewhere: the gate of a list page."""
        if not self.can_somewhere(user, action):
            raise PermissionDenied(_("This page is not available to your role.") if message is None else message)

    def areas_where(self, user: Any, action: str) -> QuerySet[Area]:
        """The areas where `user` may do `action` (every area for a superuser)."""
        roles = self.rules.get(action)
        if roles is None:
            raise ValueError(f"Unknown action {action!r}")
        qs = Area.objects.all()
        if is_superuser(user):
            return qs
        return qs.filter(path_q(scope_paths(user, roles), "path"))

    def get_for_user(self, user: Any, pk: Any) -> M:
        """The object if it exists and the user may see it; Http404 otherwise (never reveal that it exists)."""
        try:
            obj = self.visible_to(user).select_related(*self.select_related).filter(pk=pk).first()
        except (ValueError, TypeError):
            obj = None
        if obj is None:
            raise Http404(_("Not found, or outside your area."))
        return obj

    def users_who_can(self, action: str, obj: Any) -> models.QuerySet[User]:
        """Active users who may do `action` on `obj` (whom to notify)."""
        return self.grantees(action, obj)


class PolicySet:
    """An app's policies, one per model; the app's module-level `visible_to(user, model)`, `can(user, action, obj)`
    and `require` dispatch to them by the object's type."""

    def __init__(self, *policies: Policy[Any]) -> None:
        self.by_model: dict[type[models.Model], Policy[Any]] = {p.model: p for p in policies}

    def policy_for(self, model: type[Any]) -> Policy[Any]:
        for klass in model.__mro__:
            policy = self.by_model.get(klass)
            if policy is not None:
                return policy
        raise TypeError(f"No policy for {model.__name__}")

    def visible_to(self, user: Any, model: type[models.Model]) -> models.QuerySet[Any]:
        """Every object of `model` the user may see. All lists start here."""
        policy = self.by_model.get(model)
        if policy is None:
            raise TypeError(f"No visibility rule for {model.__name__}")
        return policy.visible_to(user)

    def can(self, user: Any, action: str, obj: Any) -> bool:
        return self.policy_for(type(obj)).can(user, action, obj)

    def require(self, user: Any, action: str, obj: Any, message: str | None = None) -> None:
        if user is None:
            return
        self.policy_for(type(obj)).require(user, action, obj, message)
