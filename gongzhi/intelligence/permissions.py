"""Who may manage the classifier: city and district administrators (and superusers). Anyone signed in
with a staff role may ask for suggestions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gongzhi.core.permissions import ADMIN_ROLES, STAFF_ROLES, has_role, is_superuser


def can_manage_classifier(user: Any) -> bool:
    return is_superuser(user) or has_role(user, ADMIN_ROLES)


def can_request_suggestions(user: Any) -> bool:
    return is_superuser(user) or has_role(user, STAFF_ROLES)


def require_manage_classifier(user: Any) -> None:
    """403 unless the user may manage the classifier (None: the system itself, e.g. the scheduled retraining)."""
    if user is not None and not can_manage_classifier(user):
        raise PermissionDenied(_("Only city or district administrators may manage the classifier."))
