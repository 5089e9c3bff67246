"""The navigation shell: each app contributes entries through the registry (`registry.nav`); a user sees only the
entries their roles can use. Core's own entries are registered in CoreConfig.ready().

On a wide screen every entry shows, in the registry's order. On a phone only the user's PHONE_MAIN entries of
lowest `priority` show (the main work of their roles: a department handler's 接诉即办 and 吹哨报到, never the ninth
entry scrolled off screen), in the same order, and the others sit behind a 更多 menu (a <details> element, no
script). An entry of an app that is somebody's daily work takes a low priority; the default, 100, goes behind the
menu first."""

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
    # On a phone, the entries of lowest priority stay on the bar (see PHONE_MAIN); the others go behind the menu.
    priority: int = 100
    # The priority for this user, when it depends on the roles (an entry that is one role's main work only).
    priority_for: Callable[[Any], int] | None = None


# How many entries a phone's bar shows besides the menu button (the labels are two to four characters).
PHONE_MAIN = 4


def browses(policy: Policy[Any]) -> Callable[[Any], bool]:
    """An entry shown to whoever may open the policy's list pages (`browse` somewhere)."""
    return lambda user: policy.can_somewhere(user, "browse")


CORE_ENTRIES: list[NavEntry] = [
    NavEntry("home", _("Home"), "core:home", lambda user: True, priority=0),
    NavEntry("areas", _("Areas"), "core:area_tree", lambda user: True, priority=90),
    NavEntry("party_orgs", _("Party organizations"), "core:party_org_tree", browses(party_org_policy)),
    NavEntry("units", _("Units"), "core:unit_list", browses(unit_policy)),
    NavEntry("residents", _("Residents"), "core:resident_list", browses(resident_policy)),
    NavEntry("party_members", _("Party members"), "core:party_member_list", browses(party_member_policy)),
    NavEntry("imports", _("Import and export"), "core:roster_home", browses(import_job_policy)),
    NavEntry("audit", _("Audit log"), "core:audit_log", browses(audit_event_policy)),
    NavEntry("notifications", _("Notifications"), "core:notifications",
             lambda user: bool(getattr(user, "is_authenticated", False)), priority=30),
]


def navigation_for(user: Any) -> list[dict[str, Any]]:
    """The entries the user can use, in order, each with `main`: whether it stays on a phone's bar."""
    items = []
    priorities = []
    for entry in registry.nav_entries:
        if not entry.allowed(user):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:  # an app whose pages are not wired up yet
            continue
        items.append({"key": entry.key, "label": entry.label, "url": url, "main": True})
        priorities.append(entry.priority_for(user) if entry.priority_for is not None else entry.priority)
    if len(items) > PHONE_MAIN + 1:  # a menu holding a single entry would take the room of that entry
        keep = set(sorted(range(len(items)), key=lambda i: (priorities[i], i))[:PHONE_MAIN])
        for i, item in enumerate(items):
            item["main"] = i in keep
    return items
