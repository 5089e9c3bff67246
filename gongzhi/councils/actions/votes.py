"""Voting on a proposal (表决): open with a closing time, cast (a serving councillor, once), close and count
(`councils.voting`), by hand or by the scheduled check once `voting_closes_at` has passed.

- **The electorate** is fixed when voting opens: the residents serving on the council that day (their ids are kept
  in `outcome["electorate"]` while voting is open). It is the base of the quorum. Only they vote, and each only while
  serving on the day they cast: a councillor whose term ended (or who left early) is refused, even if they were in
  the electorate; their place still counts in the quorum's base. A renewed term is the same resident: one vote per
  resident, whichever of their terms casts it.
- **A secret ballot** keeps no link between a councillor and a choice: the `Vote` row (who voted, so nobody votes
  twice) has no choice, and the choice goes into one of the blank `SecretChoice` rows made when voting opened (one per
  member of the electorate), picked at random — so neither the rows' ids nor their order say who chose what. The
  audit row of a secret vote names the councillor and not the choice.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import User
from gongzhi.core.notifications import notify

from .. import voting
from ..models import Council, Councillor, Proposal, SecretChoice, Vote
from ..permissions import council_policy
from .proposals import serving_term

_rng = random.SystemRandom()


def electorate(council: Council, day: Any = None) -> list[int]:
    """The ids of the residents serving on the council on `day` (today)."""
    day = day or timezone.localdate()
    terms = Councillor.objects.filter(council=council, term_start__lte=day, term_end__gte=day)
    return sorted({t.resident_id for t in terms if t.serving_on(day)})


@transaction.atomic
def do_open_voting(proposal: Proposal, *, acting_user: User | None, closes_at: datetime,
                   now: datetime | None = None) -> Proposal:
    """Put a proposal in deliberation to the vote until `closes_at`."""
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("council__area").get(pk=proposal.pk)
    council = proposal.council
    council_policy.require(acting_user, "manage", council, _("You may not open votes in this council."))
    now = now or timezone.now()
    if proposal.status != Proposal.Status.DELIBERATION:
        raise InvalidTransition(_("Only a proposal in deliberation can be put to the vote."))
    if closes_at is None or timezone.is_naive(closes_at) or closes_at <= now:
        raise ActionError(_("Please choose when voting closes, in the future."), field="closes_at")
    if (closes_at - now).days > 90:
        raise ActionError(_("Voting stays open at most 90 days."), field="closes_at")
    voters = electorate(council, timezone.localdate(now))
    proposal.status, proposal.voting_opened_at, proposal.voting_closes_at = Proposal.Status.VOTING, now, closes_at
    proposal.outcome = {"electorate": voters, "ballot": council.ballot}
    proposal.updated_at = now
    proposal.save(update_fields=["status", "voting_opened_at", "voting_closes_at", "outcome", "updated_at"])
    if council.ballot == Council.Ballot.SECRET:
        SecretChoice.objects.bulk_create([SecretChoice(proposal=proposal, choice="") for _i in voters])
    log_event(acting_user, "councils.open_voting", proposal, area=council.area,
              after={"closes_at": closes_at.isoformat(), "electorate": len(voters), "ballot": council.ballot})
    councillors = [t.user for t in Councillor.objects.filter(council=council, resident_id__in=voters,
                                                               user__isnull=False).select_related("user")
                   if t.serving_on(timezone.localdate(now))]
    notify(councillors, "councils.open_voting",
           _("Voting is open on the proposal “%(title)s”.") % {"title": proposal.title[:80]},
           reverse("councils:proposal", args=[proposal.pk]))
    return proposal


@transaction.atomic
def do_cast_vote(proposal: Proposal, *, acting_user: User | None, choice: str,
                 now: datetime | None = None) -> Vote:
    """The signed-in councillor's vote: for, against or abstain; once per proposal."""
    now = now or timezone.now()
    council = Council.objects.get(pk=proposal.council_id)
    term = serving_term(acting_user, council) if acting_user is not None else None
    return _cast(proposal, term, choice, now, acting_user)


@transaction.atomic
def do_cast_vote_for_demo(proposal: Proposal, *, councillor: Councillor, choice: str, at: datetime) -> Vote:
    """The demo city's councillors (most have no account): the same checks and write as `do_cast_vote` for the
    given term, at `at`. Only `gongzhi demo` calls this."""
    return _cast(proposal, councillor, choice, at, None)


