"""The quarter pages (每季度动态更新), for staff:

- /lists/quarters/ — the communities whose quarters the user sees (straight to the one when there is one);
- /lists/quarters/<community>/ and /<community>/<2026-Q4>/ — a quarter (default: the one under way): on each list
  the new, changed, met or finished and stale items, with counts and links; the closing button;
- /lists/quarters/<community>/<quarter>/close/ (POST) — close it (snapshot);
- /lists/quarters/<community>/<quarter>/export/ — the quarter as an Excel workbook;
- /lists/quarters/<community>/compare/?a=2026-Q3&b=2026-Q4 — two quarters side by side.

Another community's pages are 404; a role that sees the community but not its lists gets 403.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area
from gongzhi.core.permissions import visible_to as core_visible_to
from gongzhi.lib.spreadsheets import append_row, export_filename, xlsx_response

from .. import permissions
from ..actions import quarters as quarter_actions
from ..models import CapacityUnit, ResourceKind
from ..quarters import FLAGS, LISTS, Quarter, QuarterView, closed_quarters, compare, quarter_view, statuses

signed_in = login_required(login_url="core:login")

LIST_LABELS = {"demands": gettext_lazy("Demand list"), "resources": gettext_lazy("Resource list"),
               "projects": gettext_lazy("Project list")}
FLAG_LABELS = {"total": gettext_lazy("On the list"), "new": gettext_lazy("New this quarter"),
               "changed": gettext_lazy("Changed"), "met": gettext_lazy("Met"), "finished": gettext_lazy("Finished"),
               "stale": gettext_lazy("Stale")}
STALE_LABELS = {"demands": gettext_lazy("Open and untouched for 90 days"),
                "resources": gettext_lazy("Past their validity"),
                "projects": gettext_lazy("With an overdue milestone")}
DETAIL_URLS = {"demands": "lists:demand", "resources": "lists:resource", "projects": "lists:project"}


def get_community_for_user(user: Any, pk: int) -> Area:
    """The community if the user sees it (404 otherwise); 403 unless the user may see its quarters."""
    area = core_visible_to(user, Area).filter(pk=pk, level=Area.Level.COMMUNITY).first()
    if area is None:
        raise Http404(_("Not found, or outside your area."))
    permissions.require(user, "view_quarter", area, _("Only the staff who keep the community's lists see its "
                                                      "quarters."))
    return area


def _quarter(text: str) -> Quarter:
    quarter = Quarter.parse(text)
    if quarter is None or quarter.is_future():
        raise Http404(_("No such quarter."))
    return quarter


def _detail_url(name: str, pk: int) -> str:
    try:
        return reverse(DETAIL_URLS[name], args=[pk])
    except NoReverseMatch:  # a list whose pages are not there
        return ""


def _sections(view: QuarterView) -> list[dict[str, Any]]:
    labels = statuses()
    kinds = dict(ResourceKind.choices)
    sections = []
    for name in LISTS:
        counts = view.counts(name)
        parts = []
        for flag in FLAGS[name]:
            rows = view.rows(name, flag)
            for row in rows:
                row["url"] = _detail_url(name, row["id"])
                row["status_label"] = labels[name].get(row["status"], row["status"])
                if name == "resources":
                    row["kind_label"] = kinds.get(row.get("kind", ""), "")
            parts.append({"flag": flag, "label": STALE_LABELS[name] if flag == "stale" else FLAG_LABELS[flag],
                          "rows": rows, "count": counts.get(flag, 0)})
        by_status = [(labels[name].get(k, k), n) for k, n in counts.get("by_status", {}).items()]
        sections.append({"name": name, "label": LIST_LABELS[name], "total": counts.get("total", 0),
                         "parts": parts, "by_status": by_status})
    return sections


@signed_in
@require_GET
def quarter_index(request: HttpRequest) -> HttpResponse:
    communities = list(permissions.community_areas(request.user, "view_quarter").select_related("parent")
                       .order_by("path")[:500])
    if not communities:
        raise PermissionDenied(_("Only the staff who keep a community's lists see its quarters."))
    if len(communities) == 1:
        return redirect("lists:quarter_current", communities[0].pk)
    return render(request, "lists/quarter_index.html", {"communities": communities, "quarter": Quarter.current()})


@signed_in
@require_GET
def quarter_current(request: HttpRequest, community_id: int) -> HttpResponse:
    return quarter_page(request, community_id, Quarter.current().slug)


@signed_in
@require_GET
def quarter_page(request: HttpRequest, community_id: int, quarter: str) -> HttpResponse:
    community = get_community_for_user(request.user, community_id)
    q = _quarter(quarter)
    view = quarter_view(community, q)
    closed = closed_quarters(community)
    recent = sorted({q, Quarter.current(), *closed, *(_recent(Quarter.current(), 4))}, reverse=True)
    return render(request, "lists/quarter_page.html", {
        "community": community, "quarter": q, "view": view, "sections": _sections(view),
        "can_close": permissions.can(request.user, "close_quarter", community) and not view.closed,
        "quarters": recent, "closed": set(closed), "previous": q.previous(),
        "next": None if q.next().is_future() else q.next(),
    })


def _recent(quarter: Quarter, n: int) -> list[Quarter]:
    out = []
    for _i in range(n):
        out.append(quarter)
        quarter = quarter.previous()
    return out


@signed_in
@require_POST
def quarter_close(request: HttpRequest, community_id: int, quarter: str) -> HttpResponse:
    community = get_community_for_user(request.user, community_id)
    q = _quarter(quarter)
    try:
        quarter_actions.do_close_quarter(community, q, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("lists:quarter", community.pk, q.slug)
    messages.success(request, _("%(quarter)s is closed: the three lists are kept as they stand now, for comparing "
                                "later.") % {"quarter": q})
    return redirect("lists:quarter", community.pk, q.slug)


@signed_in
@require_GET
def quarter_compare(request: HttpRequest, community_id: int) -> HttpResponse:
    community = get_community_for_user(request.user, community_id)
    current = Quarter.current()
    closed = closed_quarters(community)
    default_a = closed[0] if closed and closed[0] != current else current.previous()
    a = Quarter.parse(request.GET.get("a", "")) or default_a
    b = Quarter.parse(request.GET.get("b", "")) or current
    if a.is_future() or b.is_future():
        raise Http404(_("No such quarter."))
    if b < a:
        a, b = b, a
    va, vb = quarter_view(community, a), quarter_view(community, b)
    result = compare(va, vb)
    labels = statuses()
    rows = []
    for name in LISTS:
        changes = [{"change": c, "url": _detail_url(name, c.id), "before": labels[name].get(c.before, ""),
                    "after": labels[name].get(c.after, "")} for c in result["changes"][name]]
        counts = [(FLAG_LABELS[key] if key != "stale" else STALE_LABELS[name], x, y, d)
                  for key, x, y, d in result["counts"][name]]
        rows.append({"name": name, "label": LIST_LABELS[name], "counts": counts, "changes": changes})
    choices = sorted({current, *closed, *_recent(current, 8)}, reverse=True)
    return render(request, "lists/quarter_compare.html", {
        "community": community, "a": a, "b": b, "va": va, "vb": vb, "lists": rows, "choices": choices,
    })


@signed_in
@require_GET
def quarter_export(request: HttpRequest, community_id: int, quarter: str) -> HttpResponse:
    community = get_community_for_user(request.user, community_id)
    q = _quarter(quarter)
    view = quarter_view(community, q)
    return xlsx_response(workbook_bytes(view), export_filename(
        community.name, _("Quarterly refresh"), q.slug, day=timezone.localdate()))


def _flags(row: dict[str, Any], name: str) -> list[str]:
    return ["✓" if flag in row["flags"] else "" for flag in FLAGS[name]]


def workbook_bytes(view: QuarterView) -> bytes:
    """The quarter as a workbook: a summary sheet, then one sheet per list (every cell through append_row)."""
    labels = statuses()
    kinds = dict(ResourceKind.choices)
    units = dict(CapacityUnit.choices)
    wb = Workbook(write_only=True)
    summary = wb.create_sheet(_("Summary"))
    append_row(summary, [_("Community"), view.community.name])
    append_row(summary, [_("Quarter"), str(view.quarter)])
    append_row(summary, [_("As of"), timezone.localtime(view.as_of).strftime("%Y-%m-%d %H:%M")])
    append_row(summary, [_("Quarter closed"), _("Yes") if view.closed else _("No")])
    append_row(summary, [])
    append_row(summary, [_("List"), *[str(FLAG_LABELS[k]) for k in ("total", "new", "changed")], _("Met or finished"),
                         _("Stale")])
    for name in LISTS:
        c = view.counts(name)
        done = c.get("met", c.get("finished", ""))
        append_row(summary, [str(LIST_LABELS[name]), c.get("total", 0), c.get("new", 0), c.get("changed", 0),
                             done, c.get("stale", 0)])
    flag_heads = {name: [str(STALE_LABELS[name] if f == "stale" else FLAG_LABELS[f]) for f in FLAGS[name]]
                  for name in LISTS}
    ws = wb.create_sheet(str(LIST_LABELS["demands"]))
    append_row(ws, [_("ID"), _("Title"), _("Status"), _("Place"), _("People who benefit"), _("Last change"),
                    *flag_heads["demands"]])
    for r in view.rows("demands"):
        append_row(ws, [r["id"], r["title"], labels["demands"].get(r["status"], r["status"]), r.get("area", ""),
                        r.get("beneficiaries", 0), r.get("last_change", ""), *_flags(r, "demands")])
    ws = wb.create_sheet(str(LIST_LABELS["resources"]))
    append_row(ws, [_("ID"), _("Title"), _("Status"), _("Kind"), _("Offered by"), _("Capacity"), _("Promised"),
                    _("Remaining"), _("Capacity unit"), _("Valid until"), *flag_heads["resources"]])
    for r in view.rows("resources"):
        append_row(ws, [r["id"], r["title"], labels["resources"].get(r["status"], r["status"]),
                        str(kinds.get(r.get("kind", ""), "")), r.get("provider", ""), r.get("capacity", ""),
                        r.get("promised", ""), r.get("remaining", ""), str(units.get(r.get("unit", ""), "")),
                        r.get("valid_until", ""),
                        *_flags(r, "resources")])
    ws = wb.create_sheet(str(LIST_LABELS["projects"]))
    append_row(ws, [_("ID"), _("Title"), _("Status"), _("Lead unit"), _("Progress (%)"), _("Overdue milestones"),
                    _("Ratings"), _("Satisfaction rate"), *flag_heads["projects"]])
    for r in view.rows("projects"):
        append_row(ws, [r["id"], r["title"], labels["projects"].get(r["status"], r["status"]), r.get("lead_unit", ""),
                        r.get("progress", 0), r.get("overdue", 0), r.get("ratings", 0), r.get("satisfaction", ""),
                        *_flags(r, "projects")])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- the "三张清单" block on an area's page (registered as the panel "core.area") -------------------------------

AREA_FIGURES = ("lists.open_demands", "lists.demands_met_this_quarter", "lists.resources_available",
                "lists.projects_in_progress", "lists.overdue_projects", "lists.finished_projects_satisfaction")


def area_lists_panel(request: HttpRequest, area: Area) -> str:
    """The lists' figures for the area's subtree (from the published stats), for the staff who see its lists,
    with links to the quarter page and the public notice of a community."""
    user = request.user
    if area.level not in ("city", "district", "subdistrict", "community"):
        return ""
    if not permissions.demand_policy.in_scope(user, area, permissions.STAFF_VIEW_ROLES):
        return ""
    from gongzhi.core.registry import registry

    figures = []
    for key in AREA_FIGURES:
        stat = registry.stats.get(key)
        if stat is not None:
            value = stat.fn(area)
            shown = f"{value:.1f}%" if key.endswith("satisfaction") else str(value)
            figures.append({"key": key, "label": stat.label, "value": shown,
                            "warn": key == "lists.overdue_projects" and bool(value)})
    community = area.level == Area.Level.COMMUNITY
    return render_to_string("lists/_area_lists_panel.html", {
        "area": area, "figures": figures, "community": community,
        "quarter": Quarter.current(), "can_quarter": community and permissions.can(user, "view_quarter", area),
    }, request=request)
