"""The demo accounts: one login per role, and the table `make run` prints."""


from __future__ import annotations

import unicodedata

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from ..models import (
    Grant,
    Role,
    User,
)
from .data import DEMO_URL
from .write import demo_password

# --- the demo accounts ------------------------------------------------------------------------------------

DEMO_USERNAMES = [
    "admin",
    "city_admin",
    "district_admin",
    "jd_staff",
    "sq_worker",
    "sq_worker2",
    "grid_worker",
    "dept_handler",
    "unit_liaison",
    "party_member",
    "volunteer",
    "resident",
    "follow_up_caller",
    "fx_worker",
    "xt_worker",
    "xt_resident",
]


def demo_accounts() -> list[dict[str, str]]:
    """The demo accounts present in the database, in a fixed order, with their role and scope."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=DEMO_USERNAMES).prefetch_related(
            Prefetch("grants", queryset=Grant.objects.select_related("area", "unit").order_by("pk"))
        )
    }
    password = demo_password()
    accounts: list[dict[str, str]] = []
    for username in DEMO_USERNAMES:
        user = users.get(username)
        if user is None:
            continue
        grants = list(user.grants.all())
        if grants:
            grant = grants[0]
            role, label = grant.role, str(Role(grant.role).label)
            scope = grant.unit.name if grant.unit is not None else grant.area.name
        elif user.is_superuser:
            role, label, scope = "superuser", _("System administrator"), _("Everything")
        else:
            continue
        accounts.append(
            {
                "username": username,
                "password": password,
                "role": role,
                "role_label": label,
                "scope": scope,
                "display_name": user.display_name,
                "url": DEMO_URL,
            }
        )
    return accounts


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_accounts_table(accounts: list[dict[str, str]]) -> str:
    """A plain-text table of the demo accounts, aligned for Chinese text in a terminal."""
    headers = [_("Username"), _("Password"), _("Role"), _("Scope"), _("Sign-in URL")]
    rows = [[a["username"], a["password"], a["role_label"], a["scope"], a["url"]] for a in accounts]
    widths = [max(_width(row[c]) for row in [headers, *rows]) for c in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(cell + " " * (widths[c] - _width(cell)) for c, cell in enumerate(cells)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [_("Demo accounts"), rule, line(headers), rule, *(line(row) for row in rows), rule]
    if not rows:
        out.insert(1, _("There are no demo accounts in this database."))
    return "\n".join(out)
