"""Hot issues page (/intelligence/hot/): groups of recent appeals, a chart, Excel, and links to the lists' form that
turns an issue into a demand or proposes it as the month's theme (/lists/demands/new/?source=hot_issue&appeals=...)."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from gongzhi.core.models import Area
from gongzhi.core.permissions import visible_to as core_visible_to
from gongzhi.core.registry import render_panels
from gongzhi.lib.spreadsheets import append_row, export_filename, xlsx_response

from . import hot_queries
from .permissions import require_view_hot

signed_in = login_required(login_url="core:login")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_GROUPS = 50
FILTER_LEVELS = ("district", "subdistrict", "community")


def _require_hot(user: Any) -> None:
    require_view_hot(user)


def _window(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days") or hot_queries.DEFAULT_WINDOW)
    except ValueError:
        return hot_queries.DEFAULT_WINDOW
    return days if days in hot_queries.WINDOWS else hot_queries.DEFAULT_WINDOW


def _filter_areas(user: Any) -> list[Area]:
    return list(core_visible_to(user, Area).filter(level__in=FILTER_LEVELS).only("id", "name", "level", "path")[:500])


def _area(request: HttpRequest, choices: list[Area]) -> Area | None:
    raw = request.GET.get("area") or ""
    if not raw.isdigit():
        return None
    area = next((a for a in choices if a.pk == int(raw)), None)
    if area is None:
        raise Http404
    return area


def _issues(request: HttpRequest) -> tuple[hot_queries.HotIssues, int, Area | None, list[Area]]:
    _require_hot(request.user)
    days = _window(request)
    choices = _filter_areas(request.user)
    area = _area(request, choices)
    return hot_queries.hot_issues_for(request.user, days=days, area=area), days, area, choices


# Other apps add what can be done with a hot issue (the lists: turn it into a demand, propose it as the month's
# theme) as panels of this page: `fn(request, issue)` with issue = {"title", "appeal_ids", "ids"}.
HOT_ISSUE_PANEL = "intelligence.hot_issue"


def _rows(request: HttpRequest, issues: hot_queries.HotIssues) -> list[dict[str, Any]]:
    rows = []
    for group in issues.groups[:PAGE_GROUPS]:
        refs = issues.refs(group)
        ids = ",".join(str(r.id) for r in refs)
        issue = {"title": group.title, "appeal_ids": [r.id for r in refs], "ids": ids}
        rows.append({"group": group, "refs": refs, "ids": ids, "actions": render_panels(HOT_ISSUE_PANEL, request, issue)})
    return rows


@signed_in
@require_GET
def hot_page(request: HttpRequest) -> HttpResponse:
    issues, days, area, choices = _issues(request)
    top = issues.groups[:10]
    chart = {
        "names": [g.title[:16] + ("…" if len(g.title) > 16 else "") for g in top],
        "heat": [g.heat for g in top],
        "label": _("Heat"),
    }
    return render(request, "intelligence/hot.html", {
        "rows": _rows(request, issues), "total": len(issues.groups), "truncated": issues.truncated, "days": days,
        "windows": hot_queries.WINDOWS, "area": area, "areas": choices, "chart": chart,
        "max_appeals": hot_queries.MAX_APPEALS,
    })


def _fmt(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@signed_in
@require_GET
def hot_export(request: HttpRequest) -> HttpResponse:
    issues, days, _area_filter, _choices = _issues(request)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Hot issues"))
    append_row(ws, [_("Rank"), _("Hot issue"), _("Place"), _("Number of appeals"), _("Number of residents"), _("Likes"), _("Heat"),
               _("First appeal"), _("Latest appeal"), _("Appeal tracking codes"), _("Cases")])
    for group in issues.groups:
        refs = issues.refs(group)
        append_row(ws, [group.rank, group.title, group.place_label, group.count, group.residents, group.likes, group.heat,
                   _fmt(group.first_at), _fmt(group.last_at), " ".join(r.tracking_code for r in refs),
                   " ".join(f"#{r.case_id}" for r in refs if r.case_id)])
    out = io.BytesIO()
    wb.save(out)
    return xlsx_response(out.getvalue(), export_filename("热点问题", f"近{days}天", day=timezone.localdate()))
