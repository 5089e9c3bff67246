"""Room bookings: every write of the bookings part (预约、审批、取消、签到、释放).

- `do_book` (signed-in staff, unit liaisons booking as their unit, residents) and `do_book_as_resident` (a resident
  without an account, after a one-time phone code): one transaction that locks the room's row first (PostgreSQL:
  `SELECT … FOR UPDATE`; SQLite: an UPDATE of the row, which takes the database's write lock, so two writers
  serialize), checks the rules (`gongzhi.venues.rules`) and inserts. The PostgreSQL exclusion constraint
  (migration 0002) is the backstop: its IntegrityError becomes the same refusal as a taken slot.
- `do_book_series`: a weekly / fortnightly / monthly booking until a date, each occurrence checked; the booker
  chooses to skip the taken dates (the rest is booked, the skipped ones listed with why) or to book nothing if any
  is taken (`SeriesRefused` lists the conflicts).
- `do_approve_booking`, `do_refuse_booking` (a reason required), `do_cancel_booking` (one, or the rest of its series),
  `do_check_in_booking`, and `do_release_unchecked` (the scheduled check: approved bookings nobody checked into
  VENUES_RELEASE_MINUTES after their start are released, by the system).

Audit verbs "venues.booking.*" (named in reg_bookings.py); the phone number never reaches the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, Conflict, InvalidTransition
from gongzhi.core.models import Area, Role, Unit, User
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import liaison_unit_ids
from gongzhi.core.policy import has_role, users_with_roles_at
from gongzhi.lib.masking import mask_phone
from gongzhi.lib.validators import clean_text as _text
from gongzhi.lists import phone_codes
from gongzhi.lists.models import PhoneCode

from .. import permissions
from ..models import Booking, BookingSeries, Room
from ..rules import Booker, check_booking, slot_taken_message

STAFF_ROLES = permissions.VENUE_MANAGERS | {Role.GRID_WORKER, Role.DEPARTMENT_HANDLER}
MAX_OCCURRENCES = 60
CONSTRAINT = "venues_booking_no_overlap"


def release_minutes() -> int:
    return int(getattr(settings, "VENUES_RELEASE_MINUTES", 15))


# --- who books -------------------------------------------------------------------------------------------------


def booker_for(user: User, room: Room, *, as_unit: Unit | None = None) -> Booker:
    """The signed-in booker: a unit liaison booking as their unit, staff, or a resident (with an account)."""
    manager = permissions.manages_venue(user, room.venue)
    if as_unit is not None:
        if as_unit.pk not in liaison_unit_ids(user):
            raise ActionError(_("You may book only as a unit you are the liaison of."), field="unit")
        community = permissions.booker_community(user)
        return Booker(Booking.BookerKind.UNIT, user=user, unit=as_unit, community=community, manager=manager)
    kind = Booking.BookerKind.STAFF if manager or has_role(user, STAFF_ROLES) else Booking.BookerKind.RESIDENT
    return Booker(kind, user=user, community=permissions.booker_community(user), manager=manager)


def approvers(room: Room) -> list[User]:
    """Whom a pending booking is sent to: the venue's community workers (or the subdistrict's staff)."""
    area = room.venue.area
    if room.approver == Room.Approver.SUBDISTRICT:
        sub = permissions.subdistrict_of_area(area) or area
        return list(users_with_roles_at({Role.SUBDISTRICT_STAFF}, sub)[:50])
    return list(users_with_roles_at({Role.COMMUNITY_WORKER}, area)[:50])


def _lock_room(room: Room) -> Room:
    """Take the room's lock for the rest of the transaction and read the room again."""
    if connection.vendor == "postgresql":
        return Room.objects.select_for_update().select_related("venue", "venue__area").get(pk=room.pk)
    # SQLite has no row locks: a write takes the database's write lock, held until the commit.
    Room.objects.filter(pk=room.pk).update(capacity=F("capacity"))
    return Room.objects.select_related("venue", "venue__area").get(pk=room.pk)


