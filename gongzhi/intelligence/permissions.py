"""Who may manage the classifier: city and district administrators (and superusers). Anyone signed in
with a staff role may ask for suggestions."""

from __future__ import annotations

from typing import Any

from gongzhi.core.permissions import ADMIN_ROLES, STAFF_ROLES, has_role, is_superuser


def can_manage_classifier(user: Any) -> bool:
    return is_superuser(user) or has_role(user, ADMIN_ROLES)


def can_request_suggestions(user: Any) -> bool:
    return is_superuser(user) or has_role(user, STAFF_ROLES)