def _cast(proposal: Proposal, term: Councillor | None, choice: str, now: datetime, acting_user: User | None) -> Vote:
    if choice not in Vote.Choice.values:
        raise ActionError(_("Please vote for, against or abstain."), field="choice")
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("council__area").get(pk=proposal.pk)
    council = proposal.council
    if proposal.status != Proposal.Status.VOTING:
        raise InvalidTransition(_("This proposal is not open for voting."))
    if proposal.voting_closes_at is not None and proposal.voting_closes_at <= now:
        raise InvalidTransition(_("Voting on this proposal has closed."))
    if term is not None:
        term = Councillor.objects.get(pk=term.pk)
    if term is None or term.council_id != council.pk or not term.serving_on(timezone.localdate(now)):
        raise ActionError(_("Only a councillor serving today votes: your term is over or has not started."),
                          field="choice")
    if term.resident_id not in proposal.outcome.get("electorate", []):
        raise ActionError(_("You became a councillor after voting opened: you do not vote on this proposal."),
                          field="choice")
    if Vote.objects.filter(proposal=proposal, councillor__resident_id=term.resident_id).exists():
        raise ActionError(_("You have already voted on this proposal."), field="choice")
    secret = proposal.outcome.get("ballot", council.ballot) == Council.Ballot.SECRET
    vote = Vote.objects.create(proposal=proposal, councillor=term, choice="" if secret else choice, cast_at=now)
    if secret:
        blank = list(SecretChoice.objects.select_for_update(of=("self",)).filter(proposal=proposal, choice="")
                     .values_list("pk", flat=True))
        if not blank:
            raise ActionError(_("No ballot is left for this vote."), field="choice")
        SecretChoice.objects.filter(pk=_rng.choice(blank)).update(choice=choice)
    log_event(acting_user, "councils.cast_vote", proposal, area=council.area,
              after={"councillor": term.pk, **({} if secret else {"choice": choice})})
    return vote


def tally(proposal: Proposal) -> voting.Tally:
    """The votes cast so far (a secret ballot's from its choices, which name nobody)."""
    choices: Any
    if proposal.outcome.get("ballot") == Council.Ballot.SECRET:
        choices = SecretChoice.objects.filter(proposal=proposal).exclude(choice="").values_list("choice", flat=True)
    else:
        choices = Vote.objects.filter(proposal=proposal).values_list("choice", flat=True)
    return voting.Tally.of(choices)


@transaction.atomic
def do_close_voting(proposal: Proposal, *, acting_user: User | None, now: datetime | None = None) -> Proposal:
    """Close the vote and count it with the council's rules: the outcome (with the reason) is kept, the proposal
    passes or fails, and the proposer (with an account) and the council's staff are told. `acting_user` None: the
    scheduled check, once the closing time has passed."""
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("council__area").get(pk=proposal.pk)
    council = proposal.council
    council_policy.require(acting_user, "manage", council, _("You may not close votes in this council."))
    now = now or timezone.now()
    if proposal.status != Proposal.Status.VOTING:
        raise InvalidTransition(_("This proposal is not open for voting."))
    voters = list(proposal.outcome.get("electorate", []))
    outcome = voting.count(voting.Rules.of(council), len(voters), tally(proposal))
    proposal.outcome = {**outcome.as_json(), "electorate_ids": voters, "ballot": proposal.outcome.get("ballot"),
                        "closed_by": "schedule" if acting_user is None else "hand", "text": outcome.text}
    proposal.status = Proposal.Status.PASSED if outcome.passed else Proposal.Status.FAILED
    proposal.decided_at = proposal.updated_at = now
    proposal.save(update_fields=["outcome", "status", "decided_at", "updated_at"])
    log_event(acting_user, "councils.close_voting", proposal, area=council.area,
              after={"status": proposal.status, "reason": outcome.reason, "yes": outcome.yes, "no": outcome.no,
                     "abstain": outcome.abstain, "electorate": outcome.electorate})
    text = _("The proposal “%(title)s”: %(outcome)s") % {"title": proposal.title[:60], "outcome": outcome.text}
    url = reverse("councils:proposal", args=[proposal.pk])
    told = [proposal.proposer_user] if proposal.proposer_user_id else []
    notify([*told, *council_policy.users_who_can("manage", council)], "councils.close_voting", text, url)
    return proposal


def do_close_due_votes(now: datetime | None = None) -> int:
    """Close every vote whose closing time has passed (the scheduled check); how many were closed."""
    now = now or timezone.now()
    due = list(Proposal.objects.filter(status=Proposal.Status.VOTING, voting_closes_at__lte=now)
               .values_list("pk", flat=True))
    closed = 0
    for pk in due:
        try:
            do_close_voting(Proposal(pk=pk), acting_user=None, now=now)
        except InvalidTransition:  # closed by hand meanwhile
            continue
        closed += 1
    return closed
