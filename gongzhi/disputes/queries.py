"""Read side of disputes, for the cases part's pages and API and for the agreements part (and other apps).

Every list starts from the policy's `visible_to`; content (title, stakes, parties, notes) is only read for the
disputes `permissions.content_q` allows. The agreements part reads here: `parties_of(dispute)` (full particulars,
for the agreement it generates for those who see the content), `can_mediate(user, dispute)`, `dispute_url`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from gongzhi.core.models import Alliance, Area, User
from gongzhi.core.policy import is_superuser
from gongzhi.core.queries import links_to
from gongzhi.service.queries_posts import mediator_users

from .models import Dispute, DisputeParty, MediationAssignment, MediationBody, MediationSession
from .permissions import body_ids, body_policy, can, content_q, dispute_policy, sees_content

FROM_APPEAL = "disputes.from_appeal"
LIST_LIMIT = 200


def dispute_url(dispute: Dispute) -> str:
    return reverse("disputes:dispute", kwargs={"pk": dispute.pk})


def can_mediate(user: Any, dispute: Dispute) -> bool:
    return dispute_policy.can(user, "mediate", dispute)


def parties_of(dispute: Dispute) -> list[DisputeParty]:
    """The parties with their communities (full particulars: only for those who see the content)."""
    return list(dispute.parties.select_related("community", "resident", "unit").order_by("side", "id"))


def content_ids(user: Any, ids: list[int]) -> set[int]:
    """Which of these disputes' content the user sees (one query)."""
    if is_superuser(user):
        return set(ids)
    if not ids:
        return set()
    return set(Dispute.objects.filter(content_q(user), pk__in=ids).values_list("pk", flat=True))


def content_disputes(user: Any) -> QuerySet[Dispute]:
    if is_superuser(user):
        return Dispute.objects.all()
    return Dispute.objects.filter(content_q(user))


def mine_q(user: Any) -> Q:
    """Assigned to the user or to a body they belong to (active assignments)."""
    members, _heads = body_ids(user)
    return Q(pk__in=MediationAssignment.objects.filter(
        Q(mediator=user) | Q(body_id__in=members), active=True).values("dispute_id"))


@dataclass
class ListFilters:
    status: str = ""
    kind: str = ""
    urgency: str = ""
    risk: str = ""
    community: int | None = None
    mine: bool = False
    q: str = ""


def dispute_list(user: Any, filters: ListFilters | None = None) -> QuerySet[Dispute]:
    """The disputes the user sees, newest first. The search matches the reference for everyone, and the title
    and the parties' names only among the disputes whose content the user sees."""
    f = filters or ListFilters()
    qs = dispute_policy.visible_to(user).select_related("community", "alliance")
    if f.status == "open":
        qs = qs.filter(status__in=[Dispute.Status.RECORDED, Dispute.Status.ASSIGNED, Dispute.Status.IN_MEDIATION])
    elif f.status in Dispute.Status.values:
        qs = qs.filter(status=f.status)
    if f.kind in Dispute.Kind.values:
        qs = qs.filter(kind=f.kind)
    if f.urgency in Dispute.Urgency.values:
        qs = qs.filter(urgency=f.urgency)
    if f.risk in Dispute.Risk.values:
        qs = qs.filter(risk=f.risk)
    if f.community:
        qs = qs.filter(Q(community_id=f.community) | Q(parties__community_id=f.community))
    if f.mine:
        qs = qs.filter(mine_q(user))
    term = (f.q or "").strip()
    if term:
        by_content = content_disputes(user).filter(
            Q(title__icontains=term) | Q(stakes__icontains=term) | Q(parties__name__icontains=term))
        qs = qs.filter(Q(reference__icontains=term) | Q(pk__in=by_content.values("pk")))
    return qs.distinct().order_by("-created_at", "-id")


def list_communities(user: Any) -> list[Area]:
    """The communities of the disputes the user sees (the list's filter)."""
    ids = dispute_policy.visible_to(user).values("community_id")
    return list(Area.objects.filter(pk__in=ids).order_by("path"))


