"""The services part's pages (共享服务), for a phone.

- /venues/services/: the services the user may use or runs (filters: kind, venue, "mine": the ones they run).
- /venues/services/new/, /<id>/edit/, /<id>/active/: set up, change, deactivate (those who run it).
- /venues/services/<id>/: the service: upcoming sessions with places left, its average rating; for those who run it
  the sessions and attendance, and a new session.
- /venues/services/sessions/<id>/: a session: take a place; for the provider the places, a tap checks a person in.
- /venues/services/places/ and /places/<id>/: my places; one place (shown at the door), cancel, rate.
- /venues/services/public/<id>/ and /public/sessions/<id>/: the public pages for residents without an account (a code
  sent to the phone proves it; every POST counts against VENUES_PLACE_RATE per address: 20 per 10 minutes).

A refused POST shows the page again with the message (400; a conflict: 409); out of scope is 404, not allowed 403.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import Area, Unit
from gongzhi.core.permissions import liaison_unit_ids
from gongzhi.core.policy import is_superuser, path_q, scope_paths
from gongzhi.lib import ratelimit
from gongzhi.lib.masking import mask_phone
from gongzhi.lib.net import client_ip
from gongzhi.lists import phone_codes

from ..actions import services as actions
from ..forms_services import (
    CancelSessionForm,
    NewServiceForm,
    PublicPlaceForm,
    RatingForm,
    ServiceFilterForm,
    ServiceForm,
    SessionForm,
    SessionRoomForm,
    first_error,
)
from ..models import Room, ServiceBooking, ServiceSession, SharedService, Venue
from ..permissions import (
    VENUE_MANAGERS,
    get_place_for_user,
    get_service_for_user,
    get_session_for_user,
    place_policy,
    runs_q,
    runs_service,
    service_policy,
    venue_policy,
)

signed_in = login_required(login_url="core:login")
LIST_LIMIT = 200


def _status_of(exc: ActionError) -> int:
    return 409 if isinstance(exc, Conflict) else 400


def _upcoming(service_qs: Any) -> Prefetch:
    return Prefetch("sessions", to_attr="upcoming", queryset=ServiceSession.objects.filter(
        cancelled_at__isnull=True, ends_at__gte=timezone.now()).annotate(
        taken=Count("places", filter=Q(places__status__in=actions.TAKEN))).order_by("starts_at"))


def _with_left(sessions: list[ServiceSession]) -> list[ServiceSession]:
    for s in sessions:
        s.left = max(0, s.capacity - getattr(s, "taken", 0))  # type: ignore[attr-defined]
    return sessions


# --- the list ------------------------------------------------------------------------------------------------


@signed_in
@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ServiceFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = service_policy.visible_to(user).select_related("venue", "provider_community", "provider_unit")
    if data.get("mine"):
        qs = qs if is_superuser(user) else qs.filter(runs_q(user))
    else:
        qs = qs.filter(active=True)
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("venue"):
        qs = qs.filter(venue_id=data["venue"])
    rows = list(qs.prefetch_related(_upcoming(qs)).order_by("venue__name", "title")[:LIST_LIMIT])
    for s in rows:
        s.upcoming = _with_left(s.upcoming)[:3]  # type: ignore[attr-defined]
    venues = Venue.objects.filter(pk__in=service_policy.visible_to(user).values("venue_id")).order_by("name")
    return render(request, "venues/services/list.html", {
        "rows": rows, "form": form, "kinds": SharedService.Kind.choices, "venues": venues,
        "f_kind": data.get("kind") or "", "f_venue": data.get("venue"), "f_mine": bool(data.get("mine")),
        "can_create": service_policy.can_somewhere(user, "create_service"),
    })


# --- set up and change a service -----------------------------------------------------------------------------


def _providers(user: Any) -> list[tuple[str, str]]:
    if is_superuser(user):
        communities = Area.objects.filter(level=Area.Level.COMMUNITY)
    else:
        communities = Area.objects.filter(level=Area.Level.COMMUNITY).filter(
            path_q(scope_paths(user, VENUE_MANAGERS), "path"))
    out = [(f"c{a.pk}", a.name) for a in communities.order_by("path")[:100]]
    units = Unit.objects.filter(pk__in=liaison_unit_ids(user)).order_by("name")
    out += [(f"u{u.pk}", u.name) for u in units]
    return out


def _venue_choices(user: Any) -> list[tuple[int, str]]:
    return [(v.pk, f"{v.name}（{v.get_level_display()}）")
            for v in venue_policy.visible_to(user).filter(active=True).order_by("name")[:200]]


def _provider_of(value: str) -> tuple[Area | None, Unit | None]:
    kind, _sep, pk = value[:1], None, value[1:]
    if not pk.isdigit():
        return None, None
    if kind == "c":
        return Area.objects.filter(pk=int(pk)).first(), None
    return None, Unit.objects.filter(pk=int(pk)).first()


@signed_in
@require_http_methods(["GET", "POST"])
def service_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    service_policy.require_somewhere(user, "create_service",
                                     _("Only community workers and member units' liaisons set up services."))
    providers, venues = _providers(user), _venue_choices(user)
    form = NewServiceForm(request.POST or None, venues=venues, providers=providers)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            community, unit = _provider_of(data["provider"])
            venue = Venue.objects.select_related("area").get(pk=data["venue"])
            try:
                service = actions.do_create_service(
                    acting_user=user, venue=venue, title=data["title"], kind=data["kind"],  # type: ignore[arg-type]
                    who_may_use=data["who_may_use"], description=data["description"], provider_community=community,
                    provider_unit=unit)
            except ActionError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The service is set up. Add its sessions now."))
                return redirect("venues:service", pk=service.pk)
        else:
            messages.error(request, first_error(form))
        return render(request, "venues/services/form.html", {"form": form, "new": True}, status=400)
    return render(request, "venues/services/form.html", {"form": form, "new": True})


@signed_in
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_service_for_user(request.user, pk)
    service_policy.require(request.user, "run", service, _("Only those who run the service change it."))
    form = ServiceForm(request.POST or None, initial={k: getattr(service, k) for k in actions.SERVICE_FIELDS})
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.do_update_service(service, acting_user=request.user,  # type: ignore[arg-type]
                                          **form.cleaned_data)
            except ActionError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The service was changed."))
                return redirect("venues:service", pk=service.pk)
        else:
            messages.error(request, first_error(form))
        return render(request, "venues/services/form.html", {"form": form, "service": service}, status=400)
    return render(request, "venues/services/form.html", {"form": form, "service": service})


@signed_in
@require_POST
def service_active(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_service_for_user(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        actions.do_set_service_active(service, acting_user=request.user, active=active)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The service is offered again.") if active else
                         _("The service is no longer offered; it left the lists."))
    return redirect("venues:service", pk=service.pk)


# --- the service's page --------------------------------------------------------------------------------------


def _rooms(service: SharedService) -> list[tuple[int, str]]:
    return [(r.pk, r.name) for r in service.venue.rooms.filter(active=True).order_by("name")]


def _service_page(request: HttpRequest, service: SharedService, *, session_form: SessionForm | None = None,
                  status: int = 200) -> HttpResponse:
    user = request.user
    runs = runs_service(user, service)
    now = timezone.now()
    sessions = ServiceSession.objects.filter(service=service).annotate(
        taken=Count("places", filter=Q(places__status__in=actions.TAKEN)),
        attended=Count("places", filter=Q(places__status=ServiceBooking.Status.ATTENDED)))
    upcoming = _with_left(list(sessions.filter(ends_at__gte=now, cancelled_at__isnull=True).order_by("starts_at")[:30]))
    past = list(sessions.filter(Q(ends_at__lt=now) | Q(cancelled_at__isnull=False)).order_by("-starts_at")[:30]) \
        if runs else []
    mine = {p.session_id: p for p in ServiceBooking.objects.filter(
        session__service=service, user=user.pk, status__in=actions.TAKEN)}
    average, ratings = actions.service_rating(service)
    return render(request, "venues/services/detail.html", {
        "service": service, "runs": runs, "upcoming": upcoming, "past": past, "mine": mine,
        "can_take": service_policy.can(user, "take_place", service), "average": average, "ratings": ratings,
        "attendance": actions.service_attendance(service) if runs else None,
        "session_form": session_form or SessionRoomForm(rooms=_rooms(service)),
        "public_url": request.build_absolute_uri(f"/venues/services/public/{service.pk}/"),
        "comments": list(service_comments(service)) if runs else [],
    }, status=status)


def service_comments(service: SharedService) -> Any:
    from ..models import ServiceRating

    return ServiceRating.objects.filter(place__session__service=service).exclude(comment="").order_by(
        "-created_at")[:10]


@signed_in
@require_GET
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _service_page(request, get_service_for_user(request.user, pk))


@signed_in
@require_POST
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_service_for_user(request.user, pk)
    if not runs_service(request.user, service):
        raise PermissionDenied(_("Only those who run the service add sessions."))
    form = SessionRoomForm(request.POST, rooms=_rooms(service))
    if not form.is_valid():
        messages.error(request, first_error(form))
        return _service_page(request, service, session_form=form, status=400)
    data = form.cleaned_data
    try:
        session = actions.do_create_session(service, acting_user=request.user,  # type: ignore[arg-type]
                                            starts_at=data["starts_at"], ends_at=data["ends_at"],
                                            capacity=data["capacity"],
                                            room=Room.objects.filter(pk=data["room"], venue=service.venue).first()
                                            if data.get("room") else None)
    except ActionError as exc:
        messages.error(request, exc.message)
        return _service_page(request, service, session_form=form, status=_status_of(exc))
    messages.success(request, _("The session was added."))
    return redirect("venues:session", pk=session.pk)


# --- a session ---------------------------------------------------------------------------------------------


def _session_page(request: HttpRequest, session: ServiceSession, *, status: int = 200) -> HttpResponse:
    user = request.user
    service = session.service
    runs = runs_service(user, service)
    taken = actions.places_taken(session)
    places = list(session.places.select_related("community").order_by("status", "created_at")) if runs else []
    mine = session.places.filter(user=user.pk, status__in=actions.TAKEN).first()
    now = timezone.now()
    return render(request, "venues/services/session.html", {
        "session": session, "service": service, "runs": runs, "taken": taken,
        "left": max(0, session.capacity - taken), "mine": mine, "places": places,
        "open": session.cancelled_at is None and session.starts_at > now and service.active,
        "can_take": service_policy.can(user, "take_place", service), "check_in_open": actions.check_in_open(session),
        "attendance": actions.session_attendance(session) if runs else None,
        "ended": session.ends_at < now, "cancel_form": CancelSessionForm(),
    }, status=status)


@signed_in
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_page(request, get_session_for_user(request.user, pk))


@signed_in
@require_POST
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    if not runs_service(request.user, session.service):
        raise PermissionDenied(_("Only those who run the service cancel a session."))
    try:
        actions.do_cancel_session(session, acting_user=request.user,  # type: ignore[arg-type]
                                  reason=request.POST.get("reason", ""))
    except ActionError as exc:
        messages.error(request, exc.message)
        return _session_page(request, session, status=_status_of(exc))
    messages.success(request, _("The session is cancelled; the people booked were told."))
    return redirect("venues:session", pk=session.pk)


@signed_in
@require_POST
def place_take(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    if not service_policy.can(request.user, "take_place", session.service):
        raise PermissionDenied(_("This service is not open to your community."))
    try:
        place = actions.do_take_place(session, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
        return _session_page(request, session, status=_status_of(exc))
    messages.success(request, _("Your place is booked. You will be reminded the day before."))
    return redirect("venues:place", pk=place.pk)


# --- places ------------------------------------------------------------------------------------------------


@signed_in
@require_GET
def my_places(request: HttpRequest) -> HttpResponse:
    places = list(place_policy.visible_to(request.user).filter(user=request.user.pk).select_related(
        "session", "session__service", "session__service__venue").order_by("-session__starts_at")[:100])
    now = timezone.now()
    return render(request, "venues/services/my_places.html", {
        "coming": [p for p in places if p.session.ends_at >= now and p.status != ServiceBooking.Status.CANCELLED],
        "past": [p for p in places if p.session.ends_at < now or p.status == ServiceBooking.Status.CANCELLED],
    })


def _place_page(request: HttpRequest, place: ServiceBooking, *, rating_form: RatingForm | None = None,
                status: int = 200) -> HttpResponse:
    user = request.user
    rating = getattr(place, "rating", None) if hasattr(place, "rating") else None
    return render(request, "venues/services/place.html", {
        "place": place, "session": place.session, "service": place.session.service,
        "own": place.user_id == user.pk, "runs": runs_service(user, place.session.service),
        "can_cancel": place_policy.can(user, "cancel", place) and place.session.starts_at > timezone.now(),
        "can_check_in": place_policy.can(user, "check_in", place) and actions.check_in_open(place.session),
        "can_rate": place_policy.can(user, "rate", place), "rating": rating,
        "rating_form": rating_form or RatingForm(),
    }, status=status)


@signed_in
@require_GET
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _place_page(request, get_place_for_user(request.user, pk))


@signed_in
@require_POST
def place_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_place_for_user(request.user, pk)
    if place.status == ServiceBooking.Status.BOOKED and not place_policy.can(request.user, "cancel", place):
        raise PermissionDenied(_("Only the resident or the service's provider cancels a place."))
    try:
        actions.do_cancel_place(place, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
        return _place_page(request, place, status=_status_of(exc))
    messages.success(request, _("The place is cancelled."))
    if place.user_id == request.user.pk:
        return redirect("venues:place", pk=place.pk)
    return redirect("venues:session", pk=place.session_id)


@signed_in
@require_POST
def place_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_place_for_user(request.user, pk)
    if not runs_service(request.user, place.session.service):
        raise PermissionDenied(_("Only the service's provider checks people in."))
    try:
        actions.do_check_in_place(place, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        if request.headers.get("HX-Request"):
            return HttpResponse(exc.message, status=_status_of(exc))
        messages.error(request, exc.message)
        return _session_page(request, place.session, status=_status_of(exc))
    if request.headers.get("HX-Request"):
        place.refresh_from_db()
        return render(request, "venues/services/_place_row.html", {"p": place, "check_in_open": True})
    messages.success(request, _("%(name)s is checked in.") % {"name": place.name})
    return redirect("venues:session", pk=place.session_id)


@signed_in
@require_POST
def place_rate(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_place_for_user(request.user, pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return _place_page(request, place, rating_form=form, status=400)
    try:
        actions.do_rate_place(place, acting_user=request.user, score=form.cleaned_data["score"],  # type: ignore[arg-type]
                              comment=form.cleaned_data["comment"])
    except ActionError as exc:
        messages.error(request, exc.message)
        return _place_page(request, place, rating_form=form, status=_status_of(exc))
    messages.success(request, _("Thank you for your rating."))
    return redirect("venues:place", pk=place.pk)


# --- the public pages (no account) -------------------------------------------------------------------------


def _limits() -> tuple[int, int]:
    value = getattr(settings, "VENUES_PLACE_RATE", (20, 600))
    return int(value[0]), int(value[1])


def _over_limit(request: HttpRequest) -> bool:
    limit, window = _limits()
    return not ratelimit.hit(f"venues:place:{client_ip(request)}", limit=limit, window_seconds=window)


def _public_service(pk: int) -> SharedService:
    service = SharedService.objects.select_related("venue", "provider_community", "provider_unit", "alliance").filter(
        pk=pk, active=True, venue__active=True).first()
    if service is None:
        raise Http404(_("This service is not offered."))
    return service


@require_GET
def public_service(request: HttpRequest, pk: int) -> HttpResponse:
    service = _public_service(pk)
    sessions = _with_left(list(ServiceSession.objects.filter(
        service=service, cancelled_at__isnull=True, ends_at__gte=timezone.now()).annotate(
        taken=Count("places", filter=Q(places__status__in=actions.TAKEN))).order_by("starts_at")[:30]))
    average, ratings = actions.service_rating(service)
    return render(request, "venues/services/public_service.html", {
        "service": service, "sessions": sessions, "average": average, "ratings": ratings,
        "communities": actions.allowed_communities(service)[:50],
    })


def _render_public(request: HttpRequest, session: ServiceSession, form: PublicPlaceForm | None = None, *,
                   status: int = 200, code_sent_to: str = "", done: str = "") -> HttpResponse:
    taken = actions.places_taken(session)
    return render(request, "venues/services/public_session.html", {
        "session": session, "service": session.service, "form": form or PublicPlaceForm(),
        "left": max(0, session.capacity - taken), "code_sent_to": code_sent_to, "done": done,
        "communities": actions.allowed_communities(session.service),
        "open": session.cancelled_at is None and session.starts_at > timezone.now(),
    }, status=status)


def _error(form: PublicPlaceForm, exc: ActionError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@require_http_methods(["GET", "POST"])
def public_session(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the session; POST `send`: a code to the phone; `book`, `cancel`, `rate`: with that code."""
    session = ServiceSession.objects.select_related("service", "service__venue", "service__provider_community",
                                                    "service__alliance").filter(pk=pk, service__active=True).first()
    if session is None:
        raise Http404(_("This service is not offered."))
    if request.method != "POST":
        return _render_public(request, session)
    if _over_limit(request):
        return render(request, "venues/services/public_too_many.html", {"service": session.service}, status=429)
    form = PublicPlaceForm(request.POST)
    if not form.is_valid():
        return _render_public(request, session, form, status=400)
    data = form.cleaned_data
    community = Area.objects.filter(pk=data["community"]).first() if data.get("community") else None
    try:
        if "send" in request.POST:
            actions.do_send_place_code(session, phone=data["phone"])
            return _render_public(request, session, PublicPlaceForm(initial={**data, "code": ""}),
                                  code_sent_to=mask_phone(phone_codes.normalise_phone(data["phone"])))
        if "cancel" in request.POST:
            place = actions.do_cancel_place_by_phone(session, phone=data["phone"], code=data["code"])
            done = _("Your place no. %(no)d is cancelled.") % {"no": place.pk}
        elif "rate" in request.POST:
            actions.do_rate_place_by_phone(session, phone=data["phone"], code=data["code"], score=data["score"],
                                           comment=data["comment"])
            done = _("Thank you for your rating.")
        else:
            place = actions.do_take_place_by_phone(session, phone=data["phone"], code=data["code"],
                                                   name=data["name"], community=community)
            done = _("Your place no. %(no)d is booked. The text message we sent you is your reminder: show it at "
                     "the door.") % {"no": place.pk}
    except ActionError as exc:
        _error(form, exc)
        return _render_public(request, session, form, status=_status_of(exc))
    return _render_public(request, session, done=done)


# --- the venue page's panel --------------------------------------------------------------------------------


def venue_services(request: HttpRequest, venue: Venue) -> str:
    """On a venue's page (the rooms part's): the services offered there that the user sees, with the next
    sessions and places left."""
    services = list(service_policy.visible_to(request.user).filter(venue=venue, active=True).select_related(
        "provider_community", "provider_unit").prefetch_related(_upcoming(None)).order_by("title")[:20])
    for s in services:
        s.upcoming = _with_left(s.upcoming)[:3]  # type: ignore[attr-defined]
    return render_to_string("venues/services/_venue_services.html", {"services": services, "venue": venue},
                            request=request)
