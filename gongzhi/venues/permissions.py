"""The venues policy: venues and rooms, bookings, shared services and their places, secondments.

- **Venues and rooms.** Area staff (community workers and up) over a venue's area manage it: its rooms, rules,
  photos and closed dates, and see every booking of its rooms and its utilisation. Everyone signed in sees the venues
  whose rooms they may book (the rooms' own rules decide: `may_book`), and the taken times of those rooms, never who
  took them.
- **Who may book a room** (`Room.who_may_book`, the *room's* rule, whoever's alliance the booker is in): its own
  community; its subdistrict (any community under the venue's subdistrict); the alliance (the venue's community and
  every community of an alliance it belongs to); any resident. A booker's community is the community of their grant
  (staff, residents), of their unit's registration (liaisons), or the one a resident without an account names.
  Staff who manage the venue may always book it.
- **Bookings.** The booker sees their own; the venue's managers see all of the venue's; approval falls to the
  room's approver: the venue's community (community workers and up over the venue's area) or the subdistrict
  (subdistrict staff and up over it). A booker cancels their own; managers cancel any, and check a booker in.
- **Shared services.** Managers of the venue, the providing community's workers and the providing unit's liaison run
  a service and its sessions and see its attendance. Who may take a place: `SharedService.who_may_use`.
- **Secondments (挂职).** The workers (and subdistrict staff and up) of either community see a secondment; a
  community worker of either side proposes one, and each side agrees for itself; the seconded person sees theirs
  and files the report.

Objects out of scope are 404 (`get_<noun>_for_user`), forbidden actions 403.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q

from gongzhi.core.models import Alliance, Area, Role
from gongzhi.core.permissions import MANAGE_ROLES, liaison_unit_ids
from gongzhi.core.policy import (
    Policy,
    PolicySet,
    covers,
    has_role,
    is_active_user,
    is_superuser,
    path_q,
    scope_paths,
    user_grants,
)

from .models import Booking, Room, Secondment, ServiceBooking, ServiceSession, SharedService, Venue

# Community workers and up: they run venues in their subtree.
VENUE_MANAGERS = MANAGE_ROLES
SUBDISTRICT_UP = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.SUBDISTRICT_STAFF})
COMMUNITY_WORKERS = frozenset({Role.COMMUNITY_WORKER})
BOOKER_ROLES = frozenset(Role.values) - {Role.FOLLOW_UP_CALLER}


# --- communities: the venue's, the booker's, the alliance's --------------------------------------------------


def community_of_area(area: Area | None) -> Area | None:
    """The community an area lies in (itself for a community); None above the community level."""
    if area is None:
        return None
    if area.level == Area.Level.COMMUNITY:
        return area
    return area.ancestor_of_level(Area.Level.COMMUNITY)


def subdistrict_of_area(area: Area | None) -> Area | None:
    if area is None:
        return None
    if area.level == Area.Level.SUBDISTRICT:
        return area
    return area.ancestor_of_level(Area.Level.SUBDISTRICT)


def alliance_community_ids(community: Area | None) -> set[int]:
    """The community and every community of an alliance it belongs to."""
    if community is None:
        return set()
    ids = set(Alliance.communities.through.objects.filter(
        alliance__communities=community).values_list("area_id", flat=True))
    return ids | {community.pk}


def booker_community(user: Any) -> Area | None:
    """The community a signed-in booker comes from: their grant's (the first at or below a community), else their
    unit's registration; None for staff above the community level."""
    if not is_active_user(user):
        return None
    for grant in user_grants(user):
        found = community_of_area(grant.area)
        if found is not None:
            return found
    units = liaison_unit_ids(user)
    if units:
        from gongzhi.core.models import Registration

        reg = Registration.objects.filter(unit_id__in=units).select_related("community").order_by("pk").first()
        if reg is not None:
            return reg.community
    return None


def community_may_book(room: Room, community: Area | None) -> bool:
    """The room's rule for a booker from `community` (None: no community, e.g. a resident who named none)."""
    rule = room.who_may_book
    if rule == Room.WhoMayBook.ANYONE:
        return True
    if community is None:
        return False
    area = room.venue.area
    own = community_of_area(area)
    if rule == Room.WhoMayBook.COMMUNITY and own is not None:
        return community.pk == own.pk
    if rule in (Room.WhoMayBook.COMMUNITY, Room.WhoMayBook.SUBDISTRICT):
        sub = subdistrict_of_area(area)
        return sub is not None and community.path.startswith(sub.path)
    if rule == Room.WhoMayBook.ALLIANCE:
        if own is None:  # a centre above the communities: its subdistrict's communities
            sub = subdistrict_of_area(area)
            return sub is not None and community.path.startswith(sub.path)
        return community.pk in alliance_community_ids(own)
    return False


