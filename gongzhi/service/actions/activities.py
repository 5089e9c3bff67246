"""Activities (party-day service, volunteer events, clean-ups, visits to elderly residents) and their sign-ups: create,
change, cancel; sign up with a waitlist that promotes the first waiting person when a seat frees; the day-before
reminders; check-in and check-out by the rotating QR token or the read-out code; the organizer confirms the hours
(credited to the person's time bank once) and corrects them with a reason (the old credit reversed, certificates
superseded); recurring activities (the quarterly party day) and their next one; residents' feedback by phone.

Every write is one transaction with a policy check (`gongzhi.service.permissions`) and an audit row
("service.activity.*", named in reg_activities.py). Every change to an activity's seats locks the activity row
first (`_locked`), so two people never take the last seat and a confirmation never credits twice. System jobs
pass acting_user=None (the reminders, the demo's fixed rows).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event, snapshot
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Area, User
from gongzhi.core.notifications import notify
from gongzhi.lib import rotating_codes
from gongzhi.lists import phone_codes
from gongzhi.lists.models import PhoneCode

from .. import certificates, ledger, permissions
from ..models import (
    Activity,
    ActivityFeedback,
    ActivityKind,
    ActivitySeries,
    SignUp,
    TimeBankTransaction,
)

ACTIVITY_FIELDS = ["title", "kind", "community", "place", "starts_at", "ends_at", "capacity", "open_to_party_members",
                   "open_to_volunteers", "open_to_residents", "skills", "status", "cancel_reason", "organizer"]
SERIES_FIELDS = ["title", "kind", "community", "place", "every_months", "first_starts_at", "duration_minutes",
                 "capacity"]
# Check-in opens half an hour before the start and check-out closes two hours after the end; the minutes served
# count from the start (an early arrival is welcome, not counted) to the end.
CHECKIN_OPENS = timedelta(minutes=30)
CHECKOUT_CLOSES = timedelta(hours=2)
# A second scan within SERVICE_CHECKOUT_AFTER_SECONDS (60) of the check-in is a double tap, not a check-out.
MIN_STAY_SECONDS = 60
REMIND_AHEAD = timedelta(days=1)
MAX_LENGTH = timedelta(hours=12)
MAX_CAPACITY = 1000


# --- helpers ---------------------------------------------------------------------------------------------------


def _clean_text(value: Any, *, field: str, limit: int, empty: str | None = None) -> str:
    text = str(value or "").strip()
    if not text and empty is not None:
        raise ActionError(empty, field=field)
    if len(text) > limit:
        raise ActionError(_("Too long: at most %(limit)d characters.") % {"limit": limit}, field=field)
    return text


def _check_times(starts_at: datetime | None, ends_at: datetime | None) -> tuple[datetime, datetime]:
    if starts_at is None:
        raise ActionError(_("Please enter when the activity starts."), field="starts_at")
    if ends_at is None:
        raise ActionError(_("Please enter when the activity ends."), field="ends_at")
    if ends_at <= starts_at:
        raise ActionError(_("The activity must end after it starts."), field="ends_at")
    if ends_at - starts_at > MAX_LENGTH:
        raise ActionError(_("An activity lasts at most 12 hours."), field="ends_at")
    return starts_at, ends_at


def _check_capacity(capacity: Any) -> int:
    try:
        value = int(capacity)
    except (TypeError, ValueError):
        raise ActionError(_("Please enter how many people can take part."), field="capacity") from None
    if not 1 <= value <= MAX_CAPACITY:
        raise ActionError(_("The capacity is 1 to 1000 people."), field="capacity")
    return value


def _check_kind(kind: str) -> str:
    if kind not in ActivityKind.values:
        raise ActionError(_("Please choose the kind of activity."), field="kind")
    return kind


def _require_community(area: Area | None) -> Area:
    if area is None or area.level != Area.Level.COMMUNITY:
        raise ActionError(_("An activity is held at a community: please choose the community."), field="community")
    return area


def _require_organise_at(user: User | None, community: Area) -> None:
    if user is not None and not permissions.area_policy.can(user, "manage_service", community):
        raise PermissionDenied(_("You may not organise activities at this community."))


def _require_manage(user: User | None, activity: Activity) -> None:
    permissions.activity_policy.require(user, "manage", activity, _("Only the activity's organizers may do this."))


def _actor(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def _locked(activity: Activity) -> Activity:
    return Activity.objects.select_for_update(of=("self",)).select_related("community", "organizer", "series").get(
        pk=activity.pk)


def _signup_locked(signup: SignUp) -> SignUp:
    return SignUp.objects.select_for_update(of=("self",)).select_related("user").get(pk=signup.pk)


def new_checkin_secret() -> str:
    return secrets.token_hex(32)


def new_public_code() -> str:
    while True:
        code = secrets.token_urlsafe(12)[:16]
        if not Activity.objects.filter(public_code=code).exists():
            return code


def activity_url(activity: Activity) -> str:
    return reverse("service:activity", args=[activity.pk])


def name_of(user: User) -> str:
    return user.display_name or user.username


def confirmed_count(activity: Activity) -> int:
    return activity.signups.filter(status=SignUp.Status.CONFIRMED).count()


def seats_left(activity: Activity) -> int:
    return max(0, activity.capacity - confirmed_count(activity))


def open_to_text(activity: Activity) -> str:
    who = [label for flag, label in ((activity.open_to_party_members, _("party members")),
                                     (activity.open_to_volunteers, _("volunteers")),
                                     (activity.open_to_residents, _("residents"))) if flag]
    return "、".join(who)


def _when(at: datetime) -> str:
    return timezone.localtime(at).strftime("%m-%d %H:%M")


# --- activities ------------------------------------------------------------------------------------------------


@transaction.atomic
def do_create_activity(*, acting_user: User | None, community: Area, title: str, starts_at: datetime,
                       ends_at: datetime, place: str, capacity: int, kind: str = ActivityKind.VOLUNTEER,
                       description: str = "", open_to_party_members: bool = True, open_to_volunteers: bool = True,
                       open_to_residents: bool = False, skills: str = "", organizer: User | None = None,
                       series: ActivitySeries | None = None) -> Activity:
    """An activity at a community, by its community workers and up; its organizer is the creator (or the one
    named), who may then run it (check-in, hours) without a staff role."""
    community = _require_community(community)
    _require_organise_at(acting_user, community)
    starts_at, ends_at = _check_times(starts_at, ends_at)
    if not (open_to_party_members or open_to_volunteers or open_to_residents):
        raise ActionError(_("Please say who may join: party members, volunteers or residents."),
                          field="open_to_party_members")
    activity = Activity.objects.create(
        community=community, series=series, kind=_check_kind(kind),
        title=_clean_text(title, field="title", limit=200, empty=_("Please enter a title.")),
        description=_clean_text(description, field="description", limit=5000),
        place=_clean_text(place, field="place", limit=200, empty=_("Please enter the place: a venue or an address.")),
        starts_at=starts_at, ends_at=ends_at, capacity=_check_capacity(capacity),
        open_to_party_members=open_to_party_members, open_to_volunteers=open_to_volunteers,
        open_to_residents=open_to_residents, skills=_clean_text(skills, field="skills", limit=200),
        organizer=organizer or _actor(acting_user), checkin_secret=new_checkin_secret(),
        public_code=new_public_code())
    log_event(acting_user, "service.activity.create", activity, area=community,
              after=snapshot(activity, ACTIVITY_FIELDS))
    return activity


@transaction.atomic
def do_update_activity(activity: Activity, *, acting_user: User | None, title: str | None = None,
                       kind: str | None = None, description: str | None = None, place: str | None = None,
                       starts_at: datetime | None = None, ends_at: datetime | None = None,
                       capacity: int | None = None, open_to_party_members: bool | None = None,
                       open_to_volunteers: bool | None = None, open_to_residents: bool | None = None,
                       skills: str | None = None) -> Activity:
    """Change what is given (None keeps a value). More seats promote the waitlist; fewer than the people already
    signed up is refused. A new time sends the day-before reminder again."""
    activity = _locked(activity)
    _require_manage(acting_user, activity)
    if activity.status != Activity.Status.PUBLISHED:
        raise InvalidTransition(_("A cancelled activity, or one whose hours are confirmed, cannot be changed."))
    before = snapshot(activity, ACTIVITY_FIELDS)
    if title is not None:
        activity.title = _clean_text(title, field="title", limit=200, empty=_("Please enter a title."))
    if kind is not None:
        activity.kind = _check_kind(kind)
    if description is not None:
        activity.description = _clean_text(description, field="description", limit=5000)
    if place is not None:
        activity.place = _clean_text(place, field="place", limit=200,
                                     empty=_("Please enter the place: a venue or an address."))
    if starts_at is not None or ends_at is not None:
        new_start = starts_at or activity.starts_at
        new_end = ends_at or new_start + (activity.ends_at - activity.starts_at)
        if (new_start, new_end) != (activity.starts_at, activity.ends_at):
            activity.starts_at, activity.ends_at = _check_times(new_start, new_end)
            activity.reminded_at = None
    for name, value in (("open_to_party_members", open_to_party_members), ("open_to_volunteers", open_to_volunteers),
                        ("open_to_residents", open_to_residents)):
        if value is not None:
            setattr(activity, name, value)
    if not (activity.open_to_party_members or activity.open_to_volunteers or activity.open_to_residents):
        raise ActionError(_("Please say who may join: party members, volunteers or residents."),
                          field="open_to_party_members")
    if skills is not None:
        activity.skills = _clean_text(skills, field="skills", limit=200)
    if capacity is not None:
        capacity = _check_capacity(capacity)
        taken = confirmed_count(activity)
        if capacity < taken:
            raise ActionError(_("%(n)d people have already signed up: the capacity cannot be less.") % {"n": taken},
                              field="capacity")
        activity.capacity = capacity
    activity.save(update_fields=["title", "kind", "description", "place", "starts_at", "ends_at", "reminded_at",
                                 "open_to_party_members", "open_to_volunteers", "open_to_residents", "skills",
                                 "capacity"])
    _promote(activity, acting_user)
    log_event(acting_user, "service.activity.update", activity, area=activity.community, before=before,
              after=snapshot(activity, ACTIVITY_FIELDS))
    return activity


@transaction.atomic
def do_cancel_activity(activity: Activity, *, acting_user: User | None, reason: str) -> Activity:
    """Cancel with a reason: everyone signed up or waiting is told."""
    activity = _locked(activity)
    _require_manage(acting_user, activity)
    if activity.status != Activity.Status.PUBLISHED:
        raise InvalidTransition(_("Only an activity open for sign-up can be cancelled."))
    if activity.signups.filter(hours_confirmed_at__isnull=False).exists():
        raise InvalidTransition(_("Hours of this activity have been confirmed: it can no longer be cancelled."))
    reason = _clean_text(reason, field="reason", limit=200, empty=_("Please give the reason."))
    before = snapshot(activity, ACTIVITY_FIELDS)
    activity.status, activity.cancel_reason = Activity.Status.CANCELLED, reason
    activity.save(update_fields=["status", "cancel_reason"])
    people = [s.user for s in activity.signups.exclude(status=SignUp.Status.CANCELLED).select_related("user")]
    notify(people, "service.activity.cancel",
           _("%(title)s (%(when)s) was cancelled: %(reason)s") % {
               "title": activity.title, "when": _when(activity.starts_at), "reason": reason},
           activity_url(activity))
    log_event(acting_user, "service.activity.cancel", activity, area=activity.community, before=before,
              after=snapshot(activity, ACTIVITY_FIELDS))
    return activity


# --- sign-up and the waitlist ----------------------------------------------------------------------------------


def why_not_eligible(user: User, activity: Activity) -> str:
    return _("This activity is open to %(who)s only.") % {"who": open_to_text(activity)}


@transaction.atomic
def do_sign_up(activity: Activity, *, acting_user: User) -> SignUp:
    """Sign the user up: a seat while there is one, otherwise the end of the waitlist. The activity row is locked,
    so two people never take the last seat."""
    activity = _locked(activity)
    if not permissions.activity_policy.visible_to(acting_user).filter(pk=activity.pk).exists():
        raise PermissionDenied(_("This activity is not of your community."))
    if not permissions.activity_policy.can(acting_user, "sign_up", activity):
        raise PermissionDenied(why_not_eligible(acting_user, activity))
    if activity.status != Activity.Status.PUBLISHED:
        raise InvalidTransition(_("This activity is no longer open for sign-up."))
    if activity.ends_at <= timezone.now():
        raise InvalidTransition(_("This activity is over."))
    existing = activity.signups.exclude(status=SignUp.Status.CANCELLED).filter(user=acting_user).first()
    if existing is not None:
        raise ActionError(_("You have already signed up for this activity."))
    now = timezone.now()
    if confirmed_count(activity) < activity.capacity:
        status, position = SignUp.Status.CONFIRMED, 0
    else:
        last = activity.signups.filter(status=SignUp.Status.WAITLISTED).aggregate(m=Max("position"))["m"]
        status, position = SignUp.Status.WAITLISTED, (last or 0) + 1
    try:
        with transaction.atomic():
            signup = SignUp.objects.create(activity=activity, user=acting_user, status=status, position=position,
                                           created_at=now)
    except IntegrityError:
        raise ActionError(_("You have already signed up for this activity.")) from None
    log_event(acting_user, "service.activity.sign_up", activity, area=activity.community,
              after={"person": name_of(acting_user), "status": status, "position": position})
    return signup


def _promote(activity: Activity, acting_user: User | None) -> list[SignUp]:
    """Fill the free seats from the waitlist, in position order; each promoted person is told. The caller holds the
    activity's lock."""
    if activity.status != Activity.Status.PUBLISHED or activity.ends_at <= timezone.now():
        return []
    free = activity.capacity - confirmed_count(activity)
    if free <= 0:
        return []
    promoted = list(activity.signups.filter(status=SignUp.Status.WAITLISTED).select_related("user")
                    .order_by("position", "created_at", "pk")[:free])
    now = timezone.now()
    for signup in promoted:
        signup.status, signup.position, signup.promoted_at = SignUp.Status.CONFIRMED, 0, now
        signup.save(update_fields=["status", "position", "promoted_at"])
        notify([signup.user], "service.activity.promote",
               _("A seat came free: you are now signed up for %(title)s (%(when)s, %(place)s).") % {
                   "title": activity.title, "when": _when(activity.starts_at), "place": activity.place},
               activity_url(activity))
        log_event(None, "service.activity.promote", activity, area=activity.community,
                  after={"person": name_of(signup.user)})
    return promoted


