"""The navigation shell: each app contributes entries through the registry (`registry.nav`); a user sees only the
entries their roles can use. Core's own entries are registered in CoreConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .permissions import (
    audit_event_policy,
    import_job_policy,
    party_member_policy,
    party_org_policy,
    resident_policy,
    unit_policy,
)
from .policy import Policy
from .registry import registry


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: Any
    url_name: str
    allowed: Callable[[Any], bool]


def browses(policy: Policy[Any]) -> Callable[[Any], bool]:
    """An entry shown to whoever may open the policy's list pages (`browse` somewhere)."""
    return lambda user: policy.can_somewhere(user, "browse")


CORE_ENTRIES: list[NavEntry] = [
    NavEntry("home", _("Home"), "core:home", lambda user: True),
    NavEntry("areas", _("Areas"), "core:area_tree", lambda user: True),
    NavEntry("party_orgs", _("Party organizations"), "core:party_org_tree", browses(party_org_policy)),
    NavEntry("units", _("Units"), "core:unit_list", browses(unit_policy)),
    NavEntry("residents", _("Residents"), "core:resident_list", browses(resident_policy)),
    NavEntry("party_members", _("Party members"), "core:party_member_list", browses(party_member_policy)),
    NavEntry("imports", _("Import and export"), "core:roster_home", browses(import_job_policy)),
    NavEntry("audit", _("Audit log"), "core:audit_log", browses(audit_event_policy)),
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
