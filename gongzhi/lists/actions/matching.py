"""Writes of matching (点对点匹配): propose a round, change or remove its pairs, confirm it; match one demand by
hand. Confirming is all-or-nothing: the resources are locked (`capacity.locked`), what is left is checked again,
capacity reserved (`capacity.reserve`), one project (waiting to be claimed) made per pair, the demand set matched;
a pair that no longer fits refuses the whole confirmation with a message naming it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event, snapshot
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Area, User

from .. import capacity, matching, permissions
from ..models import Demand, MatchPair, MatchRound, Project, Resource

ROUND_LEVELS = ("community", "subdistrict", "district", "city")


def _require_matching(user: User | None, area: Area) -> None:
    if user is not None and not permissions.can(user, "run_matching", area):
        raise PermissionDenied(_("You may not run matching for this area."))


@transaction.atomic
def do_propose_match_round(*, acting_user: User | None, area: Area) -> MatchRound:
    """Propose one assignment of resources to the open demands of a community, a subdistrict, a district or the
    city (maximising the total score, never beyond what a resource has left)."""
    if area.level not in ROUND_LEVELS:
        raise ActionError(_("A matching round is for a community, a subdistrict, a district or the city."),
                          field="area")
    _require_matching(acting_user, area)
    proposal = matching.propose(area)
    if not proposal.pairs:
        raise ActionError(_("No open demand in %(area)s has a resource that fits it now.") % {"area": area.name},
                          field="area")
    a = proposal.assignment
    match_round = MatchRound.objects.create(
        area=area, created_by=acting_user, total_score=round(a.objective, 4),
        solver={"method": a.method, "status": a.status, "seconds": round(a.seconds, 3), "demands": proposal.demands,
                "resources": proposal.resources, "candidate_pairs": proposal.candidate_pairs,
                "gap": matching.ROUND_GAP, **{k: round(v, 6) for k, v in a.details.items()}})
    MatchPair.objects.bulk_create([
        MatchPair(round=match_round, demand_id=demand_id, resource_id=c.resource_id, score=c.score,
                  reasons=c.reasons, amount=c.amount) for demand_id, c in proposal.pairs], batch_size=1000)
    log_event(acting_user, "lists.propose_match_round", match_round, area=area,
              after={"pairs": len(proposal.pairs), "total_score": match_round.total_score})
    return match_round


def _locked_proposed_round(match_round: MatchRound) -> MatchRound:
    match_round = MatchRound.objects.select_for_update(of=("self",)).select_related("area").get(pk=match_round.pk)
    if match_round.status != MatchRound.Status.PROPOSED:
        raise InvalidTransition(_("This matching round is %(status)s and cannot be changed.") % {
            "status": match_round.get_status_display()})
    return match_round


@transaction.atomic
def do_remove_match_pair(pair: MatchPair, *, acting_user: User | None) -> MatchPair:
    """Take a pair out of a proposed round."""
    if pair.round is None:
        raise InvalidTransition(_("This match is not part of a round."))
    match_round = _locked_proposed_round(pair.round)
    permissions.require(acting_user, "confirm", match_round, _("You may not change this matching round."))
    pair = MatchPair.objects.select_related("demand", "resource").get(pk=pair.pk)
    if pair.status != MatchPair.Status.PROPOSED:
        raise InvalidTransition(_("This match was already removed."))
    pair.status = MatchPair.Status.REMOVED
    pair.save(update_fields=["status"])
    _refresh_total(match_round)
    log_event(acting_user, "lists.remove_match_pair", match_round, area=match_round.area,
              before={"demand": pair.demand.title, "resource": pair.resource.title})
    return pair


@transaction.atomic
def do_change_match_pair(pair: MatchPair, resource: Resource, *, acting_user: User | None) -> MatchPair:
    """Give a pair of a proposed round another of its demand's candidate resources (its score and reasons
    recomputed; it must fit the resource now)."""
    if pair.round is None:
        raise InvalidTransition(_("This match is not part of a round."))
    match_round = _locked_proposed_round(pair.round)
    permissions.require(acting_user, "confirm", match_round, _("You may not change this matching round."))
    pair = MatchPair.objects.select_related("demand__area", "resource").get(pk=pair.pk)
    if pair.status == MatchPair.Status.CONFIRMED:
        raise InvalidTransition(_("This match is already confirmed."))
    candidate = next((c for c in matching.candidates_for(pair.demand, limit=10_000)
                      if c.resource_id == resource.pk), None)
    if candidate is None:
        raise ActionError(_("%(resource)s is not a candidate for %(demand)s now.") % {
            "resource": resource.title, "demand": pair.demand.title}, field="resource")
    before = {"resource": pair.resource.title, "status": pair.status}
    pair.resource = resource
    pair.score, pair.reasons, pair.amount = candidate.score, candidate.reasons, candidate.amount
    pair.status = MatchPair.Status.PROPOSED
    pair.save(update_fields=["resource", "score", "reasons", "amount", "status"])
    _refresh_total(match_round)
    log_event(acting_user, "lists.change_match_pair", match_round, area=match_round.area, before=before,
              after={"demand": pair.demand.title, "resource": resource.title})
    return pair


def _refresh_total(match_round: MatchRound) -> None:
    scores = match_round.pairs.filter(status=MatchPair.Status.PROPOSED).values_list("score", flat=True)
    match_round.total_score = round(sum(scores), 4)
    match_round.save(update_fields=["total_score"])


def _community_of(area: Area) -> Area:
    if area.level == Area.Level.COMMUNITY:
        return area
    return area.ancestor_of_level(Area.Level.COMMUNITY) or area


def _confirm_pairs(pairs: list[MatchPair], acting_user: User | None) -> list[Project]:
    """Lock, check again, reserve and make the projects (inside the caller's transaction: all or nothing)."""
    demands = {d.pk: d for d in Demand.objects.select_for_update(of=("self",)).filter(
        pk__in=sorted({p.demand_id for p in pairs})).select_related("area").order_by("pk")}
    resources = capacity.locked([p.resource_id for p in pairs])
    today = timezone.localdate()
    asked: dict[int, Decimal] = {}
    seen: set[int] = set()
    for pair in pairs:
        demand, resource = demands[pair.demand_id], resources[pair.resource_id]
        name = {"demand": demand.title, "resource": resource.title}
        if demand.status != Demand.Status.OPEN or demand.pk in seen:
            raise ActionError(_("%(demand)s ← %(resource)s: the demand is no longer open (%(status)s).") % {
                **name, "status": demand.get_status_display()})
        seen.add(demand.pk)
        if resource.status != Resource.Status.ACTIVE or (resource.valid_until and resource.valid_until < today) \
                or (resource.valid_from and resource.valid_from > today):
            raise ActionError(_("%(demand)s ← %(resource)s: the resource is not available now.") % name)
        asked[resource.pk] = asked.get(resource.pk, Decimal(0)) + Decimal(pair.amount)
        if asked[resource.pk] > capacity.remaining(resource):
            raise ActionError(_("%(demand)s ← %(resource)s: the resource has only %(left)s %(unit)s left, "
                                "%(asked)s are asked for. Remove or change this match and confirm again.") % {
                **name, "left": _number(capacity.remaining(resource)), "unit": resource.get_capacity_unit_display(),
                "asked": _number(asked[resource.pk])})
    now = timezone.now()
    projects = []
    for pair in pairs:
        demand, resource = demands[pair.demand_id], resources[pair.resource_id]
        project = Project.objects.create(
            title=demand.title, description=demand.description, area=_community_of(demand.area),
            status=Project.Status.PROPOSED, created_by=acting_user, created_at=now, updated_at=now,
            budget=Decimal(pair.amount) if resource.capacity_unit == "yuan" else None)
        project.demands.add(demand)
        capacity.reserve(project, resource, Decimal(pair.amount))
        pair.status, pair.project = MatchPair.Status.CONFIRMED, project
        pair.save(update_fields=["status", "project"])
        demand.status, demand.updated_at = Demand.Status.MATCHED, now
        demand.save(update_fields=["status", "updated_at"])
        log_event(acting_user, "lists.confirm_match", project, area=project.area,
                  after={"demand": demand.title, "resource": resource.title, "amount": _number(pair.amount),
                         **snapshot(project, ["title", "status"])})
        projects.append(project)
    return projects


@transaction.atomic
def do_confirm_match_round(match_round: MatchRound, *, acting_user: User | None) -> list[Project]:
    """Confirm a proposed round: every remaining pair becomes a project waiting to be claimed, or none does."""
    match_round = _locked_proposed_round(match_round)
    permissions.require(acting_user, "confirm", match_round, _("You may not confirm this matching round."))
    pairs = list(match_round.pairs.filter(status=MatchPair.Status.PROPOSED).order_by("pk"))
    if not pairs:
        raise ActionError(_("This round has no match left to confirm."))
    projects = _confirm_pairs(pairs, acting_user)
    match_round.status = MatchRound.Status.CONFIRMED
    match_round.confirmed_by, match_round.confirmed_at = acting_user, timezone.now()
    match_round.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    log_event(acting_user, "lists.confirm_match_round", match_round, area=match_round.area,
              after={"projects": len(projects), "total_score": match_round.total_score})
    return projects


@transaction.atomic
def do_discard_match_round(match_round: MatchRound, *, acting_user: User | None) -> MatchRound:
    match_round = _locked_proposed_round(match_round)
    permissions.require(acting_user, "confirm", match_round, _("You may not change this matching round."))
    match_round.status = MatchRound.Status.DISCARDED
    match_round.save(update_fields=["status"])
    log_event(acting_user, "lists.discard_match_round", match_round, area=match_round.area)
    return match_round


@transaction.atomic
def do_match_by_hand(demand: Demand, resource: Resource, *, acting_user: User | None) -> Project:
    """Match one demand with one of its candidates: a confirmed match and a project waiting to be claimed."""
    _require_matching(acting_user, demand.area)
    candidate = next((c for c in matching.candidates_for(demand, limit=10_000) if c.resource_id == resource.pk), None)
    if candidate is None:
        raise ActionError(_("%(resource)s is not a candidate for %(demand)s now.") % {
            "resource": resource.title, "demand": demand.title}, field="resource")
    pair = MatchPair.objects.create(demand=demand, resource=resource, score=candidate.score,
                                    reasons=candidate.reasons, amount=candidate.amount)
    return _confirm_pairs([pair], acting_user)[0]


def _number(value: Any) -> str:
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
