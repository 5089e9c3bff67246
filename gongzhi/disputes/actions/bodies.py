"""The mediation bodies' writes: a community's people's mediation committee (人民调解委员会) and an alliance's
cross-border mediation office (矛盾化解处), with their head and members.

- `do_create_body`: a committee for a community (community workers there, subdistrict staff and up), or an office
  for an alliance (the staff over one of its communities); one committee per community, one office per alliance.
- `do_update_body`: its name, head and members (the policy's "manage").

Members and head are people of the area: accounts granted a role in the community (the alliance's communities for
an office), or above it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import Alliance, Area, User

from ..models import MediationBody
from ..permissions import body_policy


def candidate_users(body: MediationBody) -> list[User]:
    """Who may sit on the body: active accounts with a role in (or over) its community or one of its alliance's."""
    from django.db.models import Q

    communities = [body.community] if body.community is not None else (
        list(body.alliance.communities.all()) if body.alliance is not None else [])
    q = Q(pk__in=[])
    for c in communities:
        q |= Q(grants__area__path__startswith=c.path) | Q(grants__area_id__in=c.ancestor_ids())
    return list(User.objects.filter(q, is_active=True).distinct().order_by("display_name", "username"))


def _clean(body: MediationBody, name: Any, head: User | None, members: Iterable[User]) -> tuple[str, list[User]]:
    text = str(name or "").strip()
    if not text:
        raise ActionError(_("Please give the mediation body a name."), field="name")
    if len(text) > 100:
        raise ActionError(_("The name is too long (at most 100 characters)."), field="name")
    allowed = {u.pk for u in candidate_users(body)}
    chosen = list(dict.fromkeys(members))
    for user in ([head] if head is not None else []) + chosen:
        if user.pk not in allowed:
            raise ActionError(_("%(name)s has no role in the communities this body covers.")
                              % {"name": user.display_name or user.username},
                              field="head" if user is head else "members")
    if head is None:
        raise ActionError(_("Please choose the head of the mediation body."), field="head")
    return text, chosen


@transaction.atomic
def do_create_body(*, acting_user: User | None, kind: str, name: Any, community: Area | None = None,
                   alliance: Alliance | None = None, head: User | None = None,
                   members: Iterable[User] = ()) -> MediationBody:
    if kind == MediationBody.Kind.COMMITTEE:
        if community is None or community.level != Area.Level.COMMUNITY:
            raise ActionError(_("Please choose the community of the mediation committee."), field="community")
        body = MediationBody(kind=kind, community=community)
        body_policy.require(acting_user, "create_body", community,
                            _("Only the community or its subdistrict sets up its mediation committee."))
        if MediationBody.objects.filter(kind=kind, community=community).exists():
            raise Conflict(_("%(community)s already has a mediation committee.") % {"community": community.name})
    elif kind == MediationBody.Kind.ALLIANCE_OFFICE:
        if alliance is None:
            raise ActionError(_("Please choose the alliance of the mediation office."), field="alliance")
        body = MediationBody(kind=kind, alliance=alliance)
        body_policy.require(acting_user, "manage", body,
                            _("Only the staff of the alliance's communities set up its mediation office."))
        if MediationBody.objects.filter(kind=kind, alliance=alliance).exists():
            raise Conflict(_("%(alliance)s already has a mediation office.") % {"alliance": alliance.name})
    else:
        raise ActionError(_("Please choose the kind of mediation body."), field="kind")
    body.name, chosen = _clean(body, name, head, members)
    body.head = head
    body.save()
    body.members.set(chosen)
    log_event(acting_user, "disputes.body.create", body, area=community,
              after={"kind": kind, "head": head.pk if head else None, "members": [u.pk for u in chosen]})
    return body


@transaction.atomic
def do_update_body(body: MediationBody, *, acting_user: User | None, name: Any, head: User | None,
                   members: Iterable[User]) -> MediationBody:
    body = MediationBody.objects.select_for_update(of=("self",)).select_related("community", "alliance").get(pk=body.pk)
    body_policy.require(acting_user, "manage", body, _("You may not change this mediation body."))
    before = {"name": body.name, "head": body.head_id, "members": sorted(body.members.values_list("pk", flat=True))}
    body.name, chosen = _clean(body, name, head, members)
    body.head = head
    body.save(update_fields=["name", "head"])
    body.members.set(chosen)
    for user in [head, *chosen]:
        if user is not None:
            user.__dict__.pop("_dispute_bodies", None)
    log_event(acting_user, "disputes.body.update", body, area=body.community, before=before,
              after={"name": body.name, "head": head.pk if head else None, "members": sorted(u.pk for u in chosen)})
    return body
