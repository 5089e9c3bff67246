"""Excel exports: any worklist, and the monthly ranking of departments and subdistricts."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from gongzhi.lib.spreadsheets import XLSX_CONTENT_TYPE, append_row, export_filename, xlsx_response

from . import queries, rates
from .worklist_filters import WorklistFilters, decorate, filtered_worklist, with_codes

MAX_EXPORT_ROWS = 20000
XLSX = XLSX_CONTENT_TYPE


def _fmt(value: Any) -> str:
    """A time as the worklist page shows it (local time, YYYY-MM-DD HH:MM)."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value is not None else ""


def worklist_header() -> list[str]:
    """The worklist table's columns, in the page's order (the export writes the same)."""
    return [_("Tracking code"), _("Title"), _("Category"), _("Community"), _("Place"), _("Lead unit"), _("Status"),
            _("Submitted at"), _("Due at"), _("Last change"), _("Time limit")]


def worklist_row(case: Any) -> list[Any]:
    """One case as the table shows it (`views.worklists.decorate` has set its code, place and badge)."""
    badge = {"overdue": _("Overdue"), "due_soon": _("Due soon")}.get(case.badge, "")
    return [case.first_code or str(case.pk), case.title, case.category.name if case.category else "",
            case.community_name, case.place_name, case.lead_unit.name if case.lead_unit else "",
            case.shown_status.label, _fmt(case.created_at), _fmt(case.due_at),
            _fmt(getattr(case, "last_change", None)), str(badge)]


def worklist_bytes(user: Any, name: str, filters: WorklistFilters | None = None) -> bytes:
    """The worklist as shown with these filters and sort, up to MAX_EXPORT_ROWS rows."""
    filters = filters or WorklistFilters()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(queries.LISTS[name]))
    append_row(ws, worklist_header())
    now = timezone.now()
    qs = with_codes(filtered_worklist(user, name, filters, now))
    for start in range(0, MAX_EXPORT_ROWS, 500):
        chunk = decorate(list(qs[start:start + 500]), now)
        for case in chunk:
            append_row(ws, worklist_row(case))
        if len(chunk) < 500:
            break
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _rank(row: rates.RateRow) -> str | int:
    if row.rank is None:
        return _("Too few follow-ups")
    return _("%(rank)s (tied)") % {"rank": row.rank} if row.tied else row.rank


def ranking_bytes(month: date) -> bytes:
    wb = Workbook(write_only=True)
    for title, name_label, rows in ((_("Departments"), _("Unit"), rates.department_ranking(month)),
                                    (_("Subdistricts"), _("Subdistrict"), rates.subdistrict_ranking(month))):
        ws = wb.create_sheet(str(title))
        append_row(ws, [_("Rank"), name_label, _("Followed up"), _("Contacted"), _("Solved"), _("Satisfied"),
                        _("Basically satisfied"), _("Response rate"), _("Resolution rate"), _("Satisfaction rate"),
                        _("Composite score")])
        for row in rows:
            append_row(ws, [_rank(row), row.name, row.followed_up, row.contacted, row.solved, row.satisfied,
                       row.basically_satisfied, _pct(row.response_rate), _pct(row.resolution_rate),
                       _pct(row.satisfaction_rate), "" if row.composite is None else round(row.composite * 100, 2)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def worklist_filename(name: str, filters: WorklistFilters | None = None) -> str:
    """诉求工单-待派单-2026-12-01.xlsx; with the place when the list is filtered by one (…-和平里社区-…)."""
    area = filters.area.name if filters is not None and filters.area is not None else ""
    return export_filename(_("Appeal cases"), queries.LISTS[name], area, day=timezone.localdate())


def worklist_response(user: Any, name: str, filters: WorklistFilters | None = None) -> HttpResponse:
    return xlsx_response(worklist_bytes(user, name, filters), worklist_filename(name, filters))


def ranking_response(month: date) -> HttpResponse:
    """三率排名-2026-11.xlsx (the month the figures are of)."""
    name = "-".join([_("Rankings of the three rates"), f"{month:%Y-%m}"]) + ".xlsx"
    return xlsx_response(ranking_bytes(month), name)
