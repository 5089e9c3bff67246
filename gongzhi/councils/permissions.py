"""The councils policy: who sees and does what in residents' councils (居民议事会).

- Area staff see the councils of their subtree; community workers and up (`MANAGE_ROLES`) run them: appoint and
  renew councillors, open and close votes, moderate comments, turn a passed proposal into a demand or a project.
- A councillor (an account linked to a serving `Councillor`) sees their council, proposes, votes while serving,
  and moderates comments.
- Residents read proposals, comments and outcomes on the public pages (public fields only), submit proposals and
  comment with a verified phone; they need no account.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from gongzhi.core.models import Role
from gongzhi.core.permissions import AREA_STAFF_ROLES, MANAGE_ROLES
from gongzhi.core.policy import (
    Policy,
    PolicySet,
    is_active_user,
    is_superuser,
    path_q,
    scope_paths,
    user_roles,
)

from .models import Council, Councillor, Proposal

STAFF_ROLES = AREA_STAFF_ROLES


# A councillor signs in with the account of a resident, a party member or a volunteer (or one with no role): an
# account with any other role (staff, a department handler, a unit liaison, a follow-up caller) is never taken for a
# councillor, so their pages cost no councillor query.
COUNCILLOR_ACCOUNT_ROLES = frozenset({Role.RESIDENT, Role.PARTY_MEMBER, Role.VOLUNTEER})


def may_be_councillor(user: Any) -> bool:
    return is_active_user(user) and user_roles(user) <= COUNCILLOR_ACCOUNT_ROLES


def serving_terms(user: Any, day: Any = None) -> list[Councillor]:
    """The user's councillor terms serving today (or `day`); read once per request and cached on the user."""
    if not may_be_councillor(user):
        return []
    terms = getattr(user, "_gongzhi_councillor_terms", None)
    if terms is None:
        terms = list(Councillor.objects.filter(user=user).select_related("council"))
        user._gongzhi_councillor_terms = terms
    day = day or timezone.localdate()
    return [c for c in terms if c.serving_on(day)]


def councillor_council_ids(user: Any) -> set[int]:
    return {c.council_id for c in serving_terms(user)}


class CouncilPolicy(Policy[Council]):
    model = Council
    noun = "council"
    area_path = "area__path"
    view_roles = STAFF_ROLES
    actions = ("view", "manage", "vote", "moderate", "propose")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": STAFF_ROLES, "manage": MANAGE_ROLES}
    select_related = ("area",)

    def visible_q(self, user: Any) -> Q:
        return path_q(scope_paths(user, STAFF_ROLES), "area__path") | Q(pk__in=councillor_council_ids(user))

    def can_somewhere(self, user: Any, action: str) -> bool:
        if super().can_somewhere(user, action):
            return True
        return action == "browse" and bool(councillor_council_ids(user))

    def check_vote(self, user: Any, council: Council) -> bool:
        """A councillor serving today on this council (a superuser is no councillor)."""
        return council.pk in councillor_council_ids(user)

    def check_moderate(self, user: Any, council: Council) -> bool:
        return self.check_vote(user, council) or self.in_scope(user, council, MANAGE_ROLES)

    def check_propose(self, user: Any, council: Council) -> bool:
        return self.check_moderate(user, council)


class ProposalPolicy(Policy[Proposal]):
    """Signed-in pages of proposals: the council's staff and councillors (the public pages need no policy)."""

    model = Proposal
    noun = "proposal"
    area_path = "council__area__path"
    view_roles = STAFF_ROLES
    actions = ("view", "manage")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"manage": MANAGE_ROLES}
    select_related = ("council__area",)

    def area_of(self, obj: Any) -> Any:
        return obj.council.area if isinstance(obj, Proposal) else super().area_of(obj)

    def visible_q(self, user: Any) -> Q:
        return path_q(scope_paths(user, STAFF_ROLES), "council__area__path") | \
            Q(council_id__in=councillor_council_ids(user))

    def check_manage(self, user: Any, proposal: Proposal) -> bool:
        return is_superuser(user) or self.in_scope(user, proposal, MANAGE_ROLES)


council_policy = CouncilPolicy()
proposal_policy = ProposalPolicy()
policies = PolicySet(council_policy, proposal_policy)

get_council_for_user = council_policy.get_for_user
get_proposal_for_user = proposal_policy.get_for_user


def visible_to(user: Any, model: type[models.Model]) -> models.QuerySet[Any]:
    return policies.visible_to(user, model)


def can(user: Any, action: str, obj: Any) -> bool:
    return policies.can(user, action, obj)


def require(user: Any, action: str, obj: Any, message: str | None = None) -> None:
    policies.require(user, action, obj, message)
