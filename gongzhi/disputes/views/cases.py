"""The cases part's pages (矛盾纠纷调解).

- /disputes/cases/: the disputes the user sees (filters: status, type, urgency, risk, community, mine; a search
  that matches content only where the user sees it). Those who see only the record read the reference, type,
  urgency, risk, status, dates and communities, never the title or the parties.
- /disputes/cases/new/: record a dispute (walk-in, grid report, referral; `?appeal=<id>`: from an appeal).
- /disputes/cases/<id>/: the dispute (every view audited, "disputes.view"): content only for content viewers,
  parties masked with an audited "show"; the assignment, sessions, outcome and closing forms for those allowed;
  the agreements part's panel.
- POST …/parties/, …/assign/, …/session/, …/outcome/, …/close/, …/parties/<party>/reveal/.

A refused POST shows the page again with the Chinese message (400; 409 for a conflict); out of scope 404, not
allowed 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.appeals import queries as appeal_queries
from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import Alliance, Area, Resident, Unit, User
from gongzhi.core.permissions import visible_to as core_visible_to

from .. import masking, queries
from ..actions import cases as actions
from ..forms_cases import (
    AssignForm,
    DisputeFilterForm,
    DisputeForm,
    OutcomeForm,
    SessionForm,
    blank_rows,
    party_rows,
)
from ..models import Dispute, DisputeParty, MediationBody
from ..permissions import (
    body_ids,
    can,
    community_choices_for,
    get_dispute_for_user,
    sees_content,
    shows_disputes,
)

signed_in = login_required(login_url="core:login")


def _gate(user: Any) -> None:
    if not shows_disputes(user):
        raise PermissionDenied(_("This page is not available to your role."))


def record_communities(user: Any) -> list[Area]:
    """Where the user may record: the communities of their grants, and those of the committees they sit on."""
    members, _heads = body_ids(user)
    committee = MediationBody.objects.filter(pk__in=members, kind=MediationBody.Kind.COMMITTEE).values("community_id")
    qs = community_choices_for(user) | Area.objects.filter(pk__in=committee)
    return list(qs.distinct().order_by("path")[:200])


@signed_in
@require_GET
def dispute_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _gate(user)
    form = DisputeFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = queries.ListFilters(status=data.get("status") or "", kind=data.get("kind") or "",
                                  urgency=data.get("urgency") or "", risk=data.get("risk") or "",
                                  community=data.get("community"), mine=bool(data.get("mine")),
                                  q=data.get("q") or "")
    rows = list(queries.dispute_list(user, filters)[:queries.LIST_LIMIT])
    content = queries.content_ids(user, [d.pk for d in rows])
    return render(request, "disputes/cases/list.html", {
        "rows": [{"d": d, "content": d.pk in content} for d in rows], "f": filters,
        "statuses": Dispute.Status.choices, "kinds": Dispute.Kind.choices, "urgencies": Dispute.Urgency.choices,
        "risks": Dispute.Risk.choices, "communities": queries.list_communities(user),
        "can_record": bool(record_communities(user)), "limited": len(rows) >= queries.LIST_LIMIT,
    })


def _appeal_for(user: Any, pk: Any) -> Any:
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    appeal = (appeal_queries.visible_appeals(user).select_related("area", "resident", "resident__area")
              .filter(pk=pk).first())
    if appeal is None:
        raise Http404
    return appeal


def _form_context(user: Any, *, values: dict[str, Any], rows: list[dict[str, Any]], appeal: Any = None,
                  error: str = "", error_field: str = "") -> dict[str, Any]:
    communities = record_communities(user)
    community_ids = [c.pk for c in communities]
    residents: QuerySet[Resident] = core_visible_to(user, Resident).none()
    units: QuerySet[Unit] = core_visible_to(user, Unit).none()
    chosen = next((c for c in communities if str(c.pk) == str(values.get("community") or "")), None) or (
        communities[0] if len(communities) == 1 else None)
    if chosen is not None:
        residents = core_visible_to(user, Resident).filter(area__path__startswith=chosen.path).order_by("name")
        units = core_visible_to(user, Unit).filter(area__path__startswith=chosen.path).order_by("name")
    allied = Area.objects.filter(level=Area.Level.COMMUNITY, alliances__communities__in=community_ids).values("pk")
    return {
        "values": values, "rows": blank_rows(rows), "appeal": appeal, "error": error, "error_field": error_field,
        "communities": communities, "chosen": chosen,
        "party_communities": list(Area.objects.filter(Q(pk__in=community_ids) | Q(pk__in=allied)).order_by("path")),
        "alliances": list(Alliance.objects.filter(communities__in=community_ids).distinct().order_by("name")),
        "residents": list(residents[:200]), "units": list(units[:200]),
        "sources": [c for c in Dispute.Source.choices if c[0] != Dispute.Source.APPEAL],
        "kinds": Dispute.Kind.choices, "urgencies": Dispute.Urgency.choices, "risks": Dispute.Risk.choices,
        "party_kinds": DisputeParty.Kind.choices, "sides": DisputeParty.Side.choices,
    }


@signed_in
@require_http_methods(["GET", "POST"])
def dispute_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    _gate(user)
    if not record_communities(user):
        raise PermissionDenied(_("Only community and grid workers, the subdistrict and mediation committees "
                                 "record disputes."))
    appeal_id = request.POST.get("appeal") or request.GET.get("appeal")
    appeal = _appeal_for(user, appeal_id) if appeal_id else None
    if request.method == "GET":
        values: dict[str, Any] = {"source": Dispute.Source.WALK_IN, "kind": Dispute.Kind.NEIGHBOURS,
                                  "urgency": Dispute.Urgency.NORMAL, "risk": Dispute.Risk.LOW,
                                  "community": request.GET.get("community") or ""}
        rows: list[dict[str, Any]] = []
        if appeal is not None:
            existing = queries.dispute_of_appeal(appeal)
            if existing is not None:
                messages.info(request, _("This appeal was already turned into the dispute %(reference)s.")
                              % {"reference": existing.reference})
            community = actions.appeal_community(appeal)
            values.update({"title": appeal.title, "stakes": appeal.body, "source": Dispute.Source.APPEAL,
                           "community": community.pk if community else ""})
            rows = [actions.appeal_party(appeal)]
        return render(request, "disputes/cases/form.html", _form_context(user, values=values, rows=rows,
                                                                          appeal=appeal))
    form = DisputeForm(request.POST)
    form.is_valid()
    data = {**form.data.dict()} if hasattr(form.data, "dict") else dict(form.data)
    rows = party_rows(request.POST)
    community = Area.objects.filter(pk=form.cleaned_data.get("community") or 0, level=Area.Level.COMMUNITY).first()
    if community is not None and community.pk not in {c.pk for c in record_communities(user)}:
        community = None
    alliance = Alliance.objects.filter(pk=form.cleaned_data.get("alliance") or 0).first()
    fields: dict[str, Any] = {"title": data.get("title"), "kind": data.get("kind"), "stakes": data.get("stakes"),
              "urgency": data.get("urgency"), "risk": data.get("risk"), "alliance": alliance}
    try:
        if appeal is not None:
            dispute = actions.do_record_from_appeal(appeal, acting_user=user, community=community,  # type: ignore[arg-type]
                                                    parties=rows, **fields)
        else:
            dispute = actions.do_record_dispute(acting_user=user, community=community, parties=rows,  # type: ignore[arg-type]
                                                source=data.get("source"), **fields)
    except ActionError as exc:
        return render(request, "disputes/cases/form.html", _form_context(
            user, values=data, rows=rows, appeal=appeal, error=exc.message, error_field=exc.field or ""),
            status=409 if isinstance(exc, Conflict) else 400)
    messages.success(request, _("The dispute %(reference)s was recorded.") % {"reference": dispute.reference})
    return redirect("disputes:dispute", pk=dispute.pk)


def _party_rows_for_edit(dispute: Dispute) -> list[dict[str, Any]]:
    return [{"id": p.pk, "kind": p.kind, "side": p.side, "name": p.name, "resident": p.resident_id or "",
             "unit": p.unit_id or "", "community": p.community_id or "", "phone": p.phone,
             "id_number": p.id_number, "address": p.address} for p in queries.parties_of(dispute)]


@signed_in
@require_http_methods(["GET", "POST"])
def dispute_parties(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the parties (those who see the content, while the dispute is not closed)."""
    user = request.user
    dispute = get_dispute_for_user(user, pk)
    if not sees_content(user, dispute) or dispute.status == Dispute.Status.CLOSED:
        raise PermissionDenied(_("Only those who handle the dispute may change its parties, until it is closed."))
    values = {"community": dispute.community_id}
    if request.method == "GET":
        actions.do_record_view(dispute, acting_user=user, via="parties")
        return render(request, "disputes/cases/parties_form.html", {
            "dispute": dispute, **_form_context(user, values=values, rows=_party_rows_for_edit(dispute))})
    rows = party_rows(request.POST)
    try:
        actions.do_save_parties(dispute, acting_user=user, parties=rows)  # type: ignore[arg-type]
    except ActionError as exc:
        return render(request, "disputes/cases/parties_form.html", {
            "dispute": dispute, **_form_context(user, values=values, rows=rows, error=exc.message,
                                                error_field=exc.field or "")}, status=400)
    messages.success(request, _("The parties were saved."))
    return redirect("disputes:dispute", pk=dispute.pk)


