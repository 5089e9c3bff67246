"""The disputes policy: confidentiality stricter than appeals.

Two levels of sight:

- **The record** (reference, type, urgency, risk, status, dates, the communities; never the title, what is at stake,
  the parties' names or particulars, the sessions' notes or the agreement): area staff over the dispute's community
  (community and grid workers, subdistrict staff, district and city admins) and the members and head of a mediation
  body that covers it (its community's committee; the office of an alliance it belongs to). Everyone else gets 404:
  a mediator of another community does not learn the dispute exists.
- **The content** (`sees_content`): the assigned mediators (a person assigned, or a member of an assigned body),
  the head of an assigned body or of the community's committee, and the supervising subdistrict (subdistrict
  staff over the dispute's community); and the person who recorded it, until it is assigned (they finish the
  intake). Every view of a dispute's page or API detail is audited ("disputes.view"), whoever looks.

Actions: `record` (community and grid workers, subdistrict staff; mediation bodies' members), `assign` (community
workers and subdistrict staff over the community, and the head of a covering body), `mediate` (sessions, outcome,
agreement, follow-ups: the assigned mediators and the heads who see the content), `schedule` (the dates of
follow-up visits: the mediators, and the community workers over the dispute's community, who need not see the
content), `close`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q

from gongzhi.core.models import Area, Role
from gongzhi.core.permissions import AREA_STAFF_ROLES
from gongzhi.core.policy import (
    Policy,
    PolicySet,
    covers,
    has_role,
    is_active_user,
    is_superuser,
    path_q,
    scope_paths,
    user_grants,
)

from .models import Dispute, MediationAssignment, MediationBody

RECORD_ROLES = frozenset({Role.SUBDISTRICT_STAFF, Role.COMMUNITY_WORKER, Role.GRID_WORKER})
ASSIGN_ROLES = frozenset({Role.SUBDISTRICT_STAFF, Role.COMMUNITY_WORKER})
SUPERVISORS = frozenset({Role.SUBDISTRICT_STAFF})
STATS_ROLES = AREA_STAFF_ROLES
OPEN_STATUSES = (Dispute.Status.RECORDED, Dispute.Status.ASSIGNED, Dispute.Status.IN_MEDIATION)


def body_ids(user: Any) -> tuple[set[int], set[int]]:
    """The mediation bodies the user belongs to, and those they head (cached on the user for the request)."""
    if not is_active_user(user):
        return set(), set()
    cached = user.__dict__.get("_dispute_bodies")
    if cached is None:
        rows = set(MediationBody.objects.filter(Q(members=user) | Q(head=user)).values_list("pk", "head_id"))
        cached = ({pk for pk, _head in rows}, {pk for pk, head in rows if head == user.pk})
        user.__dict__["_dispute_bodies"] = cached
    return cached


def covering_body_q(bodies: set[int], prefix: str = "") -> Q:
    """Disputes a body covers: its community's (a committee) or its alliance's (an office)."""
    if not bodies:
        return Q(pk__in=[])
    rows = MediationBody.objects.filter(pk__in=bodies).values_list("kind", "community_id", "alliance_id")
    q = Q(pk__in=[])
    for kind, community_id, alliance_id in rows:
        if kind == MediationBody.Kind.COMMITTEE and community_id is not None:
            q |= Q(**{f"{prefix}community_id": community_id})
        elif alliance_id is not None:
            q |= Q(**{f"{prefix}alliance_id": alliance_id}) | Q(**{f"{prefix}community__alliances": alliance_id})
    return q


def content_q(user: Any) -> Q:
    """The disputes whose content the user sees (see the module's docstring)."""
    members, heads = body_ids(user)
    q = Q(assignments__active=True, assignments__mediator=user)
    if members:
        q |= Q(assignments__active=True, assignments__body_id__in=members)
    if heads:
        q |= Q(assignments__active=True, assignments__body_id__in=heads)
        committees = list(MediationBody.objects.filter(pk__in=heads, kind=MediationBody.Kind.COMMITTEE)
                          .values_list("community_id", flat=True))
        if committees:
            q |= Q(community_id__in=committees)
    q |= path_q(scope_paths(user, SUPERVISORS), "community__path")
    q |= Q(recorded_by=user, status=Dispute.Status.RECORDED)
    return q


def sees_content(user: Any, dispute: Dispute) -> bool:
    if is_superuser(user):
        return True
    if not is_active_user(user):
        return False
    cache: dict[int, bool] = user.__dict__.setdefault("_dispute_content", {})
    if dispute.pk not in cache:
        cache[dispute.pk] = Dispute.objects.filter(content_q(user), pk=dispute.pk).exists()
    return cache[dispute.pk]


def grid_community_ids(user: Any) -> set[int]:
    """The communities a grid worker's grids lie in (their grant sits below the community)."""
    ids: set[int] = set()
    for grant in user_grants(user):
        if grant.role != Role.GRID_WORKER:
            continue
        area = grant.area
        community = area if area.level == Area.Level.COMMUNITY else area.ancestor_of_level(Area.Level.COMMUNITY)
        if community is not None:
            ids.add(community.pk)
    return ids


def heads_covering(user: Any, dispute: Dispute) -> bool:
    _members, heads = body_ids(user)
    return bool(heads) and Dispute.objects.filter(covering_body_q(heads), pk=dispute.pk).exists()


class DisputePolicy(Policy[Dispute]):
    model = Dispute
    noun = "dispute"
    area_path = "community__path"
    view_roles = AREA_STAFF_ROLES
    actions = ("view", "view_content", "record", "assign", "mediate", "schedule", "close")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"record": RECORD_ROLES, "assign": ASSIGN_ROLES,
                                                     "stats": STATS_ROLES}
    select_related = ("community", "alliance", "recorded_by")

    def visible_q(self, user: Any) -> Q:
        q = path_q(scope_paths(user, AREA_STAFF_ROLES), "community__path")
        members, _heads = body_ids(user)
        q |= covering_body_q(members)
        q |= Q(assignments__active=True, assignments__mediator=user)
        q |= Q(recorded_by=user)  # a grid worker sees the record of what they reported
        return q

    def scope(self, qs: Any, user: Any) -> Any:
        return qs.filter(self.visible_q(user)).distinct()

    def check_view_content(self, user: Any, dispute: Dispute) -> bool:
        return sees_content(user, dispute)

    def check_record(self, user: Any, dispute: Dispute) -> bool:
        """Record a dispute in `dispute.community` (an unsaved Dispute carries the community)."""
        if covers(user, dispute.community, RECORD_ROLES):
            return True
        if dispute.community_id is not None and dispute.community_id in grid_community_ids(user):
            return True  # a grid worker reports from their grid: the community it lies in
        members, _heads = body_ids(user)
        return bool(members) and MediationBody.objects.filter(
            pk__in=members, kind=MediationBody.Kind.COMMITTEE, community=dispute.community).exists()

    def check_assign(self, user: Any, dispute: Dispute) -> bool:
        if dispute.status not in OPEN_STATUSES:
            return False
        return covers(user, dispute.community, ASSIGN_ROLES) or heads_covering(user, dispute)

    def check_mediate(self, user: Any, dispute: Dispute) -> bool:
        if dispute.status == Dispute.Status.CLOSED:
            return False
        if is_superuser(user):
            return True
        if covers(user, dispute.community, SUPERVISORS) and not self._assigned_to(user, dispute):
            return False  # the subdistrict supervises; it does not mediate
        return sees_content(user, dispute) and dispute.status != Dispute.Status.RECORDED

    def check_schedule(self, user: Any, dispute: Dispute) -> bool:
        """Follow-up visits (set or move the date, add one): the mediators, and the community's workers."""
        return self.check_mediate(user, dispute) or (
            dispute.status != Dispute.Status.CLOSED and covers(user, dispute.community, {Role.COMMUNITY_WORKER}))

    def check_close(self, user: Any, dispute: Dispute) -> bool:
        return dispute.status in (Dispute.Status.AGREED, Dispute.Status.NOT_AGREED, Dispute.Status.REFERRED) and (
            self.check_mediate(user, dispute) or covers(user, dispute.community, ASSIGN_ROLES))

    @staticmethod
    def _assigned_to(user: Any, dispute: Dispute) -> bool:
        members, _heads = body_ids(user)
        return dispute.assignments.filter(Q(mediator=user) | Q(body_id__in=members), active=True).exists()


