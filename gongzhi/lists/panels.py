"""Blocks the lists add to other apps' pages (registered in ListsConfig.ready with `registry.panel`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from gongzhi.appeals.queries import appeals_of_case

from . import queries


def case_lists_panel(request: HttpRequest, case: Any) -> str:
    """On a case page: the demands and monthly themes that came from its appeals, those the viewer may see."""
    demands, themes = queries.records_from_appeals(request.user, appeals_of_case(case))
    if not demands and not themes:
        return ""
    return render_to_string("lists/_case_panel.html", {"demands": demands, "themes": themes}, request=request)
