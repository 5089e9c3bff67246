"""The navigation shell: each app contributes entries through the registry (`registry.nav`); a user sees only the
entries their roles can use. Core's own entries are registered in CoreConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .permissions import (
    ADMIN_ROLES,
    AREA_STAFF_ROLES,
    MANAGE_ROLES,
    PEOPLE_ROLES,
    STAFF_ROLES,
    has_role,
    is_superuser,
)
from .registry import registry


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: Any
    url_name: str
    allowed: Callable[[Any], bool]


def _roles(roles: frozenset[str]) -> Callable[[Any], bool]:
    return lambda user: is_superuser(user) or has_role(user, roles)


CORE_ENTRIES: list[NavEntry] = [
    NavEntry("home", _("Home"), "core:home", lambda user: True),
    NavEntry("areas", _("Areas"), "core:area_tree", lambda user: True),
    NavEntry("party_orgs", _("Party organizations"), "core:party_org_tree", _roles(STAFF_ROLES)),
    NavEntry("units", _("Units"), "core:unit_list", _roles(STAFF_ROLES)),
    NavEntry("residents", _("Residents"), "core:resident_list", _roles(PEOPLE_ROLES)),
    NavEntry("party_members", _("Party members"), "core:party_member_list", _roles(PEOPLE_ROLES)),
    NavEntry("imports", _("Import and export"), "core:roster_home", _roles(MANAGE_ROLES | AREA_STAFF_ROLES)),
    NavEntry("audit", _("Audit log"), "core:audit_log", _roles(ADMIN_ROLES)),
    NavEntry("notifications", _("Notifications"), "core:notifications",
             lambda user: bool(getattr(user, "is_authenticated", False))),
]


def navigation_for(user: Any) -> list[dict[str, Any]]:
    items = []
    for entry in registry.nav_entries:
        if not entry.allowed(user):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:  # an app whose pages are not wired up yet
            continue
        items.append({"key": entry.key, "label": entry.label, "url": url})
    return items