class MediationBodyPolicy(Policy[MediationBody]):
    """Bodies: seen by area staff over their community (or a community of their alliance) and by their members;
    set up (head, members) by subdistrict staff and up over the community, or over every community of the alliance
    for an office, and by community workers for their own committee."""

    model = MediationBody
    noun = "body"
    area_path = "community__path"
    view_roles = AREA_STAFF_ROLES
    actions = ("view", "manage", "create_body")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"manage": ASSIGN_ROLES, "create_body": ASSIGN_ROLES}
    select_related = ("community", "alliance", "head")

    def visible_q(self, user: Any) -> Q:
        paths = scope_paths(user, AREA_STAFF_ROLES)
        q = path_q(paths, "community__path") | path_q(paths, "alliance__communities__path")
        members, _heads = body_ids(user)
        return q | Q(pk__in=members)

    def scope(self, qs: Any, user: Any) -> Any:
        return qs.filter(self.visible_q(user)).distinct()

    def check_manage(self, user: Any, body: MediationBody) -> bool:
        if body.kind == MediationBody.Kind.COMMITTEE:
            return covers(user, body.community, ASSIGN_ROLES)
        if body.alliance is None:
            return False
        communities = list(body.alliance.communities.all())
        return bool(communities) and any(covers(user, c, ASSIGN_ROLES) for c in communities)


dispute_policy = DisputePolicy()
body_policy = MediationBodyPolicy()
policies = PolicySet(dispute_policy, body_policy)

get_dispute_for_user = dispute_policy.get_for_user
get_body_for_user = body_policy.get_for_user


def shows_disputes(user: Any) -> bool:
    """The nav entry: area staff, members of a mediation body, and mediators with a dispute assigned to them."""
    if is_superuser(user) or (is_active_user(user) and has_role(user, AREA_STAFF_ROLES)):
        return True
    members, _heads = body_ids(user)
    if members:
        return True
    if not is_active_user(user):
        return False
    cached = user.__dict__.get("_dispute_assigned")
    if cached is None:
        cached = MediationAssignment.objects.filter(mediator=user, active=True).exists()
        user.__dict__["_dispute_assigned"] = cached
    return bool(cached)


def community_choices_for(user: Any) -> models.QuerySet[Area]:
    """Communities where the user may record a dispute."""
    qs = Area.objects.filter(level=Area.Level.COMMUNITY)
    if is_superuser(user):
        return qs
    return qs.filter(path_q(scope_paths(user, RECORD_ROLES), "path") | Q(pk__in=grid_community_ids(user)))


def visible_to(user: Any, model: type[models.Model]) -> models.QuerySet[Any]:
    return policies.visible_to(user, model)


def can(user: Any, action: str, obj: Any) -> bool:
    return policies.can(user, action, obj)


def require(user: Any, action: str, obj: Any, message: str | None = None) -> None:
    policies.require(user, action, obj, message)