@transaction.atomic
def do_cancel_signup(signup: SignUp, *, acting_user: User) -> SignUp:
    """The person (or an organizer) cancels a sign-up; a freed seat goes to the first on the waitlist."""
    activity = _locked(signup.activity)
    signup = _signup_locked(signup)
    permissions.signup_policy.require(acting_user, "cancel", signup, _("You may not cancel this sign-up."))
    if signup.status == SignUp.Status.CANCELLED:
        raise InvalidTransition(_("This sign-up is already cancelled."))
    if signup.checked_in_at is not None or signup.hours_confirmed_at is not None:
        raise InvalidTransition(_("Someone who has checked in cannot cancel the sign-up."))
    if activity.ends_at <= timezone.now():
        raise InvalidTransition(_("This activity is over."))
    was = signup.status
    signup.status, signup.position, signup.cancelled_at = SignUp.Status.CANCELLED, 0, timezone.now()
    signup.save(update_fields=["status", "position", "cancelled_at"])
    log_event(acting_user, "service.activity.cancel_signup", activity, area=activity.community,
              before={"person": name_of(signup.user), "status": was})
    if was == SignUp.Status.CONFIRMED:
        _promote(activity, acting_user)
    return signup


def my_signup(user: Any, activity: Activity) -> SignUp | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return activity.signups.exclude(status=SignUp.Status.CANCELLED).filter(user=user).first()


