"""The project list (项目清单) and the two-way service agreement (双向服务协议): the list with its filters (in the
URL), creating a project from demands and resources, one project's page with what the user may do there, the
agreement's page, its Word download, and the progress photos.

Each POST goes to one action; a refused one shows the page again with the message at its field (400)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.core.files import file_response
from gongzhi.core.models import Area, Registration, Unit
from gongzhi.core.paging import page_of, query_without_page
from gongzhi.core.registry import render_panels

from .. import actions, capacity, permissions, project_queries
from ..actions.agreements import can_sign_for, parties, signatures_of
from ..agreement_docx import agreement_document, agreement_filename
from ..models import AgreementItem, Demand, Milestone, ProgressPhoto, Project, Resource, ServiceAgreement
from ..project_forms import (
    AgreementItemForm,
    BudgetForm,
    CancelForm,
    ClaimForm,
    FinishForm,
    MilestoneForm,
    PartnersForm,
    ProgressForm,
    ProjectForm,
    SubprojectForm,
    TermsForm,
)

signed_in = login_required(login_url="core:login")
WORKING = (Project.Status.AGREED, Project.Status.IN_PROGRESS)
CLOSED = (Project.Status.FINISHED, Project.Status.CANCELLED)
PHOTO_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
MAX_RESOURCE_CHOICES = 100


def _gate(user: Any) -> None:
    permissions.project_policy.require_somewhere(user, "browse", message="")


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 19 else None


# --- the list ------------------------------------------------------------------------------------------------


@signed_in
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    _gate(request.user)
    communities = list(project_queries.communities_of(request.user)[:200])
    units = list(project_queries.lead_units_of(request.user)[:200])
    community = next((a for a in communities if a.pk == _int(request.GET.get("community"))), None)
    lead_unit = next((u for u in units if u.pk == _int(request.GET.get("lead_unit"))), None)
    status = request.GET.get("status", "")
    waiting = request.GET.get("waiting", "")
    overdue = request.GET.get("overdue") == "1"
    qs = project_queries.project_list(request.user, status=status, community=community, lead_unit=lead_unit,
                                      overdue=overdue, waiting=waiting)
    return render(request, "lists/project_list.html", {
        "page": page_of(request, qs), "query": query_without_page(request), "statuses": Project.Status.choices,
        "status": status, "communities": communities, "community": community, "units": units,
        "lead_unit": lead_unit, "overdue": overdue, "waiting": waiting if waiting in project_queries.WAITING else "",
        "waiting_label": project_queries.WAITING.get(waiting, ""),
        "can_create": permissions.community_areas(request.user, "create_project").exists(),
    })


# --- creating a project ----------------------------------------------------------------------------------------


def _project_form(request: HttpRequest, data: Any = None) -> ProjectForm:
    user = request.user
    areas = permissions.community_areas(user, "create_project").order_by("path")
    area_ids = list(areas.values_list("pk", flat=True)[:500])
    area_paths = list(Area.objects.filter(pk__in=area_ids).values_list("path", flat=True))
    in_areas = Q(pk__in=[])
    for path in area_paths:
        in_areas |= Q(area__path__startswith=path)
    demands = permissions.visible_to(user, Demand).filter(in_areas, status=Demand.Status.OPEN).select_related(
        "area").order_by("area__path", "-created_at")[:200]
    resources = [r for r in permissions.visible_to(user, Resource).filter(status=Resource.Status.ACTIVE)
                 .select_related("provider_unit").order_by("title")[:MAX_RESOURCE_CHOICES]
                 if capacity.remaining(r) > 0]
    form = ProjectForm(data, resources=resources)
    form.fields["area"].queryset = Area.objects.filter(pk__in=area_ids).order_by("path")  # type: ignore[attr-defined]
    form.fields["demands"].queryset = Demand.objects.filter(pk__in=[d.pk for d in demands]).select_related(  # type: ignore[attr-defined]
        "area").order_by("area__path", "-created_at")
    if data is None and len(area_ids) == 1:
        form.initial["area"] = area_ids[0]
    return form


@signed_in
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    _gate(request.user)
    if not permissions.community_areas(request.user, "create_project").exists():
        raise PermissionDenied(_("Only the community's staff create projects."))
    form = _project_form(request, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                project = actions.do_create_project(
                    acting_user=request.user, area=data["area"], title=data["title"],  # type: ignore[arg-type]
                    description=data["description"], demand_ids=[d.pk for d in data["demands"]],
                    reservations=[actions.Reservation(pk, amount) for pk, amount in form.reservations()],
                    budget=data["budget"])
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The project was created; it waits for a member unit to claim it."))
                return redirect("lists:project", pk=project.pk)
        status = 400
    return render(request, "lists/project_form.html", {"form": form}, status=status)


# --- one project -------------------------------------------------------------------------------------------


def _claim_units(user: Any, project: Project) -> list[Unit]:
    return [u for u in permissions.liaison_units(user) if actions.projects.unit_registered_at(u, project.area)]


def _partner_choices(project: Project) -> Any:
    taken = set(project.partner_units.values_list("pk", flat=True)) | {project.lead_unit_id}
    registered = Registration.objects.confirmed().filter(community=project.area, kind=Registration.Kind.UNIT).values("unit_id")
    return (Unit.objects.filter(Q(pk__in=registered) | Q(area__path__startswith=project.area.path))
            .exclude(pk__in=[pk for pk in taken if pk]).exclude(kind=Unit.Kind.DEPARTMENT).order_by("name"))


def _forms(request: HttpRequest, project: Project, context: dict[str, Any]) -> dict[str, Any]:
    """The forms the user may use on this project, unbound."""
    user = request.user
    can = {a: permissions.can(user, a, project) for a in ("claim", "manage", "post_progress")}
    open_ = project.status not in CLOSED
    leaf = not any(c.status != Project.Status.CANCELLED for c in context["children"])
    forms: dict[str, Any] = {}
    if can["claim"]:
        units = _claim_units(user, project)
        if units:
            claim = ClaimForm(initial={"unit": units[0].pk})
            claim.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])  # type: ignore[attr-defined]
            forms["claim"] = claim
    if can["manage"] and open_:
        partners = PartnersForm()
        partners.fields["units"].queryset = _partner_choices(project)  # type: ignore[attr-defined]
        forms["partners"] = partners
        forms["budget"] = BudgetForm(initial={"budget": project.budget})
        if project.parent_id is None:
            sub = SubprojectForm()
            sub.fields["lead_unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
                pk__in=[u.pk for u in parties(project) if u is not None])
            forms["subproject"] = sub
            forms["cancel"] = CancelForm()
            if project.status in WORKING:
                forms["finish"] = FinishForm(reservations=context["reservations"])
    if can["post_progress"] and open_:
        forms["milestone"] = MilestoneForm()
        if project.status in WORKING and leaf:
            forms["progress"] = ProgressForm(initial={"percent": project.progress})
    return forms


def _detail(request: HttpRequest, project: Project, bound: dict[str, Any] | None = None,
            status: int = 200) -> HttpResponse:
    context = project_queries.project_detail(project)
    forms = _forms(request, project, context)
    for name, form in (bound or {}).items():
        forms[name] = form
    return render(request, "lists/project_detail.html", {
        "project": project, **context, "forms": forms, "can_complete": "milestone" in forms,
        "parties": parties(project) if project.lead_unit_id else [],
        "panels": render_panels("lists.project", request, project),
    }, status=status)


@signed_in
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, permissions.get_project_for_user(request.user, pk))


@signed_in
@require_POST
def project_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One write on a project; `action` names it."""
    project = permissions.get_project_for_user(request.user, pk)
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        result = handler(request, project)
    except ActionError as exc:
        form = getattr(exc, "form", None)
        if form is None:
            messages.error(request, exc.message)
            return _detail(request, project_fresh(request, pk), status=400)
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _detail(request, project_fresh(request, pk), {action: form}, status=400)
    if isinstance(result, HttpResponseBase):
        return result
    messages.success(request, str(result))
    return redirect("lists:project", pk=project.pk)