def _departments(dispute: Dispute) -> list[Unit]:
    """Departments a dispute may be referred to: those of the areas above its community."""
    return list(Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, area_id__in=dispute.community.ancestor_ids())
                .order_by("name")[:100])


def detail_context(user: Any, dispute: Dispute, revealed: dict[int, dict[str, str]] | None = None) -> dict[str, Any]:
    content = sees_content(user, dispute)
    parties = queries.parties_of(dispute) if content else list(dispute.parties.only("side", "dispute_id"))
    can_assign = can(user, "assign", dispute)
    can_mediate = queries.can_mediate(user, dispute)
    sessions = queries.sessions_of(dispute)
    appeal_id = queries.appeal_of_dispute(dispute) if content else None
    appeal = None
    if appeal_id is not None:
        appeal = appeal_queries.visible_appeals(user).filter(pk=appeal_id).first()
    return {
        "dispute": dispute, "sees_content": content, "can_mediate": can_mediate, "can_assign": can_assign,
        "can_close": can(user, "close", dispute),
        "can_edit_parties": content and dispute.status != Dispute.Status.CLOSED,
        "parties": [{"p": masking.masked_party(p), "full": (revealed or {}).get(p.pk)} for p in parties]
        if content else [],
        "side_counts": masking.side_counts(parties),
        "assignment": queries.active_assignment(dispute), "assignments": queries.assignments_of(dispute),
        "sessions": sessions,
        "mediators": queries.mediator_choices(dispute) if can_assign else [],
        "bodies": queries.body_choices(dispute) if can_assign else [],
        "departments": _departments(dispute) if can_mediate else [],
        "referred_choices": Dispute.ReferredTo.choices, "appeal": appeal,
        "party_communities": sorted({p.community.name for p in parties if content and p.community is not None}),
        "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "open_for_session": dispute.status in (Dispute.Status.ASSIGNED, Dispute.Status.IN_MEDIATION),
    }


