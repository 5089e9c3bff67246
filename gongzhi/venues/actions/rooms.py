"""Venues and rooms (党群服务阵地): every write of the rooms part.

Each function is one transaction with a policy check (`gongzhi.venues.permissions`: the venue's managers, community
workers and up over its area) and an audit row ("venues.venue.*", "venues.room.*", "venues.photo.*",
"venues.closure.*", named in reg_rooms.py). The demo passes acting_user=None (a system write). Photos are decoded and
written again (`gongzhi.lib.images`) before the transaction opens.

Closing a room (`do_close_room`) for a date range finds the bookings that hold their slot on those days
(`queries.bookings_hit`); the caller chooses to cancel them with notice (each booker with an account is told in
the app; a resident who booked without an account left only a masked phone, so the action returns them for staff
to phone) or to keep them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event, snapshot
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, User
from gongzhi.core.notifications import notify
from gongzhi.lib.images import reencode_image
from gongzhi.lib.validators import clean_text as _text
from gongzhi.lib.validators import validate_phone

from .. import permissions, queries
from ..models import Booking, Room, RoomClosure, RoomPhoto, Venue

VENUE_FIELDS = ["name", "level", "area", "address", "phone", "description", "active"]
ROOM_FIELDS = ["name", "capacity", "facilities", "open_days", "opens_at", "closes_at", "who_may_book", "approver",
               "min_minutes", "max_minutes", "max_days_ahead", "min_hours_ahead", "buffer_minutes", "limit_period",
               "limit_count", "limit_hours", "active"]
CLOSURE_FIELDS = ["starts_on", "ends_on", "reason"]
# Which area levels a venue of each level stands on.
VENUE_AREA_LEVELS = {
    Venue.Level.CENTRE: (Area.Level.SUBDISTRICT,),
    Venue.Level.STATION: (Area.Level.COMMUNITY,),
    Venue.Level.POINT: (Area.Level.ESTATE, Area.Level.GRID),
}
MAX_ROOM_PHOTOS = 6
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png")
MAX_CLOSURE_DAYS = 366
CLOSURE_NOTICE_VERB = "venues.booking.closure_cancel"


def _require_manage(user: User | None, venue: Venue, message: str | None = None) -> None:
    if user is not None and not permissions.manages_venue(user, venue):
        raise PermissionDenied(message or _("Only the venue's managers (community workers and up over its area) "
                                            "may do this."))


def _int(value: Any, *, field: str, low: int, high: int, message: str, optional: bool = False) -> int | None:
    if value in (None, "") and optional:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ActionError(message, field=field) from None
    if not low <= number <= high:
        raise ActionError(message, field=field)
    return number


def _choice(value: Any, choices: Any, *, field: str, message: str) -> str:
    text = str(value or "")
    if text not in choices.values:
        raise ActionError(message, field=field)
    return text


# --- venues ------------------------------------------------------------------------------------------------


def _clean_venue(*, name: Any, level: Any, area: Area | None, address: Any, phone: Any,
                 description: Any) -> dict[str, Any]:
    name = _text(name, field="name", limit=100, empty=_("Please give the venue a name."))
    level = _choice(level, Venue.Level, field="level",
                    message=_("Please choose the venue's level: a centre, a station or a point."))
    if area is None:
        raise ActionError(_("Please choose the area the venue serves."), field="area")
    if area.level not in VENUE_AREA_LEVELS[level]:  # type: ignore[index]
        messages = {
            Venue.Level.CENTRE: _("A party-mass service centre serves a subdistrict (or town): choose one."),
            Venue.Level.STATION: _("A party-mass service station serves a community: choose one."),
            Venue.Level.POINT: _("A party-mass service point serves an estate or a grid: choose one."),
        }
        raise ActionError(messages[level], field="area")  # type: ignore[index]
    address = _text(address, field="address", limit=200)
    phone = _text(phone, field="phone", limit=20)
    if phone:
        validate_phone(phone)
    description = _text(description, field="description", limit=2000)
    return {"name": name, "level": level, "area": area, "address": address, "phone": phone,
            "description": description}


def _refuse_same_name(area: Area, name: str, exclude: int | None = None) -> None:
    qs = Venue.objects.filter(area=area, name=name)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise ActionError(_("%(area)s already has a venue named %(name)s.") % {"area": area.name, "name": name},
                          field="name")


@transaction.atomic
def do_create_venue(*, acting_user: User | None, area: Area | None, name: str, level: str, address: str = "",
                    phone: str = "", description: str = "") -> Venue:
    """A party-mass service centre (on a subdistrict), station (on a community) or point (on an estate or grid)."""
    data = _clean_venue(name=name, level=level, area=area, address=address, phone=phone, description=description)
    if acting_user is not None and not permissions.venue_policy.can(acting_user, "create_venue",
                                                                    Venue(area=data["area"])):
        raise PermissionDenied(_("Only community workers and up over this area may set up a venue here."))
    _refuse_same_name(data["area"], data["name"])
    venue = Venue.objects.create(**data)
    log_event(acting_user, "venues.venue.create", venue, area=venue.area, after=snapshot(venue, VENUE_FIELDS))
    return venue


def _lock_venue(venue: Venue) -> Venue:
    return Venue.objects.select_for_update(of=("self",)).select_related("area").get(pk=venue.pk)


@transaction.atomic
def do_update_venue(venue: Venue, *, acting_user: User | None, area: Area | None, name: str, level: str,
                    address: str = "", phone: str = "", description: str = "") -> Venue:
    venue = _lock_venue(venue)
    _require_manage(acting_user, venue)
    data = _clean_venue(name=name, level=level, area=area, address=address, phone=phone, description=description)
    if data["area"].pk != venue.area_id and acting_user is not None and not permissions.venue_policy.can(
            acting_user, "create_venue", Venue(area=data["area"])):
        raise PermissionDenied(_("Only community workers and up over this area may set up a venue here."))
    _refuse_same_name(data["area"], data["name"], exclude=venue.pk)
    before = snapshot(venue, VENUE_FIELDS)
    for key, value in data.items():
        setattr(venue, key, value)
    venue.save(update_fields=list(data))
    log_event(acting_user, "venues.venue.update", venue, area=venue.area, before=before,
              after=snapshot(venue, VENUE_FIELDS))
    return venue


def _upcoming_holding(rooms_filter: dict[str, Any]) -> int:
    return Booking.objects.filter(status__in=Booking.HOLDING, ends_at__gt=timezone.now(), **rooms_filter).count()


@transaction.atomic
def do_set_venue_active(venue: Venue, *, acting_user: User | None, active: bool) -> Venue:
    """Deactivate a venue (no one finds or books it; its rooms and history stay) or bring it back. A venue with
    bookings still to come cannot be deactivated: cancel them or close its rooms for those dates first."""
    venue = _lock_venue(venue)
    _require_manage(acting_user, venue)
    if venue.active == active:
        return venue
    if not active:
        upcoming = _upcoming_holding({"room__venue": venue})
        if upcoming:
            raise ActionError(_("%(name)s still has %(n)d bookings to come. Close its rooms for those dates (and "
                                "cancel the bookings) first.") % {"name": venue.name, "n": upcoming}, field="active")
    venue.active = active
    venue.save(update_fields=["active"])
    log_event(acting_user, "venues.venue.reactivate" if active else "venues.venue.deactivate", venue,
              area=venue.area, after={"active": active})
    return venue


# --- rooms -------------------------------------------------------------------------------------------------


def clean_open_days(value: Any) -> str:
    """"1", "135", [1, 2, 3] … as the sorted string of weekday digits (1 = Monday … 7 = Sunday)."""
    items = list(str(value)) if isinstance(value, (str, int)) else [str(v) for v in (value or [])]
    days = sorted({d for d in items if d.strip()})
    if not days or any(d not in "1234567" or len(d) != 1 for d in days):
        raise ActionError(_("Please choose the days of the week the room is open."), field="open_days")
    return "".join(days)


def _time(value: Any, field: str) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ActionError(_("Please enter the time as hours and minutes, e.g. 08:30."), field=field) from None


def _clean_room(venue: Venue, raw: dict[str, Any]) -> dict[str, Any]:
    d: dict[str, Any] = {}
    d["name"] = _text(raw.get("name"), field="name", limit=100, empty=_("Please give the room a name."))
    d["capacity"] = _int(raw.get("capacity"), field="capacity", low=1, high=2000,
                         message=_("The capacity is the number of people the room holds: from 1 to 2000."))
    d["facilities"] = _text(raw.get("facilities"), field="facilities", limit=300)
    d["open_days"] = clean_open_days(raw.get("open_days"))
    d["opens_at"] = _time(raw.get("opens_at"), "opens_at")
    d["closes_at"] = _time(raw.get("closes_at"), "closes_at")
    if d["closes_at"] <= d["opens_at"]:
        raise ActionError(_("The room must close after it opens."), field="closes_at")
    d["who_may_book"] = _choice(raw.get("who_may_book"), Room.WhoMayBook, field="who_may_book",
                                message=_("Please choose who may book the room."))
    d["approver"] = _choice(raw.get("approver"), Room.Approver, field="approver",
                            message=_("Please choose whether bookings need approval, and by whom."))
    if d["approver"] == Room.Approver.SUBDISTRICT and permissions.subdistrict_of_area(venue.area) is None:
        raise ActionError(_("This venue lies in no subdistrict: choose approval by the venue's community."),
                          field="approver")
    d["min_minutes"] = _int(raw.get("min_minutes"), field="min_minutes", low=15, high=1440,
                            message=_("The shortest booking is from 15 minutes to a day (1440 minutes)."))
    d["max_minutes"] = _int(raw.get("max_minutes"), field="max_minutes", low=15, high=1440,
                            message=_("The longest booking is from 15 minutes to a day (1440 minutes)."))
    if d["max_minutes"] < d["min_minutes"]:
        raise ActionError(_("The longest booking cannot be shorter than the shortest."), field="max_minutes")
    open_minutes = (d["closes_at"].hour * 60 + d["closes_at"].minute) - (d["opens_at"].hour * 60 + d["opens_at"].minute)
    if d["min_minutes"] > open_minutes:
        raise ActionError(_("The shortest booking is longer than the room is open in a day."), field="min_minutes")
    d["max_days_ahead"] = _int(raw.get("max_days_ahead"), field="max_days_ahead", low=1, high=365,
                               message=_("Bookable at most 1 to 365 days ahead."))
    d["min_hours_ahead"] = _int(raw.get("min_hours_ahead"), field="min_hours_ahead", low=0, high=720,
                                message=_("Bookable at least 0 to 720 hours ahead."))
    if d["min_hours_ahead"] >= d["max_days_ahead"] * 24:
        raise ActionError(_("The latest time to book must come after the earliest: the hours ahead at least must "
                            "be fewer than the days ahead at most."), field="min_hours_ahead")
    d["buffer_minutes"] = _int(raw.get("buffer_minutes") or 0, field="buffer_minutes", low=0, high=240,
                               message=_("The buffer between bookings is from 0 to 240 minutes."))
    d["limit_period"] = _choice(raw.get("limit_period") or Room.LimitPeriod.MONTH, Room.LimitPeriod,
                                field="limit_period", message=_("Please choose the limit's period: a week or a month."))
    d["limit_count"] = _int(raw.get("limit_count"), field="limit_count", low=1, high=1000, optional=True,
                            message=_("The limit of bookings per booker is a whole number from 1, or blank for none."))
    d["limit_hours"] = _int(raw.get("limit_hours"), field="limit_hours", low=1, high=1000, optional=True,
                            message=_("The limit of hours per booker is a whole number from 1, or blank for none."))
    if d["limit_hours"] is not None and d["limit_hours"] * 60 < d["min_minutes"]:
        raise ActionError(_("The limit of hours per booker is less than the shortest booking."),
                          field="limit_hours")
    return d


def _refuse_same_room_name(venue: Venue, name: str, exclude: int | None = None) -> None:
    qs = Room.objects.filter(venue=venue, name=name)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise ActionError(_("%(venue)s already has a room named %(name)s.") % {"venue": venue.name, "name": name},
                          field="name")


@transaction.atomic
def do_create_room(venue: Venue, *, acting_user: User | None, **fields: Any) -> Room:
    """A room of the venue with its booking rules (see `Room`): name, capacity, facilities, open days and hours,
    who may book, approval, shortest and longest booking, ahead windows, buffer, limits per booker."""
    venue = _lock_venue(venue)
    _require_manage(acting_user, venue)
    if not venue.active:
        raise ActionError(_("The venue is deactivated: bring it back before adding rooms."), field="venue")
    data = _clean_room(venue, fields)
    _refuse_same_room_name(venue, data["name"])
    room = Room.objects.create(venue=venue, **data)
    log_event(acting_user, "venues.room.create", room, area=venue.area, after=snapshot(room, ROOM_FIELDS))
    return room


def _lock_room(room: Room) -> Room:
    return Room.objects.select_for_update(of=("self",)).select_related("venue", "venue__area").get(pk=room.pk)


@transaction.atomic
def do_update_room(room: Room, *, acting_user: User | None, **fields: Any) -> Room:
    """The room's details and rules. Bookings made under the old rules stay as they are."""
    room = _lock_room(room)
    _require_manage(acting_user, room.venue)
    data = _clean_room(room.venue, fields)
    _refuse_same_room_name(room.venue, data["name"], exclude=room.pk)
    before = snapshot(room, ROOM_FIELDS)
    for key, value in data.items():
        setattr(room, key, value)
    room.save(update_fields=list(data))
    log_event(acting_user, "venues.room.update", room, area=room.venue.area, before=before,
              after=snapshot(room, ROOM_FIELDS))
    return room