def project_fresh(request: HttpRequest, pk: int) -> Project:
    return permissions.get_project_for_user(request.user, pk)


def _refuse(form: Any) -> None:
    """The form's own validation failed: show it again with its errors."""
    exc = ActionError(_("Please correct the errors below."))
    exc.form = form  # type: ignore[attr-defined]
    raise exc


def _with_form(form: Any, fn: Any) -> Any:
    try:
        return fn()
    except ActionError as exc:
        exc.form = form  # type: ignore[attr-defined]
        raise


def _claim(request: HttpRequest, project: Project) -> str:
    units = _claim_units(request.user, project)
    form = ClaimForm(request.POST)
    form.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])  # type: ignore[attr-defined]
    unit = form.cleaned_data["unit"] if form.is_valid() else None
    _with_form(form, lambda: actions.do_claim_project(project, acting_user=request.user, unit=unit))  # type: ignore[arg-type]
    return _("Claimed. The community drafts the agreement next.")


def _partners(request: HttpRequest, project: Project) -> str:
    form = PartnersForm(request.POST)
    form.fields["units"].queryset = _partner_choices(project)  # type: ignore[attr-defined]
    permissions.require(request.user, "manage", project)
    if not form.is_valid():
        _refuse(form)
    _with_form(form, lambda: actions.do_add_partner_units(project, acting_user=request.user,  # type: ignore[arg-type]
                                                          units=list(form.cleaned_data["units"])))
    return _("The partner units were added.")


