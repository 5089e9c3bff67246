"""The public pages of the councils, for residents on a phone without an account:

- /councils/<community>/ — the council's councillors serving (public office holders: named) and its proposals with
  their outcomes;
- /councils/proposals/<pk>/ — one proposal: the text, the visible comments (a hidden one shows the reason only),
  the outcome, and a comment form (name, phone and the code sent to it);
- /councils/<community>/propose/ — a resident's proposal (name, phone and code).

A resident's name is masked (张*兰), a phone never shown; councillors' names are shown. Every POST counts against a
per-address limit (COUNCILS_PUBLIC_RATE: 20 per 10 minutes by default), as the lists' public forms do.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.core.errors import ActionError
from gongzhi.lib import ratelimit
from gongzhi.lib.masking import mask_phone
from gongzhi.lib.net import client_ip
from gongzhi.lists import phone_codes

from .. import actions, queries, voting
from ..actions._common import mask_name
from ..models import Council, Proposal

HIDDEN_STATUSES = (Proposal.Status.WITHDRAWN,)


def _over_limit(request: HttpRequest) -> bool:
    limit, window = getattr(settings, "COUNCILS_PUBLIC_RATE", (20, 600))
    return not ratelimit.hit(f"councils:public:{client_ip(request)}", limit=int(limit), window_seconds=int(window))


def _council(community_id: int) -> Council:
    council = queries.public_council(community_id)
    if council is None:
        raise Http404(_("This community has no residents' council."))
    return council


def public_name(proposal: Proposal) -> str:
    """The proposer as the public pages show them: a councillor by name, a resident masked."""
    if proposal.proposer_kind == Proposal.ProposerKind.COUNCILLOR:
        return proposal.proposer_name
    return mask_name(proposal.proposer_name)


def _serving(council: Council) -> list[Any]:
    return [t for t in queries.councillors_of(council) if t.serving]  # type: ignore[attr-defined]


@require_http_methods(["GET"])
def public_council(request: HttpRequest, community_id: int) -> HttpResponse:
    council = _council(community_id)
    proposals = list(queries.proposals_of(council).exclude(status__in=HIDDEN_STATUSES)[:200])
    for p in proposals:
        p.public_name = public_name(p)  # type: ignore[attr-defined]
        p.outcome_text = voting.describe(p.outcome)  # type: ignore[attr-defined]
    return render(request, "councils/public_council.html", {
        "council": council, "community": council.area, "councillors": _serving(council), "proposals": proposals,
    })


def _too_many(request: HttpRequest, council: Council) -> HttpResponse:
    return render(request, "councils/public_too_many.html", {"council": council, "community": council.area},
                  status=429)


def _form(post: Any) -> dict[str, str]:
    return {k: (post.get(k) or "").strip()[:limit] for k, limit in
            (("name", 50), ("phone", 20), ("title", 200), ("body", 5000))}


@require_http_methods(["GET", "POST"])
def public_propose(request: HttpRequest, community_id: int) -> HttpResponse:
    """GET: the form; POST `send`: a code to the phone (the form comes back filled in); POST `submit`: the
    proposal with the code."""
    council = _council(community_id)
    context: dict[str, Any] = {"council": council, "community": council.area, "form": {}}
    if request.method == "GET":
        return render(request, "councils/public_propose.html", context)
    if _over_limit(request):
        return _too_many(request, council)
    form = _form(request.POST)
    context["form"] = form
    try:
        if "send" in request.POST:
            actions.do_send_proposal_code(council, phone=form["phone"])
            context["code_sent_to"] = mask_phone(phone_codes.normalise_phone(form["phone"]))
            return render(request, "councils/public_propose.html", context)
        proposal = actions.do_submit_proposal(council, acting_user=None, title=form["title"], body=form["body"],
                                              name=form["name"], phone=form["phone"],
                                              code=request.POST.get("code") or "")
    except ActionError as exc:
        context.update(error=exc.message, error_field=exc.field)
        return render(request, "councils/public_propose.html", context, status=400)
    return redirect(reverse("councils:public_proposal", args=[proposal.pk]) + "?new=1")


def _proposal_context(proposal: Proposal, **extra: Any) -> dict[str, Any]:
    council = proposal.council
    return {
        "proposal": proposal, "council": council, "community": council.area, "proposer": public_name(proposal),
        "comments": queries.comments_of(proposal, public=True), "outcome_text": voting.describe(proposal.outcome),
        "open": proposal.status in (Proposal.Status.DELIBERATION, Proposal.Status.VOTING), "form": {}, **extra,
    }


@require_http_methods(["GET", "POST"])
def public_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the proposal and its deliberation; POST `send`: a code; POST `comment`: the comment with the code."""
    proposal = queries.public_proposal(pk)
    if proposal is None or proposal.status in HIDDEN_STATUSES:
        raise Http404(_("No such proposal."))
    if request.method == "GET":
        return render(request, "councils/public_proposal.html",
                      _proposal_context(proposal, new=request.GET.get("new") == "1"))
    if _over_limit(request):
        return _too_many(request, proposal.council)
    form = _form(request.POST)
    try:
        if "send" in request.POST:
            actions.do_send_comment_code(proposal, phone=form["phone"])
            return render(request, "councils/public_proposal.html", _proposal_context(
                proposal, form=form, code_sent_to=mask_phone(phone_codes.normalise_phone(form["phone"]))))
        actions.do_add_comment(proposal, acting_user=None, body=form["body"], name=form["name"],
                               phone=form["phone"], code=request.POST.get("code") or "")
    except ActionError as exc:
        return render(request, "councils/public_proposal.html", _proposal_context(
            proposal, form=form, error=exc.message, error_field=exc.field), status=400)
    return redirect(reverse("councils:public_proposal", args=[proposal.pk]) + "?commented=1#comments")
