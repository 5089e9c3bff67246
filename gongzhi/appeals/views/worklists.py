"""Worklists: 待派单, 待签收, 办理中, 即将超期, 已超期, 待回访 (and 全部工单), each with a count, search, filters, sort,
pages and an Excel export of exactly what is shown.

URLs: /appeals/worklist/<name>/?q=…&area=…&unit=…&category=…&channel=…&urgency=…&deadline=…&status=…
&submitted_from=YYYY-MM-DD&submitted_to=…&sort=…; /appeals/?tab=<name> is the same list. The export is the
same URL with /export/ after the name. The filters: `gongzhi.appeals.worklist_filters`.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from gongzhi.core.errors import RateLimited

from .. import exports, permissions, queries
from ..models import Appeal, Case, Urgency
from ..worklist_filters import (
    DEADLINES,
    SORTS,
    WorklistFilters,
    category_choices,
    decorate,
    filtered_worklist,
    parse_filters,
    phone_search_refused,
    place_choices,
    unit_choices,
    with_codes,
)
from .common import is_htmx, page_of, query_without_page, signed_in

_with_codes = with_codes  # the rates' case lists use the same table

__all__ = ["decorate", "worklist_export", "worklists"]


def _default_tab(user: Any, counts: dict[str, int]) -> str:
    if permissions.handler_unit_ids(user) and counts.get("to_accept"):
        return "to_accept"
    for name in ("pending_dispatch", "to_accept", "overdue", "due_soon", "in_progress", "to_follow_up"):
        if counts.get(name):
            return name
    return "pending_dispatch"


def _list_name(request: HttpRequest, name: str | None, counts: dict[str, int]) -> str:
    name = name or request.GET.get("tab") or _default_tab(request.user, counts)
    if name not in queries.LISTS:
        raise Http404
    return name


def _filter_context(request: HttpRequest, filters: WorklistFilters) -> dict[str, Any]:
    user = request.user
    return {
        "filters": filters,
        "filter_query": filters.query_string(),
        "places": list(place_choices(user)),
        "units": list(unit_choices(user)),
        "categories": category_choices(),
        "channels": Appeal.Channel.choices,
        "urgencies": Urgency.choices,
        "deadlines": list(DEADLINES.items()),
        "statuses": [(value, label) for value, label in Case.Status.choices if value != Case.Status.MERGED],
        "sorts": list(SORTS.items()),
    }


@signed_in
@require_GET
def worklists(request: HttpRequest, name: str | None = None) -> HttpResponse:
    permissions.case_policy.require_somewhere(request.user, "browse")  # staff work: residents get 403
    counts = queries.worklist_counts(request.user)
    name = _list_name(request, name, counts)
    filters = parse_filters(request.user, request.GET)
    now = timezone.now()
    limited = ""
    try:
        cases = filtered_worklist(request.user, name, filters, now)
    except RateLimited as exc:
        limited = exc.message
        cases = queries.worklist(request.user, name, now).none()
    page = page_of(request, with_codes(cases))
    decorate(list(page.object_list), now)
    tab_query = request.GET.copy()
    for key in ("page", "tab", "status"):
        tab_query.pop(key, None)
    context = {
        "tabs": [{"name": key, "label": label, "count": counts.get(key)} for key, label in queries.LISTS.items()],
        "current": name,
        "current_label": queries.LISTS[name],
        "page": page,
        "query": query_without_page(request),
        "tab_query": tab_query.urlencode(),
        "errors": filters.errors,
        "limited": limited,
        "phone_refused": phone_search_refused(request.user, filters),
        "can_hotline": permissions.can_take_hotline(request.user),
        "can_patrol": permissions.can_patrol(request.user),
        **_filter_context(request, filters),
    }
    status = 429 if limited else 400 if filters.errors else 200
    if is_htmx(request) and request.headers.get("HX-Target") == "worklist-table":
        return render(request, "appeals/_case_table.html", context, status=status)
    return render(request, "appeals/worklists.html", context, status=status)


@signed_in
@require_GET
def worklist_export(request: HttpRequest, name: str) -> HttpResponse:
    permissions.case_policy.require_somewhere(request.user, "browse")
    if name not in queries.LISTS:
        raise Http404
    filters = parse_filters(request.user, request.GET)
    if filters.errors:
        return HttpResponse(" ".join(filters.errors), status=400, content_type="text/plain; charset=utf-8")
    try:
        return exports.worklist_response(request.user, name, filters)
    except RateLimited as exc:
        return HttpResponse(exc.message, status=429, content_type="text/plain; charset=utf-8")