def _budget(request: HttpRequest, project: Project) -> str:
    form = BudgetForm(request.POST)
    permissions.require(request.user, "manage", project)
    if not form.is_valid():
        _refuse(form)
    _with_form(form, lambda: actions.do_set_project_budget(project, acting_user=request.user,  # type: ignore[arg-type]
                                                           budget=form.cleaned_data["budget"]))
    return _("The budget was saved.")


def _milestone(request: HttpRequest, project: Project) -> str:
    form = MilestoneForm(request.POST)
    permissions.require(request.user, "post_progress", project)
    if not form.is_valid():
        _refuse(form)
    _with_form(form, lambda: actions.do_add_milestone(project, acting_user=request.user,  # type: ignore[arg-type]
                                                      title=form.cleaned_data["title"],
                                                      due_on=form.cleaned_data["due_on"]))
    return _("The milestone was added.")


def _milestone_done(request: HttpRequest, project: Project) -> str:
    milestone = get_object_or_404(Milestone, pk=_int(request.POST.get("milestone")) or 0,
                                  project__in=Project.objects.filter(Q(pk=project.pk) | Q(parent=project)))
    actions.do_complete_milestone(milestone, acting_user=request.user)  # type: ignore[arg-type]
    return _("The milestone is done.")


def _subproject(request: HttpRequest, project: Project) -> str:
    form = SubprojectForm(request.POST)
    form.fields["lead_unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
        pk__in=[u.pk for u in parties(project) if u is not None])
    permissions.require(request.user, "manage", project)
    if not form.is_valid():
        _refuse(form)
    data = form.cleaned_data
    _with_form(form, lambda: actions.do_add_subproject(project, acting_user=request.user, title=data["title"],  # type: ignore[arg-type]
                                                       weight=data["weight"], lead_unit=data["lead_unit"]))
    return _("The sub-project was added.")


def _progress(request: HttpRequest, project: Project) -> str:
    form = ProgressForm(request.POST)
    permissions.require(request.user, "post_progress", project)
    if not form.is_valid():
        _refuse(form)
    photos = request.FILES.getlist("photos")
    _with_form(form, lambda: actions.do_post_progress(project, acting_user=request.user,  # type: ignore[arg-type]
                                                      percent=form.cleaned_data["percent"],
                                                      note=form.cleaned_data["note"], photos=photos))
    return _("The progress was posted.")


def _finish(request: HttpRequest, project: Project) -> str:
    context = project_queries.project_detail(project)
    form = FinishForm(request.POST, reservations=context["reservations"])
    permissions.require(request.user, "manage", project)
    if not form.is_valid():
        _refuse(form)
    _with_form(form, lambda: actions.do_finish_project(project, acting_user=request.user, used=form.used()))  # type: ignore[arg-type]
    return _("The project is finished: its demands are met and the unused capacity went back to the resources.")


def _cancel(request: HttpRequest, project: Project) -> str:
    form = CancelForm(request.POST)
    permissions.require(request.user, "manage", project)
    if not form.is_valid():
        _refuse(form)
    _with_form(form, lambda: actions.do_cancel_project(project, acting_user=request.user,  # type: ignore[arg-type]
                                                       reason=form.cleaned_data["reason"]))
    return _("The project was cancelled; its demands are open again.")


ACTIONS = {"claim": _claim, "partners": _partners, "budget": _budget, "milestone": _milestone,
           "milestone_done": _milestone_done, "subproject": _subproject, "progress": _progress, "finish": _finish,
           "cancel": _cancel}


# --- the agreement -----------------------------------------------------------------------------------------


def _agreement_page(request: HttpRequest, project: Project, bound: dict[str, Any] | None = None,
                    status: int = 200) -> HttpResponse:
    user = request.user
    agreement = (ServiceAgreement.objects.filter(project=project)
                 .prefetch_related("items__unit", "signatures__signed_by", "signatures__unit").first())
    party_list = parties(project) if project.lead_unit_id else []
    signed = signatures_of(agreement) if agreement else {}
    manage = (permissions.can(user, "manage", project) and project.status not in CLOSED
              and project.lead_unit_id is not None and project.parent_id is None)
    rows = []
    for party in party_list:
        key = party.pk if party else None
        rows.append({"unit": party, "signature": signed.get(key),
                     "can_sign": bool(agreement and agreement.status == ServiceAgreement.Status.SIGNING
                                      and key not in signed and can_sign_for(user, project, party))})
    items = []
    if agreement:
        for item in agreement.items.all():
            form = (bound or {}).get(f"edit_item_{item.pk}") or (AgreementItemForm(
                prefix=f"item{item.pk}", parties=party_list,
                initial={"party": str(item.unit_id) if item.unit_id else "community", "text": item.text,
                         "due_on": item.due_on}) if manage else None)
            items.append({"item": item, "form": form})
    history = [s for s in agreement.signatures.all() if s.version != agreement.version] if agreement else []
    return render(request, "lists/project_agreement.html", {
        "project": project, "agreement": agreement, "rows": rows, "items": items, "manage": manage,
        "history": history,
        "add_form": (bound or {}).get("add_item") or (AgreementItemForm(parties=party_list) if manage else None),
        "terms_form": (bound or {}).get("terms") or (TermsForm(initial={"terms": agreement.terms if agreement else ""})
                                                     if manage else None),
    }, status=status)


