"""Shared places and services across communities and provinces (阵地共享), and staff exchanges (挂职).

Issue 23's foundation (the data model only; actions, pages, API and demo come with the issue):

- `Venue` (党群服务中心 / 站 / 点) on an area, with `Room`s. A room carries its booking rules: who may book (its own
  community, its subdistrict, the alliance's communities, any resident), whether a booking needs approval and by whom,
  the shortest and longest booking, how far ahead at most and at least, a buffer between bookings, and a limit per
  booker per week or month (count and hours). `RoomPhoto`s, `RoomClosure`s (a date range).
- `Booking`: one room, one time range, by staff, a unit or a resident (phone verified: only a keyed hash is kept),
  with the community the booker comes from (for the cross-community share of the utilisation); pending → approved /
  refused, cancelled, released (nobody checked in 15 minutes after the start), checked in. **No double booking**: on
  PostgreSQL an exclusion constraint (the room, `tstzrange(starts_at, ends_at)` with `&&`) over the bookings that hold
  their slot (pending, approved), added by migration 0002 (needs `btree_gist`); the SQLite default locks the room
  row in the action instead. `BookingSeries` groups a recurring booking's occurrences.
- `SharedService` (community dining, health checks, mediation, business and employment advice …) offered at a
  venue by a community or a member unit, with `ServiceSession`s, `ServiceBooking`s (a place, reminded, checked in)
  and `ServiceRating`s.
- `Secondment` (挂职) between alliance communities, agreed by both; the seconded person holds the host community's
  community-worker grant for the period only (`grant`), and files a short report at the end.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.models import Alliance, Area, Grant, Unit


class Venue(models.Model):
    class Level(models.TextChoices):
        CENTRE = "centre", _("Party-mass service centre")
        STATION = "station", _("Party-mass service station")
        POINT = "point", _("Party-mass service point")

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    # The area it serves: a subdistrict (centre), a community (station), an estate or grid (point).
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="venues")
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["area__path", "level", "name"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    class WhoMayBook(models.TextChoices):
        COMMUNITY = "community", _("Its own community")
        SUBDISTRICT = "subdistrict", _("Its subdistrict")
        ALLIANCE = "alliance", _("The alliance's communities")
        ANYONE = "anyone", _("Any resident")

    class Approver(models.TextChoices):
        NONE = "none", _("No approval needed")
        VENUE = "venue", _("The venue's community")
        SUBDISTRICT = "subdistrict", _("The subdistrict")

    class LimitPeriod(models.TextChoices):
        WEEK = "week", _("Per week")
        MONTH = "month", _("Per month")

    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacity"), default=20, validators=[MinValueValidator(1)])
    facilities = models.CharField(_("facilities"), max_length=300, blank=True)
    # Opening hours: the days of the week (1 = Monday … 7 = Sunday) and the daily times.
    open_days = models.CharField(_("open days"), max_length=7, default="12345")
    opens_at = models.TimeField(_("opens at"), default="08:30")
    closes_at = models.TimeField(_("closing time"), default="17:30")
    who_may_book = models.CharField(_("who may book"), max_length=20, choices=WhoMayBook.choices,
                                    default=WhoMayBook.COMMUNITY)
    approver = models.CharField(_("approval"), max_length=20, choices=Approver.choices, default=Approver.VENUE)
    min_minutes = models.PositiveIntegerField(_("shortest booking (minutes)"), default=30)
    max_minutes = models.PositiveIntegerField(_("longest booking (minutes)"), default=240)
    max_days_ahead = models.PositiveIntegerField(_("bookable at most (days ahead)"), default=30)
    min_hours_ahead = models.PositiveIntegerField(_("bookable at least (hours ahead)"), default=2)
    buffer_minutes = models.PositiveIntegerField(_("buffer between bookings (minutes)"), default=0)
    limit_period = models.CharField(_("limit per booker"), max_length=10, choices=LimitPeriod.choices,
                                    default=LimitPeriod.MONTH)
    limit_count = models.PositiveIntegerField(_("bookings per period at most"), null=True, blank=True)
    limit_hours = models.PositiveIntegerField(_("hours per period at most"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["venue", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(max_minutes__gte=models.F("min_minutes")),
                                   name="venues_room_min_le_max"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="venues_room_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.venue.name} · {self.name}"


def room_photo_path(photo: RoomPhoto, filename: str) -> str:
    return f"rooms/{timezone.now():%Y/%m}/{filename}"


class RoomPhoto(models.Model):
    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=room_photo_path)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("room photo")
        verbose_name_plural = _("room photos")
        ordering = ["room", "id"]

    def __str__(self) -> str:
        return f"{self.room_id} · {self.pk}"


class RoomClosure(models.Model):
    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("room closure")
        verbose_name_plural = _("room closures")
        ordering = ["room", "starts_on"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="venues_closure_dates")]

    def __str__(self) -> str:
        return f"{self.room_id} · {self.starts_on}–{self.ends_on}"


class BookingSeries(models.Model):
    """A recurring booking: its occurrences are `Booking`s, each checked on its own."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        FORTNIGHTLY = "fortnightly", _("Every two weeks")
        MONTHLY = "monthly", _("Every month")

    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.CASCADE, related_name="series")
    frequency = models.CharField(_("repeats"), max_length=20, choices=Frequency.choices)
    until = models.DateField(_("until"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("recurring booking")
        verbose_name_plural = _("recurring bookings")

    def __str__(self) -> str:
        return f"{self.room_id} · {self.frequency} · {self.until}"


class Booking(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", pgettext_lazy("booking status", "Cancelled")
        RELEASED = "released", _("Released (no check-in)")

    # The statuses that hold the slot (the exclusion constraint's condition).
    HOLDING = ("pending", "approved")

    class BookerKind(models.TextChoices):
        STAFF = "staff", _("Staff")
        UNIT = "unit", _("Member unit")
        RESIDENT = "resident", _("Resident")

    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="bookings")
    series = models.ForeignKey(BookingSeries, verbose_name=_("recurring booking"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="bookings")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    purpose = models.CharField(_("purpose"), max_length=200)
    attendees = models.PositiveIntegerField(_("attendees"), default=1)
    booker_kind = models.CharField(_("booked as"), max_length=20, choices=BookerKind.choices)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("booked by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="venue_bookings")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    # The community the booker comes from (the utilisation's "served other communities" share).
    booker_community = models.ForeignKey(Area, verbose_name=_("booker's community"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    # A resident without an account proves their phone; only a keyed hash and the masked number are kept.
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["room", "starts_at"], name="venues_booking_room_start")]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="venues_booking_order")]

    def __str__(self) -> str:
        return f"{self.room} {self.starts_at:%Y-%m-%d %H:%M}"


class SharedService(models.Model):
    class Kind(models.TextChoices):
        DINING = "dining", _("Community dining")
        HEALTH = "health", _("Health checks")
        MEDIATION = "mediation", _("Dispute mediation")
        BUSINESS = "business", _("Business advice")
        EMPLOYMENT = "employment", _("Employment advice")
        OTHER = "other", pgettext_lazy("shared service kind", "Other")

    class WhoMayUse(models.TextChoices):
        COMMUNITY = "community", _("Its own community")
        ALLIANCE = "alliance", _("The alliance's residents")
        ANYONE = "anyone", _("Any resident")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="services")
    provider_community = models.ForeignKey(Area, verbose_name=_("provided by (community)"), null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    provider_unit = models.ForeignKey(Unit, verbose_name=_("provided by (unit)"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    alliance = models.ForeignKey(Alliance, verbose_name=_("alliance"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    who_may_use = models.CharField(_("who may use it"), max_length=20, choices=WhoMayUse.choices,
                                   default=WhoMayUse.ALLIANCE)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("shared service")
        verbose_name_plural = _("shared services")
        ordering = ["venue", "title"]

    def __str__(self) -> str:
        return self.title


class ServiceSession(models.Model):
    service = models.ForeignKey(SharedService, verbose_name=_("service"), on_delete=models.CASCADE,
                                related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"), default=20, validators=[MinValueValidator(1)])
    booking = models.OneToOneField(Booking, verbose_name=_("room booking"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="service_session")
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("service session")
        verbose_name_plural = _("service sessions")
        ordering = ["starts_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="venues_session_order")]

    def __str__(self) -> str:
        return f"{self.service_id} · {self.starts_at:%Y-%m-%d %H:%M}"


class ServiceBooking(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", pgettext_lazy("booking status", "Cancelled")
        ATTENDED = "attended", _("Attended the session")

    session = models.ForeignKey(ServiceSession, verbose_name=_("session"), on_delete=models.CASCADE,
                                related_name="places")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    name = models.CharField(_("name"), max_length=50)
    phone_hash = models.CharField(max_length=64, blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    community = models.ForeignKey(Area, verbose_name=_("community"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.BOOKED)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)

    class Meta:
        verbose_name = _("service place")
        verbose_name_plural = _("service places")
        ordering = ["session", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "phone_hash"], condition=Q(status="booked") & ~Q(phone_hash=""),
                                    name="venues_service_place_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.name}"


class ServiceRating(models.Model):
    place = models.OneToOneField(ServiceBooking, verbose_name=_("service place"), on_delete=models.CASCADE,
                                 related_name="rating")
    score = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        verbose_name = _("service rating")
        verbose_name_plural = _("service ratings")

    def __str__(self) -> str:
        return f"{self.place_id}: {self.score}"


class Secondment(models.Model):
    """挂职: a community worker seconded to another community of the alliance, agreed by both."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for both communities")
        AGREED = "agreed", _("Agreed")
        ACTIVE = "active", _("Under way")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", pgettext_lazy("secondment status", "Cancelled")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("seconded person"), on_delete=models.PROTECT,
                               related_name="secondments")
    alliance = models.ForeignKey(Alliance, verbose_name=_("alliance"), on_delete=models.PROTECT, related_name="+")
    from_community = models.ForeignKey(Area, verbose_name=_("sending community"), on_delete=models.PROTECT, related_name="+")
    to_community = models.ForeignKey(Area, verbose_name=_("receiving community"), on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    role_title = models.CharField(_("role"), max_length=100)
    work = models.TextField(_("what they work on"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED,
                              db_index=True)
    from_agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    from_agreed_at = models.DateTimeField(null=True, blank=True)
    to_agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    to_agreed_at = models.DateTimeField(null=True, blank=True)
    # The host community's community-worker grant, created when the period starts and deleted when it ends.
    grant = models.OneToOneField(Grant, null=True, blank=True, on_delete=models.SET_NULL, related_name="secondment")
    report_learned = models.TextField(_("what they learned"), blank=True)
    report_brought = models.TextField(_("what they brought back"), blank=True)
    report_filed_at = models.DateTimeField(_("report filed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("secondment")
        verbose_name_plural = _("secondments")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="venues_secondment_dates"),
            models.CheckConstraint(condition=~Q(from_community=models.F("to_community")),
                                   name="venues_secondment_two_communities"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.from_community.name} → {self.to_community.name}"
