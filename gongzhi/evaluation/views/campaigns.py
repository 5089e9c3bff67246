"""The campaigns part's pages: campaigns (list, set-up, ratees, raters, opening) and rating on a phone.

- /evaluation/campaigns/ — the campaigns the user sees (organizers: their area's; raters: the open ones they rate in);
- /evaluation/campaigns/new/, <id>/, <id>/edit/ — an organizer sets a campaign up while it is a draft;
- /evaluation/campaigns/<id>/raters/ — the rater groups: add the suggested raters, one account, remove;
- /evaluation/rating/ — 我的评议任务: the rater's ratees, done or not, with the progress;
- /evaluation/rating/<ratee>/ — the evidence first, then the grade (and scores), saved to the next unrated ratee.

Lists come from `visible_to`; objects from `get_<noun>_for_user` (404 out of scope); forbidden actions are 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, User

from .. import permissions
from .. import queries_campaigns as queries
from ..actions import campaigns as actions
from ..evidence import evidence_for
from ..forms_campaigns import CampaignForm, RateForm, RaterForm, criteria_text
from ..models import Campaign, Ratee, RaterGroup

signed_in = login_required(login_url="core:login")
MANAGE_MESSAGE = "Only the subdistrict or district that organizes the campaign may do this."


def _gate(request: HttpRequest) -> None:
    if not permissions.shows_evaluation(request.user):
        raise PermissionDenied(_("This page is not available to your role."))


def organizer_areas(user: Any) -> QuerySet[Area]:
    """The subdistricts and districts where the user may organize a campaign."""
    return permissions.area_policy.areas_where(user, "organize").filter(
        level__in=[Area.Level.SUBDISTRICT, Area.Level.DISTRICT]).order_by("path")


def _campaign(request: HttpRequest, pk: int, *, manage: bool = False) -> Campaign:
    campaign = permissions.get_campaign_for_user(request.user, pk)
    if manage:
        permissions.require(request.user, "manage", campaign, _(MANAGE_MESSAGE))
    return campaign


def _error(form: Any, exc: ActionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _fail(request: HttpRequest, exc: ActionError) -> None:
    messages.error(request, exc.message)


# --- campaigns -------------------------------------------------------------------------------------------------


@signed_in
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    _gate(request)
    campaigns = list(permissions.visible_to(request.user, Campaign).select_related("area")
                     .order_by("-period_end", "-id")[:200])
    tasks = queries.my_tasks(request.user)
    return render(request, "evaluation/campaign_list.html", {
        "campaigns": campaigns, "can_create": organizer_areas(request.user).exists(), "tasks": tasks,
    })


def _form_kwargs(d: dict[str, Any], form: CampaignForm) -> dict[str, Any]:
    return {"title": d["title"], "period": d["period"], "period_start": d["period_start"],
            "period_end": d["period_end"], "deadline": d["deadline"], "notice_days": d["notice_days"],
            "rates_units": d["rates_units"], "rates_members": d["rates_members"],
            "rates_communities": d["rates_communities"], "uses_scores": d["uses_scores"],
            "criteria": form.criteria_rows(), "groups": form.weights()}


@signed_in
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    areas = organizer_areas(request.user)
    if not areas.exists():
        raise PermissionDenied(_(MANAGE_MESSAGE))
    start, end = actions.default_period(Campaign.Period.ANNUAL)
    initial = {"period": Campaign.Period.ANNUAL, "period_start": start, "period_end": end,
               "deadline": timezone.localtime(actions.default_deadline()), "notice_days": 5, "rates_units": True,
               "rates_members": True, "area": areas.first(),
               **{f"weight_{k}": v for k, v in actions.DEFAULT_WEIGHTS.items()}}
    form = CampaignForm(request.POST if request.method == "POST" else None, areas=areas, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            campaign = actions.do_create_campaign(acting_user=request.user, area=d["area"],  # type: ignore[arg-type]
                                                  **_form_kwargs(d, form))
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The campaign was created as a draft with %(n)d ratees from the area. Add "
                                        "the raters, then open it.") % {"n": campaign.ratees.count()})
            return redirect("evaluation:campaign", pk=campaign.pk)
    return render(request, "evaluation/campaign_form.html", {"form": form, "campaign": None},
                  status=400 if form.errors else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, manage=True)
    if campaign.status != Campaign.Status.DRAFT:
        messages.error(request, _("The campaign has been opened: its set-up can no longer change."))
        return redirect("evaluation:campaign", pk=campaign.pk)
    initial = {name: getattr(campaign, name) for name in (
        "title", "period", "period_start", "period_end", "notice_days", "rates_units", "rates_members",
        "rates_communities", "uses_scores")}
    initial["deadline"] = timezone.localtime(campaign.deadline)
    initial["criteria"] = criteria_text(campaign)
    initial.update({f"weight_{g.kind}": g.weight for g in campaign.groups.all()})
    form = CampaignForm(request.POST if request.method == "POST" else None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_campaign(campaign, acting_user=request.user,  # type: ignore[arg-type]
                                       **_form_kwargs(form.cleaned_data, form))
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The campaign was saved."))
            return redirect("evaluation:campaign", pk=campaign.pk)
    return render(request, "evaluation/campaign_form.html", {"form": form, "campaign": campaign},
                  status=400 if form.errors else 200)


@signed_in
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    can_manage = permissions.can(request.user, "manage", campaign)
    context: dict[str, Any] = {"campaign": campaign, "can_manage": can_manage,
                               "criteria": list(campaign.criteria.all()),
                               "groups": list(campaign.groups.all()), "is_draft": campaign.status == "draft"}
    if can_manage:
        ratees = queries.ratee_rows(campaign)
        raters = queries.rater_rows(campaign)
        context.update({
            "ratees": ratees, "raters_count": len(raters),
            "given": sum(r.rated for r in raters),  # type: ignore[attr-defined]
            "expected": sum(r.to_rate for r in raters),  # type: ignore[attr-defined]
            "group_counts": {g.kind: sum(1 for r in raters if r.group_id == g.pk) for g in context["groups"]},
        })
        for g in context["groups"]:
            g.rater_count = context["group_counts"][g.kind]
        if campaign.status == Campaign.Status.DRAFT:
            existing = {actions.ratee_key(r) for r in ratees}
            context["left_out"] = [(actions.ratee_key(r), r) for r in actions.candidate_ratees(campaign)
                                   if actions.ratee_key(r) not in existing]
            context["problems"] = actions.open_problems(campaign)
    if campaign.status in permissions.RESULT_STATUSES and not can_manage:
        context["own_ratees"] = list(campaign.ratees.filter(permissions.own_ratee_q(request.user))
                                     .order_by("kind", "name", "pk")[:50])
    rater = permissions.rater_for(request.user, campaign)
    if rater is not None and campaign.status == Campaign.Status.OPEN:
        context["task"] = queries.Task(campaign=campaign, rater=rater, ratees=list(queries.ratees_of(rater)))
    return render(request, "evaluation/campaign_detail.html", context)


@signed_in
@require_POST
def campaign_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, manage=True)
    try:
        added, removed = actions.do_refresh_ratees(campaign, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Ratees drawn from the area again: %(added)d added, %(removed)d removed.") % {
            "added": added, "removed": removed})
    return redirect("evaluation:campaign", pk=campaign.pk)


@signed_in
@require_POST
def ratee_remove(request: HttpRequest, pk: int, ratee_pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, manage=True)
    ratee = Ratee.objects.filter(pk=ratee_pk, campaign=campaign).first()
    if ratee is None:
        return redirect("evaluation:campaign", pk=campaign.pk)
    try:
        actions.do_remove_ratee(ratee, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("%(name)s is left out of the campaign.") % {"name": ratee.name})
    return redirect("evaluation:campaign", pk=campaign.pk)


@signed_in
@require_POST
def ratee_add(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, manage=True)
    try:
        ratee = actions.do_add_ratee(campaign, acting_user=request.user,  # type: ignore[arg-type]
                                     key=request.POST.get("key", ""))
    except ActionError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("%(name)s is rated in the campaign again.") % {"name": ratee.name})
    return redirect("evaluation:campaign", pk=campaign.pk)


@signed_in
@require_POST
def campaign_open(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, manage=True)
    try:
        actions.do_open_campaign(campaign, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The rating is open; every rater was told."))
    return redirect("evaluation:campaign", pk=campaign.pk)


# --- raters ----------------------------------------------------------------------------------------------------


def _render_raters(request: HttpRequest, campaign: Campaign, form: RaterForm | None = None,
                   status: int = 200) -> HttpResponse:
    raters = queries.rater_rows(campaign)
    taken = {r.user_id for r in raters}
    groups = list(campaign.groups.all())
    for g in groups:
        g.members = [r for r in raters if r.group_id == g.pk]  # type: ignore[attr-defined]
        g.suggestions = [s for s in actions.suggested_raters(campaign, g.kind)  # type: ignore[attr-defined]
                         if s.user.pk not in taken]
    candidates = {s.user.username: s for g in groups for s in g.suggestions}  # type: ignore[attr-defined]
    editable = campaign.status in (Campaign.Status.DRAFT, Campaign.Status.OPEN)
    return render(request, "evaluation/campaign_raters.html", {
        "campaign": campaign, "groups": groups, "form": form or RaterForm(campaign=campaign),
        "candidates": list(candidates.values())[:300], "editable": editable,
        "residents_kind": RaterGroup.Kind.RESIDENTS,
    }, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def campaign_raters(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, manage=True)
    if request.method == "GET":
        return _render_raters(request, campaign)
    form = RaterForm(request.POST, campaign=campaign)
    if form.is_valid():
        d = form.cleaned_data
        user = User.objects.filter(username=d["username"].strip()).first()
        try:
            rater = actions.do_add_rater(campaign, acting_user=request.user,  # type: ignore[arg-type]
                                         kind=d["kind"], user=user, community=d["community"],
                                         party_org=d["party_org"])
        except ActionError as exc:
            form.add_error("username" if exc.field in (None, "username", "group") else (
                exc.field if exc.field in form.fields else None), exc.message)
        else:
            messages.success(request, _("%(name)s joined %(group)s.") % {
                "name": str(rater.user), "group": rater.group.get_kind_display()})
            return redirect("evaluation:campaign_raters", pk=campaign.pk)
    return _render_raters(request, campaign, form, status=400)


@signed_in
@require_POST
def rater_suggest(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, manage=True)
    try:
        n = actions.do_add_suggested_raters(campaign, acting_user=request.user,  # type: ignore[arg-type]
                                            kind=request.POST.get("kind", ""))
    except ActionError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("%(n)d raters added.") % {"n": n})
    return redirect("evaluation:campaign_raters", pk=campaign.pk)


@signed_in
@require_POST
def rater_remove(request: HttpRequest, pk: int, rater_pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, manage=True)
    rater = campaign.raters.filter(pk=rater_pk).select_related("user").first()
    if rater is not None:
        try:
            actions.do_remove_rater(rater, acting_user=request.user)  # type: ignore[arg-type]
        except ActionError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("%(name)s no longer rates in this campaign.") % {"name": str(rater.user)})
    return redirect("evaluation:campaign_raters", pk=campaign.pk)


# --- rating ----------------------------------------------------------------------------------------------------


@signed_in
@require_GET
def rating_tasks(request: HttpRequest) -> HttpResponse:
    """我的评议任务: the rater's ratees in the open campaigns, done or not."""
    _gate(request)
    tasks = queries.my_tasks(request.user)
    return render(request, "evaluation/rating_tasks.html", {"tasks": tasks, "now": timezone.now()})


