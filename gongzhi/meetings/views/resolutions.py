"""Resolutions (决议): record one at a meeting, one resolution's page (its updates, post progress, mark it done with
evidence, cancel), the list per community and per unit with its filters and overdue flags, and the photos."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.appeals import queries as appeals_queries
from gongzhi.core.errors import ActionError
from gongzhi.core.files import file_response
from gongzhi.core.models import Area, Unit
from gongzhi.core.paging import page_of
from gongzhi.lists import queries as lists_queries

from .. import agenda, permissions
from ..actions import resolutions as actions
from ..forms_agenda import CancelForm, CompleteForm, ResolutionFilter, ResolutionForm, UpdateForm
from ..models import Meeting, Resolution, ResolutionUpdate

signed_in = login_required(login_url="core:login")
PHOTO_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def resolution_list_qs(user: Any, *, status: str = "", overdue: bool = False, unit_id: int | None = None,
                       community_id: int | None = None, mine: bool = False) -> QuerySet[Resolution]:
    """The resolutions the user sees, by deadline; `mine`: those of the liaison's units. The home page's tasks
    count this same queryset."""
    qs = permissions.visible_to(user, Resolution)
    if status in Resolution.Status.values:
        qs = qs.filter(status=status)
    elif status == "open":
        qs = qs.filter(status__in=actions.OPEN)
    if overdue:
        qs = qs.filter(status__in=actions.OPEN, due_on__lt=timezone.localdate())
    if unit_id is not None:
        qs = qs.filter(units=unit_id)
    if community_id is not None:
        qs = qs.filter(area_id=community_id)
    if mine:
        qs = qs.filter(units__in=permissions.liaison_unit_ids(user))
    if unit_id is not None or mine:
        qs = qs.distinct()
    return qs.select_related("area", "meeting").prefetch_related("units").order_by("due_on", "id")


def _filter_choices(user: Any) -> tuple[list[tuple[Any, str]], list[tuple[Any, str]]]:
    visible = permissions.visible_to(user, Resolution)
    units = Unit.objects.filter(meeting_resolutions__in=visible.values("pk")).distinct().order_by("name")[:100]
    areas = Area.objects.filter(pk__in=visible.values("area_id")).order_by("path")[:100]
    return ([("", _("All units")), *[(u.pk, u.name) for u in units]],
            [("", _("All communities")), *[(a.pk, a.name) for a in areas]])


@signed_in
@require_GET
def resolution_list(request: HttpRequest) -> HttpResponse:
    permissions.resolution_policy.require_somewhere(request.user, "browse")
    form = ResolutionFilter(request.GET or None)
    form.fields["unit"].choices, form.fields["community"].choices = _filter_choices(request.user)  # type: ignore[attr-defined]
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    mine = request.GET.get("mine") == "1"
    qs = resolution_list_qs(request.user, status=request.GET.get("status", "") if data or mine else "",
                            overdue=bool(data.get("overdue")), unit_id=data.get("unit"),
                            community_id=data.get("community"), mine=mine)
    page = page_of(request, qs, 30)
    return render(request, "meetings/resolution_list.html", {"form": form, "page": page, "mine": mine,
                                                             "today": timezone.localdate()})


def _unit_choices(meeting: Meeting) -> QuerySet[Unit]:
    communities = agenda.meeting_communities(meeting)
    registered = lists_queries.registered_units(Area.objects.filter(pk__in=[c.pk for c in communities]))
    invited = meeting.invitations.filter(unit__isnull=False).values("unit_id")
    return Unit.objects.filter(Q(pk__in=registered.values("pk")) | Q(pk__in=invited)).order_by("name")


def _resolution_form(meeting: Meeting, data: Any = None, initial: dict[str, Any] | None = None) -> ResolutionForm:
    form = ResolutionForm(data, initial=initial)
    items = meeting.agenda_items.order_by("order", "id")
    form.fields["agenda_item"].choices = [("", _("None")), *[(i.pk, i.title) for i in items]]  # type: ignore[attr-defined]
    form.fields["units"].queryset = _unit_choices(meeting)  # type: ignore[attr-defined]
    return form


@signed_in
@require_http_methods(["GET", "POST"])
def resolution_new(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = permissions.get_meeting_for_user(request.user, pk)
    permissions.require(request.user, "manage", meeting, _("Only the meeting's organizers record its resolutions."))
    status = 200
    if request.method == "POST":
        form = _resolution_form(meeting, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            item = meeting.agenda_items.filter(pk=data["agenda_item"]).first() if data["agenda_item"] else None
            try:
                resolution = actions.do_add_resolution(
                    meeting, acting_user=request.user, approach=data["approach"], task=data["task"],  # type: ignore[arg-type]
                    units=list(data["units"]), due_on=data["due_on"], agenda_item=item, create=data["create"] or "")
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The resolution was recorded and the responsible units were told."))
                return redirect("meetings:resolution", pk=resolution.pk)
        status = 400
    else:
        raw = request.GET.get("item", "")
        item = meeting.agenda_items.filter(pk=int(raw)).first() if raw.isdigit() else None
        form = _resolution_form(meeting, initial={"agenda_item": item.pk if item else None,
                                                  "task": item.title if item else ""})
    return render(request, "meetings/resolution_form.html", {"meeting": meeting, "form": form}, status=status)


def _detail(request: HttpRequest, resolution: Resolution, forms: dict[str, Any] | None = None, *,
            status: int = 200) -> HttpResponse:
    user = request.user
    open_ = resolution.status in actions.OPEN
    can_update = open_ and permissions.can(user, "update", resolution)
    can_manage = open_ and permissions.can(user, "manage", resolution)
    forms = forms or {}
    if can_update:
        forms.setdefault("update", UpdateForm(initial={"percent": resolution.progress}))
        forms.setdefault("complete", CompleteForm())
    if can_manage:
        forms.setdefault("cancel", CancelForm())
    return render(request, "meetings/resolution_detail.html", {
        "resolution": resolution, "units": list(resolution.units.order_by("name")),
        "updates": list(resolution.updates.select_related("unit", "by")),
        "forms": forms, "can_update": can_update, "can_manage": can_manage,
        "can_see_meeting": permissions.meeting_policy.visible_to(user).filter(pk=resolution.meeting_id).exists(),
        "can_see_case": resolution.case_id is not None
        and appeals_queries.visible_cases(user).filter(pk=int(resolution.case_id)).exists(),
    }, status=status)


@signed_in
@require_GET
def resolution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, permissions.get_resolution_for_user(request.user, pk))


@signed_in
@require_POST
def resolution_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    resolution = permissions.get_resolution_for_user(request.user, pk)
    user: Any = request.user
    form: Any
    if action in ("update", "complete"):
        permissions.require(user, "update", resolution,
                            _("Only the responsible units and the meeting's organizers post progress."))
        form = (UpdateForm if action == "update" else CompleteForm)(request.POST, request.FILES)
    elif action == "cancel":
        permissions.require(user, "manage", resolution, _("Only the meeting's organizers cancel resolutions."))
        form = CancelForm(request.POST)
    else:
        raise Http404
    if not form.is_valid():
        return _detail(request, resolution, {action: form}, status=400)
    data = form.cleaned_data
    try:
        if action == "update":
            actions.do_post_resolution_update(resolution, acting_user=user, percent=data["percent"], note=data["note"],
                                              photo=data.get("photo"))
            done = _("The progress was posted.")
        elif action == "complete":
            actions.do_complete_resolution(resolution, acting_user=user, evidence=data["evidence"],
                                           photo=data.get("photo"))
            done = _("Marked done. The organizers were told.")
        else:
            actions.do_cancel_resolution(resolution, acting_user=user, reason=data["reason"])
            done = _("The resolution was cancelled.")
    except ActionError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _detail(request, permissions.get_resolution_for_user(user, pk), {action: form}, status=400)
    messages.success(request, done)
    return redirect("meetings:resolution", pk=resolution.pk)


@signed_in
@require_GET
def resolution_photo(request: HttpRequest, pk: int, update_id: int) -> HttpResponseBase:
    """An update's photo, to whoever sees the resolution (404 otherwise)."""
    resolution = permissions.get_resolution_for_user(request.user, pk)
    update = ResolutionUpdate.objects.filter(pk=update_id, resolution=resolution).exclude(photo="").first()
    if update is None or not update.photo:
        raise Http404
    extension = update.photo.name.rsplit(".", 1)[-1].lower()
    if extension not in PHOTO_TYPES:
        raise Http404
    return file_response(update.photo, content_type=PHOTO_TYPES[extension])
