"""Excel exports: any worklist, and the monthly ranking of departments and subdistricts."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from gongzhi.lib.spreadsheets import append_row

from . import queries, rates

MAX_EXPORT_ROWS = 20000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fmt(value: Any) -> Any:
    if hasattr(value, "tzinfo") and value is not None and getattr(value, "hour", None) is not None:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value


def worklist_bytes(user: Any, name: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(queries.WORKLISTS[name]))
    append_row(ws, [_("Case"), _("Title"), _("Status"), _("Category"), _("Place"), _("Lead unit"), _("Dispatched at"),
               _("Due at"), _("Overdue")])
    now = timezone.now()
    for case in queries.worklist(user, name, now)[:MAX_EXPORT_ROWS]:
        append_row(ws, [case.pk, case.title, str(case.get_status_display()), case.category.name if case.category else "",
                   case.area.name if case.area else "", case.lead_unit.name if case.lead_unit else "",
                   _fmt(case.dispatched_at), _fmt(case.due_at), _("Yes") if case.is_overdue(now) else ""])
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


def _response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def worklist_response(user: Any, name: str) -> HttpResponse:
    return _response(worklist_bytes(user, name), f"worklist-{name}-{timezone.localdate():%Y%m%d}.xlsx")


def ranking_response(month: date) -> HttpResponse:
    return _response(ranking_bytes(month), f"ranking-{month:%Y-%m}.xlsx")