def manages_venue(user: Any, venue: Venue) -> bool:
    return covers(user, venue.area, VENUE_MANAGERS)


def may_book(user: Any, room: Room) -> bool:
    """May the signed-in user book this room (its rule; managers of the venue always)?"""
    if not is_active_user(user) or not room.active or not room.venue.active:
        return False
    if manages_venue(user, room.venue):
        return True
    if not has_role(user, BOOKER_ROLES):
        return False
    return community_may_book(room, booker_community(user))


def bookable_room_q(community: Area | None, prefix: str = "") -> Q:
    """Rooms a booker from `community` may book, as a filter (the inverse of `community_may_book`)."""
    p = prefix
    q = Q(**{f"{p}who_may_book": Room.WhoMayBook.ANYONE})
    if community is None:
        return q
    sub = subdistrict_of_area(community)
    # Its own community: venues in the community's subtree.
    q |= Q(**{f"{p}who_may_book": Room.WhoMayBook.COMMUNITY, f"{p}venue__area__path__startswith": community.path})
    if sub is not None:
        # Its subdistrict: venues anywhere under the subdistrict (and a centre's "own community" means the same).
        q |= (Q(**{f"{p}who_may_book__in": [Room.WhoMayBook.SUBDISTRICT, Room.WhoMayBook.ALLIANCE]})
              & Q(**{f"{p}venue__area": sub}))
        q |= Q(**{f"{p}who_may_book": Room.WhoMayBook.COMMUNITY, f"{p}venue__area": sub})
        q |= Q(**{f"{p}who_may_book": Room.WhoMayBook.SUBDISTRICT, f"{p}venue__area__path__startswith": sub.path})
    allied = alliance_community_ids(community)
    if allied:
        inner = Q(pk__in=[])
        for path in Area.objects.filter(pk__in=allied).values_list("path", flat=True):
            inner |= Q(**{f"{p}venue__area__path__startswith": path})
        q |= Q(**{f"{p}who_may_book": Room.WhoMayBook.ALLIANCE}) & inner
    return q


def _manage_q(user: Any, field: str) -> Q:
    return path_q(scope_paths(user, VENUE_MANAGERS), field)


# --- the policies ---------------------------------------------------------------------------------------------


class VenuePolicy(Policy[Venue]):
    model = Venue
    noun = "venue"
    area_path = "area__path"
    view_roles = VENUE_MANAGERS
    actions = ("view", "manage", "create_venue")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"manage": VENUE_MANAGERS, "create_venue": VENUE_MANAGERS,
                                                     "browse": BOOKER_ROLES}
    select_related = ("area",)

    def visible_q(self, user: Any) -> Q:
        q = _manage_q(user, "area__path")
        if has_role(user, BOOKER_ROLES):
            community = booker_community(user)
            q |= Q(active=True, pk__in=Room.objects.filter(
                bookable_room_q(community), active=True).values("venue_id"))
        return q

    def scope(self, qs: Any, user: Any) -> Any:
        return qs.filter(self.visible_q(user)).distinct()

    def check_manage(self, user: Any, venue: Venue) -> bool:
        return manages_venue(user, venue)


class RoomPolicy(Policy[Room]):
    model = Room
    noun = "room"
    area_path = "venue__area__path"
    view_roles = VENUE_MANAGERS
    actions = ("view", "manage", "book")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"manage": VENUE_MANAGERS, "book": BOOKER_ROLES}
    select_related = ("venue", "venue__area")

    def visible_q(self, user: Any) -> Q:
        q = _manage_q(user, "venue__area__path")
        if has_role(user, BOOKER_ROLES):
            q |= bookable_room_q(booker_community(user)) & Q(active=True, venue__active=True)
        return q

    def path_of(self, obj: Any) -> str | None:
        return obj.venue.area.path

    def check_manage(self, user: Any, room: Room) -> bool:
        return manages_venue(user, room.venue)

    def check_book(self, user: Any, room: Room) -> bool:
        return may_book(user, room)


def approves(user: Any, booking: Booking) -> bool:
    """The room's approver: the venue's community (its managers), or the subdistrict (subdistrict staff and up)."""
    room = booking.room
    if room.approver == Room.Approver.SUBDISTRICT:
        sub = subdistrict_of_area(room.venue.area) or room.venue.area
        return covers(user, sub, SUBDISTRICT_UP)
    return manages_venue(user, room.venue)