@transaction.atomic
def do_set_room_active(room: Room, *, acting_user: User | None, active: bool) -> Room:
    room = _lock_room(room)
    _require_manage(acting_user, room.venue)
    if room.active == active:
        return room
    if not active:
        upcoming = _upcoming_holding({"room": room})
        if upcoming:
            raise ActionError(_("%(name)s still has %(n)d bookings to come. Close the room for those dates (and "
                                "cancel the bookings) first.") % {"name": room.name, "n": upcoming}, field="active")
    room.active = active
    room.save(update_fields=["active"])
    log_event(acting_user, "venues.room.reactivate" if active else "venues.room.deactivate", room,
              area=room.venue.area, after={"active": active})
    return room


# --- photos ------------------------------------------------------------------------------------------------


class CheckedPhoto(ContentFile[bytes]):
    """A re-encoded photo, named by us (a random name with the type we wrote)."""

    def __init__(self, content: bytes, extension: str) -> None:
        super().__init__(content, name=f"{uuid4().hex}.{extension}")


def check_photo(photo: Any) -> CheckedPhoto:
    """Size and type checked, decoded and written again by Pillow (no EXIF; JPEG or PNG only). Slow: call it
    outside a transaction."""
    if isinstance(photo, CheckedPhoto):
        return photo
    if photo is None:
        raise ActionError(_("Please choose a photo to upload."), field="photo")
    name = Path(str(getattr(photo, "name", "") or "")).name[:80] or _("photo")
    if (getattr(photo, "size", 0) or 0) > MAX_PHOTO_BYTES:
        raise ActionError(_("The photo %(name)s is larger than 5 MB.") % {"name": name}, field="photo")
    not_ours = ActionError(_("The photo %(name)s is not a JPEG or PNG picture.") % {"name": name}, field="photo")
    try:
        clean = reencode_image(photo, name=name, max_pixels=settings.IMAGE_MAX_PIXELS, max_side=2048, field="photo")
    except ActionError as exc:  # lib.images also takes WebP; a room's photos are JPEG or PNG only
        if exc.message == _("The file %(name)s is not a JPEG, PNG or WebP photo.") % {"name": name}:
            raise not_ours from None
        raise
    if clean.content_type not in PHOTO_TYPES:
        raise not_ours
    return CheckedPhoto(clean.content, clean.extension)


