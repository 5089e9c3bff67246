"""Worklists: 待派单, 待签收, 办理中, 即将超期, 已超期, 待回访, each with a count, pages and an Excel export."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import exports, permissions, queries
from ..models import Appeal, Case
from .common import is_htmx, page_of, query_without_page, signed_in


def _with_codes(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.prefetch_related(
        Prefetch(
            "appeals",
            queryset=Appeal.objects.only("id", "tracking_code", "case_id").order_by("created_at", "id"),
        )
    )


def _default_tab(user: Any, counts: dict[str, int]) -> str:
    if permissions.handler_unit_ids(user) and counts.get("to_accept"):
        return "to_accept"
    for name in ("pending_dispatch", "to_accept", "overdue", "due_soon", "in_progress", "to_follow_up"):
        if counts.get(name):
            return name
    return "pending_dispatch"


def decorate(cases: list[Case]) -> list[Case]:
    """Give each case its first tracking code and its deadline badge for the tables."""
    now = timezone.now()
    for case in cases:
        appeals = list(case.appeals.all())
        case.first_code = appeals[0].masked_code if appeals else ""  # type: ignore[attr-defined]
        case.badge = "overdue" if case.is_overdue(now) else "due_soon" if case.is_due_soon(now) else ""  # type: ignore[attr-defined]
    return cases


@signed_in
@require_GET
def worklists(request: HttpRequest, name: str | None = None) -> HttpResponse:
    permissions.case_policy.require_somewhere(request.user, "browse")  # staff work: residents get 403
    counts = queries.worklist_counts(request.user)
    if name is None:
        name = _default_tab(request.user, counts)
    if name not in queries.WORKLISTS:
        raise Http404
    page = page_of(request, _with_codes(queries.worklist(request.user, name)))
    decorate(list(page.object_list))
    context = {
        "tabs": [
            {"name": key, "label": label, "count": counts[key]} for key, label in queries.WORKLISTS.items()
        ],
        "current": name,
        "current_label": queries.WORKLISTS[name],
        "page": page,
        "query": query_without_page(request),
        "can_hotline": permissions.can_take_hotline(request.user),
        "can_patrol": permissions.can_patrol(request.user),
    }
    if is_htmx(request) and request.headers.get("HX-Target") == "worklist-table":
        return render(request, "appeals/_case_table.html", context)
    return render(request, "appeals/worklists.html", context)


@signed_in
@require_GET
def worklist_export(request: HttpRequest, name: str) -> HttpResponse:
    permissions.case_policy.require_somewhere(request.user, "browse")
    if name not in queries.WORKLISTS:
        raise Http404
    return exports.worklist_response(request.user, name)