def _page(request: HttpRequest, dispute: Dispute, *, status: int = 200,
          revealed: dict[int, dict[str, str]] | None = None, **extra: Any) -> HttpResponse:
    return render(request, "disputes/cases/detail.html", {**detail_context(request.user, dispute, revealed), **extra},
                  status=status)


@signed_in
@require_GET
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = get_dispute_for_user(request.user, pk)
    actions.do_record_view(dispute, acting_user=request.user, via="page")
    return _page(request, dispute)


def _refused(request: HttpRequest, dispute: Dispute, exc: ActionError, **extra: Any) -> HttpResponse:
    messages.error(request, exc.message)
    dispute.refresh_from_db()
    return _page(request, dispute, status=409 if isinstance(exc, Conflict) else 400, **extra)


@signed_in
@require_POST
def dispute_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    dispute = get_dispute_for_user(user, pk)
    if not can(user, "assign", dispute) and dispute.status != Dispute.Status.CLOSED:
        raise PermissionDenied(_("Only the community desk or the head of a mediation body assigns disputes."))
    form = AssignForm(request.POST)
    kind, target = form.target() if form.is_valid() else ("", 0)
    mediator = User.objects.filter(pk=target, is_active=True).first() if kind == "user" else None
    body = MediationBody.objects.filter(pk=target).first() if kind == "body" else None
    try:
        if mediator is None and body is None:
            raise ActionError(_("Please choose one mediator or one mediation body."), field="assignee")
        actions.do_assign(dispute, acting_user=user, mediator=mediator, body=body)  # type: ignore[arg-type]
    except ActionError as exc:
        return _refused(request, dispute, exc)
    messages.success(request, _("The dispute was assigned; the mediators were told."))
    return redirect("disputes:dispute", pk=dispute.pk)


