"""The results of a campaign as an Excel workbook (for the organizer during the notice and once final): one row per
ratee in ranking order with its kind, name, community, score, outcome and each rater group's mean and count.
Every cell goes through the spreadsheet helper, so no text is ever a formula; numbers are numbers."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from gongzhi.lib.spreadsheets import append_row, export_filename, xlsx_response

from . import queries
from .models import Campaign, RaterGroup
from .results import COUNTED, TOO_FEW


def results_workbook(campaign: Campaign) -> bytes:
    groups = list(RaterGroup.objects.filter(campaign=campaign).order_by("pk"))
    ratees = queries.campaign_ratees(campaign)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Results"))
    heads = [_("Rank"), _("Kind"), pgettext("evaluation ratee", "Name"), _("Community"), pgettext("evaluation", "Score"), _("Outcome"), _("Objections")]
    for g in groups:
        label = g.get_kind_display()
        heads += [_("%(group)s: mean") % {"group": label}, _("%(group)s: ratings") % {"group": label}]
    append_row(ws, heads)
    for r in ratees:
        by_kind = {g["kind"]: g for g in (r.breakdown or {}).get("groups", [])}
        values: list[object] = [r.rank if r.rank is not None else "—", r.get_kind_display(), r.name,
                                r.community.name, float(r.score) if r.score is not None else "—",
                                r.get_outcome_display() or _("No outcome"),
                                r.objection_count]  # type: ignore[attr-defined]
        for g in groups:
            cell = by_kind.get(g.kind)
            if cell is None:
                values += ["", ""]
            elif cell.get("status") == COUNTED:
                values += [cell.get("mean"), cell.get("count", 0)]
            elif cell.get("status") == TOO_FEW:
                values += [_("Fewer than 3, not counted"), cell.get("count", 0)]
            else:
                values += [_("No ratings"), 0]
        append_row(ws, values)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def results_workbook_response(campaign: Campaign) -> HttpResponse:
    return xlsx_response(results_workbook(campaign), export_filename("评议结果", campaign.title,
                                                                     day=timezone.localdate()))
