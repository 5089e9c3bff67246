"""What waits for a councillor on the home page (待办): proposals open for voting they have not voted on."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import Task

from .models import Proposal, Vote
from .permissions import serving_terms


def to_vote(user: Any) -> Any:
    """The proposals open for voting in the user's councils that none of their terms has voted on."""
    terms = serving_terms(user)
    if not terms:
        return Proposal.objects.none()
    residents = {t.resident_id for t in terms}
    voted = Vote.objects.filter(councillor__resident_id__in=residents).values("proposal_id")
    return (Proposal.objects.filter(council_id__in={t.council_id for t in terms}, status=Proposal.Status.VOTING,
                                    voting_closes_at__gt=timezone.now())
            .exclude(pk__in=voted).order_by("voting_closes_at", "pk"))


def councillor_tasks(user: Any) -> list[Task]:
    if not serving_terms(user):
        return []
    first = list(to_vote(user).values_list("pk", flat=True)[:2])
    count = len(first) if len(first) < 2 else to_vote(user).count()
    url = reverse("councils:proposal", args=[first[0]]) if count == 1 else reverse("councils:index") + "?to_vote=1"
    return [Task("councils.vote", _("Proposals to vote on"), count, url, "soon" if count else "")]
