"""The agreements part's pages.

- /disputes/<id>/agreement/ — the agreement and the follow-up visits of a dispute, for those who see its content
  (the dispute's page loads it with htmx as its panel; without htmx it is a page of its own): the agreement (write,
  edit until signed, sign, download as Word), the visits (move, add, record; reopen mediation when it does not hold);
- /disputes/follow-ups/ — the follow-up visits due (within 7 days or overdue), open or made, of the disputes the user
  sees (reference, community and date only);
- /disputes/stats/ — statistics of a community, a subdistrict or an alliance (aggregates only), with the Excel file.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError

from .. import stats
from ..actions import agreements as actions
from ..agreement_docx import agreement_response, numbered_terms
from ..forms_agreements import AgreementForm, FollowUpDateForm, FollowUpRecordForm
from ..models import Agreement, Dispute, FollowUp
from ..permissions import dispute_policy, get_dispute_for_user, shows_disputes

signed_in = login_required(login_url="core:login")
SOON_DAYS = 7


def _error(form: Any, exc: ActionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _content(request: HttpRequest, pk: int) -> Dispute:
    dispute: Dispute = get_dispute_for_user(request.user, pk)
    dispute_policy.require(request.user, "view_content", dispute,
                           _("Only the dispute's mediators, their committee's head and the supervising subdistrict "
                             "see its agreement."))
    return dispute


def _back(dispute: Dispute) -> HttpResponse:
    return redirect(actions.dispute_url(dispute))


def agreement_of(dispute: Dispute) -> Agreement | None:
    return actions.agreement_in_hand(dispute)


def panel_context(request: HttpRequest, dispute: Dispute, *, agreement_form: AgreementForm | None = None,
                  bad_follow_up: tuple[int, Any] | None = None) -> dict[str, Any]:
    user = request.user
    agreement = agreement_of(dispute)
    can_mediate = dispute_policy.can(user, "mediate", dispute)
    can_schedule = dispute_policy.can(user, "schedule", dispute)
    signed = agreement is not None and agreement.signed_on is not None
    can_write = can_mediate and not signed and dispute.status in actions.WRITABLE
    earlier = actions.earlier_agreements(dispute)
    if can_write and agreement_form is None:
        if agreement is not None:
            agreement_form = AgreementForm(initial={"facts": agreement.facts, "terms": agreement.terms,
                                                    "performance": agreement.performance})
        else:  # after a failed agreement the facts carry over; the terms are written anew
            agreement_form = AgreementForm(initial={"facts": earlier[0].facts} if earlier else None)
    today = timezone.localdate()
    rows = []
    for f in FollowUp.objects.filter(dispute=dispute).select_related("done_by").order_by("due_on", "pk"):
        move = record = None
        if f.done_at is None:
            if can_schedule:
                move = FollowUpDateForm(prefix=f"m{f.pk}", initial={"due_on": f.due_on})
            if can_mediate:
                record = (bad_follow_up[1] if bad_follow_up and bad_follow_up[0] == f.pk
                          else FollowUpRecordForm(prefix=f"r{f.pk}"))
        state = ("done" if f.done_at else "overdue" if f.due_on < today
                 else "soon" if f.due_on <= today + timedelta(days=SOON_DAYS) else "later")
        rows.append({"f": f, "state": state, "move": move, "record": record})
    return {
        "dispute": dispute, "agreement": agreement, "signed": signed, "earlier": earlier,
        "terms": numbered_terms(agreement.terms) if agreement else [],
        "can_write": can_write, "agreement_form": agreement_form if can_write else None,
        "can_mediate": can_mediate, "can_schedule": can_schedule, "follow_ups": rows,
        "add_form": FollowUpDateForm(prefix="add") if can_schedule and signed else None,
        "broken": dispute.status == Dispute.Status.AGREED and actions.broken(dispute),
        "follow_up_days": actions.follow_up_days(),
    }


def _render_panel(request: HttpRequest, dispute: Dispute, status: int = 200, **kwargs: Any) -> HttpResponse:
    context = panel_context(request, dispute, **kwargs)
    if request.headers.get("HX-Request") == "true":
        return render(request, "disputes/agreements/panel_body.html", context, status=status)
    return render(request, "disputes/agreements/page.html", context, status=status)


@signed_in
@require_GET
def agreement_panel(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _content(request, pk)
    # Every view of the content is audited (the dispute's page is by the cases part; this panel on its own too).
    log_event(request.user, "disputes.agreement.view", dispute, area=dispute.community,  # type: ignore[arg-type]
              after={"dispute": dispute.reference, "via": "panel"})
    return _render_panel(request, dispute)


@signed_in
@require_POST
def agreement_save(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _content(request, pk)
    dispute_policy.require(request.user, "mediate", dispute,
                           _("Only the dispute's mediators write its mediation agreement."))
    form = AgreementForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            agreement = actions.do_record_agreement(
                dispute, facts=data["facts"], terms=data["terms"], performance=data["performance"],
                signed_on=data["signed_on"], acting_user=request.user)  # type: ignore[arg-type]
        except ActionError as exc:
            _error(form, exc)
        else:
            if agreement.signed_on:
                messages.success(request, _("The agreement is signed: the dispute is resolved and the follow-up "
                                            "visit is scheduled."))
            else:
                messages.success(request, _("The agreement draft is saved."))
            return _back(dispute)
    return _render_panel(request, dispute, status=400, agreement_form=form)


@signed_in
@require_GET
def agreement_docx(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _content(request, pk)
    wanted = request.GET.get("agreement", "")  # an earlier agreement of this dispute (one that did not hold)
    agreement_id = int(wanted) if wanted.isdigit() else (0 if wanted else None)  # 0: no such agreement, 404
    agreement = actions.agreement_to_download(dispute, agreement_id)
    if agreement is None:
        raise Http404(_("This dispute has no agreement in hand."))
    return agreement_response(request.user, agreement)


def _follow_up(request: HttpRequest, pk: int) -> FollowUp:
    follow_up = get_object_or_404(FollowUp.objects.select_related("dispute"), pk=pk)
    _content(request, follow_up.dispute_id)  # 404 out of scope, 403 without the content
    return follow_up


def _after_scheduling(request: HttpRequest, dispute: Dispute) -> HttpResponse:
    """Back to the dispute for those who see its content, else to the list of visits (the worker who schedules)."""
    if dispute_policy.can(request.user, "view_content", dispute):
        return _back(dispute)
    return redirect("disputes:follow_ups")


def _schedule(request: HttpRequest, dispute: Dispute, form: FollowUpDateForm, run: Any, done: str) -> HttpResponse:
    if form.is_valid():
        try:
            run(form.cleaned_data["due_on"])
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
    else:
        messages.error(request, _("Choose the date of the visit."))
    return _after_scheduling(request, dispute)


@signed_in
@require_POST
def follow_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    dispute: Dispute = get_dispute_for_user(request.user, pk)
    dispute_policy.require(request.user, "schedule", dispute,
                           _("Only the dispute's mediators and the community's workers schedule follow-up visits."))
    return _schedule(request, dispute, FollowUpDateForm(request.POST, prefix="add"),
                     lambda due: actions.do_schedule_follow_up(dispute, due_on=due,
                                                               acting_user=request.user),  # type: ignore[arg-type]
                     _("The follow-up visit is scheduled."))


@signed_in
@require_POST
def follow_up_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp.objects.select_related("dispute"), pk=pk)
    dispute: Dispute = get_dispute_for_user(request.user, follow_up.dispute_id)
    dispute_policy.require(request.user, "schedule", dispute,
                           _("Only the dispute's mediators and the community's workers schedule follow-up visits."))
    return _schedule(request, dispute, FollowUpDateForm(request.POST, prefix=f"m{follow_up.pk}"),
                     lambda due: actions.do_reschedule_follow_up(follow_up, due_on=due,
                                                                 acting_user=request.user),  # type: ignore[arg-type]
                     _("The follow-up visit is moved."))


@signed_in
@require_POST
def follow_up_record(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = _follow_up(request, pk)
    dispute = follow_up.dispute
    dispute_policy.require(request.user, "mediate", dispute,
                           _("Only the dispute's mediators record a follow-up visit."))
    form = FollowUpRecordForm(request.POST, prefix=f"r{follow_up.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = actions.do_record_follow_up(follow_up, visited_at=data["visited_at"],
                                               holds=data["holds"] == "yes", note=data["note"],
                                               acting_user=request.user)  # type: ignore[arg-type]
        except ActionError as exc:
            _error(form, exc)
        else:
            if done.holds:
                messages.success(request, _("The visit is recorded: the agreement holds."))
            else:
                messages.warning(request, _("The visit is recorded: the agreement does not hold. Reopen mediation "
                                            "if the parties are to be mediated again."))
            return _back(dispute)
    return _render_panel(request, dispute, status=400, bad_follow_up=(follow_up.pk, form))


@signed_in
@require_POST
def mediation_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _content(request, pk)
    try:
        actions.do_reopen_mediation(dispute, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Mediation is reopened."))
    return _back(dispute)


def due_follow_ups(user: Any, when: str) -> Any:
    today = timezone.localdate()
    qs = (FollowUp.objects.filter(dispute__in=dispute_policy.visible_to(user).values("pk"))
          .select_related("dispute", "dispute__community"))
    if when == "done":
        return qs.filter(done_at__isnull=False).order_by("-done_at", "-pk")
    qs = qs.filter(done_at__isnull=True).exclude(dispute__status=Dispute.Status.CLOSED)
    if when == "due":
        qs = qs.filter(due_on__lte=today + timedelta(days=SOON_DAYS))
    return qs.order_by("due_on", "pk")


WHEN = ("due", "open", "done")


@signed_in
@require_GET
def follow_up_list(request: HttpRequest) -> HttpResponse:
    if not shows_disputes(request.user):
        raise PermissionDenied(_("This page is not available to your role."))
    when = request.GET.get("when", "due")
    if when not in WHEN:
        when = "due"
    today = timezone.localdate()
    rows = []
    for f in due_follow_ups(request.user, when)[:200]:
        state = ("done" if f.done_at else "overdue" if f.due_on < today
                 else "soon" if f.due_on <= today + timedelta(days=SOON_DAYS) else "later")
        move = None
        if f.done_at is None and dispute_policy.can(request.user, "schedule", f.dispute):
            move = FollowUpDateForm(prefix=f"m{f.pk}", initial={"due_on": f.due_on})
        rows.append({"f": f, "state": state, "url": actions.dispute_url(f.dispute), "move": move})
    return render(request, "disputes/agreements/follow_up_list.html",
                  {"rows": rows, "when": when, "tabs": [("due", _("Due within 7 days or overdue")),
                                                        ("open", _("All not yet made")), ("done", _("Made"))]})


def _stats_scope(request: HttpRequest) -> stats.Scope:
    if not stats.can_see_stats(request.user):
        raise PermissionDenied(_("Dispute statistics are for area staff."))
    return stats.get_scope_for_user(request.user, request.GET.get("scope"))


@signed_in
@require_GET
def stats_page(request: HttpRequest) -> HttpResponse:
    scope = _stats_scope(request)
    figures = stats.compute(scope)
    return render(request, "disputes/stats.html", {
        "figures": figures, "scope": scope, "choices": stats.scope_choices(request.user),
        "chart": stats.chart_data(figures) if figures.total else None})


@signed_in
@require_GET
def stats_xlsx(request: HttpRequest) -> HttpResponse:
    scope = _stats_scope(request)
    return stats.workbook_response(request.user, stats.compute(scope))
