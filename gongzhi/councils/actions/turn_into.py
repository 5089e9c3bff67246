"""A passed proposal becomes a demand of the demand list (source "council", `source_key` "councils.proposal:<id>",
`source_ref` the proposal's title), or a project meeting that demand, through the lists' own actions (which check
the acting user's rights on the lists). The proposer is told: by a notification when they have an account; a
resident who proposed on the public form left no phone number (only its hash is kept), so the proposal's public page
shows what became of it."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import InvalidTransition
from gongzhi.core.models import User
from gongzhi.core.notifications import notify
from gongzhi.lists import actions as list_actions
from gongzhi.lists.models import Demand

from ..models import Proposal
from ..permissions import council_policy


def source_key(proposal: Proposal) -> str:
    return f"councils.proposal:{proposal.pk}"


def _tell_proposer(proposal: Proposal, text: str) -> None:
    if proposal.proposer_user_id:
        notify([proposal.proposer_user], "councils.turn_into", text, reverse("councils:proposal", args=[proposal.pk]))


@transaction.atomic
def do_turn_into_demand(proposal: Proposal, *, acting_user: User | None) -> Demand:
    """The passed proposal as a demand of its community (once)."""
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("council__area", "proposer_user").get(
        pk=proposal.pk)
    council = proposal.council
    council_policy.require(acting_user, "manage", council, _("You may not turn proposals into demands here."))
    if proposal.status != Proposal.Status.PASSED:
        raise InvalidTransition(_("Only a passed proposal becomes a demand."))
    if proposal.demand_id is not None:
        raise InvalidTransition(_("This proposal is already on the demand list."))
    demand = list_actions.do_create_demand(
        acting_user=acting_user, title=proposal.title, area=council.area, description=proposal.body,
        source=Demand.Source.COUNCIL, source_ref=proposal.title[:200], source_key=source_key(proposal))
    proposal.demand, proposal.updated_at = demand, timezone.now()
    proposal.save(update_fields=["demand", "updated_at"])
    log_event(acting_user, "councils.turn_into_demand", proposal, area=council.area, after={"demand": demand.pk})
    _tell_proposer(proposal, _("Your proposal “%(title)s” passed and is now on the community's demand list.")
                   % {"title": proposal.title[:80]})
    return demand


@transaction.atomic
def do_turn_into_project(proposal: Proposal, *, acting_user: User | None) -> object:
    """The passed proposal as a project waiting to be claimed, meeting its demand (made first if need be)."""
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("council__area", "demand").get(pk=proposal.pk)
    council = proposal.council
    council_policy.require(acting_user, "manage", council, _("You may not turn proposals into projects here."))
    if proposal.status != Proposal.Status.PASSED:
        raise InvalidTransition(_("Only a passed proposal becomes a project."))
    if proposal.project_id is not None:
        raise InvalidTransition(_("This proposal is already a project."))
    demand = proposal.demand or do_turn_into_demand(proposal, acting_user=acting_user)
    project = list_actions.do_create_project(acting_user=acting_user, area=council.area, title=proposal.title,
                                             description=proposal.body, demand_ids=[demand.pk])
    Proposal.objects.filter(pk=proposal.pk).update(project=project, demand=demand, updated_at=timezone.now())
    log_event(acting_user, "councils.turn_into_project", proposal, area=council.area, after={"project": project.pk})
    _tell_proposer(proposal, _("Your proposal “%(title)s” passed and is now a project of the community.")
                   % {"title": proposal.title[:80]})
    return project
