"""The agenda pages: a meeting's agenda to set (proposals with their reasons, add, edit, order, remove, record the
discussion), the items raised for a community's meetings (a liaison's form, a resident's public phone form with a
code, the organizers' list with declining).

Each POST goes to one action; a refused one shows the page again with the message (400)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area
from gongzhi.core.paging import page_of
from gongzhi.lib import ratelimit
from gongzhi.lib.masking import mask_phone
from gongzhi.lib.net import client_ip
from gongzhi.lists import phone_codes

from .. import agenda, permissions
from ..actions import agenda as actions
from ..forms_agenda import DeclineForm, ItemForm, RaiseForm, ResidentRaiseForm
from ..models import AgendaItem, Meeting, RaisedItem

signed_in = login_required(login_url="core:login")


def _managed_meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = permissions.get_meeting_for_user(request.user, pk)
    permissions.require(request.user, "manage", meeting, _("Only the meeting's organizers set its agenda."))
    return meeting


def _agenda_page(request: HttpRequest, meeting: Meeting, *, status: int = 200,
                 form: ItemForm | None = None) -> HttpResponse:
    items = list(meeting.agenda_items.order_by("order", "id"))
    return render(request, "meetings/agenda_page.html", {
        "meeting": meeting, "items": items, "proposals": agenda.propose_agenda(meeting, request.user),
        "form": form or ItemForm(), "open": meeting.status in actions.OPEN_MEETING,
    }, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def agenda_page(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    if request.method != "POST":
        return _agenda_page(request, meeting)
    action = request.POST.get("action", "")
    user: Any = request.user
    form = None
    try:
        if action == "propose":
            keys = request.POST.getlist("key")
            added = actions.do_propose_agenda(meeting, acting_user=user, keys=keys or None)
            messages.success(request, _("%(count)d items were put on the agenda.") % {"count": len(added)})
        elif action == "add":
            form = ItemForm(request.POST)
            if not form.is_valid():
                return _agenda_page(request, meeting, status=400, form=form)
            actions.do_add_item(meeting, acting_user=user, **form.cleaned_data)
            messages.success(request, _("The item was added to the agenda."))
        elif action in ("edit", "remove", "up", "down", "discussion"):
            item = _item(meeting, request.POST.get("item"))
            if action == "edit":
                edit = ItemForm(request.POST)
                if not edit.is_valid():
                    raise ActionError(_("Please enter a title."), field="title")
                actions.do_edit_item(item, acting_user=user, **edit.cleaned_data)
                messages.success(request, _("The item was saved."))
            elif action == "remove":
                actions.do_remove_item(item, acting_user=user)
                messages.success(request, _("The item was removed from the agenda."))
            elif action == "discussion":
                actions.do_record_discussion(item, acting_user=user,
                                             discussion=request.POST.get("discussion", ""))
                messages.success(request, _("The discussion was recorded."))
            else:
                actions.do_move_item(item, acting_user=user, up=action == "up")
        else:
            raise Http404
    except ActionError as exc:
        if form is not None:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.error(request, exc.message)
        return _agenda_page(request, meeting, status=400, form=form)
    return redirect("meetings:agenda", pk=meeting.pk)


def _item(meeting: Meeting, raw: str | None) -> AgendaItem:
    if not raw or not raw.isdigit():
        raise Http404
    item = meeting.agenda_items.filter(pk=int(raw)).first()
    if item is None:
        raise Http404
    return item


# --- raised items --------------------------------------------------------------------------------------------


def _raise_areas(user: Any) -> list[Area]:
    """The communities where the user may raise an item: those of the liaison's units, and the staff's own."""
    from gongzhi.core.models import Registration

    units = permissions.liaison_unit_ids(user)
    communities: dict[int, Area] = {}
    if units:
        for reg in Registration.objects.confirmed().filter(unit_id__in=units, community__isnull=False).select_related("community"):
            if reg.community is not None:
                communities[reg.community.pk] = reg.community
    for area in permissions.area_policy.areas_where(user, "raise_item").filter(level=Area.Level.COMMUNITY)[:50]:
        communities[area.pk] = area
    return [a for a in communities.values() if permissions.can(user, "raise_item", a)]


@signed_in
@require_http_methods(["GET", "POST"])
def raise_page(request: HttpRequest) -> HttpResponse:
    """A liaison (or staff) raises an item for the next meeting of a community."""
    areas = _raise_areas(request.user)
    if not areas:
        permissions.area_policy.require_somewhere(request.user, "raise_item")
        raise Http404
    form = RaiseForm(request.POST or None)
    status = 200
    chosen = request.POST.get("community") or request.GET.get("community") or str(areas[0].pk)
    area = next((a for a in areas if str(a.pk) == chosen), areas[0])
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.do_raise_item(area, acting_user=request.user,  # type: ignore[arg-type]
                                      **form.cleaned_data)
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Thank you. The community will consider it for its next meeting."))
                return redirect("meetings:raised")
        status = 400
    return render(request, "meetings/raise_form.html", {"form": form, "areas": areas, "area": area}, status=status)


@signed_in
@require_GET
def raised_list(request: HttpRequest) -> HttpResponse:
    """What was raised for the meetings of the user's communities (a liaison: what its unit raised)."""
    permissions.resolution_policy.require_somewhere(request.user, "browse")  # staff and liaisons
    qs = permissions.visible_to(request.user, RaisedItem).select_related("area", "raised_by_unit", "agenda_item")
    status = request.GET.get("status", RaisedItem.Status.NEW)
    if status in RaisedItem.Status.values:
        qs = qs.filter(status=status)
    page = page_of(request, qs.order_by("-created_at", "-id"), 30)
    rows = [{"item": i, "can_decline": i.status == RaisedItem.Status.NEW and permissions.can(request.user, "manage", i)}
            for i in page.object_list]
    return render(request, "meetings/raise_list.html", {
        "page": page, "rows": rows, "status": status, "statuses": RaisedItem.Status.choices,
        "can_raise": bool(_raise_areas(request.user)), "decline_form": DeclineForm(),
    })


