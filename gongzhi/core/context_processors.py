from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpRequest

from .navigation import navigation_for
from .permissions import user_grants
from .queries import unread_notifications


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The navigation entries the user can use (`nav_more`: those a phone shows behind the menu), the current
    entry, the number of unread notifications (one query per request, shared with the home page's tasks), and the
    user's roles for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_more": [], "nav_current": "", "nav_unread": 0, "user_role_labels": []}
    items = navigation_for(user)
    path = request.path
    current = ""
    best = 0
    for item in items:
        url = item["url"]
        if (path == url or (url != "/" and path.startswith(url))) and len(url) > best:
            current, best = item["key"], len(url)
    labels: list[str] = []
    for grant in user_grants(user):
        label = str(grant.get_role_display())
        if label not in labels:
            labels.append(label)
    more = [item for item in items if not item["main"]]
    return {
        "nav_items": items,
        "nav_more": more,
        "nav_more_current": any(item["key"] == current for item in more),
        "nav_current": current,
        "nav_unread": partial(unread_notifications, user),  # called by the template, if it shows the menu
        "user_role_labels": labels,
    }