def do_add_room_photo(room: Room, photo: Any, *, acting_user: User | None) -> RoomPhoto:
    """A photo of the room (JPEG or PNG, at most 5 MB, re-encoded; at most six per room)."""
    _require_manage(acting_user, room.venue)  # before the slow decoding too
    checked = check_photo(photo)
    return _add_room_photo(room, checked, acting_user=acting_user)


@transaction.atomic
def _add_room_photo(room: Room, photo: CheckedPhoto, *, acting_user: User | None) -> RoomPhoto:
    room = _lock_room(room)
    _require_manage(acting_user, room.venue)
    if room.photos.count() >= MAX_ROOM_PHOTOS:
        raise ActionError(_("A room has at most %(n)d photos: delete one first.") % {"n": MAX_ROOM_PHOTOS},
                          field="photo")
    saved = RoomPhoto(room=room)
    saved.image.save(photo.name or "photo.jpg", photo, save=False)
    saved.save()
    log_event(acting_user, "venues.photo.add", saved, area=room.venue.area, after={"room": room.pk})
    return saved


@transaction.atomic
def do_delete_room_photo(photo: RoomPhoto, *, acting_user: User | None) -> None:
    room = _lock_room(photo.room)
    _require_manage(acting_user, room.venue)
    name = photo.image.name
    log_event(acting_user, "venues.photo.delete", photo, area=room.venue.area, before={"room": room.pk})
    photo.delete()
    if name:
        storage = photo.image.storage
        transaction.on_commit(lambda: storage.delete(name))


