"""The rooms part's pages (党群服务阵地):

- /venues/places/ — the venues the user sees (to manage, or with rooms they may book), by level and community;
- /venues/places/<id>/ — a venue, its rooms and (the services part's panel) its shared services;
- /venues/places/new/, /places/<id>/edit/ — a venue (managers: community workers and up over its area);
- /venues/rooms/<id>/ — a room: capacity, facilities, photos, opening hours and closed dates, its booking rules in
  plain Chinese, and (the bookings part's panel) its calendar and bookings;
- /venues/places/<id>/rooms/new/, /rooms/<id>/edit/ — a room and its rules; photos added and deleted on its page;
- /venues/rooms/<id>/close/ — close a room for dates: the bookings it hits are shown first, then cancelled with
  notice or kept;
- /venues/utilisation/ (and .xlsx) — utilisation per venue and room, and the share that served other communities
  and the alliance.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.core.files import file_response
from gongzhi.core.models import Area
from gongzhi.core.policy import is_superuser, path_q, scope_paths
from gongzhi.lib.spreadsheets import export_filename, xlsx_response

from .. import permissions, queries, utilisation
from ..actions import rooms as actions
from ..forms_rooms import ClosureForm, PhotoForm, RoomForm, VenueForm
from ..models import Room, RoomClosure, RoomPhoto, Venue

signed_in = login_required(login_url="core:login")
PHOTO_TYPES = {"jpg": "image/jpeg", "png": "image/png"}
VENUE_AREA_LEVELS = (Area.Level.SUBDISTRICT, Area.Level.COMMUNITY, Area.Level.ESTATE, Area.Level.GRID)
MANAGE = "Only the venue's managers (community workers and up over its area) may do this."


def gate(request: HttpRequest) -> None:
    if not permissions.shows_venues(request.user):
        raise PermissionDenied(_("This page is not available to your role."))


def _error(form: Any, exc: ActionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _require_manage(request: HttpRequest, venue: Venue) -> None:
    if not permissions.manages_venue(request.user, venue):
        raise PermissionDenied(_(MANAGE))


def venue_areas(user: Any) -> QuerySet[Area]:
    """The areas where the user may set up a venue (subdistricts, communities, estates, grids under their grants)."""
    qs = Area.objects.filter(level__in=VENUE_AREA_LEVELS)
    if not is_superuser(user):
        qs = qs.filter(path_q(scope_paths(user, permissions.VENUE_MANAGERS), "path"))
    return qs.order_by("path")


def community_filter(venues: QuerySet[Venue], community: Area) -> QuerySet[Venue]:
    """The venues of a community: on it or below it, and the centre of its subdistrict."""
    return venues.filter(Q(area__path__startswith=community.path)
                         | Q(level=Venue.Level.CENTRE, area_id__in=community.ancestor_ids()))


# --- venues ----------------------------------------------------------------------------------------------------


@signed_in
@require_GET
def venue_list(request: HttpRequest) -> HttpResponse:
    gate(request)
    user = request.user
    base = permissions.visible_to(user, Venue).select_related("area")
    level = request.GET.get("level", "")
    venues = base.filter(level=level) if level in Venue.Level.values else base
    community: Area | None = None
    community_id = request.GET.get("community", "")
    if community_id.isdigit():
        community = Area.objects.filter(pk=int(community_id), level=Area.Level.COMMUNITY).first()
        if community is not None:
            venues = community_filter(venues, community)
    venues = venues.annotate(room_count=Count("rooms", filter=Q(rooms__active=True), distinct=True)).order_by(
        "area__path", "level", "name")
    rows = list(venues[:300])
    ancestor_ids = {i for v in base.values_list("area__path", flat=True)[:1000]
                    for i in (int(p) for p in v.strip("/").split("/") if p)}
    communities = list(Area.objects.filter(pk__in=ancestor_ids, level=Area.Level.COMMUNITY).order_by("path"))
    managed = {v.pk for v in rows if permissions.manages_venue(user, v)}
    for v in rows:
        v.managed = v.pk in managed  # type: ignore[attr-defined]
    return render(request, "venues/rooms/venue_list.html", {
        "venues": rows, "levels": Venue.Level.choices, "level": level, "communities": communities,
        "community": community, "can_create": permissions.venue_policy.can_somewhere(user, "create_venue"),
        "can_see_utilisation": bool(managed) or utilisation.managed_venues(user).exists(),
    })


@signed_in
@require_GET
def venue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    venue = permissions.get_venue_for_user(request.user, pk)
    can_manage = permissions.manages_venue(request.user, venue)
    rooms = list(permissions.visible_to(request.user, Room).filter(venue=venue).prefetch_related("photos")
                 .order_by("-active", "name"))
    for room in rooms:
        room.rules = queries.room_rules(room)  # type: ignore[attr-defined]
        room.first_photo = next(iter(room.photos.all()), None)  # type: ignore[attr-defined]
    return render(request, "venues/rooms/venue_detail.html", {
        "venue": venue, "rooms": rooms, "can_manage": can_manage,
        "community": permissions.community_of_area(venue.area),
    })


def _venue_form_page(request: HttpRequest, venue: Venue | None) -> HttpResponse:
    areas = venue_areas(request.user)
    if request.method == "POST":
        form = VenueForm(request.POST, areas=areas)
        if form.is_valid():
            d = form.cleaned_data
            try:
                if venue is None:
                    venue = actions.do_create_venue(acting_user=request.user, **d)  # type: ignore[arg-type]
                    messages.success(request, _("The venue was set up."))
                else:
                    venue = actions.do_update_venue(venue, acting_user=request.user, **d)  # type: ignore[arg-type]
                    messages.success(request, _("The venue was saved."))
            except ActionError as exc:
                _error(form, exc)
            else:
                return redirect("venues:venue", pk=venue.pk)
    elif venue is None:
        level = request.GET.get("level", Venue.Level.STATION)
        form = VenueForm(initial={"level": level, "area": request.GET.get("area")}, areas=areas)
    else:
        form = VenueForm(initial={"name": venue.name, "level": venue.level, "area": venue.area_id,
                                  "address": venue.address, "phone": venue.phone,
                                  "description": venue.description}, areas=areas)
    return render(request, "venues/rooms/venue_form.html", {"form": form, "venue": venue},
                  status=400 if form.errors else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def venue_new(request: HttpRequest) -> HttpResponse:
    permissions.venue_policy.require_somewhere(
        request.user, "create_venue", _("Only community workers and up may set up a venue."))
    return _venue_form_page(request, None)


@signed_in
@require_http_methods(["GET", "POST"])
def venue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    venue = permissions.get_venue_for_user(request.user, pk)
    _require_manage(request, venue)
    return _venue_form_page(request, venue)


@signed_in
@require_POST
def venue_active(request: HttpRequest, pk: int) -> HttpResponse:
    venue = permissions.get_venue_for_user(request.user, pk)
    _require_manage(request, venue)
    active = request.POST.get("active") == "1"
    try:
        actions.do_set_venue_active(venue, acting_user=request.user, active=active)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The venue is open for bookings again.") if active
                         else _("The venue was deactivated: no one finds or books it now."))
    return redirect("venues:venue", pk=venue.pk)


# --- rooms -----------------------------------------------------------------------------------------------------


def _room(request: HttpRequest, pk: int, manage: bool = False) -> Room:
    room = permissions.get_room_for_user(request.user, pk)
    if manage:
        _require_manage(request, room.venue)
    return room


@signed_in
@require_GET
def room_detail(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(request, pk)
    can_manage = permissions.manages_venue(request.user, room.venue)
    today = timezone.localdate()
    closures = list(RoomClosure.objects.filter(room=room, ends_on__gte=today).order_by("starts_on")[:50])
    return render(request, "venues/rooms/room_detail.html", {
        "room": room, "venue": room.venue, "rules": queries.room_rules(room), "can_manage": can_manage,
        "photos": list(room.photos.all()), "closures": closures, "closed_today": queries.closure_on(room, today),
        "photo_form": PhotoForm() if can_manage else None, "max_photos": actions.MAX_ROOM_PHOTOS,
        "can_book": permissions.can(request.user, "book", room),
    })


def _room_values(form: RoomForm) -> dict[str, Any]:
    d = dict(form.cleaned_data)
    d["open_days"] = "".join(d.get("open_days") or [])
    return d


def _room_form_page(request: HttpRequest, venue: Venue, room: Room | None) -> HttpResponse:
    if request.method == "POST":
        form = RoomForm(request.POST)
        if form.is_valid():
            try:
                if room is None:
                    room = actions.do_create_room(venue, acting_user=request.user,  # type: ignore[arg-type]
                                                  **_room_values(form))
                    messages.success(request, _("The room was added."))
                else:
                    room = actions.do_update_room(room, acting_user=request.user,  # type: ignore[arg-type]
                                                  **_room_values(form))
                    messages.success(request, _("The room was saved."))
            except ActionError as exc:
                _error(form, exc)
            else:
                return redirect("venues:room", pk=room.pk)
    else:
        form = RoomForm(initial=RoomForm.initial_for(room))
    return render(request, "venues/rooms/room_form.html", {"form": form, "venue": venue, "room": room},
                  status=400 if form.errors else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def room_new(request: HttpRequest, pk: int) -> HttpResponse:
    venue = permissions.get_venue_for_user(request.user, pk)
    _require_manage(request, venue)
    return _room_form_page(request, venue, None)


@signed_in
@require_http_methods(["GET", "POST"])
def room_edit(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(request, pk, manage=True)
    return _room_form_page(request, room.venue, room)


@signed_in
@require_POST
def room_active(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(request, pk, manage=True)
    active = request.POST.get("active") == "1"
    try:
        actions.do_set_room_active(room, acting_user=request.user, active=active)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The room is open for bookings again.") if active
                         else _("The room was deactivated: no one books it now."))
    return redirect("venues:room", pk=room.pk)


# --- photos ----------------------------------------------------------------------------------------------------


@signed_in
@require_GET
def room_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A room's photo, to whoever sees the room (404 otherwise)."""
    photo = RoomPhoto.objects.filter(pk=pk).first()
    if photo is None:
        raise Http404(_("Not found, or outside your area."))
    permissions.get_room_for_user(request.user, photo.room_id)
    extension = (photo.image.name or "").rsplit(".", 1)[-1].lower()
    return file_response(photo.image, content_type=PHOTO_TYPES.get(extension, "application/octet-stream"))


