"""`{% venue_services venue %}`: the services offered at a venue, for the rooms part's venue page (through the
include point venues/services/_venue_panel.html)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def venue_services(context: Any, venue: Any) -> SafeString | str:
    request = context.get("request")
    if request is None or venue is None:
        return ""
    from ..views.services import venue_services as panel

    return mark_safe(panel(request, venue))  # noqa: S308 - rendered by a template with autoescape