# --- the day-before reminders ----------------------------------------------------------------------------------


def do_remind_activities(now: datetime | None = None) -> int:
    """Tell the confirmed people of every activity starting within a day, once (Activity.reminded_at). Returns how
    many notifications were sent. Each activity in its own transaction."""
    now = now or timezone.now()
    due = Activity.objects.filter(status=Activity.Status.PUBLISHED, reminded_at__isnull=True, starts_at__gt=now,
                                  starts_at__lte=now + REMIND_AHEAD).order_by("starts_at").values_list("pk", flat=True)
    sent = 0
    for pk in list(due[:500]):
        with transaction.atomic():
            activity = Activity.objects.select_for_update(of=("self",)).select_related("community").get(pk=pk)
            if activity.reminded_at is not None:
                continue
            people = [s.user for s in activity.signups.filter(status=SignUp.Status.CONFIRMED).select_related("user")
                      if s.user.is_active]
            sent += notify(people, "service.activity.remind",
                           _("Reminder: %(title)s starts at %(when)s; place: %(place)s.") % {
                               "title": activity.title, "when": _when(activity.starts_at), "place": activity.place},
                           activity_url(activity))
            activity.reminded_at = now
            activity.save(update_fields=["reminded_at"])
            log_event(None, "service.activity.remind", activity, area=activity.community,
                      after={"reminded": len(people)})
    return sent


