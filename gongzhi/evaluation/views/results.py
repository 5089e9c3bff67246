"""The results part's pages.

- /evaluation/campaigns/<id>/results/ — the organizer: close the rating; the ranking per kind with score, outcome,
  the breakdown per group and the objections; the Excel download (notice and final), the Word report (final);
  make the results final after the notice;
- /evaluation/ratees/<id>/result/ — a ratee's result: its own side during the notice and once final (outcome,
  score, rank, the breakdown per group with the anonymity rule, the evidence, its objections and the objection
  form during the notice); the organizer sees it too, with the organizations' raters' individual grades;
- /evaluation/campaigns/<id>/objections/ — the organizer's objections with the answer form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import ActionError

from .. import permissions, queries
from ..actions import results as actions
from ..evidence import evidence_for
from ..exports import results_workbook_response
from ..forms_results import AnswerForm, ObjectionForm
from ..models import Campaign, Objection, Ratee, RaterGroup
from ..report_docx import report_response

signed_in = login_required(login_url="core:login")


def _error(form: Any, exc: ActionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _organized(request: HttpRequest, pk: int) -> Campaign:
    campaign = permissions.get_campaign_for_user(request.user, pk)
    permissions.require(request.user, "manage", campaign, _("Only the campaign's organizer sees all results."))
    return campaign


@signed_in
@require_GET
def campaign_results(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _organized(request, pk)
    ratees = queries.campaign_ratees(campaign)
    rows = [(kind, label, [(r, queries.result_groups(r)) for r in items])
            for kind, label, items in queries.by_kind(ratees)]
    groups = list(RaterGroup.objects.filter(campaign=campaign).order_by("pk"))
    context = {
        "campaign": campaign, "kinds": rows, "groups": groups,
        "distribution": queries.outcome_distribution(ratees),
        "open_objections": sum(r.open_objections for r in ratees),  # type: ignore[attr-defined]
        "ratings": campaign.ratings.count() if campaign.status == Campaign.Status.OPEN else None,
        "computed": campaign.status in permissions.RESULT_STATUSES,
        "can_finalize": campaign.status == Campaign.Status.NOTICE and not campaign.in_notice,
    }
    return render(request, "evaluation/result_campaign.html", context)


@signed_in
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _organized(request, pk)
    try:
        actions.do_close_rating(campaign, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The rating is closed: the results are computed and on public notice."))
    return redirect("evaluation:results", pk=campaign.pk)


@signed_in
@require_POST
def campaign_finalize(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _organized(request, pk)
    try:
        actions.do_finalize_campaign(campaign, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The results are final."))
    return redirect("evaluation:results", pk=campaign.pk)


@signed_in
@require_GET
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _organized(request, pk)
    if campaign.status not in permissions.RESULT_STATUSES:
        messages.error(request, _("The results are downloaded once the rating is closed."))
        return redirect("evaluation:results", pk=campaign.pk)
    return results_workbook_response(campaign)


@signed_in
@require_GET
def results_docx(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _organized(request, pk)
    if campaign.status != Campaign.Status.FINAL:
        messages.error(request, _("The Word report is available once the results are final."))
        return redirect("evaluation:results", pk=campaign.pk)
    return report_response(campaign)


def _render_result(request: HttpRequest, ratee: Ratee, form: ObjectionForm | None = None,
                   status: int = 200) -> HttpResponse:
    user = request.user
    organizer = permissions.can(user, "manage", ratee.campaign)
    can_object = permissions.can(user, "object", ratee)
    objections = list(ratee.objections.select_related("raised_by", "answered_by").order_by("-raised_at", "-pk"))
    waiting = any(o.status == Objection.Status.OPEN for o in objections)
    context = {
        "ratee": ratee, "campaign": ratee.campaign, "organizer": organizer,
        "groups": queries.result_groups(ratee, individual=organizer),
        "adjustments": queries.adjustments(ratee),
        "evidence": evidence_for(ratee),
        "objections": objections,
        "can_object": can_object and not waiting, "waiting": waiting,
        "form": form or (ObjectionForm() if can_object and not waiting else None),
    }
    return render(request, "evaluation/result_detail.html", context, status=status)


def _ratee_with_result(request: HttpRequest, pk: int) -> Ratee:
    ratee = permissions.get_ratee_for_user(request.user, pk)
    permissions.require(request.user, "see_result", ratee,
                        _("The result is shown to the rated side once the public notice starts."))
    return ratee


@signed_in
@require_GET
def ratee_result(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_result(request, _ratee_with_result(request, pk))


@signed_in
@require_POST
def ratee_object(request: HttpRequest, pk: int) -> HttpResponse:
    ratee = _ratee_with_result(request, pk)
    permissions.require(request.user, "object", ratee,
                        _("Objections are taken from the rated side during the public notice only."))
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            actions.do_object(ratee, reason=form.cleaned_data["reason"],
                              acting_user=request.user)  # type: ignore[arg-type]
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Your objection was sent to the organizer."))
            return redirect("evaluation:result", pk=ratee.pk)
    return _render_result(request, ratee, form, status=400)


def _render_objections(request: HttpRequest, campaign: Campaign, bad: tuple[int, AnswerForm] | None = None,
                       status: int = 200) -> HttpResponse:
    objections = sorted(queries.campaign_objections(campaign),
                        key=lambda o: (o.status != Objection.Status.OPEN, -o.raised_at.timestamp(), -o.pk))
    rows = []
    for o in objections:
        form = None
        if o.status == Objection.Status.OPEN and campaign.status == Campaign.Status.NOTICE:
            form = bad[1] if bad and bad[0] == o.pk else AnswerForm(prefix=f"o{o.pk}")
        rows.append((o, form))
    return render(request, "evaluation/objection_list.html", {"campaign": campaign, "rows": rows}, status=status)


@signed_in
@require_GET
def campaign_objections(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_objections(request, _organized(request, pk))


@signed_in
@require_POST
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    objection = permissions.get_objection_for_user(request.user, pk)
    permissions.require(request.user, "answer", objection,
                        _("Only the campaign's organizer answers an open objection during the notice."))
    campaign = objection.ratee.campaign
    form = AnswerForm(request.POST, prefix=f"o{objection.pk}")
    if form.is_valid():
        try:
            actions.do_answer_objection(objection, upheld=form.cleaned_data["decision"] == "uphold",
                                        answer=form.cleaned_data["answer"],
                                        new_outcome=form.cleaned_data["new_outcome"] or None,
                                        acting_user=request.user)  # type: ignore[arg-type]
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The objection was answered; the objector is told."))
            return redirect("evaluation:objections", pk=campaign.pk)
    return _render_objections(request, campaign, (objection.pk, form), status=400)
