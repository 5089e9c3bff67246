"""Blocks the lists add to other apps' pages (registered in ListsConfig.ready with `registry.panel`): on a case page,
the demands and themes of its appeals; on the hot-issue page, the buttons that turn an issue into one."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from gongzhi.appeals.queries import appeals_of_case

from . import permissions, queries


def case_lists_panel(request: HttpRequest, case: Any) -> str:
    """On a case page: the demands and monthly themes that came from its appeals, those the viewer may see."""
    demands, themes = queries.records_from_appeals(request.user, appeals_of_case(case))
    if not demands and not themes:
        return ""
    return render_to_string("lists/_case_panel.html", {"demands": demands, "themes": themes}, request=request)


def hot_issue_actions(request: HttpRequest, issue: dict[str, Any]) -> str:
    """On the hot-issue page, for each issue: the buttons that open the lists' form with its appeals."""
    can_demand = permissions.can_create_demands(request.user)
    can_theme = permissions.can_propose_themes(request.user)
    if not (can_demand or can_theme):
        return ""
    return render_to_string("lists/_hot_issue_actions.html", {
        "ids": issue["ids"], "can_demand": can_demand, "can_theme": can_theme, "back": request.get_full_path(),
    }, request=request)
