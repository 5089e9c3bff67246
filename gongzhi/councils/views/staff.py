"""The signed-in pages of the councils (staff of the community and up, and serving councillors):

- /councils/ — the councils the user sees (and, with ?to_vote=1, a councillor's proposals waiting for their vote);
- /councils/c/<pk>/ — one council: its rules, councillors with their terms (renew, end early, appoint), its
  proposals, a new proposal;
- /councils/p/<pk>/ — one proposal: the deliberation (comments, hide with a reason), open and close voting, the vote
  of a serving councillor, the outcome, 转为需求 / 转为项目.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Resident

from .. import actions, queries, voting
from ..actions.proposals import serving_term
from ..models import Comment, Council, Councillor, Proposal, Vote
from ..permissions import (
    can,
    council_policy,
    get_council_for_user,
    get_proposal_for_user,
    visible_to,
)
from ..tasks import to_vote


def _date(value: str | None, field: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise ActionError(_("Please enter a date, e.g. 2027-01-31."), field=field) from exc


def _datetime(value: str | None, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise ActionError(_("Please enter a date and time, e.g. 2027-01-31 18:00."), field=field) from exc
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@login_required
@require_GET
def council_index(request: HttpRequest) -> HttpResponse:
    council_policy.require_somewhere(request.user, "browse")
    councils = list(visible_to(request.user, Council).select_related("area").order_by("area__path")[:200])
    if len(councils) == 1 and not request.GET.get("to_vote"):
        return redirect("councils:council", councils[0].pk)
    return render(request, "councils/index.html", {
        "councils": councils, "to_vote": list(to_vote(request.user).select_related("council")[:50]),
        "nav_current": "councils",
    })


def _council_context(request: HttpRequest, council: Council, **extra: Any) -> dict[str, Any]:
    status = request.GET.get("status", "")
    status = status if status in Proposal.Status.values else ""
    user = request.user
    residents: list[Resident] = []
    can_manage = can(user, "manage", council)
    if can_manage:
        residents = list(Resident.objects.filter(area__path__startswith=council.area.path).order_by("name", "pk")
                         .only("pk", "name")[:500])
    return {
        "council": council, "terms": queries.councillors_of(council),
        "proposals": queries.proposals_of(council, status)[:200], "status": status, "statuses": Proposal.Status.choices,
        "can_manage": can_manage, "can_propose": can(user, "propose", council),
        "residents": residents, "majorities": Council.Majority.choices, "ballots": Council.Ballot.choices,
        "today": timezone.localdate(), "nav_current": "councils", **extra,
    }


@login_required
@require_GET
def council_detail(request: HttpRequest, pk: int) -> HttpResponse:
    council = get_council_for_user(request.user, pk)
    return render(request, "councils/council.html", _council_context(request, council))


def _fail(request: HttpRequest, exc: ActionError) -> None:
    messages.error(request, exc.message)


@login_required
@require_POST
def council_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    council = get_council_for_user(request.user, pk)
    user: Any = request.user
    post = request.POST
    back = reverse("councils:council", args=[council.pk])
    try:
        if action == "rules":
            actions.do_update_rules(council, acting_user=user, name=post.get("name", council.name),
                                    quorum=post.get("quorum", ""), majority=post.get("majority", ""),
                                    abstentions_count=post.get("abstentions_count") == "1",
                                    ballot=post.get("ballot", ""))
            messages.success(request, _("The council's rules have been saved."))
        elif action == "appoint":
            if not can(user, "manage", council):
                raise PermissionDenied
            resident = Resident.objects.filter(pk=_int(post.get("resident")),
                                               area__path__startswith=council.area.path).first()
            if resident is None:
                raise ActionError(_("Please choose a resident of the community."), field="resident")
            actions.do_appoint_councillor(council, acting_user=user, resident=resident,
                                          term_start=_date(post.get("term_start"), "term_start"),
                                          term_end=_date(post.get("term_end"), "term_end"),
                                          how=post.get("how", Councillor.How.ELECTED))
            messages.success(request, _("The councillor has been appointed."))
        elif action in ("renew", "end"):
            term = Councillor.objects.filter(council=council, pk=_int(post.get("term"))).first()
            if term is None:
                raise Http404
            if action == "renew":
                actions.do_renew_term(term, acting_user=user, term_end=_date(post.get("term_end"), "term_end"))
                messages.success(request, _("The term has been renewed."))
            else:
                actions.do_end_term_early(term, acting_user=user, reason=post.get("reason", ""))
                messages.success(request, _("The councillor's term has ended."))
        elif action == "propose":
            proposal = actions.do_submit_proposal(council, acting_user=user, title=post.get("title", ""),
                                                  body=post.get("body", ""), name=post.get("name", ""))
            messages.success(request, _("The proposal has been submitted."))
            return redirect("councils:proposal", proposal.pk)
        else:
            raise Http404
    except ActionError as exc:
        _fail(request, exc)
    return redirect(back)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, pk)
    council = proposal.council
    user: Any = request.user
    term = serving_term(user, council)
    voted = (term is not None
             and Vote.objects.filter(proposal=proposal, councillor__resident_id=term.resident_id).exists())
    electorate = proposal.outcome.get("electorate", []) if proposal.status == Proposal.Status.VOTING else []
    return render(request, "councils/proposal.html", {
        "proposal": proposal, "council": council, "comments": queries.comments_of(proposal, public=False),
        "votes": queries.votes_of(proposal), "secret": proposal.outcome.get("ballot") == Council.Ballot.SECRET,
        "can_manage": can(user, "manage", council), "can_moderate": can(user, "moderate", council),
        "can_vote": (proposal.status == Proposal.Status.VOTING and term is not None and not voted
                     and term.resident_id in electorate),
        "voted": voted, "term": term, "choices": Vote.Choice.choices, "electorate": len(electorate),
        "outcome_text": voting.describe(proposal.outcome), "nav_current": "councils",
        "can_withdraw": proposal.status == Proposal.Status.DELIBERATION and (
            can(user, "manage", council) or proposal.proposer_user_id == user.pk),
        "can_comment": proposal.status in (Proposal.Status.DELIBERATION, Proposal.Status.VOTING)
        and (term is not None or can(user, "moderate", council)),
    })


@login_required
@require_POST
def proposal_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, pk)
    user: Any = request.user
    post = request.POST
    back = reverse("councils:proposal", args=[proposal.pk])
    try:
        if action == "comment":
            actions.do_add_comment(proposal, acting_user=user, body=post.get("body", ""))
            messages.success(request, _("Your comment has been added."))
        elif action == "hide":
            comment = Comment.objects.filter(proposal=proposal, pk=_int(post.get("comment"))).first()
            if comment is None:
                raise Http404
            actions.do_hide_comment(comment, acting_user=user, reason=post.get("reason", ""))
            messages.success(request, _("The comment has been hidden."))
        elif action == "open":
            actions.do_open_voting(proposal, acting_user=user,
                                   closes_at=_datetime(post.get("closes_at"), "closes_at"))
            messages.success(request, _("Voting is open."))
        elif action == "vote":
            actions.do_cast_vote(proposal, acting_user=user, choice=post.get("choice", ""))
            messages.success(request, _("Your vote has been recorded."))
        elif action == "close":
            proposal = actions.do_close_voting(proposal, acting_user=user)
            messages.success(request, _("Voting has closed: %(outcome)s") % {
                "outcome": voting.describe(proposal.outcome)})
        elif action == "demand":
            demand = actions.do_turn_into_demand(proposal, acting_user=user)
            messages.success(request, _("The proposal is now on the demand list."))
            return redirect("lists:demand", demand.pk)
        elif action == "project":
            actions.do_turn_into_project(proposal, acting_user=user)
            messages.success(request, _("The proposal is now a project."))
        elif action == "withdraw":
            actions.do_withdraw(proposal, acting_user=user, reason=post.get("reason", ""))
            messages.success(request, _("The proposal has been withdrawn."))
        else:
            raise Http404
    except ActionError as exc:
        _fail(request, exc)
    return redirect(back)
