from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .navigation import navigation_for
from .permissions import user_grants


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The navigation entries the user can use, the current entry, and the user's roles for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_current": "", "user_role_labels": []}
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
    return {"nav_items": items, "nav_current": current, "user_role_labels": labels}
