"""Shared services (共享服务): services offered at a venue by a community or a member unit, their sessions, the
residents' places (signed in, or on the public page with a one-time code sent to their phone), the day-before
reminders, check-in by the provider, attendance and the residents' ratings.

Every write is one transaction with a policy check (`gongzhi.venues.permissions`) and an audit row
("venues.service.*", "venues.session.*", "venues.place.*", named in reg_services.py). Taking a place locks the
session row first (`_locked_session`), so of two people taking the last place one gets it and the other is told the
session is full. A resident without an account proves their phone with a code (`gongzhi.lists.phone_codes`,
purpose SERVICE_PLACE); only a keyed hash of the number and the masked number are kept, one place per phone per
session (a unique constraint). Because the number itself is not kept, such a resident's reminder is sent by SMS at
booking time (the SMS names the session's day and time); signed-in residents are reminded the day before
(VENUES_REMINDER_HOURS, 24 by default), in the app and by SMS to their account's phone when it has one.

System jobs pass acting_user=None (the reminders, the demo's fixed rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import Alliance, Area, Unit, User
from gongzhi.core.notifications import notify, send_sms
from gongzhi.lib.masking import mask_phone
from gongzhi.lib.validators import clean_text
from gongzhi.lists import phone_codes
from gongzhi.lists.models import PhoneCode

from ..models import Booking, Room, ServiceBooking, ServiceRating, ServiceSession, SharedService, Venue
from ..permissions import (
    alliance_community_ids,
    booker_community,
    community_may_use,
    community_of_area,
    manages_venue,
    place_policy,
    runs_service,
    service_policy,
    session_policy,
)

PURPOSE = PhoneCode.Purpose.SERVICE_PLACE
TAKEN = (ServiceBooking.Status.BOOKED, ServiceBooking.Status.ATTENDED)
MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_NAME = 50
MAX_COMMENT = 300
MAX_REASON = 200
MAX_CAPACITY = 500
MAX_LENGTH = timedelta(hours=12)
# The provider checks people in from two hours before the start until the end of the session's day.
CHECK_IN_OPENS = timedelta(hours=2)
SERVICE_FIELDS = ["title", "kind", "who_may_use", "description"]


def reminder_hours() -> int:
    """How long before a session its people are reminded (VENUES_REMINDER_HOURS, default 24)."""
    return int(getattr(settings, "VENUES_REMINDER_HOURS", 24))


def service_url(service: SharedService) -> str:
    return reverse("venues:service", kwargs={"pk": service.pk})


def session_url(session: ServiceSession) -> str:
    return reverse("venues:session", kwargs={"pk": session.pk})


def place_url(place: ServiceBooking) -> str:
    return reverse("venues:place", kwargs={"pk": place.pk})


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _area_of(service: SharedService) -> Area:
    return service.provider_community or service.venue.area


# --- services ----------------------------------------------------------------------------------------------------


def _clean_service(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "title" in data:
        out["title"] = clean_text(data["title"], field="title", limit=MAX_TITLE,
                                  empty=_("Please give the service a title."))
    if "kind" in data:
        if data["kind"] not in SharedService.Kind.values:
            raise ActionError(_("Please choose what kind of service this is."), field="kind")
        out["kind"] = data["kind"]
    if "who_may_use" in data:
        if data["who_may_use"] not in SharedService.WhoMayUse.values:
            raise ActionError(_("Please choose who may use the service."), field="who_may_use")
        out["who_may_use"] = data["who_may_use"]
    if "description" in data:
        out["description"] = clean_text(data["description"], field="description", limit=MAX_DESCRIPTION)
    return out


def provider_alliance(community: Area | None) -> Alliance | None:
    """The first alliance the providing community belongs to (the service's alliance)."""
    if community is None:
        return None
    return Alliance.objects.filter(communities=community).order_by("pk").first()


@transaction.atomic
def do_create_service(*, acting_user: User | None, venue: Venue, title: Any, kind: Any, who_may_use: Any,
                      description: Any = "", provider_community: Area | None = None,
                      provider_unit: Unit | None = None) -> SharedService:
    """A service offered at `venue` by a community (its workers) or a member unit (its liaison)."""
    data = _clean_service({"title": title, "kind": kind, "who_may_use": who_may_use, "description": description})
    if provider_community is None and provider_unit is None:
        raise ActionError(_("Please say who provides the service: a community or a member unit."),
                          field="provider_community")
    if provider_community is not None and provider_community.level != Area.Level.COMMUNITY:
        raise ActionError(_("The providing community must be a community."), field="provider_community")
    if not venue.active:
        raise ActionError(_("This venue is closed; choose another venue."), field="venue")
    service = SharedService(venue=venue, provider_community=provider_community, provider_unit=provider_unit,
                            alliance=provider_alliance(provider_community or community_of_area(venue.area)), **data)
    if acting_user is not None:
        if not service_policy.can_somewhere(acting_user, "create_service") or not runs_service(acting_user, service):
            raise PermissionDenied(_("Only the venue's community, the providing community's workers or the providing "
                                     "unit's liaison set up a service."))
        if not manages_venue(acting_user, venue):
            home = provider_community or community_of_area(venue.area)
            venue_community = community_of_area(venue.area)
            if venue_community is None or home is None or venue_community.pk not in alliance_community_ids(home):
                raise ActionError(_("A service is offered at a venue of the providing community or of a community "
                                    "allied with it."), field="venue")
    service.save()
    log_event(acting_user, "venues.service.create", service, area=_area_of(service),
              after={**data, "venue": venue.name, "provider_community": provider_community.name
                     if provider_community else None, "provider_unit": provider_unit.name if provider_unit else None})
    return service


@transaction.atomic
def do_update_service(service: SharedService, *, acting_user: User | None, **changes: Any) -> SharedService:
    service = SharedService.objects.select_for_update(of=("self",)).select_related(
        "venue", "venue__area", "provider_community").get(pk=service.pk)
    service_policy.require(acting_user, "run", service, _("Only those who run the service change it."))
    data = _clean_service({k: v for k, v in changes.items() if k in SERVICE_FIELDS})
    before = {k: getattr(service, k) for k in data}
    for name, value in data.items():
        setattr(service, name, value)
    if data:
        service.save(update_fields=list(data))
    log_event(acting_user, "venues.service.update", service, area=_area_of(service), before=before, after=data)
    return service


@transaction.atomic
def do_set_service_active(service: SharedService, *, acting_user: User | None, active: bool) -> SharedService:
    """Deactivate a service (it leaves the lists; upcoming sessions keep their places) or bring it back."""
    service = SharedService.objects.select_for_update(of=("self",)).select_related(
        "venue", "venue__area", "provider_community").get(pk=service.pk)
    service_policy.require(acting_user, "run", service, _("Only those who run the service change it."))
    if service.active == active:
        raise Conflict(_("The service is already active.") if active else _("The service is already inactive."))
    service.active = active
    service.save(update_fields=["active"])
    log_event(acting_user, "venues.service.activate" if active else "venues.service.deactivate", service,
              area=_area_of(service), before={"active": not active}, after={"active": active})
    return service


# --- sessions ----------------------------------------------------------------------------------------------------


@transaction.atomic
def do_create_session(service: SharedService, *, acting_user: User | None, starts_at: datetime | None,
                      ends_at: datetime | None, capacity: Any, now: datetime | None = None,
                      room: Room | None = None) -> ServiceSession:
    """A session of the service: when, and how many places; with `room`, the room of the service's venue is
    booked for the session through the bookings part's action (its rules apply: a taken slot is refused), and the
    booking is kept in `session.booking`."""
    service = SharedService.objects.select_related("venue", "venue__area", "provider_community").get(pk=service.pk)
    if acting_user is not None and not runs_service(acting_user, service):
        raise PermissionDenied(_("Only those who run the service add sessions."))
    if not service.active:
        raise ActionError(_("The service is inactive; bring it back before adding sessions."), field="starts_at")
    if starts_at is None:
        raise ActionError(_("Please give the start of the session."), field="starts_at")
    if ends_at is None:
        raise ActionError(_("Please give the end of the session."), field="ends_at")
    if ends_at <= starts_at:
        raise ActionError(_("The session must end after it starts."), field="ends_at")
    if ends_at - starts_at > MAX_LENGTH:
        raise ActionError(_("A session lasts at most 12 hours."), field="ends_at")
    if acting_user is not None and starts_at <= (now or timezone.now()):
        raise ActionError(_("The session must start in the future."), field="starts_at")
    try:
        places = int(capacity)
    except (TypeError, ValueError):
        places = 0
    if not 1 <= places <= MAX_CAPACITY:
        raise ActionError(_("Places: between 1 and %(max)d.") % {"max": MAX_CAPACITY}, field="capacity")
    booking = None
    if room is not None:
        if room.venue_id != service.venue_id:
            raise ActionError(_("Please choose a room of the service's venue."), field="room")
        if acting_user is None:
            raise ActionError(_("A room is booked by a person; add the session signed in."), field="room")
        from .bookings import do_book

        booking = do_book(acting_user=acting_user, room=room, starts_at=starts_at, ends_at=ends_at,
                          purpose=service.title[:200], attendees=places, now=now)
    session = ServiceSession.objects.create(service=service, starts_at=starts_at, ends_at=ends_at, capacity=places,
                                            booking=booking)
    log_event(acting_user, "venues.session.create", session, area=_area_of(service),
              after={"service": service.title, "starts_at": starts_at.isoformat(), "capacity": places,
                     "booking": booking.pk if booking else None})
    return session


def _locked_session(session: ServiceSession) -> ServiceSession:
    ServiceSession.objects.select_for_update().filter(pk=session.pk).first()
    return ServiceSession.objects.select_related("service", "service__venue", "service__venue__area",
                                                 "service__provider_community", "service__alliance",
                                                 "booking").get(pk=session.pk)


@transaction.atomic
def do_cancel_session(session: ServiceSession, *, acting_user: User | None, reason: Any) -> ServiceSession:
    """Cancel a session: its places are cancelled and the people with an account told (in the app and by SMS to
    their account's phone)."""
    session = _locked_session(session)
    session_policy.require(acting_user, "run", session, _("Only those who run the service cancel a session."))
    reason = clean_text(reason, field="reason", limit=MAX_REASON,
                        empty=_("Please say why the session is cancelled (the people booked are told)."))
    if session.cancelled_at is not None:
        raise Conflict(_("This session was already cancelled."))
    if session.ends_at <= timezone.now():
        raise ActionError(_("The session is over; it can no longer be cancelled."), field="reason")
    places = list(session.places.filter(status=ServiceBooking.Status.BOOKED).select_related("user"))
    session.cancelled_at = timezone.now()
    session.save(update_fields=["cancelled_at"])
    ServiceBooking.objects.filter(pk__in=[p.pk for p in places]).update(status=ServiceBooking.Status.CANCELLED)
    if session.booking is not None and session.booking.status in Booking.HOLDING and acting_user is not None:
        from .bookings import do_cancel_booking

        do_cancel_booking(session.booking, acting_user=acting_user, reason=reason)
    text = _("%(service)s on %(when)s is cancelled: %(reason)s. Your place is released.") % {
        "service": session.service.title, "when": _when(session.starts_at), "reason": reason}
    users = [p.user for p in places if p.user is not None and p.user.is_active]
    notify(users, "venues.session.cancel", text, session_url(session))
    for user in users:
        _sms_user(user, text)
    log_event(acting_user, "venues.session.cancel", session, area=_area_of(session.service),
              after={"reason": reason, "places": len(places)})
    return session


def _sms_user(user: User, text: str) -> None:
    try:
        number = phone_codes.normalise_phone(user.phone)
    except ActionError:
        return
    send_sms(number, text)


# --- places ------------------------------------------------------------------------------------------------------


def places_taken(session: ServiceSession) -> int:
    return session.places.filter(status__in=TAKEN).count()


def _open_for_places(session: ServiceSession, now: datetime | None = None) -> None:
    if session.cancelled_at is not None:
        raise ActionError(_("This session was cancelled."), field="session")
    if session.starts_at <= (now or timezone.now()):
        raise ActionError(_("This session has already started; places can no longer be taken."), field="session")
    if not session.service.active:
        raise ActionError(_("This service is no longer offered."), field="session")


def _take(session: ServiceSession, *, acting_user: User | None, name: str, community: Area | None,
          user: User | None, key: str, masked: str, at: datetime | None = None) -> ServiceBooking:
    if places_taken(session) >= session.capacity:
        raise ActionError(_("Sorry, this session is full: all %(n)d places are taken.") % {"n": session.capacity},
                          field="session")
    try:
        with transaction.atomic():
            place = ServiceBooking.objects.create(session=session, user=user, name=name, phone_hash=key,
                                                  phone_masked=masked, community=community,
                                                  created_at=at or timezone.now())
    except IntegrityError as exc:
        raise ActionError(_("This phone number already has a place in this session."), field="phone") from exc
    log_event(acting_user, "venues.place.take", place, area=_area_of(session.service),
              after={"session": session.pk, "community": community.name if community else None,
                     "by_phone": user is None})
    return place


def _user_phone_key(user: User) -> tuple[str, str]:
    try:
        number = phone_codes.normalise_phone(user.phone)
    except ActionError:
        return "", ""
    return phone_codes.phone_hash(number), mask_phone(number)


@transaction.atomic
def do_take_place(session: ServiceSession, *, acting_user: User, at: datetime | None = None) -> ServiceBooking:
    """A signed-in resident (or anyone with a role) takes a place; their community is their grant's."""
    session = _locked_session(session)
    service_policy.require(acting_user, "take_place", session.service,
                           _("This service is not open to your community."))
    if at is None:
        _open_for_places(session)
    if session.places.filter(user=acting_user, status__in=TAKEN).exists():
        raise ActionError(_("You already have a place in this session."), field="session")
    key, masked = _user_phone_key(acting_user)
    return _take(session, acting_user=acting_user, name=(acting_user.display_name or acting_user.username)[:MAX_NAME],
                 community=booker_community(acting_user), user=acting_user, key=key, masked=masked, at=at)


def allowed_communities(service: SharedService) -> QuerySet[Area]:
    """The communities a resident without an account may name for this service (all communities for "anyone")."""
    qs = Area.objects.filter(level=Area.Level.COMMUNITY)
    if service.who_may_use == SharedService.WhoMayUse.ANYONE:
        return qs.order_by("path")
    own = service.provider_community or community_of_area(service.venue.area)
    if own is None:
        return qs.none()
    if service.who_may_use == SharedService.WhoMayUse.COMMUNITY:
        return qs.filter(pk=own.pk)
    ids = alliance_community_ids(own)
    if service.alliance_id is not None:
        ids |= set(service.alliance.communities.values_list("pk", flat=True))  # type: ignore[union-attr]
    return qs.filter(pk__in=ids).order_by("path")


def _phone_session(session: ServiceSession) -> ServiceSession:
    return ServiceSession.objects.select_related("service", "service__venue", "service__venue__area",
                                                 "service__provider_community", "service__alliance").get(pk=session.pk)


def do_send_place_code(session: ServiceSession, *, phone: str) -> None:
    """Send a one-time code to `phone` for this session (taking, cancelling or rating a place without an account)."""
    session = _phone_session(session)
    if session.cancelled_at is not None:
        raise ActionError(_("This session was cancelled."), field="session")
    phone_codes.do_send_code(PURPOSE, session.pk, phone, what=_("the service %(title)s")
                             % {"title": session.service.title[:30]})


def _checked_phone(session: ServiceSession, phone: str, code: str) -> str:
    """The normalised number once the code is right (the code checked in its own transaction first)."""
    number = phone_codes.normalise_phone(phone)
    if not (code or "").strip():
        raise ActionError(_("Please enter the 6-digit code sent to your phone."), field="code")
    if not phone_codes.use_code(PURPOSE, session.pk, number, code):
        raise ActionError(_("The code is wrong or has expired. Please check it, or ask for a new one."), field="code")
    return number


def _clean_name(name: Any) -> str:
    return clean_text(name, field="name", limit=MAX_NAME, empty=_("Please give your name."))


def _phone_community(session: ServiceSession, community: Area | None) -> Area:
    if community is None or community.level != Area.Level.COMMUNITY:
        raise ActionError(_("Please choose the community you live in."), field="community")
    if not community_may_use(session.service, community):
        raise ActionError(_("This service is open to %(who)s; residents of %(community)s cannot take a place.")
                          % {"who": session.service.get_who_may_use_display(), "community": community.name},
                          field="community")
    return community


def do_take_place_by_phone(session: ServiceSession, *, phone: str, code: str, name: Any,
                           community: Area | None) -> ServiceBooking:
    """A resident without an account takes a place with the code sent to their phone; the reminder is sent at once
    by SMS (the number is not kept, so it cannot be sent the day before)."""
    session = _phone_session(session)
    _open_for_places(session)
    clean = _clean_name(name)
    home = _phone_community(session, community)
    number = _checked_phone(session, phone, code)
    return _take_by_phone(session, number, clean, home)


@transaction.atomic
def _take_by_phone(session: ServiceSession, number: str, name: str, community: Area,
                   at: datetime | None = None) -> ServiceBooking:
    session = _locked_session(session)
    if at is None:
        _open_for_places(session)
    place = _take(session, acting_user=None, name=name, community=community, user=None,
                  key=phone_codes.phone_hash(number), masked=mask_phone(number), at=at)
    if at is None:
        send_sms(number, _("You have place no. %(no)d at %(service)s, %(when)s, %(venue)s. Please come on time; to "
                           "cancel, open the service's page.") % {
            "no": place.pk, "service": session.service.title[:30], "when": _when(session.starts_at),
            "venue": session.service.venue.name[:30]})
    return place


def do_take_place_for_demo(session: ServiceSession, *, phone: str, name: str, community: Area,
                           at: datetime | None = None) -> ServiceBooking:
    """The demo's residents without an account: the same write as `do_take_place_by_phone` without the SMS round.
    Only `gongzhi demo` calls this."""
    session = _phone_session(session)
    return _take_by_phone(session, phone_codes.normalise_phone(phone), _clean_name(name),
                          _phone_community(session, community), at=at)


def _phone_place(session: ServiceSession, number: str, statuses: tuple[str, ...]) -> ServiceBooking | None:
    return (ServiceBooking.objects.select_related("session", "session__service")
            .filter(session=session, phone_hash=phone_codes.phone_hash(number), status__in=statuses)
            .order_by("-created_at").first())


@transaction.atomic
def do_cancel_place(place: ServiceBooking, *, acting_user: User | None) -> ServiceBooking:
    """The resident cancels their own place (or the provider cancels one) before the session starts."""
    place = ServiceBooking.objects.select_for_update(of=("self",)).select_related(
        "session", "session__service", "session__service__venue", "session__service__venue__area",
        "session__service__provider_community").get(pk=place.pk)
    if place.status != ServiceBooking.Status.BOOKED:
        raise Conflict(_("This place is no longer booked."))
    place_policy.require(acting_user, "cancel", place, _("Only the resident or the service's provider cancels a "
                                                         "place."))
    return _cancel(place, acting_user)


def _cancel(place: ServiceBooking, acting_user: User | None) -> ServiceBooking:
    if place.session.starts_at <= timezone.now():
        raise ActionError(_("The session has started; the place can no longer be cancelled."), field="session")
    place.status = ServiceBooking.Status.CANCELLED
    place.save(update_fields=["status"])
    log_event(acting_user, "venues.place.cancel", place, area=_area_of(place.session.service),
              before={"status": "booked"}, after={"status": place.status})
    return place


def do_cancel_place_by_phone(session: ServiceSession, *, phone: str, code: str) -> ServiceBooking:
    session = _phone_session(session)
    number = _checked_phone(session, phone, code)
    with transaction.atomic():
        found = _phone_place(session, number, (ServiceBooking.Status.BOOKED,))
        if found is None:
            raise ActionError(_("This phone number has no place in this session."), field="phone")
        place = ServiceBooking.objects.select_for_update(of=("self",)).select_related(
            "session", "session__service", "session__service__venue", "session__service__provider_community",
        ).get(pk=found.pk)
        if place.status != ServiceBooking.Status.BOOKED:
            raise Conflict(_("This place is no longer booked."))
        return _cancel(place, None)


# --- check-in and attendance ---------------------------------------------------------------------------------


def check_in_open(session: ServiceSession, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if session.cancelled_at is not None:
        return False
    closes = timezone.localtime(session.ends_at).replace(hour=23, minute=59, second=59)
    return session.starts_at - CHECK_IN_OPENS <= now <= closes


@transaction.atomic
def do_check_in_place(place: ServiceBooking, *, acting_user: User | None,
                      at: datetime | None = None) -> ServiceBooking:
    """The provider checks a person in (a tap on the session's list of places)."""
    place = ServiceBooking.objects.select_for_update(of=("self",)).select_related(
        "session", "session__service", "session__service__venue", "session__service__venue__area",
        "session__service__provider_community").get(pk=place.pk)
    if place.status == ServiceBooking.Status.ATTENDED:
        raise Conflict(_("%(name)s is already checked in.") % {"name": place.name})
    if place.status != ServiceBooking.Status.BOOKED:
        raise ActionError(_("This place was cancelled."), field="place")
    place_policy.require(acting_user, "check_in", place, _("Only the service's provider checks people in."))
    now = at or timezone.now()
    if not check_in_open(place.session, now):
        raise ActionError(_("Check-in opens two hours before the session and closes at the end of its day."),
                          field="place")
    place.status, place.checked_in_at = ServiceBooking.Status.ATTENDED, now
    place.save(update_fields=["status", "checked_in_at"])
    log_event(acting_user, "venues.place.check_in", place, area=_area_of(place.session.service),
              before={"status": "booked"}, after={"status": place.status})
    return place


@dataclass(frozen=True)
class Attendance:
    booked: int
    attended: int
    cancelled: int
    other_communities: int
    ratings: int
    average: float | None

    @property
    def rate(self) -> int | None:
        """Attended out of those who kept their place, in per cent (None before anyone booked)."""
        kept = self.booked + self.attended
        return round(100 * self.attended / kept) if kept else None


def _attendance(places: QuerySet[ServiceBooking], home: Area | None) -> Attendance:
    counts = places.aggregate(
        booked=Count("pk", filter=Q(status=ServiceBooking.Status.BOOKED)),
        attended=Count("pk", filter=Q(status=ServiceBooking.Status.ATTENDED)),
        cancelled=Count("pk", filter=Q(status=ServiceBooking.Status.CANCELLED)),
        other=Count("pk", filter=Q(status__in=TAKEN) & ~Q(community_id=home.pk if home else None)
                    & Q(community__isnull=False)),
    )
    rated = ServiceRating.objects.filter(place__in=places).aggregate(n=Count("pk"), avg=Avg("score"))
    return Attendance(booked=counts["booked"], attended=counts["attended"], cancelled=counts["cancelled"],
                      other_communities=counts["other"], ratings=rated["n"],
                      average=round(float(rated["avg"]), 1) if rated["avg"] is not None else None)


def session_attendance(session: ServiceSession) -> Attendance:
    service = session.service
    return _attendance(session.places.all(), service.provider_community or community_of_area(service.venue.area))


def service_attendance(service: SharedService) -> Attendance:
    return _attendance(ServiceBooking.objects.filter(session__service=service, session__cancelled_at__isnull=True),
                       service.provider_community or community_of_area(service.venue.area))


def service_rating(service: SharedService) -> tuple[float | None, int]:
    """The average score of the service (one decimal) and how many ratings it rests on."""
    rated = ServiceRating.objects.filter(place__session__service=service).aggregate(n=Count("pk"), avg=Avg("score"))
    return (round(float(rated["avg"]), 1) if rated["avg"] is not None else None), rated["n"]


# --- ratings -----------------------------------------------------------------------------------------------------


def _clean_rating(score: Any, comment: Any) -> tuple[int, str]:
    try:
        value = int(score)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ActionError(_("Please choose a rating from 1 to 5 stars."), field="score")
    return value, clean_text(comment, field="comment", limit=MAX_COMMENT)


def _rate(place: ServiceBooking, acting_user: User | None, score: int, comment: str,
          at: datetime | None = None) -> ServiceRating:
    try:
        with transaction.atomic():
            rating = ServiceRating.objects.create(place=place, score=score, comment=comment,
                                                  created_at=at or timezone.now())
    except IntegrityError as exc:
        raise Conflict(_("This place has already been rated.")) from exc
    log_event(acting_user, "venues.place.rate", place, area=_area_of(place.session.service),
              after={"score": score, "comment": bool(comment)})
    return rating


@transaction.atomic
def do_rate_place(place: ServiceBooking, *, acting_user: User | None, score: Any, comment: Any = "",
                  at: datetime | None = None) -> ServiceRating:
    """A signed-in resident rates the service after attending (1–5 and a comment), once."""
    place = ServiceBooking.objects.select_for_update(of=("self",)).select_related(
        "session", "session__service", "session__service__venue", "session__service__provider_community",
    ).get(pk=place.pk)
    value, text = _clean_rating(score, comment)
    if ServiceRating.objects.filter(place=place).exists():
        raise Conflict(_("This place has already been rated."))
    if place.status != ServiceBooking.Status.ATTENDED:
        raise ActionError(_("The service can be rated once you have attended it."), field="score")
    place_policy.require(acting_user, "rate", place, _("Only the person who attended rates the service."))
    return _rate(place, acting_user, value, text, at)


def do_rate_place_by_phone(session: ServiceSession, *, phone: str, code: str, score: Any,
                           comment: Any = "") -> ServiceRating:
    """A resident without an account rates the session they attended, with a new code sent to their phone."""
    session = _phone_session(session)
    value, text = _clean_rating(score, comment)
    number = _checked_phone(session, phone, code)
    with transaction.atomic():
        place = _phone_place(session, number, (ServiceBooking.Status.ATTENDED,))
        if place is None:
            raise ActionError(_("This phone number has no attended place in this session to rate."), field="phone")
        if ServiceRating.objects.filter(place=place).exists():
            raise Conflict(_("This place has already been rated."))
        return _rate(place, None, value, text)


def do_rate_place_for_demo(place: ServiceBooking, *, score: int, comment: str = "",
                           at: datetime | None = None) -> ServiceRating:
    """The demo's residents without an account: the same checks and write as `do_rate_place_by_phone` without the
    SMS round. Only `gongzhi demo` calls this."""
    value, text = _clean_rating(score, comment)
    with transaction.atomic():
        place = ServiceBooking.objects.select_for_update(of=("self",)).select_related(
            "session", "session__service", "session__service__venue", "session__service__provider_community",
        ).get(pk=place.pk)
        if place.status != ServiceBooking.Status.ATTENDED:
            raise ActionError(_("The service can be rated once you have attended it."), field="score")
        return _rate(place, None, value, text, at)


# --- the reminders -----------------------------------------------------------------------------------------------


def do_remind_sessions(now: datetime | None = None) -> int:
    """Remind the people with an account of every session starting within VENUES_REMINDER_HOURS, once
    (`reminded_at`): a notification, and an SMS to their account's phone when it has one. Returns how many
    people were reminded. Each session in its own transaction."""
    now = now or timezone.now()
    due = (ServiceSession.objects.filter(cancelled_at__isnull=True, reminded_at__isnull=True, starts_at__gt=now,
                                         starts_at__lte=now + timedelta(hours=reminder_hours()))
           .order_by("starts_at").values_list("pk", flat=True))
    sent = 0
    for pk in list(due[:500]):
        with transaction.atomic():
            session = _locked_session(ServiceSession(pk=pk))
            if session.reminded_at is not None or session.cancelled_at is not None:
                continue
            places = list(session.places.filter(status=ServiceBooking.Status.BOOKED, user__isnull=False,
                                                user__is_active=True).select_related("user"))
            text = _("Reminder: %(service)s at %(venue)s, %(when)s. Your place is no. %(no)s.")
            for place in places:
                assert place.user is not None
                message = text % {"service": session.service.title, "venue": session.service.venue.name,
                                  "when": _when(session.starts_at), "no": place.pk}
                sent += notify([place.user], "venues.session.remind", message, place_url(place))
                _sms_user(place.user, message)
            session.reminded_at = now
            session.save(update_fields=["reminded_at"])
            log_event(None, "venues.session.remind", session, area=_area_of(session.service),
                      after={"reminded": len(places)})
    return sent