def active_assignment(dispute: Dispute) -> MediationAssignment | None:
    return dispute.assignments.filter(active=True).select_related("mediator", "body").first()


def assignments_of(dispute: Dispute) -> list[MediationAssignment]:
    return list(dispute.assignments.select_related("mediator", "body", "assigned_by").order_by("-assigned_at", "-id"))


def sessions_of(dispute: Dispute) -> list[MediationSession]:
    return list(dispute.sessions.select_related("recorded_by").order_by("held_at", "id"))


def committees_of(community: Area) -> QuerySet[MediationBody]:
    return MediationBody.objects.filter(kind=MediationBody.Kind.COMMITTEE, community=community)


def offices_of(community: Area) -> QuerySet[MediationBody]:
    alliances = Alliance.objects.filter(communities=community).values("pk")
    return MediationBody.objects.filter(kind=MediationBody.Kind.ALLIANCE_OFFICE, alliance_id__in=alliances)


def body_choices(dispute: Dispute) -> list[MediationBody]:
    """The bodies a dispute may be assigned to: its community's committee, the offices of its alliances (only the
    dispute's alliance when it has one)."""
    offices = offices_of(dispute.community)
    if dispute.alliance_id:
        offices = offices.filter(alliance_id=dispute.alliance_id)
    return list((committees_of(dispute.community) | offices).select_related("community", "alliance")
                .order_by("kind", "name"))


def body_users(body: MediationBody) -> list[User]:
    users = list(body.members.filter(is_active=True).order_by("pk"))
    if body.head is not None and body.head.is_active and body.head not in users:
        users.insert(0, body.head)
    return users


def mediator_choices(dispute: Dispute) -> list[User]:
    """The people a dispute may be assigned to: holders of the community's mediator post (矛盾调解员) and the
    members and head of its mediation committee."""
    users: dict[int, User] = {u.pk: u for u in mediator_users(dispute.community)}
    for body in committees_of(dispute.community).select_related("head").prefetch_related("members"):
        for u in body_users(body):
            users.setdefault(u.pk, u)
    return sorted(users.values(), key=lambda u: (u.display_name or u.username, u.pk))


def dispute_of_appeal(appeal: Any) -> Dispute | None:
    """The dispute an appeal was turned into (the link "disputes.from_appeal"), if any."""
    link = links_to(appeal, kind=FROM_APPEAL, source=Dispute).order_by("id").first()
    return Dispute.objects.filter(pk=link.from_id).first() if link is not None else None


def disputes_of_appeals(appeals: QuerySet[Any]) -> list[Dispute]:
    ids = links_to(appeals, kind=FROM_APPEAL, source=Dispute).values_list("from_id", flat=True)
    return list(Dispute.objects.filter(pk__in=list(ids)).order_by("created_at"))


def appeal_of_dispute(dispute: Dispute) -> int | None:
    """The id of the appeal a dispute came from (read through core's links)."""
    from gongzhi.core.queries import links_from

    link = links_from(dispute, kind=FROM_APPEAL).order_by("id").first()
    return int(link.to_id) if link is not None else None


def bodies_for(user: Any) -> QuerySet[MediationBody]:
    return body_policy.visible_to(user).select_related("community", "alliance", "head").prefetch_related("members")


def counts_for(user: Any) -> dict[str, int]:
    """The hub card's figures: open disputes the user sees, those waiting for assignment, those assigned to me."""
    from gongzhi.core.paging import capped_count

    visible = dispute_policy.visible_to(user)
    return {
        "open": capped_count(visible.filter(status__in=[Dispute.Status.RECORDED, Dispute.Status.ASSIGNED,
                                                         Dispute.Status.IN_MEDIATION])),
        "unassigned": capped_count(visible.filter(status=Dispute.Status.RECORDED)),
        "mine": capped_count(visible.filter(mine_q(user), status__in=[Dispute.Status.ASSIGNED,
                                                                      Dispute.Status.IN_MEDIATION])),
    }


__all__ = ["can", "sees_content"]