def _when(b: Booking | datetime) -> str:
    value = b.starts_at if isinstance(b, Booking) else b
    return f"{timezone.localtime(value):%m-%d %H:%M}"


def _insert(room: Room, booker: Booker, starts_at: datetime, ends_at: datetime, purpose: str, attendees: int,
            *, contact_name: str = "", phone_masked: str = "", series: BookingSeries | None = None,
            approve: bool = False, now: datetime | None = None) -> Booking:
    check_booking(room, booker, starts_at, ends_at, attendees, now=now)
    now = now or timezone.now()
    auto = room.approver == Room.Approver.NONE or approve
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                room=room, series=series, starts_at=starts_at, ends_at=ends_at, purpose=purpose, attendees=attendees,
                booker_kind=booker.kind, booked_by=booker.user, unit=booker.unit, booker_community=booker.community,
                contact_name=contact_name, phone_hash=booker.phone_hash, phone_masked=phone_masked,
                status=Booking.Status.APPROVED if auto else Booking.Status.PENDING,
                decided_at=now if auto else None, decided_by=booker.user if approve else None, created_at=now)
    except IntegrityError as exc:
        if CONSTRAINT in str(exc):
            raise Conflict(slot_taken_message(), field="starts_at") from exc
        raise
    log_event(booker.user, "venues.booking.create", booking, area=room.venue.area,
              after={"room": room.pk, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(),
                     "status": booking.status, "booker_kind": booker.kind})
    return booking


def _tell_approvers(bookings: list[Booking]) -> None:
    pending = [b for b in bookings if b.status == Booking.Status.PENDING]
    if not pending:
        return
    first = pending[0]
    text = _("A booking of %(room)s on %(when)s is awaiting your approval.") % {"room": str(first.room),
                                                                                 "when": _when(first)}
    if len(pending) > 1:
        text = _("%(n)d bookings of %(room)s from %(when)s are awaiting your approval.") % {
            "n": len(pending), "room": str(first.room), "when": _when(first)}
    notify(approvers(first.room), "venues.booking.pending", text, reverse("venues:approvals"))


def _clean(purpose: str, attendees: int) -> str:
    if not isinstance(attendees, int):
        raise ActionError(_("Please enter how many people will come."), field="attendees")
    return _text(purpose, field="purpose", limit=200, empty=_("Please say what the room is booked for."))


@transaction.atomic
def do_book(*, acting_user: User, room: Room, starts_at: datetime, ends_at: datetime, purpose: str,
            attendees: int = 1, as_unit: Unit | None = None, now: datetime | None = None) -> Booking:
    """A signed-in booking (pending, or approved at once when the room needs no approval or its approver books).
    `now`: the rules' moment (the demo's history books as of a past day); the present by default."""
    permissions.require(acting_user, "book", room, _("You may not book this room."))
    purpose = _clean(purpose, attendees)
    room = _lock_room(room)
    booker = booker_for(acting_user, room, as_unit=as_unit)
    probe = Booking(room=room)
    booking = _insert(room, booker, starts_at, ends_at, purpose, attendees,
                      approve=permissions.approves(acting_user, probe), now=now)
    _tell_approvers([booking])
    return booking


def do_book_as_resident(*, room: Room, phone: str, code: str, contact_name: str, community: Area | None,
                        starts_at: datetime, ends_at: datetime, purpose: str, attendees: int = 1) -> Booking:
    """A resident without an account (the public page): the one-time code first (outside the write, so a wrong
    try stays counted), then the booking as `do_book` makes it, keeping only the phone's hash and masked number."""
    name = _text(contact_name, field="contact_name", limit=50, empty=_("Please enter your name."))
    number = phone_codes.normalise_phone(phone)
    if community is not None and community.level != Area.Level.COMMUNITY:
        raise ActionError(_("Please choose your community from the list."), field="community")
    purpose = _clean(purpose, attendees)
    if not phone_codes.use_code(PhoneCode.Purpose.VENUE_BOOKING, room.pk, number, code):
        raise ActionError(_("The code is wrong or has expired. Please ask for a new one."), field="code")
    with transaction.atomic():
        locked = _lock_room(room)
        booker = Booker(Booking.BookerKind.RESIDENT, phone_hash=phone_codes.phone_hash(number), community=community)
        booking = _insert(locked, booker, starts_at, ends_at, purpose, attendees, contact_name=name,
                          phone_masked=mask_phone(number))
        _tell_approvers([booking])
    return booking