# --- closed dates ------------------------------------------------------------------------------------------


@dataclass
class ClosureResult:
    closure: RoomClosure
    cancelled: list[Booking] = field(default_factory=list)
    kept: list[Booking] = field(default_factory=list)
    # Bookings by residents without an account (only a masked phone is kept): the staff phone them.
    to_phone: list[Booking] = field(default_factory=list)


def clean_closure(starts_on: date | None, ends_on: date | None, reason: Any) -> tuple[date, date, str]:
    if starts_on is None:
        raise ActionError(_("Please enter the first closed day."), field="starts_on")
    if ends_on is None:
        raise ActionError(_("Please enter the last closed day."), field="ends_on")
    if ends_on < starts_on:
        raise ActionError(_("The last closed day cannot come before the first."), field="ends_on")
    if starts_on < timezone.localdate():
        raise ActionError(_("A room cannot be closed on days already past."), field="starts_on")
    if (ends_on - starts_on).days + 1 > MAX_CLOSURE_DAYS:
        raise ActionError(_("A closure lasts at most %(n)d days: deactivate the room instead.")
                          % {"n": MAX_CLOSURE_DAYS}, field="ends_on")
    reason = _text(reason, field="reason", limit=200,
                   empty=_("Please say why the room is closed (the bookers read it)."))
    return starts_on, ends_on, reason