@signed_in
@require_POST
def room_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(request, pk, manage=True)
    upload = request.FILES.get("photo")
    try:
        if upload is None:
            raise ActionError(_("Please choose a photo to upload."), field="photo")
        actions.do_add_room_photo(room, upload, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The photo was added."))
    return redirect("venues:room", pk=room.pk)


@signed_in
@require_POST
def room_photo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    photo = RoomPhoto.objects.filter(pk=pk).select_related("room").first()
    if photo is None:
        raise Http404(_("Not found, or outside your area."))
    room = _room(request, photo.room_id, manage=True)
    actions.do_delete_room_photo(photo, acting_user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("The photo was deleted."))
    return redirect("venues:room", pk=room.pk)


# --- closed dates ----------------------------------------------------------------------------------------------


@signed_in
@require_http_methods(["GET", "POST"])
def room_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 1: the dates and the reason; step 2 (a valid POST without a decision): the bookings it hits, and the
    choice to cancel them with notice or keep them; step 3 (the decision): the closure is saved."""
    room = _room(request, pk, manage=True)
    hits: list[Any] | None = None
    if request.method == "POST":
        form = ClosureForm(request.POST)
        decision = request.POST.get("decision", "")
        if form.is_valid():
            d = form.cleaned_data
            if decision in ("cancel", "keep"):
                try:
                    result = actions.do_close_room(room, d["starts_on"], d["ends_on"], d["reason"],
                                                   decision == "cancel", request.user)  # type: ignore[arg-type]
                except ActionError as exc:
                    _error(form, exc)
                else:
                    if result.cancelled:
                        messages.success(request, _("The room is closed from %(start)s to %(end)s; %(n)d bookings "
                                                    "were cancelled and their bookers told.") % {
                            "start": d["starts_on"].isoformat(), "end": d["ends_on"].isoformat(),
                            "n": len(result.cancelled)})
                    else:
                        messages.success(request, _("The room is closed from %(start)s to %(end)s.") % {
                            "start": d["starts_on"].isoformat(), "end": d["ends_on"].isoformat()})
                    if result.to_phone:
                        return render(request, "venues/rooms/room_closed.html", {
                            "room": room, "venue": room.venue, "result": result})
                    return redirect("venues:room", pk=room.pk)
            else:
                try:
                    actions.clean_closure(d["starts_on"], d["ends_on"], d["reason"])
                    hits = actions.closure_hits(room, d["starts_on"], d["ends_on"])
                except ActionError as exc:
                    _error(form, exc)
    else:
        start, end = actions.default_closure_days()
        form = ClosureForm(initial={"starts_on": start, "ends_on": end})
    return render(request, "venues/rooms/room_close.html", {
        "room": room, "venue": room.venue, "form": form, "hits": hits,
        "closures": list(RoomClosure.objects.filter(room=room, ends_on__gte=timezone.localdate())),
    }, status=400 if form.errors else 200)


@signed_in
@require_POST
def closure_delete(request: HttpRequest, pk: int) -> HttpResponse:
    closure = RoomClosure.objects.filter(pk=pk).first()
    if closure is None:
        raise Http404(_("Not found, or outside your area."))
    room = _room(request, closure.room_id, manage=True)
    actions.do_remove_closure(closure, acting_user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("The closure was removed: the room is open on those days again."))
    return redirect("venues:room", pk=room.pk)


# --- utilisation -----------------------------------------------------------------------------------------------


def _utilisation(request: HttpRequest) -> tuple[utilisation.Report, dict[str, Any]]:
    venues = utilisation.managed_venues(request.user)
    if not venues.exists():
        raise PermissionDenied(_("Utilisation is shown to the venues' managers (community workers and up)."))
    params = request.GET
    kind, first, last = utilisation.period_from(params)
    venue: Venue | None = None
    venue_id = params.get("venue", "")
    if venue_id.isdigit():
        venue = venues.filter(pk=int(venue_id)).first()
        if venue is None:
            raise Http404(_("Not found, or outside your area."))
    level = params.get("level", "")
    chosen = venues.filter(pk=venue.pk) if venue is not None else venues.filter(active=True)
    if level in Venue.Level.values and venue is None:
        chosen = chosen.filter(level=level)
    report = utilisation.compute(chosen.order_by("area__path", "level", "name")[:200], first, last)
    return report, {"kind": kind, "venue": venue, "level": level,
                    "venue_choices": list(venues.filter(active=True).order_by("area__path", "level", "name")[:200])}


@signed_in
@require_GET
def utilisation_page(request: HttpRequest) -> HttpResponse:
    report, ctx = _utilisation(request)
    today = timezone.localdate()
    return render(request, "venues/rooms/utilisation.html", {
        **ctx, "report": report, "sentence": utilisation.share_sentence(report.total),
        "chart": utilisation.chart_data(report) if report.venues else None, "levels": Venue.Level.choices,
        "month": request.GET.get("month") or f"{today:%Y-%m}",
        "quarter": request.GET.get("quarter") or f"{today.year}-{(today.month - 1) // 3 + 1}",
        "date_from": report.first.isoformat(), "date_to": report.last.isoformat(),
        "query": request.GET.urlencode(),
    })


@signed_in
@require_GET
def utilisation_export(request: HttpRequest) -> HttpResponse:
    report, ctx = _utilisation(request)
    venue = ctx["venue"]
    return xlsx_response(utilisation.workbook(report), export_filename(
        "阵地利用率", venue.name if venue else "", f"{report.first.isoformat()}至{report.last.isoformat()}",
        day=timezone.localdate()))