def do_send_booking_code(room: Room, phone: str) -> None:
    """The one-time code for the public booking page (at most a few per phone and room per hour)."""
    if room.who_may_book == Room.WhoMayBook.COMMUNITY and permissions.community_of_area(room.venue.area) is None:
        raise ActionError(_("This room cannot be booked without an account."))
    phone_codes.do_send_code(PhoneCode.Purpose.VENUE_BOOKING, room.pk, phone, what=_("booking %(room)s") % {
        "room": str(room)})


# --- recurring bookings ----------------------------------------------------------------------------------------


class SeriesRefused(ActionError):
    """"Cancel if any is taken" and some were: nothing booked; `conflicts` lists (start, why)."""

    def __init__(self, message: str, conflicts: list[tuple[datetime, str]]) -> None:
        super().__init__(message, field="starts_at")
        self.conflicts = conflicts


@dataclass
class SeriesResult:
    series: BookingSeries
    booked: list[Booking] = field(default_factory=list)
    skipped: list[tuple[datetime, str]] = field(default_factory=list)


def _add_months(day: date, months: int) -> date | None:
    y, m = divmod(day.month - 1 + months, 12)
    try:
        return day.replace(year=day.year + y, month=m + 1)
    except ValueError:  # the 31st in a shorter month: that month has no occurrence
        return None