def closure_hits(room: Room, starts_on: date, ends_on: date) -> list[Booking]:
    """The bookings (pending, approved) a closure over those days would hit: what the page shows before saving."""
    return list(queries.bookings_hit(room, starts_on, ends_on))


@transaction.atomic
def do_close_room(room: Room, starts_on: date | None, ends_on: date | None, reason: str, cancel_hits: bool,
                  acting_user: User | None) -> ClosureResult:
    """Close the room from starts_on to ends_on (inclusive) for `reason`. The bookings holding their slot on those
    days are cancelled with notice (reason = the closure's) when `cancel_hits`, kept otherwise."""
    room = _lock_room(room)  # the bookings of the room wait for this (no new booking slips in meanwhile)
    _require_manage(acting_user, room.venue)
    starts_on, ends_on, reason = clean_closure(starts_on, ends_on, reason)
    other = queries.closures_between(room, starts_on, ends_on).first()
    if other is not None:
        raise ActionError(_("The room is already closed from %(start)s to %(end)s (%(reason)s): change the dates or "
                            "remove that closure first.") % {"start": other.starts_on.isoformat(),
                                                              "end": other.ends_on.isoformat(),
                                                              "reason": other.reason}, field="starts_on")
    closure = RoomClosure.objects.create(room=room, starts_on=starts_on, ends_on=ends_on, reason=reason,
                                         created_by=acting_user)
    hits = list(queries.bookings_hit(room, starts_on, ends_on).select_for_update(of=("self",)))
    result = ClosureResult(closure=closure)
    if cancel_hits:
        now = timezone.now()
        url = reverse("venues:room", args=[room.pk])
        for booking in hits:
            booking.status, booking.reason = Booking.Status.CANCELLED, reason[:300]
            booking.decided_by, booking.decided_at = acting_user, now
            booking.save(update_fields=["status", "reason", "decided_by", "decided_at"])
            log_event(acting_user, CLOSURE_NOTICE_VERB, booking, area=room.venue.area,
                      after={"status": booking.status, "closure": closure.pk})
            when = timezone.localtime(booking.starts_at)
            if booking.booked_by_id is not None:
                notify([booking.booked_by], CLOSURE_NOTICE_VERB,
                       _("Your booking of %(room)s on %(when)s was cancelled: the room is closed from %(start)s to "
                         "%(end)s (%(reason)s).") % {"room": str(room), "when": f"{when:%Y-%m-%d %H:%M}",
                                                     "start": starts_on.isoformat(), "end": ends_on.isoformat(),
                                                     "reason": reason}, url)
            else:
                result.to_phone.append(booking)
        result.cancelled = hits
    else:
        result.kept = hits
    log_event(acting_user, "venues.closure.create", closure, area=room.venue.area,
              after={**snapshot(closure, CLOSURE_FIELDS), "room": room.pk, "hits": len(hits),
                     "cancelled": len(result.cancelled), "kept": len(result.kept)})
    return result


@transaction.atomic
def do_remove_closure(closure: RoomClosure, *, acting_user: User | None) -> None:
    """Open the room again on those days (bookings cancelled by the closure stay cancelled)."""
    room = _lock_room(closure.room)
    _require_manage(acting_user, room.venue)
    log_event(acting_user, "venues.closure.remove", closure, area=room.venue.area,
              before={**snapshot(closure, CLOSURE_FIELDS), "room": room.pk})
    closure.delete()


def default_closure_days() -> tuple[date, date]:
    today = timezone.localdate()
    return today + timedelta(days=1), today + timedelta(days=1)