def _require_mediate(user: Any, dispute: Dispute, message: str) -> None:
    if not queries.can_mediate(user, dispute) and dispute.status != Dispute.Status.CLOSED:
        raise PermissionDenied(message)


@signed_in
@require_POST
def dispute_session(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    dispute = get_dispute_for_user(user, pk)
    _require_mediate(user, dispute, _("Only the assigned mediators record the sessions."))
    form = SessionForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        actions.do_record_session(dispute, acting_user=user, held_at=data.get("held_at"),  # type: ignore[arg-type]
                                  place=data.get("place"), attendees=data.get("attendees"), notes=data.get("notes"))
    except ActionError as exc:
        return _refused(request, dispute, exc, session_values=data)
    messages.success(request, _("The session was recorded."))
    return redirect("disputes:dispute", pk=dispute.pk)


@signed_in
@require_POST
def dispute_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    dispute = get_dispute_for_user(user, pk)
    _require_mediate(user, dispute, _("Only the assigned mediators record the outcome."))
    form = OutcomeForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    unit = Unit.objects.filter(pk=data.get("referred_unit") or 0).first()
    try:
        actions.do_record_outcome(dispute, acting_user=user, outcome=data.get("outcome"),  # type: ignore[arg-type]
                                  reason=data.get("reason"), referred_to=data.get("referred_to"), referred_unit=unit)
    except ActionError as exc:
        return _refused(request, dispute, exc, outcome_values=data)
    messages.success(request, _("The outcome was recorded."))
    return redirect("disputes:dispute", pk=dispute.pk)


@signed_in
@require_POST
def dispute_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    dispute = get_dispute_for_user(user, pk)
    if not can(user, "close", dispute) and dispute.status in (
            Dispute.Status.AGREED, Dispute.Status.NOT_AGREED, Dispute.Status.REFERRED):
        raise PermissionDenied(_("Only the mediators or the community desk close a dispute."))
    try:
        actions.do_close(dispute, acting_user=user)  # type: ignore[arg-type]
    except ActionError as exc:
        return _refused(request, dispute, exc)
    messages.success(request, _("The dispute was closed."))
    return redirect("disputes:dispute", pk=dispute.pk)


@signed_in
@require_POST
def party_reveal(request: HttpRequest, pk: int, party_pk: int) -> HttpResponse:
    """A party's particulars in full (htmx swaps the party's row); audited."""
    user = request.user
    dispute = get_dispute_for_user(user, pk)
    if not sees_content(user, dispute):
        raise PermissionDenied(_("Only those who handle the dispute see the parties."))
    party = DisputeParty.objects.select_related("community", "dispute", "dispute__community").filter(
        pk=party_pk, dispute=dispute).first()
    if party is None:
        raise Http404
    full = actions.do_reveal_party(party, acting_user=user)  # type: ignore[arg-type]
    html = render_to_string("disputes/cases/_party.html", {
        "p": masking.masked_party(party), "dispute": dispute, "full": full, "sees_content": True}, request=request)
    if request.headers.get("HX-Request"):
        return HttpResponse(html)
    return _page(request, dispute, revealed={party.pk: full})


def appeal_case_panel(request: HttpRequest, case: Any) -> str:
    """On an appeals case page: for each of its appeals, "已转矛盾纠纷调解 TJ…" (the reference only) or, for those
    who may record a dispute in the appeal's community, the button that turns it into one."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return ""
    rows = []
    communities = {c.pk for c in record_communities(user)}
    for appeal in appeal_queries.appeals_of_case(case).select_related("area", "resident", "resident__area"):
        dispute = queries.dispute_of_appeal(appeal)
        community = actions.appeal_community(appeal)
        can_record = dispute is None and community is not None and community.pk in communities
        if dispute is None and not can_record:
            continue
        visible = dispute is not None and queries.dispute_policy.visible_to(user).filter(pk=dispute.pk).exists()
        rows.append({"appeal": appeal, "dispute": dispute, "visible": visible, "can_record": can_record})
    if not rows:
        return ""
    return render_to_string("disputes/cases/_appeal_panel.html", {"rows": rows}, request=request)