@signed_in
@require_GET
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = permissions.get_project_for_user(request.user, pk)
    if project.parent_id is not None:
        return redirect("lists:project_agreement", pk=project.parent_id)
    return _agreement_page(request, project)


@signed_in
@require_POST
def agreement_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    project = permissions.get_project_for_user(request.user, pk)
    party_list = parties(project) if project.lead_unit_id else []
    agreement = ServiceAgreement.objects.filter(project=project).first()
    form: Any = None
    key = action
    try:
        if action == "add_item":
            form = AgreementItemForm(request.POST, parties=party_list)
            permissions.require(request.user, "manage", project)
            if form.is_valid():
                actions.do_add_agreement_item(project, acting_user=request.user, unit=form.unit(),  # type: ignore[arg-type]
                                              text=form.cleaned_data["text"], due_on=form.cleaned_data["due_on"])
                done = _("The item was added.")
        elif action in ("edit_item", "remove_item"):
            item = get_object_or_404(AgreementItem, pk=_int(request.POST.get("item")) or 0,
                                     agreement__project=project)
            permissions.require(request.user, "manage", project)
            if action == "remove_item":
                actions.do_remove_agreement_item(item, acting_user=request.user)  # type: ignore[arg-type]
                done = _("The item was removed.")
            else:
                key = f"edit_item_{item.pk}"
                form = AgreementItemForm(request.POST, prefix=f"item{item.pk}", parties=party_list)
                if form.is_valid():
                    actions.do_edit_agreement_item(item, acting_user=request.user, unit=form.unit(),  # type: ignore[arg-type]
                                                   text=form.cleaned_data["text"], due_on=form.cleaned_data["due_on"])
                    done = _("The item was changed.")
        elif action == "terms":
            form = TermsForm(request.POST)
            permissions.require(request.user, "manage", project)
            if form.is_valid():
                actions.do_set_agreement_terms(project, acting_user=request.user,  # type: ignore[arg-type]
                                               terms=form.cleaned_data["terms"])
                done = _("The terms were saved.")
        elif action == "send":
            permissions.require(request.user, "manage", project)
            actions.do_send_agreement(project, acting_user=request.user)  # type: ignore[arg-type]
            done = _("The agreement was sent to every party for signing.")
        elif action == "sign":
            party = request.POST.get("party", "")
            unit = None if party == "community" else next(
                (u for u in party_list if u is not None and str(u.pk) == party), None)
            if party != "community" and unit is None:
                raise ActionError(_("Please choose the party you sign for."), field="party")
            actions.do_sign_agreement(project, acting_user=request.user, unit=unit)  # type: ignore[arg-type]
            done = _("Signed.")
        else:
            raise Http404
    except ActionError as exc:
        if form is None:
            messages.error(request, exc.message)
            return _agreement_page(request, project, status=400)
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _agreement_page(request, project, {key: form}, status=400)
    if form is not None and form.errors:
        return _agreement_page(request, project, {key: form}, status=400)
    del agreement
    messages.success(request, done)
    return redirect("lists:project_agreement", pk=project.pk)


@signed_in
@require_GET
def agreement_docx(request: HttpRequest, pk: int) -> HttpResponse:
    project = permissions.get_project_for_user(request.user, pk)
    agreement = ServiceAgreement.objects.filter(project=project).first()
    if agreement is None:
        raise Http404(_("This project has no agreement yet."))
    from django.utils.http import content_disposition_header

    response = HttpResponse(
        agreement_document(project, agreement),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = content_disposition_header(True, agreement_filename(project, agreement)) or ""
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- photos --------------------------------------------------------------------------------------------------


@signed_in
@require_GET
def progress_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A progress photo, to whoever sees its project (404 otherwise)."""
    photo = ProgressPhoto.objects.select_related("update").filter(pk=pk).first()
    if photo is None:
        raise Http404
    permissions.get_project_for_user(request.user, photo.update.project_id)
    extension = (photo.image.name or "").rsplit(".", 1)[-1].lower()
    if extension not in PHOTO_TYPES:
        raise Http404
    return file_response(photo.image, content_type=PHOTO_TYPES[extension])