def occurrences(starts_at: datetime, ends_at: datetime, frequency: str, until: date) -> list[tuple[datetime, datetime]]:
    """The occurrences' (start, end), the first included, up to `until` (local dates), at most MAX_OCCURRENCES."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    length = end - start
    out: list[tuple[datetime, datetime]] = []
    tz = timezone.get_current_timezone()
    i = 0
    while len(out) < MAX_OCCURRENCES and i < MAX_OCCURRENCES * 2:
        if frequency == BookingSeries.Frequency.MONTHLY:
            day = _add_months(start.date(), i)
        else:
            day = start.date() + timedelta(days=(7 if frequency == BookingSeries.Frequency.WEEKLY else 14) * i)
        i += 1
        if day is None:
            continue
        if day > until:
            break
        s = datetime.combine(day, start.time(), tzinfo=tz)
        out.append((s, s + length))
    return out


@transaction.atomic
def do_book_series(*, acting_user: User, room: Room, starts_at: datetime, ends_at: datetime, purpose: str,
                   frequency: str, until: date, skip_taken: bool, attendees: int = 1,
                   as_unit: Unit | None = None) -> SeriesResult:
    """A recurring booking; `skip_taken`: book the free dates and list the skipped ones, else all or nothing."""
    permissions.require(acting_user, "book", room, _("You may not book this room."))
    purpose = _clean(purpose, attendees)
    if frequency not in BookingSeries.Frequency.values:
        raise ActionError(_("Please choose how often it repeats."), field="frequency")
    first_day = timezone.localtime(starts_at).date()
    if until <= first_day:
        raise ActionError(_("A recurring booking repeats until a date after its first one."), field="until")
    if until > first_day + timedelta(days=366):
        raise ActionError(_("A recurring booking lasts at most a year."), field="until")
    room = _lock_room(room)
    booker = booker_for(acting_user, room, as_unit=as_unit)
    approve = permissions.approves(acting_user, Booking(room=room))
    series = BookingSeries.objects.create(room=room, frequency=frequency, until=until, created_by=acting_user)
    result = SeriesResult(series)
    for s, e in occurrences(starts_at, ends_at, frequency, until):
        try:
            with transaction.atomic():
                result.booked.append(_insert(room, booker, s, e, purpose, attendees, series=series, approve=approve))
        except ActionError as exc:
            result.skipped.append((s, exc.message))
    if result.skipped and not skip_taken:
        raise SeriesRefused(_("%(n)d of the dates cannot be booked, so nothing was booked.")
                            % {"n": len(result.skipped)}, result.skipped)
    if not result.booked:
        raise SeriesRefused(_("None of the dates can be booked."), result.skipped)
    log_event(acting_user, "venues.booking.series", series, area=room.venue.area,
              after={"frequency": frequency, "until": until.isoformat(), "booked": len(result.booked),
                     "skipped": len(result.skipped)})
    _tell_approvers(result.booked)
    return result


# --- decisions, cancellation, check-in, release ----------------------------------------------------------------


def _locked(booking: Booking) -> Booking:
    return (Booking.objects.select_for_update(of=("self",)) if connection.vendor == "postgresql"
            else Booking.objects).select_related(
        "room", "room__venue", "room__venue__area", "booked_by", "series").get(pk=booking.pk)


def _tell_booker(booking: Booking, verb: str, text: str, acting_user: User | None) -> None:
    if booking.booked_by_id is not None and booking.booked_by_id != getattr(acting_user, "pk", None):
        notify([booking.booked_by], verb, text, reverse("venues:booking", args=[booking.pk]))


@transaction.atomic
def do_approve_booking(booking: Booking, *, acting_user: User) -> Booking:
    booking = _locked(booking)
    if booking.status != Booking.Status.PENDING:
        raise InvalidTransition(_("This booking has already been decided or cancelled."))
    permissions.require(acting_user, "decide", booking, _("Only the room's approver may decide this booking."))
    booking.status, booking.decided_by, booking.decided_at = Booking.Status.APPROVED, acting_user, timezone.now()
    booking.save(update_fields=["status", "decided_by", "decided_at"])
    log_event(acting_user, "venues.booking.approve", booking, area=booking.room.venue.area,
              before={"status": Booking.Status.PENDING}, after={"status": booking.status})
    _tell_booker(booking, "venues.booking.approve", _("Your booking of %(room)s on %(when)s was approved.")
                 % {"room": str(booking.room), "when": _when(booking)}, acting_user)
    return booking


@transaction.atomic
def do_refuse_booking(booking: Booking, *, acting_user: User, reason: str) -> Booking:
    reason = _text(reason, field="reason", limit=300, empty=_("Please give the reason for the refusal."))
    booking = _locked(booking)
    if booking.status != Booking.Status.PENDING:
        raise InvalidTransition(_("This booking has already been decided or cancelled."))
    permissions.require(acting_user, "decide", booking, _("Only the room's approver may decide this booking."))
    booking.status, booking.decided_by, booking.decided_at = Booking.Status.REFUSED, acting_user, timezone.now()
    booking.reason = reason
    booking.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    log_event(acting_user, "venues.booking.refuse", booking, area=booking.room.venue.area,
              before={"status": Booking.Status.PENDING}, after={"status": booking.status, "reason": reason})
    _tell_booker(booking, "venues.booking.refuse", _("Your booking of %(room)s on %(when)s was refused: %(reason)s")
                 % {"room": str(booking.room), "when": _when(booking), "reason": reason}, acting_user)
    return booking


@transaction.atomic
def do_cancel_booking(booking: Booking, *, acting_user: User, reason: str = "", rest_of_series: bool = False
                      ) -> list[Booking]:
    """Cancel the booking (and, with `rest_of_series`, its series' later occurrences that still hold a slot); the
    booker is told when someone else (a manager) cancels. Returns the cancelled bookings."""
    reason = (reason or "").strip()[:300]
    booking = _locked(booking)
    if booking.status not in Booking.HOLDING:
        raise InvalidTransition(_("Only a pending or approved booking can be cancelled."))
    if booking.checked_in_at is not None:
        raise InvalidTransition(_("The booker has checked in; the booking can no longer be cancelled."))
    permissions.require(acting_user, "cancel", booking, _("Only the booker or the venue's staff may cancel it."))
    if booking.booked_by_id != acting_user.pk and not reason:
        raise ActionError(_("Please tell the booker why the booking is cancelled."), field="reason")
    targets = [booking]
    if rest_of_series and booking.series_id is not None:
        later = Booking.objects.filter(series_id=booking.series_id, starts_at__gt=booking.starts_at,
                                       status__in=Booking.HOLDING).exclude(pk=booking.pk)
        targets += [b for b in later.select_related("room", "room__venue", "booked_by")
                    if permissions.can(acting_user, "cancel", b)]
    for b in targets:
        before = b.status
        b.status, b.reason = Booking.Status.CANCELLED, reason
        b.save(update_fields=["status", "reason"])
        log_event(acting_user, "venues.booking.cancel", b, area=booking.room.venue.area,
                  before={"status": before}, after={"status": b.status, "reason": reason})
    text = _("Your booking of %(room)s on %(when)s was cancelled: %(reason)s") % {
        "room": str(booking.room), "when": _when(booking), "reason": reason or "—"}
    if len(targets) > 1:
        text = _("%(n)d bookings of %(room)s from %(when)s were cancelled: %(reason)s") % {
            "n": len(targets), "room": str(booking.room), "when": _when(booking), "reason": reason or "—"}
    _tell_booker(booking, "venues.booking.cancel", text, acting_user)
    return targets


@transaction.atomic
def do_check_in_booking(booking: Booking, *, acting_user: User, now: datetime | None = None) -> Booking:
    """The booker checks in on the day (until the booking ends); the venue's staff check a booker in any time."""
    now = now or timezone.now()
    booking = _locked(booking)
    if booking.status != Booking.Status.APPROVED or booking.checked_in_at is not None:
        raise InvalidTransition(_("Only an approved booking not checked in yet can be checked in."))
    permissions.require(acting_user, "check_in", booking, _("Only the booker or the venue's staff may check in."))
    if not permissions.manages_venue(acting_user, booking.room.venue):
        if timezone.localtime(booking.starts_at).date() != timezone.localtime(now).date():
            raise ActionError(_("You can check in only on the day of the booking."))
        if now >= booking.ends_at:
            raise ActionError(_("The booking has ended; it can no longer be checked in."))
    booking.checked_in_at = now
    booking.save(update_fields=["checked_in_at"])
    log_event(acting_user, "venues.booking.check_in", booking, area=booking.room.venue.area,
              after={"checked_in_at": now.isoformat()})
    return booking


@transaction.atomic
def do_release_unchecked(now: datetime | None = None) -> int:
    """Approved bookings nobody checked into VENUES_RELEASE_MINUTES after their start are released (the slot is
    free again); the booker is told. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=release_minutes())
    qs = Booking.objects.filter(status=Booking.Status.APPROVED, checked_in_at__isnull=True, starts_at__lte=cutoff)
    if connection.vendor == "postgresql":
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    released = 0
    for b in qs.select_related("room", "room__venue", "room__venue__area", "booked_by")[:500]:
        b.status = Booking.Status.RELEASED
        b.save(update_fields=["status"])
        log_event(None, "venues.booking.release", b, area=b.room.venue.area,
                  before={"status": Booking.Status.APPROVED}, after={"status": b.status})
        _tell_booker(b, "venues.booking.release", _("Nobody checked in to your booking of %(room)s on %(when)s "
                                                    "within %(n)d minutes of its start, so it was released.")
                     % {"room": str(b.room), "when": _when(b), "n": release_minutes()}, None)
        released += 1
    return released

