"""Template helpers of the lists pages: `{% load lists_tags %}`, `{% if request.user|lists_can:"surveys" %}` gates a
tab of `lists/_tabs.html` (each part adds its gate to GATES)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import template

from .. import permissions

register = template.Library()

GATES: dict[str, Callable[[Any], bool]] = {
    "demands": permissions.can_view_lists,
    "surveys": permissions.can_view_surveys,
    "projects": permissions.can_view_projects,
}


@register.filter
def lists_can(user: Any, name: str) -> bool:
    gate = GATES.get(name)
    return bool(gate and gate(user))
