"""Duty report pages (述职): the liaison's report form (/meetings/reports/<id>/: each prefilled item's progress note
and done flag, notes, an item of its own, submit), the liaison's reports (/meetings/reports/), and a meeting's
reports side by side (/meetings/<id>/reports/, the same block as the meeting page's section) with the organizer's
"prepare the reports" button. A refused POST shows the page again with the message (400)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import ActionError

from .. import duty, permissions
from ..actions import reports as actions
from ..models import DutyReport
from ..sections_reports import duty_reports_context

signed_in = login_required(login_url="core:login")


def _report_page(request: HttpRequest, report: DutyReport, *, status: int = 200) -> HttpResponse:
    meeting = report.meeting
    return render(request, "meetings/report_detail.html", {
        "report": report, "meeting": meeting, "items": list(report.items.all()),
        "can_fill": permissions.can(request.user, "fill", report) and report.status == DutyReport.Status.DRAFT,
        "missing": duty.is_missing(report, meeting),
    }, status=status)


@signed_in
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_page(request, permissions.get_duty_report_for_user(request.user, pk))


def _items_from(request: HttpRequest, report: DutyReport) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for item in report.items.all():
        note = request.POST.get(f"note-{item.pk}")
        if note is None and f"shown-{item.pk}" not in request.POST:
            continue
        out[item.pk] = {"progress_note": note, "done": request.POST.get(f"done-{item.pk}") == "1"}
    return out


@signed_in
@require_POST
def report_save(request: HttpRequest, pk: int) -> HttpResponse:
    report = permissions.get_duty_report_for_user(request.user, pk)
    if not permissions.can(request.user, "fill", report):
        raise PermissionDenied(_("Only the unit's liaison fills in its duty report."))
    submit = request.POST.get("do") == "submit"
    try:
        actions.do_save_duty_report(report, acting_user=request.user, items=_items_from(request, report),  # type: ignore[arg-type]
                                    notes=request.POST.get("notes"), submit=submit)
    except ActionError as exc:
        messages.error(request, exc.message)
        return _report_page(request, permissions.get_duty_report_for_user(request.user, pk), status=400)
    messages.success(request, _("The duty report was submitted.") if submit else _("The duty report was saved."))
    return redirect("meetings:report", pk=report.pk)


@signed_in
@require_POST
def report_add_item(request: HttpRequest, pk: int) -> HttpResponse:
    report = permissions.get_duty_report_for_user(request.user, pk)
    if not permissions.can(request.user, "fill", report):
        raise PermissionDenied(_("Only the unit's liaison fills in its duty report."))
    try:
        actions.do_add_duty_report_item(report, acting_user=request.user, title=request.POST.get("title"),  # type: ignore[arg-type]
                                        progress_note=request.POST.get("progress_note", ""))
    except ActionError as exc:
        messages.error(request, exc.message)
        return _report_page(request, permissions.get_duty_report_for_user(request.user, pk), status=400)
    messages.success(request, _("The item was added."))
    return redirect("meetings:report", pk=report.pk)


@signed_in
@require_GET
def reports_mine(request: HttpRequest) -> HttpResponse:
    """The duty reports the user sees that wait (drafts first), then the submitted ones."""
    permissions.duty_report_policy.require_somewhere(request.user, "browse", message="")
    qs = (permissions.visible_to(request.user, DutyReport).select_related("meeting", "unit")
          .order_by("status", "-meeting__starts_at", "unit__name")[:200])
    return render(request, "meetings/report_list.html", {"reports": list(qs)})


@signed_in
@require_GET
def reports_of_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = permissions.get_meeting_for_user(request.user, pk)
    return render(request, "meetings/report_meeting.html", {"meeting": meeting,
                                                            **duty_reports_context(request, meeting)})


@signed_in
@require_POST
def reports_prepare(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = permissions.get_meeting_for_user(request.user, pk)
    permissions.require(request.user, "manage", meeting, _("Only the meeting's organizers prepare the duty reports."))
    try:
        created = actions.do_prepare_duty_reports(meeting, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
        return render(request, "meetings/report_meeting.html",
                      {"meeting": meeting, **duty_reports_context(request, meeting)}, status=400)
    messages.success(request, _("%(count)d duty reports were prepared.") % {"count": len(created)})
    return redirect(_safe_next(request, meeting.pk))


def _safe_next(request: HttpRequest, pk: int) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return reverse("meetings:reports_of_meeting", args=[pk])
