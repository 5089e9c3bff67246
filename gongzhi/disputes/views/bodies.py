"""The mediation bodies' pages: the list (those the user sees), setting one up (a community's committee, an
alliance's office) and changing its name, head and members."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import Alliance, Area, User
from gongzhi.core.policy import covers

from .. import queries
from ..actions import bodies as actions
from ..models import MediationBody
from ..permissions import ASSIGN_ROLES, body_policy, get_body_for_user, shows_disputes

signed_in = login_required(login_url="core:login")


def creatable(user: Any) -> tuple[list[Area], list[Alliance]]:
    """Communities without a committee and alliances without an office where the user may set one up."""
    communities = [a for a in body_policy.areas_where(user, "create_body").filter(level=Area.Level.COMMUNITY)
                   .exclude(pk__in=MediationBody.objects.filter(kind=MediationBody.Kind.COMMITTEE)
                            .values("community_id")).order_by("path")[:100]]
    alliances = [a for a in Alliance.objects.exclude(pk__in=MediationBody.objects.filter(
        kind=MediationBody.Kind.ALLIANCE_OFFICE).values("alliance_id")).prefetch_related("communities").order_by("name")
        if any(covers(user, c, ASSIGN_ROLES) for c in a.communities.all())]
    return communities, alliances


@signed_in
@require_GET
def body_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not shows_disputes(user):
        raise PermissionDenied(_("This page is not available to your role."))
    bodies = list(queries.bodies_for(user))
    communities, alliances = creatable(user)
    return render(request, "disputes/bodies/list.html", {
        "bodies": [{"b": b, "can_manage": body_policy.can(user, "manage", b)} for b in bodies],
        "can_create": bool(communities or alliances)})


def _users(ids: list[str]) -> list[User]:
    pks = [int(i) for i in ids if str(i).isdigit()]
    return list(User.objects.filter(pk__in=pks, is_active=True))


def _form(request: HttpRequest, *, body: MediationBody | None, error: str = "", values: dict[str, Any] | None = None,
          status: int = 200) -> HttpResponse:
    communities, alliances = creatable(request.user) if body is None else ([], [])
    candidates = actions.candidate_users(body) if body is not None else []
    return render(request, "disputes/bodies/form.html", {
        "body": body, "communities": communities, "alliances": alliances, "candidates": candidates,
        "error": error, "values": values or {},
        "members": {u.pk for u in body.members.all()} if body is not None else set()}, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def body_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    communities, alliances = creatable(user)
    if not (communities or alliances):
        raise PermissionDenied(_("You may not set up a mediation body."))
    if request.method == "GET":
        return _form(request, body=None)
    target = str(request.POST.get("target") or "")
    kind, _sep, pk = target.partition(":")
    community = next((c for c in communities if str(c.pk) == pk), None) if kind == "community" else None
    alliance = next((a for a in alliances if str(a.pk) == pk), None) if kind == "alliance" else None
    name = request.POST.get("name") or ""
    try:
        if community is None and alliance is None:
            raise ActionError(_("Please choose the community or the alliance of the mediation body."), field="target")
        # The head is chosen on the next page (from the people of the area): the creator heads it for now.
        body = actions.do_create_body(
            acting_user=user, name=name,  # type: ignore[arg-type]
            kind=MediationBody.Kind.COMMITTEE if community is not None else MediationBody.Kind.ALLIANCE_OFFICE,
            community=community, alliance=alliance, head=user)  # type: ignore[arg-type]
    except ActionError as exc:
        return _form(request, body=None, error=exc.message, values=request.POST.dict(),
                     status=409 if isinstance(exc, Conflict) else 400)
    messages.success(request, _("%(name)s was set up: choose its head and members.") % {"name": body.name})
    return redirect("disputes:body", pk=body.pk)


@signed_in
@require_http_methods(["GET", "POST"])
def body_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    body = get_body_for_user(user, pk)
    if request.method == "GET":
        return _form(request, body=body)
    if not body_policy.can(user, "manage", body):
        raise PermissionDenied(_("You may not change this mediation body."))
    head = User.objects.filter(pk=request.POST.get("head") or 0, is_active=True).first()
    try:
        actions.do_update_body(body, acting_user=user, name=request.POST.get("name"),  # type: ignore[arg-type]
                               head=head, members=_users(request.POST.getlist("members")))
    except ActionError as exc:
        return _form(request, body=body, error=exc.message, values=request.POST.dict(), status=400)
    messages.success(request, _("The mediation body was saved."))
    return redirect("disputes:bodies")