class BookingPolicy(Policy[Booking]):
    model = Booking
    noun = "booking"
    area_path = "room__venue__area__path"
    view_roles = VENUE_MANAGERS
    actions = ("view", "decide", "cancel", "check_in")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"decide": VENUE_MANAGERS, "cancel": BOOKER_ROLES,
                                                     "check_in": BOOKER_ROLES}
    select_related = ("room", "room__venue", "room__venue__area", "booker_community", "unit", "booked_by")

    def visible_q(self, user: Any) -> Q:
        return _manage_q(user, "room__venue__area__path") | Q(booked_by=user)

    def path_of(self, obj: Any) -> str | None:
        return obj.room.venue.area.path

    def check_decide(self, user: Any, booking: Booking) -> bool:
        return booking.status == Booking.Status.PENDING and approves(user, booking)

    def check_cancel(self, user: Any, booking: Booking) -> bool:
        if booking.status not in Booking.HOLDING:
            return False
        return booking.booked_by_id == user.pk or manages_venue(user, booking.room.venue)

    def check_check_in(self, user: Any, booking: Booking) -> bool:
        if booking.status != Booking.Status.APPROVED or booking.checked_in_at is not None:
            return False
        return booking.booked_by_id == user.pk or manages_venue(user, booking.room.venue)


def runs_service(user: Any, service: SharedService) -> bool:
    """The venue's managers, the providing community's workers, the providing unit's liaison."""
    if manages_venue(user, service.venue):
        return True
    if service.provider_community is not None and covers(user, service.provider_community, VENUE_MANAGERS):
        return True
    return service.provider_unit_id is not None and service.provider_unit_id in liaison_unit_ids(user)


def community_may_use(service: SharedService, community: Area | None) -> bool:
    rule = service.who_may_use
    if rule == SharedService.WhoMayUse.ANYONE:
        return True
    if community is None:
        return False
    own = service.provider_community or community_of_area(service.venue.area)
    if own is None:
        sub = subdistrict_of_area(service.venue.area)
        return sub is not None and community.path.startswith(sub.path)
    if rule == SharedService.WhoMayUse.COMMUNITY:
        return community.pk == own.pk
    ids = alliance_community_ids(own)
    if service.alliance is not None:
        ids |= set(service.alliance.communities.values_list("pk", flat=True))
    return community.pk in ids


def usable_service_q(community: Area | None) -> Q:
    q = Q(who_may_use=SharedService.WhoMayUse.ANYONE)
    if community is None:
        return q
    q |= Q(who_may_use=SharedService.WhoMayUse.COMMUNITY, provider_community=community)
    q |= Q(who_may_use=SharedService.WhoMayUse.COMMUNITY, provider_community__isnull=True,
           venue__area__path__startswith=community.path)
    allied = alliance_community_ids(community)
    q |= Q(who_may_use=SharedService.WhoMayUse.ALLIANCE) & (
        Q(provider_community_id__in=allied) | Q(alliance__communities=community)
        | Q(provider_community__isnull=True, venue__area_id__in=allied))
    return q


def runs_q(user: Any, prefix: str = "") -> Q:
    """The shared services a user runs: at a venue they manage, provided by their community or their unit."""
    q = _manage_q(user, f"{prefix}venue__area__path") | _manage_q(user, f"{prefix}provider_community__path")
    units = liaison_unit_ids(user)
    if units:
        q |= Q(**{f"{prefix}provider_unit_id__in": units})
    return q


class SharedServicePolicy(Policy[SharedService]):
    model = SharedService
    noun = "service"
    area_path = "venue__area__path"
    view_roles = VENUE_MANAGERS
    actions = ("view", "run", "create_service", "take_place")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"run": VENUE_MANAGERS | {Role.UNIT_LIAISON},
                                                     "create_service": VENUE_MANAGERS | {Role.UNIT_LIAISON},
                                                     "take_place": BOOKER_ROLES}
    select_related = ("venue", "venue__area", "provider_community", "provider_unit", "alliance")

    def visible_q(self, user: Any) -> Q:
        q = runs_q(user)
        if has_role(user, BOOKER_ROLES):
            q |= usable_service_q(booker_community(user)) & Q(active=True)
        return q

    def scope(self, qs: Any, user: Any) -> Any:
        return qs.filter(self.visible_q(user)).distinct()

    def path_of(self, obj: Any) -> str | None:
        return obj.venue.area.path

    def check_run(self, user: Any, service: SharedService) -> bool:
        return runs_service(user, service)

    def check_take_place(self, user: Any, service: SharedService) -> bool:
        if not service.active or not has_role(user, BOOKER_ROLES):
            return False
        return runs_service(user, service) or community_may_use(service, booker_community(user))


class ServiceSessionPolicy(Policy[ServiceSession]):
    model = ServiceSession
    noun = "session"
    area_path = "service__venue__area__path"
    view_roles = VENUE_MANAGERS
    actions = ("view", "run")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"run": VENUE_MANAGERS | {Role.UNIT_LIAISON}}
    select_related = ("service", "service__venue", "service__venue__area")

    def visible_q(self, user: Any) -> Q:
        return Q(service__in=SharedServicePolicy().visible_to(user))

    def path_of(self, obj: Any) -> str | None:
        return obj.service.venue.area.path

    def check_run(self, user: Any, session: ServiceSession) -> bool:
        return runs_service(user, session.service)