@signed_in
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, ratee_pk: int) -> HttpResponse:
    ratee = permissions.get_ratee_for_user(request.user, ratee_pk)
    campaign = ratee.campaign
    rater = permissions.rater_for(request.user, campaign)
    if rater is None or not permissions.rater_covers(rater, ratee):
        raise PermissionDenied(_("You do not rate this one: you rate only your community's ratees of your group."))
    criteria = list(campaign.criteria.all()) if campaign.uses_scores else []
    mine = queries.my_rating(rater, ratee)
    initial: dict[str, Any] = {}
    if mine is not None:
        initial = {"grade": mine.grade, "comment": mine.comment,
                   **{f"score_{k}": v for k, v in (mine.scores or {}).items()}}
    form = RateForm(request.POST if request.method == "POST" else None, criteria=criteria, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_rate(ratee, grade=form.cleaned_data["grade"], scores=form.scores(),
                            comment=form.cleaned_data["comment"], acting_user=request.user)  # type: ignore[arg-type]
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            nxt = queries.next_unrated(rater, after=ratee)
            if mine is not None:
                messages.success(request, _("Your rating of %(name)s was changed.") % {"name": ratee.name})
            else:
                messages.success(request, _("Your rating of %(name)s was saved.") % {"name": ratee.name})
            if nxt is not None:
                return redirect("evaluation:rate", ratee_pk=nxt.pk)
            messages.info(request, _("You have rated everyone in %(title)s.") % {"title": campaign.title})
            return redirect("evaluation:rating_tasks")
    task = queries.Task(campaign=campaign, rater=rater, ratees=list(queries.ratees_of(rater)))
    return render(request, "evaluation/rating_form.html", {
        "ratee": ratee, "campaign": campaign, "form": form, "mine": mine, "task": task,
        "evidence": evidence_for(ratee), "can_rate": campaign.is_open_for_rating,
        "next": queries.next_unrated(rater, after=ratee),
    }, status=400 if form.errors else 200)
