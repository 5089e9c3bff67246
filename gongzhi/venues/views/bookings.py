"""The booking pages (阵地预约), usable on a phone:

- /venues/rooms/<pk>/calendar/ — a room's week (or day) of free and taken times within its opening hours, closed
  dates marked; a taken time shows only 已预约 / 待审批 (never who); a free one links to the booking form;
- /venues/rooms/<pk>/book/ — the booking form (staff, unit liaisons booking as their unit, residents), once or
  repeating, with the choice of skipping taken dates or booking nothing;
- /venues/bookings/ — my bookings; /venues/bookings/<pk>/ — a booking, with approve / refuse (a reason), cancel and
  check-in where the user may; /venues/bookings/approvals/ — the pending bookings the user approves;
- /venues/book/<token>/ — the public page of a room for residents without an account (a one-time phone code).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, Unit
from gongzhi.core.permissions import liaison_unit_ids
from gongzhi.lib import ratelimit
from gongzhi.lib.net import client_ip

from .. import permissions, rules
from ..actions import bookings as actions
from ..forms_bookings import BookingForm, CancelForm, PublicBookingForm, ReasonForm
from ..models import Booking, Room
from ..queries import pending_for

signed_in = login_required(login_url="core:login")
PUBLIC_SALT = "gongzhi.venues.room-booking"


def gate(request: HttpRequest) -> None:
    if not permissions.shows_venues(request.user):
        raise PermissionDenied(_("This page is not available to your role."))


def _error(form: Any, exc: ActionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _field_for(exc: ActionError) -> str | None:
    return {"starts_at": "starts", "ends_at": "ends"}.get(exc.field or "", exc.field)


def _form_error(form: Any, exc: ActionError) -> None:
    name = _field_for(exc)
    form.add_error(name if name in form.fields else None, exc.message)


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return default


# --- the public token of a room --------------------------------------------------------------------------------


def public_token(room: Room) -> str:
    return signing.dumps(room.pk, salt=PUBLIC_SALT, compress=True)


def room_from_token(token: str) -> Room:
    if len(token) > 100:
        raise Http404
    try:
        pk = signing.loads(token, salt=PUBLIC_SALT)
    except signing.BadSignature:
        raise Http404 from None
    room = Room.objects.select_related("venue", "venue__area").filter(pk=pk, active=True, venue__active=True).first()
    if room is None:
        raise Http404
    return room


def public_communities(room: Room) -> Any:
    """The communities a resident without an account may name on the room's public page (those its rule lets
    book; every community of the venue's subdistrict and alliance for a room open to anyone)."""
    area = room.venue.area
    own = permissions.community_of_area(area)
    sub = permissions.subdistrict_of_area(area)
    communities = Area.objects.filter(level=Area.Level.COMMUNITY)
    ids = permissions.alliance_community_ids(own) if own is not None else set()
    if room.who_may_book == Room.WhoMayBook.COMMUNITY and own is not None:
        return communities.filter(pk=own.pk)
    if room.who_may_book in (Room.WhoMayBook.SUBDISTRICT, Room.WhoMayBook.COMMUNITY) or own is None:
        return communities.filter(path__startswith=sub.path) if sub is not None else communities.none()
    if room.who_may_book == Room.WhoMayBook.ALLIANCE:
        return communities.filter(pk__in=ids).order_by("path")
    q = communities.filter(pk__in=ids)
    if sub is not None:
        q = q | communities.filter(path__startswith=sub.path)
    return q.order_by("path")


# --- the calendar ----------------------------------------------------------------------------------------------


def _calendar_context(room: Room, request: HttpRequest, *, book_url: str) -> dict[str, Any]:
    today = timezone.localdate()
    view = "day" if request.GET.get("view") == "day" else "week"
    first = _day(request.GET.get("from"), today)
    days = 1 if view == "day" else 7
    first = max(first, today - timedelta(days=62))
    grid = rules.calendar(room, first, days)
    step = timedelta(days=days)
    return {"room": room, "days": grid, "view": view, "first": first, "last": first + step - timedelta(days=1),
            "prev": (first - step).isoformat(), "next": (first + step).isoformat(), "today": today.isoformat(),
            "book_url": book_url}


@signed_in
@require_GET
def calendar(request: HttpRequest, pk: int) -> HttpResponse:
    gate(request)
    room = permissions.get_room_for_user(request.user, pk)
    may_book = permissions.can(request.user, "book", room)
    context = _calendar_context(room, request, book_url=reverse("venues:book", args=[room.pk]) if may_book else "")
    context["may_book"] = may_book
    context["manages"] = permissions.manages_venue(request.user, room.venue)
    if context["manages"]:
        context["public_url"] = request.build_absolute_uri(reverse("venues:public_book", args=[public_token(room)]))
    template = "venues/bookings/_calendar.html" if request.headers.get("HX-Request") else "venues/bookings/calendar.html"
    return render(request, template, context)