@signed_in
@require_POST
def raised_decline(request: HttpRequest, pk: int) -> HttpResponse:
    item = permissions.get_raised_item_for_user(request.user, pk)
    permissions.require(request.user, "manage", item)
    form = DeclineForm(request.POST)
    try:
        actions.do_decline_raised_item(item, acting_user=request.user,  # type: ignore[arg-type]
                                       reason=form.data.get("reason", ""))
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("meetings:raised")
    messages.success(request, _("The item was declined."))
    return redirect("meetings:raised")


# --- a resident's public form ----------------------------------------------------------------------------------


def _over_limit(request: HttpRequest) -> bool:
    value = getattr(settings, "MEETINGS_RAISE_RATE", (20, 600))
    return not ratelimit.hit(f"meetings:raise:{client_ip(request)}", limit=int(value[0]), window_seconds=int(value[1]))


def _community(community_id: int) -> Area:
    area = Area.objects.filter(pk=community_id, level=Area.Level.COMMUNITY).first()
    if area is None:
        raise Http404(_("No such community."))
    return area


@require_http_methods(["GET", "POST"])
def public_raise(request: HttpRequest, community_id: int) -> HttpResponse:
    """GET: the form; POST `send`: a code to the phone; POST `submit`: the item with that code."""
    community = _community(community_id)
    context: dict[str, Any] = {"community": community}
    if request.method != "POST":
        return render(request, "meetings/raise_public.html", {**context, "form": ResidentRaiseForm()})
    if _over_limit(request):
        return render(request, "meetings/raise_public.html", {**context, "form": ResidentRaiseForm(request.POST),
                                                               "too_many": True}, status=429)
    form = ResidentRaiseForm(request.POST)
    if not form.is_valid():
        return render(request, "meetings/raise_public.html", {**context, "form": form}, status=400)
    data = form.cleaned_data
    try:
        if "send" in request.POST:
            actions.do_send_raise_code(community, phone=data["phone"])
            sent = mask_phone(phone_codes.normalise_phone(data["phone"]))
            return render(request, "meetings/raise_public.html", {
                **context, "form": ResidentRaiseForm(initial=data), "code_sent_to": sent})
        actions.do_raise_item_by_resident(community, name=data["name"], phone=data["phone"], code=data["code"],
                                          title=data["title"], description=data["description"])
    except ActionError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return render(request, "meetings/raise_public.html", {**context, "form": form}, status=400)
    return render(request, "meetings/raise_public.html", {**context, "done": True})
