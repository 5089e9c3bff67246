"""Read-side helpers of the councils' pages and API."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .actions._common import mask_name
from .models import Comment, Council, Councillor, Proposal, Vote
from .permissions import visible_to


def councillors_of(council: Council) -> list[Councillor]:
    """Every term of the council, the serving ones first, each with `serving` (today) and `renewed`."""
    today = timezone.localdate()
    terms: list[Councillor] = list(Councillor.objects.filter(council=council).select_related("resident", "user", "renews")
                 .annotate(renewal_count=Count("renewals")).order_by("-term_end", "resident__name", "pk"))
    for term in terms:
        term.serving = term.serving_on(today)  # type: ignore[attr-defined]
        term.renewed = bool(term.renewal_count)  # type: ignore[attr-defined]
    terms.sort(key=lambda t: (not t.serving, t.resident.name))  # type: ignore[attr-defined]
    return terms


def proposals_of(council: Council, status: str = "") -> QuerySet[Proposal]:
    qs = council.proposals.annotate(
        vote_count=Count("votes", distinct=True),
        comment_count=Count("comments", filter=Q(comments__hidden=False), distinct=True))
    return qs.filter(status=status) if status else qs


def visible_proposals(user: Any) -> QuerySet[Proposal]:
    return visible_to(user, Proposal).select_related("council__area")


def comments_of(proposal: Proposal, *, public: bool) -> list[Comment]:
    """The proposal's comments in order; on a public page each has `public_name` (a resident's masked)."""
    comments = list(Comment.objects.filter(proposal=proposal).select_related("councillor")
                    .order_by("created_at", "pk"))
    if public:
        for c in comments:
            c.public_name = c.author_name if (c.councillor_id or c.user_id) else mask_name(c.author_name)  # type: ignore[attr-defined]
    return comments


def votes_of(proposal: Proposal) -> list[Vote]:
    """Who voted (an open ballot with their choices; a secret one without)."""
    return list(Vote.objects.filter(proposal=proposal).select_related("councillor__resident").order_by("cast_at"))


def public_council(community_id: int) -> Council | None:
    return Council.objects.select_related("area").filter(area_id=community_id).first()


def public_proposal(pk: int) -> Proposal | None:
    return Proposal.objects.select_related("council__area").filter(pk=pk).first()