# --- booking ---------------------------------------------------------------------------------------------------


def _initial(request: HttpRequest, room: Room) -> dict[str, Any]:
    initial: dict[str, Any] = {"attendees": 1, "skip_taken": "skip"}
    day = request.GET.get("day")
    start = request.GET.get("start", "")
    if day:
        initial["day"] = _day(day, timezone.localdate())
    try:
        begins = datetime.combine(timezone.localdate(), time.fromisoformat(start[:5]), tzinfo=UTC)
    except ValueError:
        return initial
    initial["starts"] = begins.time()
    ends = begins + timedelta(minutes=max(60, room.min_minutes))
    initial["ends"] = ends.time() if ends.date() == begins.date() else begins.time()
    return initial


def _units(user: Any) -> Any:
    ids = liaison_unit_ids(user)
    return Unit.objects.filter(pk__in=ids).order_by("name") if ids else Unit.objects.none()


@signed_in
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, pk: int) -> HttpResponse:
    gate(request)
    room = permissions.get_room_for_user(request.user, pk)
    if not permissions.can(request.user, "book", room):
        raise PermissionDenied(_("You may not book this room."))
    units = _units(request.user)
    if request.method == "GET":
        form = BookingForm(initial=_initial(request, room), units=units)
        return render(request, "venues/bookings/book.html", {"room": room, "form": form,
                                                         "open_days": rules.open_days_label(room)})
    form = BookingForm(request.POST, units=units)
    result = None
    if form.is_valid():
        data = form.cleaned_data
        starts_at, ends_at = form.times()
        common = {"acting_user": request.user, "room": room, "starts_at": starts_at, "ends_at": ends_at,
                  "purpose": data["purpose"], "attendees": data["attendees"], "as_unit": data.get("unit")}
        try:
            if data.get("repeat"):
                result = actions.do_book_series(frequency=data["repeat"], until=data["until"],
                                                skip_taken=data.get("skip_taken") != "cancel", **common)
            else:
                booking = actions.do_book(**common)
        except actions.SeriesRefused as exc:
            _form_error(form, exc)
            return render(request, "venues/bookings/book.html", {
                "room": room, "form": form, "conflicts": exc.conflicts,
                "open_days": rules.open_days_label(room)}, status=400)
        except ActionError as exc:
            _form_error(form, exc)
        else:
            if result is not None:
                return render(request, "venues/bookings/series_result.html", {"room": room, "result": result})
            if booking.status == Booking.Status.PENDING:
                messages.success(request, _("Booked. The booking awaits the approval of %(who)s.")
                                 % {"who": room.get_approver_display()})
            else:
                messages.success(request, _("Booked and approved."))
            return redirect("venues:booking", pk=booking.pk)
    return render(request, "venues/bookings/book.html", {"room": room, "form": form,
                                                         "open_days": rules.open_days_label(room)}, status=400)


# --- lists -----------------------------------------------------------------------------------------------------


@signed_in
@require_GET
def booking_list(request: HttpRequest) -> HttpResponse:
    gate(request)
    now = timezone.now()
    mine = permissions.visible_to(request.user, Booking).filter(booked_by=request.user).select_related(
        "room", "room__venue", "unit")
    upcoming = list(mine.filter(ends_at__gte=now).order_by("starts_at")[:100])
    past = list(mine.filter(ends_at__lt=now).order_by("-starts_at")[:50])
    return render(request, "venues/bookings/list.html", {
        "upcoming": upcoming, "past": past, "approvals": len(pending_for(request.user)),
    })


@signed_in
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    gate(request)
    return render(request, "venues/bookings/approvals.html", {"bookings": pending_for(request.user),
                                                              "reason_form": ReasonForm()})


# --- one booking -----------------------------------------------------------------------------------------------


