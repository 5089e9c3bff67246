"""Blocks intelligence adds to the appeals' case page (`registry.panel`), for those who may dispatch the case
while it waits for dispatch: the category suggestions with their adopt buttons (beside the dispatch form)
and the duplicate candidates with their merge buttons (below the appeals)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from gongzhi.appeals import queries as appeals_queries

from .duplicates import duplicates_for_case
from .suggestions import suggestions_for_case

if TYPE_CHECKING:
    from gongzhi.appeals.models import Case


def _dispatchable(request: HttpRequest, case: Case) -> bool:
    return appeals_queries.waits_for_dispatch(case) and appeals_queries.can(request.user, "dispatch", case)


def suggestions_panel(request: HttpRequest, case: Case) -> str:
    if not _dispatchable(request, case):
        return ""
    found = suggestions_for_case(case)
    if not found:
        return ""
    return render_to_string("intelligence/_suggestions.html", {"suggestions": found, "case": case}, request=request)


def duplicates_panel(request: HttpRequest, case: Case) -> str:
    if not _dispatchable(request, case):
        return ""
    found = duplicates_for_case(case, user=request.user)
    if not found:
        return ""
    user: Any = request.user
    for d in found:
        d.can_merge_there = appeals_queries.can(user, "dispatch", d.case)
        d.can_merge_here = appeals_queries.waits_for_dispatch(d.case) and d.can_merge_there
    return render_to_string("intelligence/_duplicates.html", {"duplicates": found, "case": case}, request=request)
