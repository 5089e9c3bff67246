"""Matching (点对点匹配): a demand's ranked candidates with their reasons and a match button, the matching rounds
(propose one for an area, review its pairs, remove or change them, confirm), and the block on the demand page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area

from .. import actions, matching, permissions
from ..actions.matching import ROUND_LEVELS
from ..models import Demand, MatchPair, MatchRound, Resource

signed_in = login_required(login_url="core:login")
PANEL_CANDIDATES = 3


def _can_match(user: Any, demand: Demand) -> bool:
    return demand.status == Demand.Status.OPEN and permissions.can(user, "run_matching", demand.area)


@signed_in
@require_GET
def demand_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    demand = permissions.get_demand_for_user(request.user, pk)
    if not permissions.can(request.user, "run_matching", demand.area):
        raise PermissionDenied(_("You may not match demands here."))
    candidates = matching.candidates_for(demand) if demand.status == Demand.Status.OPEN else []
    return render(request, "lists/match_candidates.html", {
        "demand": demand, "candidates": candidates, "can_match": _can_match(request.user, demand),
        "pairs": demand.match_pairs.select_related("resource", "project", "round").order_by("-id")[:20],
    })


@signed_in
@require_POST
def demand_match(request: HttpRequest, pk: int) -> HttpResponse:
    demand = permissions.get_demand_for_user(request.user, pk)
    if not permissions.can(request.user, "run_matching", demand.area):
        raise PermissionDenied(_("You may not match demands here."))
    resource = _resource_or_404(request.user, request.POST.get("resource"))
    try:
        actions.do_match_by_hand(demand, resource, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("lists:demand_candidates", pk=demand.pk)
    messages.success(request, _("Matched: a project waiting to be claimed was made."))
    return redirect("lists:demand_candidates", pk=demand.pk)


def _resource_or_404(user: Any, raw: Any) -> Resource:
    if not (isinstance(raw, str) and raw.isdigit()):
        raise Http404
    return permissions.get_resource_for_user(user, int(raw))


def demand_panel(request: HttpRequest, demand: Demand) -> str:
    """On the demand page: its best candidates and the link to all of them (for who may match it)."""
    if not _can_match(request.user, demand):
        pairs = list(demand.match_pairs.filter(status=MatchPair.Status.CONFIRMED).select_related("resource",
                                                                                                  "project"))
        if not pairs:
            return ""
        return render_to_string("lists/_demand_matching.html", {"demand": demand, "pairs": pairs}, request=request)
    return render_to_string("lists/_demand_matching.html", {
        "demand": demand, "candidates": matching.candidates_for(demand, limit=PANEL_CANDIDATES), "can_match": True,
    }, request=request)


# --- Rounds --------------------------------------------------------------------------------------------------


def round_areas(user: Any) -> Any:
    return permissions.area_policy.areas_where(user, "run_matching").filter(level__in=ROUND_LEVELS).order_by("path")


@signed_in
@require_http_methods(["GET", "POST"])
def round_list(request: HttpRequest) -> HttpResponse:
    permissions.match_round_policy.require_somewhere(request.user, "confirm", message="")
    areas = list(round_areas(request.user)[:300])
    error = ""
    if request.method == "POST":
        raw = request.POST.get("area", "")
        area = next((a for a in areas if str(a.pk) == raw), None)
        if area is None:
            error = _("Please choose the area of the round.")
        else:
            try:
                match_round = actions.do_propose_match_round(acting_user=request.user, area=area)  # type: ignore[arg-type]
            except ActionError as exc:
                error = exc.message
            else:
                messages.success(request, _("A matching round was proposed: review it, then confirm."))
                return redirect("lists:match_round", pk=match_round.pk)
    rounds = (permissions.visible_to(request.user, MatchRound).select_related("area", "created_by")
              .annotate(n_pairs=Count("pairs", filter=~Q(pairs__status=MatchPair.Status.REMOVED))))
    page = Paginator(rounds.order_by("-created_at", "-id"), 30).get_page(request.GET.get("page"))
    return render(request, "lists/match_round_list.html", {"page": page, "areas": areas, "error": error},
                  status=400 if error else 200)


@signed_in
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.match_round_policy.require_somewhere(request.user, "confirm", message="")
    match_round = permissions.get_match_round_for_user(request.user, pk)
    pairs = list(match_round.pairs.select_related("demand__area", "resource__provider_unit", "project")
                 .order_by("status", "-score", "pk"))
    editable = match_round.status == MatchRound.Status.PROPOSED and permissions.can(request.user, "confirm",
                                                                                    match_round)
    change = request.GET.get("change", "")
    alternatives: list[Any] = []
    changing = next((p for p in pairs if str(p.pk) == change), None) if editable else None
    if changing is not None:
        alternatives = [c for c in matching.candidates_for(changing.demand, limit=10)
                        if c.resource_id != changing.resource_id]
    return render(request, "lists/match_round_detail.html", {
        "round": match_round, "pairs": pairs, "editable": editable, "changing": changing,
        "alternatives": alternatives,
        "proposed": sum(1 for p in pairs if p.status == MatchPair.Status.PROPOSED),
    })


def _pair_of(match_round: MatchRound, raw: Any) -> MatchPair:
    if not (isinstance(raw, str) and raw.isdigit()):
        raise Http404
    pair = match_round.pairs.filter(pk=int(raw)).first()
    if pair is None:
        raise Http404
    return pair


@signed_in
@require_POST
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a pair (what=remove), change its resource (what=change&resource=...), confirm or discard the round."""
    permissions.match_round_policy.require_somewhere(request.user, "confirm", message="")
    match_round = permissions.get_match_round_for_user(request.user, pk)
    permissions.require(request.user, "confirm", match_round, _("You may not change this matching round."))
    what = request.POST.get("what", "")
    user: Any = request.user
    try:
        if what == "remove":
            actions.do_remove_match_pair(_pair_of(match_round, request.POST.get("pair")), acting_user=user)
            messages.success(request, _("The match was removed from the round."))
        elif what == "change":
            pair = _pair_of(match_round, request.POST.get("pair"))
            actions.do_change_match_pair(pair, _resource_or_404(user, request.POST.get("resource")), acting_user=user)
            messages.success(request, _("The match now uses the resource you chose."))
        elif what == "confirm":
            projects = actions.do_confirm_match_round(match_round, acting_user=user)
            messages.success(request, _("The round was confirmed: %(n)d projects wait to be claimed.") % {
                "n": len(projects)})
        elif what == "discard":
            actions.do_discard_match_round(match_round, acting_user=user)
            messages.success(request, _("The round was discarded."))
        else:
            raise Http404
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("lists:match_round", pk=match_round.pk)


def area_choice(user: Any, raw: Any) -> Area | None:
    return round_areas(user).filter(pk=raw).first() if str(raw).isdigit() else None