def _detail(request: HttpRequest, booking: Booking, *, reason_form: ReasonForm | None = None,
            cancel_form: CancelForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    can_check_in = permissions.can(user, "check_in", booking) and (
        permissions.manages_venue(user, booking.room.venue)
        or (timezone.localtime(booking.starts_at).date() == today and booking.ends_at > timezone.now()))
    return render(request, "venues/bookings/detail.html", {
        "booking": booking, "can_decide": permissions.can(user, "decide", booking),
        "can_cancel": permissions.can(user, "cancel", booking) and booking.checked_in_at is None, "can_check_in": can_check_in,
        "manages": permissions.manages_venue(user, booking.room.venue), "mine": booking.booked_by_id == user.pk,
        "reason_form": reason_form or ReasonForm(), "cancel_form": cancel_form or CancelForm(),
        "series_later": booking.series_id is not None and Booking.objects.filter(
            series_id=booking.series_id, starts_at__gt=booking.starts_at, status__in=Booking.HOLDING).exists(),
    }, status=status)


@signed_in
@require_GET
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    gate(request)
    return _detail(request, permissions.get_booking_for_user(request.user, pk))


@signed_in
@require_POST
def booking_approve(request: HttpRequest, pk: int) -> HttpResponse:
    booking = permissions.get_booking_for_user(request.user, pk)
    try:
        actions.do_approve_booking(booking, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The booking was approved; the booker has been told."))
    if request.POST.get("next") == "approvals":
        return redirect("venues:approvals")
    return redirect("venues:booking", pk=booking.pk)


@signed_in
@require_POST
def booking_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    booking = permissions.get_booking_for_user(request.user, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            actions.do_refuse_booking(booking, acting_user=request.user,  # type: ignore[arg-type]
                                      reason=form.cleaned_data["reason"])
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The booking was refused; the booker has been told why."))
            if request.POST.get("next") == "approvals":
                return redirect("venues:approvals")
            return redirect("venues:booking", pk=booking.pk)
    elif not permissions.can(request.user, "decide", booking):
        raise PermissionDenied(_("Only the room's approver may decide this booking."))
    return _detail(request, booking, reason_form=form, status=400)


@signed_in
@require_POST
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = permissions.get_booking_for_user(request.user, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            done = actions.do_cancel_booking(booking, acting_user=request.user,  # type: ignore[arg-type]
                                             reason=form.cleaned_data["reason"],
                                             rest_of_series=form.cleaned_data["rest"])
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Bookings cancelled: %(n)d.") % {"n": len(done)})
            return redirect("venues:booking", pk=booking.pk)
    return _detail(request, booking, cancel_form=form, status=400)


@signed_in
@require_POST
def booking_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    booking = permissions.get_booking_for_user(request.user, pk)
    try:
        actions.do_check_in_booking(booking, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Checked in."))
    return redirect("venues:booking", pk=booking.pk)


# --- residents without an account ------------------------------------------------------------------------------


def _over_limit(request: HttpRequest) -> bool:
    from django.conf import settings

    limit, window = getattr(settings, "VENUES_PUBLIC_BOOKING_RATE", (30, 600))
    return not ratelimit.hit(f"venues:booking:{client_ip(request)}", limit=int(limit), window_seconds=int(window))


def _public_page(request: HttpRequest, room: Room, token: str, form: PublicBookingForm, *, status: int = 200,
                 **extra: Any) -> HttpResponse:
    context = _calendar_context(room, request, book_url=reverse("venues:public_book", args=[token]))
    context.update({"form": form, "token": token, "public": True, **extra})
    return render(request, "venues/bookings/public.html", context, status=status)


@require_http_methods(["GET", "POST"])
def public_book(request: HttpRequest, token: str) -> HttpResponse:
    room = room_from_token(token)
    communities = public_communities(room)
    if request.method == "GET":
        form = PublicBookingForm(initial=_initial(request, room), communities=communities)
        return _public_page(request, room, token, form)
    if _over_limit(request):
        return _public_page(request, room, token, PublicBookingForm(request.POST, communities=communities),
                            status=429, error=_too_many())
    form = PublicBookingForm(request.POST, communities=communities)
    if form.is_valid():
        data = form.cleaned_data
        starts_at, ends_at = form.times()
        try:
            booking = actions.do_book_as_resident(
                room=room, phone=data["phone"], code=data["code"], contact_name=data["contact_name"],
                community=data.get("community"), starts_at=starts_at, ends_at=ends_at, purpose=data["purpose"],
                attendees=data["attendees"])
        except ActionError as exc:
            _form_error(form, exc)
        else:
            return render(request, "venues/bookings/public_done.html", {"room": room, "booking": booking,
                                                                        "token": token})
    return _public_page(request, room, token, form, status=400)


def _too_many() -> str:
    return _("Too many requests from your network in a short time. Please wait ten minutes and try again.")


@require_POST
def public_code(request: HttpRequest, token: str) -> HttpResponse:
    room = room_from_token(token)
    communities = public_communities(room)
    # The form comes back as typed (unbound: only the phone is checked here).
    form = PublicBookingForm(initial={k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"},
                             communities=communities)
    if _over_limit(request):
        return _public_page(request, room, token, form, status=429, error=_too_many())
    try:
        actions.do_send_booking_code(room, request.POST.get("phone", ""))
    except ActionError as exc:
        return _public_page(request, room, token, form, status=400, phone_error=exc.message)
    return _public_page(request, room, token, form, code_sent=True)