# --- check-in and check-out ------------------------------------------------------------------------------------


def checkin_open(activity: Activity, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (activity.status != Activity.Status.CANCELLED
            and activity.starts_at - CHECKIN_OPENS <= now <= activity.ends_at + CHECKOUT_CLOSES)


def minutes_served(activity: Activity, checked_in_at: datetime | None, checked_out_at: datetime | None) -> int:
    """From check-in to check-out, counted within the activity's time (an early arrival counts from the start, a
    late stay until the end): never more than its length."""
    if checked_in_at is None or checked_out_at is None:
        return 0
    start = max(checked_in_at, activity.starts_at)
    end = min(checked_out_at, activity.ends_at)
    if end <= start:
        return 0
    return min(int((end - start).total_seconds() // 60), activity.length_minutes)


@dataclass
class CheckResult:
    signup: SignUp
    step: str  # "in" or "out"


def _expired_qr_message() -> str:
    return _("This QR code has expired: it changes every minute. Please scan the code shown at the place now, or "
             "type the six digits the organizer reads out.")


@transaction.atomic
def do_check_in(activity: Activity, *, acting_user: User, token: str = "", code: str = "",
                now: datetime | None = None) -> CheckResult:
    """The signed-up person checks in with the QR code's token (or the read-out code); the second time, checks out
    (the minutes served are then counted). A token or code of an earlier window is refused."""
    now = now or timezone.now()
    activity = _locked(activity)
    if not getattr(acting_user, "is_authenticated", False):
        raise PermissionDenied(_("Please sign in first."))
    at = now.timestamp()
    if token:
        if not rotating_codes.check_qr_token(activity.checkin_secret, token.strip(), at):
            raise ActionError(_expired_qr_message(), field="token")
    elif not rotating_codes.check_spoken_code(activity.checkin_secret, code or "", at):
        raise ActionError(_("The code is wrong or has expired: please type the six digits the organizer reads out "
                            "now."), field="code")
    signup = activity.signups.exclude(status=SignUp.Status.CANCELLED).filter(user=acting_user).first()
    if signup is None:
        raise ActionError(_("You have not signed up for this activity."))
    if signup.status == SignUp.Status.WAITLISTED:
        raise ActionError(_("You are on the waitlist of this activity: you can check in once a seat is yours."))
    if activity.status == Activity.Status.CANCELLED:
        raise InvalidTransition(_("This activity was cancelled."))
    if not checkin_open(activity, now):
        raise InvalidTransition(_("Check-in is open from half an hour before the activity until two hours after "
                                  "it ends."))
    signup = _signup_locked(signup)
    if signup.hours_confirmed_at is not None:
        raise InvalidTransition(_("Your hours for this activity are already confirmed."))
    if signup.checked_in_at is None:
        signup.checked_in_at = now
        signup.save(update_fields=["checked_in_at"])
        log_event(acting_user, "service.activity.check_in", activity, area=activity.community,
                  after={"person": name_of(acting_user), "at": now.isoformat()})
        return CheckResult(signup, "in")
    if signup.checked_out_at is not None:
        raise InvalidTransition(_("You have already checked out of this activity."))
    if (now - signup.checked_in_at).total_seconds() < getattr(settings, "SERVICE_CHECKOUT_AFTER_SECONDS",
                                                              MIN_STAY_SECONDS):
        raise InvalidTransition(_("You checked in just now. Scan again when you leave to check out."))
    signup.checked_out_at = now
    signup.minutes = minutes_served(activity, signup.checked_in_at, now)
    signup.save(update_fields=["checked_out_at", "minutes"])
    log_event(acting_user, "service.activity.check_out", activity, area=activity.community,
              after={"person": name_of(acting_user), "at": now.isoformat(), "minutes": signup.minutes})
    return CheckResult(signup, "out")


def activity_for_code(user: User, code: str, now: datetime | None = None) -> Activity | None:
    """The activity open for check-in now, that the user signed up for, whose read-out code this is."""
    now = now or timezone.now()
    code = (code or "").strip()
    if not (len(code) == 6 and code.isdigit()):
        return None
    candidates = Activity.objects.filter(
        signups__user=user, signups__status=SignUp.Status.CONFIRMED, status__in=[Activity.Status.PUBLISHED],
        starts_at__lte=now + CHECKIN_OPENS, ends_at__gte=now - CHECKOUT_CLOSES).distinct().order_by("starts_at")
    for activity in candidates[:20]:
        if rotating_codes.check_spoken_code(activity.checkin_secret, code, now.timestamp()):
            return activity
    return None


def do_check_in_with_code(code: str, *, acting_user: User, now: datetime | None = None) -> CheckResult:
    activity = activity_for_code(acting_user, code, now)
    if activity is None:
        raise ActionError(_("No activity of yours has this code now: please check the six digits the organizer "
                            "reads out."), field="code")
    return do_check_in(activity, acting_user=acting_user, code=code, now=now)


# --- hours -----------------------------------------------------------------------------------------------------


def _credit_memo(activity: Activity) -> str:
    return _("Service hours: %(title)s (%(day)s)") % {"title": activity.title,
                                                      "day": timezone.localdate(activity.starts_at).isoformat()}


def _credit(activity: Activity, signup: SignUp, acting_user: User | None) -> TimeBankTransaction | None:
    if signup.minutes <= 0:
        return None
    account = ledger.account_of_user(signup.user)
    if account is None:
        raise ActionError(_("%(name)s has no community to open a time bank account at.") % {
            "name": name_of(signup.user)})
    hours = signup.hours
    return ledger.post(TimeBankTransaction.Kind.CREDIT, _credit_memo(activity),
                       [(ledger.community_account(activity.community), -hours), (account, hours)],
                       acting_user=acting_user, signup=signup)


def _close_if_done(activity: Activity) -> None:
    if activity.status == Activity.Status.PUBLISHED and not activity.signups.filter(
            status=SignUp.Status.CONFIRMED, hours_confirmed_at__isnull=True).exists():
        activity.status = Activity.Status.CLOSED
        activity.save(update_fields=["status"])


@transaction.atomic
def do_confirm_hours(activity: Activity, *, acting_user: User | None,
                     signups: Iterable[SignUp] | None = None) -> list[SignUp]:
    """The organizer confirms the minutes served of the activity's signed-up people (all, or those given): each is
    credited to the person's time bank once (a person who did not come is confirmed with none). When every one is
    confirmed the activity is closed."""
    activity = _locked(activity)
    _require_manage(acting_user, activity)
    if activity.status == Activity.Status.CANCELLED:
        raise InvalidTransition(_("This activity was cancelled."))
    if activity.ends_at > timezone.now():
        raise InvalidTransition(_("Hours are confirmed after the activity ends."))
    qs = activity.signups.select_for_update(of=("self",)).select_related("user").filter(
        status=SignUp.Status.CONFIRMED, hours_confirmed_at__isnull=True)
    if signups is not None:
        ids = [s.pk for s in signups]
        qs = qs.filter(pk__in=ids)
    todo = list(qs.order_by("pk"))
    if not todo:
        raise ActionError(_("There are no hours waiting for confirmation."))
    now = timezone.now()
    for signup in todo:
        if signup.checked_in_at is not None and signup.checked_out_at is not None:
            signup.minutes = min(signup.minutes, activity.length_minutes)
        signup.hours_confirmed_at, signup.hours_confirmed_by = now, _actor(acting_user)
        signup.save(update_fields=["minutes", "hours_confirmed_at", "hours_confirmed_by"])
        _credit(activity, signup, acting_user)
    _close_if_done(activity)
    log_event(acting_user, "service.activity.confirm_hours", activity, area=activity.community,
              after={"confirmed": [{"person": name_of(s.user), "hours": str(s.hours)} for s in todo]})
    return todo


def _parse_minutes(value: Any, activity: Activity) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise ActionError(_("Please enter the minutes served, such as 90."), field="minutes") from None
    if minutes < 0:
        raise ActionError(_("The minutes served cannot be negative."), field="minutes")
    if minutes > activity.length_minutes:
        raise ActionError(_("At most the activity's length: %(n)d minutes.") % {"n": activity.length_minutes},
                          field="minutes")
    return minutes


@transaction.atomic
def do_correct_hours(signup: SignUp, *, acting_user: User | None, minutes: Any, reason: str) -> SignUp:
    """The organizer corrects a person's minutes served, with a reason (audited, before and after). Once confirmed,
    the old credit is reversed and the new one posted, and any certificate counting this sign-up is superseded;
    refused when the person has already spent the credits the reversal would take back."""
    activity = _locked(signup.activity)
    signup = _signup_locked(signup)
    permissions.signup_policy.require(acting_user, "confirm_hours", signup,
                                      _("Only the activity's organizers may correct hours."))
    if signup.status != SignUp.Status.CONFIRMED:
        raise InvalidTransition(_("Only a confirmed sign-up has hours."))
    if activity.ends_at > timezone.now():
        raise InvalidTransition(_("Hours are confirmed after the activity ends."))
    new = _parse_minutes(minutes, activity)
    reason = _clean_text(reason, field="reason", limit=200, empty=_("Please give the reason for the correction."))
    if new == signup.minutes:
        raise ActionError(_("These are already the minutes recorded."), field="minutes")
    before = {"person": name_of(signup.user), "minutes": signup.minutes, "hours": str(signup.hours)}
    signup.minutes, signup.correction_reason = new, reason
    signup.save(update_fields=["minutes", "correction_reason"])
    if signup.hours_confirmed_at is not None:
        current = signup.transactions.filter(kind=TimeBankTransaction.Kind.CREDIT, reversed_by__isnull=True).first()
        if current is not None:
            try:
                ledger.reverse(current, _("Correction: %(reason)s") % {"reason": reason}, acting_user=acting_user)
            except ActionError:
                raise ActionError(_("%(name)s has already used some of these credits, so the old hours cannot be "
                                    "taken back. Please agree a correction with them first.") % {
                                        "name": name_of(signup.user)}) from None
        _credit(activity, signup, acting_user)
        certificates.supersede_for_signups([signup], reason)
    log_event(acting_user, "service.activity.correct_hours", activity, area=activity.community, before=before,
              after={"person": name_of(signup.user), "minutes": new, "hours": str(signup.hours), "reason": reason})
    return signup


# --- recurring activities --------------------------------------------------------------------------------------


def add_months(at: datetime, months: int) -> datetime:
    """The same local day and time `months` later (the last day of a shorter month)."""
    local = timezone.localtime(at)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    days = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30,
            31, 30, 31][month - 1]
    return local.replace(year=year, month=month, day=min(local.day, days))


def next_of_series(series: ActivitySeries) -> tuple[int, datetime]:
    """The next activity's number and start: the slot after the series' latest one."""
    number = series.activities.count() + 1
    return number, add_months(series.first_starts_at, series.every_months * (number - 1))


@transaction.atomic
def do_create_series(*, acting_user: User | None, community: Area, title: str, first_starts_at: datetime,
                     place: str, kind: str = ActivityKind.PARTY_DAY, every_months: int = 3,
                     duration_minutes: int = 120, capacity: int = 30, description: str = "") -> ActivitySeries:
    """A recurring activity (the quarterly party day) at a community."""
    community = _require_community(community)
    _require_organise_at(acting_user, community)
    if not 1 <= int(every_months) <= 12:
        raise ActionError(_("A recurring activity recurs every 1 to 12 months."), field="every_months")
    if not 15 <= int(duration_minutes) <= 720:
        raise ActionError(_("An activity lasts 15 minutes to 12 hours."), field="duration_minutes")
    if first_starts_at is None:
        raise ActionError(_("Please enter when the activity starts."), field="first_starts_at")
    series = ActivitySeries.objects.create(
        community=community, kind=_check_kind(kind),
        title=_clean_text(title, field="title", limit=200, empty=_("Please enter a title.")),
        description=_clean_text(description, field="description", limit=5000),
        place=_clean_text(place, field="place", limit=200, empty=_("Please enter the place: a venue or an address.")),
        every_months=int(every_months), first_starts_at=first_starts_at, duration_minutes=int(duration_minutes),
        capacity=_check_capacity(capacity), created_by=_actor(acting_user))
    log_event(acting_user, "service.activity.create_series", series, area=community,
              after=snapshot(series, SERIES_FIELDS))
    return series


@transaction.atomic
def do_create_next(series: ActivitySeries, *, acting_user: User | None) -> Activity:
    """Create the series' next activity at its slot (a party day is open to party members; others to volunteers
    too)."""
    series = ActivitySeries.objects.select_for_update(of=("self",)).select_related("community").get(pk=series.pk)
    _require_organise_at(acting_user, series.community)
    if not series.active:
        raise InvalidTransition(_("This recurring activity has ended."))
    number, starts = next_of_series(series)
    return do_create_activity(
        acting_user=acting_user, community=series.community, kind=series.kind,
        title=_("%(title)s (no. %(n)d)") % {"title": series.title, "n": number}, description=series.description,
        place=series.place, starts_at=starts, ends_at=starts + timedelta(minutes=series.duration_minutes),
        capacity=series.capacity, series=series, open_to_volunteers=series.kind != ActivityKind.PARTY_DAY)


# --- residents' feedback ---------------------------------------------------------------------------------------


def activity_for_public_code(code: str) -> Activity | None:
    if not code or len(code) > 16:
        return None
    return Activity.objects.select_related("community").filter(public_code=code).first()


def feedback_open(activity: Activity, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return activity.status != Activity.Status.CANCELLED and activity.starts_at <= now <= activity.ends_at + timedelta(
        days=30)


def _feedback_checks(activity: Activity) -> None:
    if not feedback_open(activity):
        raise InvalidTransition(_("Feedback is open from the start of the activity for 30 days."))


def do_send_feedback_code(activity: Activity, *, phone: str) -> None:
    _feedback_checks(activity)
    if ActivityFeedback.objects.filter(activity=activity, phone_hash=phone_codes.phone_hash(phone)).exists():
        raise ActionError(_("This phone has already given feedback on this activity. Thank you."), field="phone")
    phone_codes.do_send_code(PhoneCode.Purpose.ACTIVITY_FEEDBACK, activity.pk, phone,
                             what=_("feedback on %(title)s") % {"title": activity.title})


def do_leave_feedback(activity: Activity, *, phone: str, code: str, score: Any, comment: str = "") -> ActivityFeedback:
    """A resident's feedback (1–5 and a comment), once per phone, proved with the code sent to it (checked in its
    own transaction first, so a wrong try stays counted)."""
    _feedback_checks(activity)
    try:
        value = int(score)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ActionError(_("Please choose a score from 1 to 5."), field="score")
    comment = _clean_text(comment, field="comment", limit=300)
    key = phone_codes.phone_hash(phone)
    if ActivityFeedback.objects.filter(activity=activity, phone_hash=key).exists():
        raise ActionError(_("This phone has already given feedback on this activity. Thank you."), field="phone")
    if not phone_codes.use_code(PhoneCode.Purpose.ACTIVITY_FEEDBACK, activity.pk, phone, code):
        raise ActionError(_("The code is wrong or has expired. Please ask for a new one."), field="code")
    return _create_feedback(activity, key, value, comment)


@transaction.atomic
def _create_feedback(activity: Activity, key: str, score: int, comment: str) -> ActivityFeedback:
    try:
        with transaction.atomic():
            feedback = ActivityFeedback.objects.create(activity=activity, phone_hash=key, score=score,
                                                       comment=comment)
    except IntegrityError:
        raise ActionError(_("This phone has already given feedback on this activity. Thank you."),
                          field="phone") from None
    log_event(None, "service.activity.feedback", activity, area=activity.community, after={"score": score})
    return feedback


# --- reading ---------------------------------------------------------------------------------------------------


def upcoming_q(now: datetime | None = None) -> Q:
    return Q(status=Activity.Status.PUBLISHED, ends_at__gte=now or timezone.now())


def signups_of(user: User, year: int | None = None) -> QuerySet[SignUp]:
    qs = SignUp.objects.filter(user=user).select_related("activity", "activity__community")
    if year is not None:
        qs = qs.filter(activity__starts_at__year=year)
    return qs.order_by("-activity__starts_at", "-pk")
