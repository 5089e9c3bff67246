"""Read-side questions of the time bank: who sees accounts, who provides rewards, what waits for delivery."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gongzhi.core.permissions import MANAGE_ROLES
from gongzhi.core.policy import is_superuser, path_q, scope_paths

from . import permissions
from .models import Redemption


def sees_accounts(user: Any) -> bool:
    """Staff of an area (its communities' accounts) or a liaison (its unit's)."""
    return (is_superuser(user) or bool(scope_paths(user, permissions.STAFF_ROLES))
            or bool(permissions.liaison_unit_ids(user)))


def provides(user: Any) -> bool:
    """The community's staff (community workers and up) and member units' liaisons deliver rewards."""
    return is_superuser(user) or bool(scope_paths(user, MANAGE_ROLES)) or bool(permissions.liaison_unit_ids(user))


def manage_q(user: Any, prefix: str = "") -> Q:
    """The rewards (or, with prefix "reward__", the redemptions) the user provides: its communities' (staff) and its
    units' (liaison)."""
    if is_superuser(user):
        return Q()
    q = path_q(scope_paths(user, MANAGE_ROLES), f"{prefix}community__path")
    units = permissions.liaison_unit_ids(user)
    if units:
        q |= Q(**{f"{prefix}unit_id__in": units})
    return q


def pending_for_provider_q(user: Any) -> Q:
    """Redemptions awaiting delivery that the user delivers."""
    return manage_q(user, "reward__") & Q(status=Redemption.Status.PENDING)
