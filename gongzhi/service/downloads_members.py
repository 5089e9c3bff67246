"""The members part's downloads and public-page helpers, shared by its pages and its API: Word responses, the
certificate's check address, the check page's rate limit and the hours workbook (Excel, through the spreadsheet
helper: no formula cells)."""

from __future__ import annotations

import io
from datetime import date

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from gongzhi.core.models import Area, User
from gongzhi.lib import ratelimit
from gongzhi.lib.net import client_ip
from gongzhi.lib.spreadsheets import append_row, attachment, export_filename, xlsx_response

from . import queries_members as queries
from .actions import members as actions
from .models import Certificate

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = attachment(filename)
    return response


def hours_workbook(community: Area, start: date, end: date) -> tuple[bytes, int]:
    first, last = queries.period_bounds(start, end)
    rows = queries.hours_rows(community, first, last)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Hours served"))
    append_row(ws, [_("Community"), _("Period"), _("Name"), _("Organisation"), _("Activities"), _("Hours")])
    period = f"{start.isoformat()} — {end.isoformat()}"
    for r in rows:
        append_row(ws, [community.name, period, r.user.display_name or r.user.username, r.organisation,
                        r.activities, float(r.hours)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), len(rows)


def hours_workbook_response(user: User, community: Area, start: date, end: date) -> HttpResponse:
    content, count = hours_workbook(community, start, end)
    actions.do_record_hours_export(acting_user=user, community=community, start=start, end=end, rows=count)
    return xlsx_response(content, export_filename("志愿服务时长", community.name, f"{start}至{end}",
                                                  day=timezone.localdate()))


def check_url(request: HttpRequest, cert: Certificate) -> str:
    return request.build_absolute_uri(reverse("service:certificate_check", args=[cert.code]))


def over_check_limit(request: HttpRequest) -> bool:
    limit, window = getattr(settings, "SERVICE_CERTIFICATE_CHECK_RATE", (30, 600))
    return not ratelimit.hit(f"service:certificate:{client_ip(request)}", limit=int(limit),
                             window_seconds=int(window))
