"""吹哨报到 pages: the whistles a user can see, a whistle's page with each department's 报到, and new whistles."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area

from .. import actions, permissions, queries
from ..forms import StandaloneWhistleForm, WhistleDoneForm, WhistleRatingForm
from ..models import Case, Whistle, WhistleReport
from .cases import whistle_units
from .common import (
    acting,
    add_action_error,
    flash_form_errors,
    page_of,
    query_without_page,
    require_allowed,
    signed_in,
)


@signed_in
@require_GET
def whistle_list(request: HttpRequest) -> HttpResponse:
    open_only = request.GET.get("status") == "open"
    waiting = request.GET.get("waiting", "")
    waiting = waiting if waiting in queries.WHISTLE_FILTERS else ""
    page = page_of(request, queries.whistle_list(request.user, open_only=open_only, waiting=waiting))
    now = timezone.now()
    units = permissions.handler_unit_ids(request.user)
    for whistle in page.object_list:
        reports = list(whistle.reports.all())
        whistle.reported_count = sum(1 for r in reports if r.reported_at)  # type: ignore[attr-defined]
        whistle.done_count = sum(1 for r in reports if r.done_at)  # type: ignore[attr-defined]
        whistle.report_total = len(reports)  # type: ignore[attr-defined]
        whistle.waiting_for_me = (
            any(  # type: ignore[attr-defined]
                r.unit_id in units and r.done_at is None for r in reports
            )
            and whistle.status == Whistle.Status.OPEN
        )
        whistle.late = (
            whistle.status == Whistle.Status.OPEN
            and any(  # type: ignore[attr-defined]
                r.reported_at is None for r in reports
            )
            and whistle.report_deadline < now
        )
    return render(
        request,
        "appeals/whistles/list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "open_only": open_only,
            "waiting": waiting,
            "reports": bool(units),
            "can_whistle": permissions.can_whistle(request.user),
        },
    )


def _whistle_areas(user: Any) -> QuerySet[Area]:
    levels = (Area.Level.SUBDISTRICT, Area.Level.COMMUNITY, Area.Level.ESTATE, Area.Level.GRID)
    qs = permissions.area_policy.areas_where(user, "whistle").filter(level__in=levels)
    return qs.exclude(level=Area.Level.GRID).order_by("path") if qs.count() > 300 else qs.order_by("path")


@signed_in
@require_http_methods(["GET", "POST"])
def whistle_new(request: HttpRequest) -> HttpResponse:
    """A whistle for a problem found without a case (a case's own whistle starts on the case page)."""
    require_allowed(permissions.can_whistle(request.user))
    areas = _whistle_areas(request.user)
    if request.method == "POST":
        form = StandaloneWhistleForm(request.POST, units=whistle_units(), areas=areas)
        if form.is_valid():
            data = form.cleaned_data
            try:
                whistle = actions.do_whistle(
                    acting_user=acting(request),
                    title=data["title"],
                    area=data["area"],
                    units=list(data["units"]),
                    description=data["description"],
                    urgent=data["urgent"],
                )
            except ActionError as exc:
                add_action_error(form, exc)
            else:
                messages.success(request, _("The departments have been summoned."))
                return redirect("appeals:whistle", pk=whistle.pk)
        return render(request, "appeals/whistles/new.html", {"form": form}, status=400)
    return render(
        request,
        "appeals/whistles/new.html",
        {"form": StandaloneWhistleForm(units=whistle_units(), areas=areas)},
    )


@signed_in
@require_GET
def whistle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    whistle = permissions.get_whistle_for_user(request.user, pk)
    reports = list(whistle.reports.select_related("unit", "reported_by", "rated_by").order_by("id"))
    can_rate = permissions.can(request.user, "rate", whistle)
    open_ = whistle.status == Whistle.Status.OPEN
    for report in reports:
        mine = permissions.can(request.user, "report", report)
        report.can_report = mine and open_ and report.reported_at is None  # type: ignore[attr-defined]
        report.can_finish = mine and open_ and report.reported_at is not None and report.done_at is None  # type: ignore[attr-defined]
        report.can_rate = can_rate and report.done_at is not None and not report.rating  # type: ignore[attr-defined]
        report.late_now = report.is_late  # type: ignore[attr-defined]
    case_visible = (
        whistle.case_id is not None
        and permissions.visible_to(request.user, Case).filter(pk=whistle.case_id).exists()
    )
    return render(
        request,
        "appeals/whistles/detail.html",
        {
            "whistle": whistle,
            "reports": reports,
            "done_form": WhistleDoneForm(),
            "rating_form": WhistleRatingForm(),
            "case_visible": case_visible,
        },
    )


def _report(request: HttpRequest, pk: int, report_pk: int) -> WhistleReport:
    whistle = permissions.get_whistle_for_user(request.user, pk)
    report = whistle.reports.select_related("unit", "whistle").filter(pk=report_pk).first()
    if report is None:
        raise Http404
    return report


@signed_in
@require_POST
def whistle_action(request: HttpRequest, pk: int, report_pk: int, action: str) -> HttpResponse:
    if action not in ("report", "done", "rate"):
        raise Http404
    report = _report(request, pk, report_pk)
    if action == "rate":
        permissions.require(request.user, "rate", report.whistle)
    else:
        permissions.require(request.user, "report", report)
    try:
        if action == "report":
            actions.do_report_whistle(report, acting_user=acting(request))
            messages.success(request, _("Your department has reported in."))
        elif action == "done":
            form = WhistleDoneForm(request.POST)
            if form.is_valid():
                actions.do_complete_whistle_report(
                    report,
                    acting_user=acting(request),
                    action_taken=form.cleaned_data["action_taken"],
                )
                messages.success(request, _("What your department did has been recorded."))
            else:
                flash_form_errors(request, form)
        else:
            rating_form = WhistleRatingForm(request.POST)
            if rating_form.is_valid():
                actions.do_rate_whistle_report(
                    report,
                    acting_user=acting(request),
                    rating=rating_form.cleaned_data["rating"],
                    note=rating_form.cleaned_data["note"],
                )
                messages.success(request, _("Your rating has been recorded."))
            else:
                flash_form_errors(request, rating_form)
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("appeals:whistle", args=[pk]) + f"#report-{report.pk}")