class ServiceBookingPolicy(Policy[ServiceBooking]):
    model = ServiceBooking
    noun = "place"
    area_path = "session__service__venue__area__path"
    view_roles = VENUE_MANAGERS
    actions = ("view", "cancel", "check_in", "rate")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"cancel": BOOKER_ROLES, "check_in": VENUE_MANAGERS,
                                                     "rate": BOOKER_ROLES}
    select_related = ("session", "session__service", "session__service__venue", "community")

    def visible_q(self, user: Any) -> Q:
        return runs_q(user, "session__service__") | Q(user=user)

    def path_of(self, obj: Any) -> str | None:
        return obj.session.service.venue.area.path

    def check_cancel(self, user: Any, place: ServiceBooking) -> bool:
        return place.status == ServiceBooking.Status.BOOKED and (
            place.user_id == user.pk or runs_service(user, place.session.service))

    def check_check_in(self, user: Any, place: ServiceBooking) -> bool:
        return place.status == ServiceBooking.Status.BOOKED and runs_service(user, place.session.service)

    def check_rate(self, user: Any, place: ServiceBooking) -> bool:
        return (place.status == ServiceBooking.Status.ATTENDED and place.user_id == user.pk
                and not hasattr(place, "rating"))


def secondment_side(user: Any, secondment: Secondment) -> str:
    """Which side the user speaks for: "from", "to", "both" (staff above both communities) or ""."""
    from_side = covers(user, secondment.from_community, VENUE_MANAGERS)
    to_side = covers(user, secondment.to_community, VENUE_MANAGERS)
    if from_side and to_side:
        return "both"
    return "from" if from_side else "to" if to_side else ""


class SecondmentPolicy(Policy[Secondment]):
    model = Secondment
    noun = "secondment"
    area_path = "from_community__path"
    view_roles = VENUE_MANAGERS
    actions = ("view", "propose", "agree", "cancel", "report")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"propose": VENUE_MANAGERS, "agree": VENUE_MANAGERS,
                                                     "cancel": VENUE_MANAGERS, "report": frozenset(Role.values)}
    select_related = ("person", "alliance", "from_community", "to_community", "grant")

    def visible_q(self, user: Any) -> Q:
        paths = scope_paths(user, VENUE_MANAGERS)
        return path_q(paths, "from_community__path") | path_q(paths, "to_community__path") | Q(person=user)

    def path_of(self, obj: Any) -> str | None:
        return obj.from_community.path

    def check_propose(self, user: Any, secondment: Secondment) -> bool:
        return bool(secondment_side(user, secondment))

    def check_agree(self, user: Any, secondment: Secondment) -> bool:
        if secondment.status != Secondment.Status.PROPOSED:
            return False
        side = secondment_side(user, secondment)
        if side == "from":
            return secondment.from_agreed_at is None
        if side == "to":
            return secondment.to_agreed_at is None
        return side == "both"

    def check_cancel(self, user: Any, secondment: Secondment) -> bool:
        return (secondment.status in (Secondment.Status.PROPOSED, Secondment.Status.AGREED)
                and bool(secondment_side(user, secondment)))

    def check_report(self, user: Any, secondment: Secondment) -> bool:
        return (secondment.person_id == user.pk and secondment.report_filed_at is None
                and secondment.status in (Secondment.Status.ACTIVE, Secondment.Status.ENDED))


venue_policy = VenuePolicy()
room_policy = RoomPolicy()
booking_policy = BookingPolicy()
service_policy = SharedServicePolicy()
session_policy = ServiceSessionPolicy()
place_policy = ServiceBookingPolicy()
secondment_policy = SecondmentPolicy()
policies = PolicySet(venue_policy, room_policy, booking_policy, service_policy, session_policy, place_policy,
                     secondment_policy)

get_venue_for_user = venue_policy.get_for_user
get_room_for_user = room_policy.get_for_user
get_booking_for_user = booking_policy.get_for_user
get_service_for_user = service_policy.get_for_user
get_session_for_user = session_policy.get_for_user
get_place_for_user = place_policy.get_for_user
get_secondment_for_user = secondment_policy.get_for_user


def shows_venues(user: Any) -> bool:
    """The nav entry: everyone signed in with a role (they find rooms and services to book)."""
    return is_superuser(user) or (is_active_user(user) and has_role(user, BOOKER_ROLES))


def visible_to(user: Any, model: type[models.Model]) -> models.QuerySet[Any]:
    return policies.visible_to(user, model)


def can(user: Any, action: str, obj: Any) -> bool:
    return policies.can(user, action, obj)


def require(user: Any, action: str, obj: Any, message: str | None = None) -> None:
    policies.require(user, action, obj, message)
