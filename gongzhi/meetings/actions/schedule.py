"""The schedule of joint meetings: series and their recurrence, the alliance's rotating host, meetings created,
changed, moved, skipped, cancelled and held, invitations (member units, part-time committee members, people),
sign-in by the QR code's token or the short code, absences with a reason, and the day-before reminders.

Every write is one transaction with a policy check (`gongzhi.meetings.permissions`) and an audit row ("meetings.*",
named in reg_schedule.py). System jobs pass acting_user=None (the reminders, the demo builder's fixed rows).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event, snapshot
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Area, CommitteeMembership, Grant, PartyOrg, Registration, Role, Unit, User
from gongzhi.core.notifications import notify

from .. import permissions, scheduling
from ..models import CalendarFeed, Invitation, Meeting, MeetingKind, MeetingSeries

MEETING_FIELDS = ["title", "kind", "area", "starts_at", "ends_at", "place", "link", "host_name", "recorder_name",
                  "status", "status_reason"]
SERIES_FIELDS = ["title", "kind", "area", "alliance", "every_months", "first_starts_at", "duration_minutes",
                 "place", "rotation"]
# Sign-in is open from an hour before the start until the end of the meeting's day (local time).
SIGN_IN_OPENS = timedelta(hours=2)
REMIND_AHEAD = timedelta(days=1)
MAX_DURATION = timedelta(hours=12)


# --- helpers ---------------------------------------------------------------------------------------------------


def _clean_text(value: str, *, field: str, limit: int, empty: str | None = None) -> str:
    value = (value or "").strip()
    if not value and empty is not None:
        raise ActionError(empty, field=field)
    if len(value) > limit:
        raise ActionError(_("Too long: at most %(limit)d characters.") % {"limit": limit}, field=field)
    return value


def _clean_link(link: str) -> str:
    link = _clean_text(link, field="link", limit=300)
    if link and not link.startswith(("https://", "http://")):
        raise ActionError(_("The online link must start with https://."), field="link")
    return link


def _require_community(area: Area | None) -> Area:
    if area is None or area.level != Area.Level.COMMUNITY:
        raise ActionError(_("A meeting is held at a community: please choose the community."), field="area")
    return area


def _check_times(starts_at: datetime | None, ends_at: datetime | None) -> tuple[datetime, datetime]:
    if starts_at is None:
        raise ActionError(_("Please enter when the meeting starts."), field="starts_at")
    if ends_at is None:
        ends_at = starts_at + timedelta(minutes=90)
    if ends_at < starts_at:
        raise ActionError(_("The meeting cannot end before it starts."), field="ends_at")
    if ends_at - starts_at > MAX_DURATION:
        raise ActionError(_("A meeting lasts at most 12 hours."), field="ends_at")
    return starts_at, ends_at


def new_checkin_token() -> str:
    while True:
        token = secrets.token_urlsafe(18)[:24]
        if not Meeting.objects.filter(checkin_token=token).exists():
            return token


def upcoming_q(now: datetime | None = None) -> Q:
    """Meetings whose short code may still be typed: scheduled, not yet over (a day's grace)."""
    now = now or timezone.now()
    return Q(status__in=[Meeting.Status.SCHEDULED, Meeting.Status.HELD], ends_at__gte=now - timedelta(days=1))


def new_checkin_code() -> str:
    """Six digits, unique among the upcoming meetings (a code is typed on a phone, so it is short)."""
    taken = set(Meeting.objects.filter(upcoming_q()).values_list("checkin_code", flat=True))
    while True:
        code = f"{secrets.randbelow(1_000_000):06d}"
        if code not in taken:
            return code


def can_schedule_at(user: User | None, area: Area) -> bool:
    return user is None or permissions.can(user, "schedule_meeting", area)


def can_manage_series(user: User | None, series: MeetingSeries) -> bool:
    """Staff who may schedule at the series' community, or (an alliance's series) at one of the rotation's."""
    if user is None or can_schedule_at(user, series.area):
        return True
    if series.alliance is None:
        return False
    ids = [int(i) for i in series.rotation or []] or list(series.alliance.communities.values_list("pk", flat=True))
    return any(can_schedule_at(user, a) for a in Area.objects.filter(pk__in=ids))


def _require_manage(user: User | None, meeting: Meeting, message: str | None = None) -> None:
    permissions.require(user, "manage", meeting, message or _("You may not organise this meeting."))


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("area", "alliance", "series").get(
        pk=meeting.pk)


def meeting_url(meeting: Meeting) -> str:
    return reverse("meetings:meeting", args=[meeting.pk])


# --- series ----------------------------------------------------------------------------------------------------


@transaction.atomic
def do_create_series(*, acting_user: User | None, kind: str, area: Area, title: str, first_starts_at: datetime,
                     every_months: int | None = None, duration_minutes: int = 90, place: str = "",
                     alliance: Any = None, rotation: Iterable[int] | None = None) -> MeetingSeries:
    """A recurring schedule at a community (a committee's joint meetings, at least quarterly; a council's) or of an
    alliance (every two months by default, the host rotating in `rotation` order: community ids of the alliance,
    all of them, each once; without it, the alliance's communities with `area` first)."""
    area = _require_community(area)
    if kind not in MeetingKind.values or kind == MeetingKind.AD_HOC:
        raise ActionError(_("Please choose the kind of recurring meeting."), field="kind")
    if not can_schedule_at(acting_user, area):
        raise PermissionDenied(_("You may not schedule meetings at this community."))
    title = _clean_text(title, field="title", limit=200, empty=_("Please enter a title."))
    place = _clean_text(place, field="place", limit=200)
    if every_months is None:
        every_months = 2 if kind == MeetingKind.ALLIANCE else 3
    if not scheduling.MIN_EVERY_MONTHS <= every_months <= scheduling.MAX_EVERY_MONTHS:
        raise ActionError(_("A series recurs every 1 to 12 months."), field="every_months")
    if kind == MeetingKind.COMMITTEE and every_months > 3:
        raise ActionError(_("A community committee meets at least every quarter: at most every 3 months."),
                          field="every_months")
    if not 15 <= duration_minutes <= 720:
        raise ActionError(_("A meeting lasts 15 minutes to 12 hours."), field="duration_minutes")
    order: list[int] = []
    if kind == MeetingKind.ALLIANCE:
        if alliance is None:
            raise ActionError(_("Please choose the alliance."), field="alliance")
        members = list(alliance.communities.order_by("path").values_list("pk", flat=True))
        if area.pk not in members:
            raise ActionError(_("The community is not a member of this alliance."), field="area")
        order = [int(i) for i in rotation] if rotation else [area.pk, *[m for m in members if m != area.pk]]
        if sorted(order) != sorted(members) or len(set(order)) != len(order):
            raise ActionError(_("The rotation must list each community of the alliance once."), field="rotation")
    elif alliance is not None:
        raise ActionError(_("Only an alliance meeting belongs to an alliance."), field="alliance")
    series = MeetingSeries.objects.create(kind=kind, title=title, area=area, alliance=alliance,
                                          every_months=every_months, first_starts_at=first_starts_at,
                                          duration_minutes=duration_minutes, place=place, rotation=order,
                                          created_by=acting_user)
    log_event(acting_user, "meetings.create_series", series, area=area, after=snapshot(series, SERIES_FIELDS))
    return series


def series_history(series: MeetingSeries) -> list[scheduling.Past]:
    return [scheduling.Past(n, r, s) for n, r, s in
            series.meetings.values_list("number", "rotation_index", "status")]


def next_of_series(series: MeetingSeries) -> tuple[int, int, datetime, Area]:
    """The next meeting's number, turn, due time and host community."""
    history = series_history(series)
    number = scheduling.next_number(history)
    index = scheduling.next_rotation_index(history, len(series.rotation or []))
    host_id = scheduling.host_for([int(i) for i in series.rotation or []], index)
    host = Area.objects.get(pk=host_id) if host_id is not None else series.area
    return number, index, scheduling.slot_start(series.first_starts_at, series.every_months, number), host


@transaction.atomic
def do_schedule_next(series: MeetingSeries, *, acting_user: User | None, starts_at: datetime | None = None,
                     place: str | None = None, invite_units: bool = True) -> Meeting:
    """Create the series' next meeting at its slot (or at `starts_at`), hosted by the community whose turn it is,
    with the registered member units invited."""
    series = MeetingSeries.objects.select_for_update(of=("self",)).select_related("area", "alliance").get(pk=series.pk)
    if not can_manage_series(acting_user, series):
        raise PermissionDenied(_("You may not schedule this series' meetings."))
    if not series.active:
        raise InvalidTransition(_("This series has ended."))
    number, index, due, host = next_of_series(series)
    starts = starts_at or due
    meeting = _create(acting_user=acting_user, kind=series.kind, area=host, title=f"{series.title}（第{number}次）",
                      starts_at=starts, ends_at=starts + timedelta(minutes=series.duration_minutes),
                      place=series.place if place is None else place, alliance=series.alliance, series=series,
                      number=number, rotation_index=index)
    if invite_units:
        _invite_registered(meeting, acting_user)
    return meeting


# --- meetings --------------------------------------------------------------------------------------------------


def _create(*, acting_user: User | None, kind: str, area: Area, title: str, starts_at: datetime,
            ends_at: datetime | None, place: str = "", link: str = "", host_name: str = "", recorder_name: str = "",
            alliance: Any = None, series: MeetingSeries | None = None, number: int = 1,
            rotation_index: int = 0) -> Meeting:
    title = _clean_text(title, field="title", limit=200, empty=_("Please enter a title."))
    starts_at, ends_at = _check_times(starts_at, ends_at)
    meeting = Meeting.objects.create(
        kind=kind, title=title, area=area, alliance=alliance, series=series, number=number,
        rotation_index=rotation_index, starts_at=starts_at, ends_at=ends_at,
        place=_clean_text(place, field="place", limit=200), link=_clean_link(link),
        host_name=_clean_text(host_name, field="host_name", limit=50),
        recorder_name=_clean_text(recorder_name, field="recorder_name", limit=50),
        organizer=acting_user if acting_user is not None and acting_user.is_authenticated else None,
        checkin_token=new_checkin_token(), checkin_code=new_checkin_code())
    log_event(acting_user, "meetings.create_meeting", meeting, area=area, after=snapshot(meeting, MEETING_FIELDS))
    return meeting


@transaction.atomic
def do_create_meeting(*, acting_user: User | None, area: Area, title: str, starts_at: datetime,
                      ends_at: datetime | None = None, kind: str = MeetingKind.AD_HOC, place: str = "",
                      link: str = "", host_name: str = "", recorder_name: str = "", alliance: Any = None) -> Meeting:
    """A single meeting of any kind at a community (ad hoc by default; an alliance meeting needs its alliance)."""
    area = _require_community(area)
    if kind not in MeetingKind.values:
        raise ActionError(_("Please choose the kind of meeting."), field="kind")
    if not can_schedule_at(acting_user, area):
        raise PermissionDenied(_("You may not schedule meetings at this community."))
    if kind == MeetingKind.ALLIANCE:
        if alliance is None:
            raise ActionError(_("Please choose the alliance."), field="alliance")
        if not alliance.communities.filter(pk=area.pk).exists():
            raise ActionError(_("The community is not a member of this alliance."), field="area")
    elif alliance is not None:
        raise ActionError(_("Only an alliance meeting belongs to an alliance."), field="alliance")
    return _create(acting_user=acting_user, kind=kind, area=area, title=title, starts_at=starts_at, ends_at=ends_at,
                   place=place, link=link, host_name=host_name, recorder_name=recorder_name, alliance=alliance)


@transaction.atomic
def do_update_meeting(meeting: Meeting, *, acting_user: User | None, title: str | None = None,
                      starts_at: datetime | None = None, ends_at: datetime | None = None, place: str | None = None,
                      link: str | None = None, host_name: str | None = None,
                      recorder_name: str | None = None) -> Meeting:
    """Change what is given (None keeps a value). Changing the time of a series' meeting is a move: it keeps its
    turn."""
    meeting = _locked(meeting)
    _require_manage(acting_user, meeting)
    if meeting.status not in (Meeting.Status.SCHEDULED, Meeting.Status.HELD):
        raise InvalidTransition(_("A skipped or cancelled meeting cannot be changed."))
    before = snapshot(meeting, MEETING_FIELDS)
    if title is not None:
        meeting.title = _clean_text(title, field="title", limit=200, empty=_("Please enter a title."))
    if starts_at is not None or ends_at is not None:
        new_start = starts_at or meeting.starts_at
        new_end = ends_at or (new_start + (meeting.ends_at - meeting.starts_at))
        meeting.starts_at, meeting.ends_at = _check_times(new_start, new_end)
    if place is not None:
        meeting.place = _clean_text(place, field="place", limit=200)
    if link is not None:
        meeting.link = _clean_link(link)
    if host_name is not None:
        meeting.host_name = _clean_text(host_name, field="host_name", limit=50)
    if recorder_name is not None:
        meeting.recorder_name = _clean_text(recorder_name, field="recorder_name", limit=50)
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=["title", "starts_at", "ends_at", "place", "link", "host_name", "recorder_name",
                                "updated_at"])
    log_event(acting_user, "meetings.update_meeting", meeting, area=meeting.area, before=before,
              after=snapshot(meeting, MEETING_FIELDS))
    return meeting


@transaction.atomic
def do_move_meeting(meeting: Meeting, *, acting_user: User | None, starts_at: datetime,
                    ends_at: datetime | None = None, reason: str = "") -> Meeting:
    """Another time for a scheduled meeting; its turn of the rotation and its number stay. A day-before reminder
    already sent is sent again for the new time."""
    meeting = _locked(meeting)
    _require_manage(acting_user, meeting)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise InvalidTransition(_("Only a scheduled meeting can be moved."))
    before = snapshot(meeting, MEETING_FIELDS)
    duration = meeting.ends_at - meeting.starts_at
    meeting.starts_at, meeting.ends_at = _check_times(starts_at, ends_at or starts_at + duration)
    meeting.status_reason = _clean_text(reason, field="reason", limit=200)
    meeting.reminded_at = None
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=["starts_at", "ends_at", "status_reason", "reminded_at", "updated_at"])
    meeting.invitations.update(reminded_at=None)
    log_event(acting_user, "meetings.move_meeting", meeting, area=meeting.area, before=before,
              after=snapshot(meeting, MEETING_FIELDS))
    return meeting


def _end(meeting: Meeting, *, acting_user: User | None, status: str, reason: str, verb: str) -> Meeting:
    meeting = _locked(meeting)
    _require_manage(acting_user, meeting)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise InvalidTransition(_("Only a scheduled meeting can be skipped or cancelled."))
    reason = _clean_text(reason, field="reason", limit=200, empty=_("Please give the reason."))
    before = snapshot(meeting, MEETING_FIELDS)
    meeting.status, meeting.status_reason, meeting.updated_at = status, reason, timezone.now()
    meeting.save(update_fields=["status", "status_reason", "updated_at"])
    log_event(acting_user, verb, meeting, area=meeting.area, before=before, after=snapshot(meeting, MEETING_FIELDS))
    return meeting


@transaction.atomic
def do_skip_meeting(meeting: Meeting, *, acting_user: User | None, reason: str) -> Meeting:
    """A series' meeting that will not take place this time: its host keeps the turn for the next one."""
    return _end(meeting, acting_user=acting_user, status=Meeting.Status.SKIPPED, reason=reason,
                verb="meetings.skip_meeting")


@transaction.atomic
def do_cancel_meeting(meeting: Meeting, *, acting_user: User | None, reason: str) -> Meeting:
    return _end(meeting, acting_user=acting_user, status=Meeting.Status.CANCELLED, reason=reason,
                verb="meetings.cancel_meeting")


@transaction.atomic
def do_mark_held(meeting: Meeting, *, acting_user: User | None) -> Meeting:
    """The meeting took place (its start has come)."""
    meeting = _locked(meeting)
    _require_manage(acting_user, meeting)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise InvalidTransition(_("Only a scheduled meeting can be marked as held."))
    if meeting.starts_at > timezone.now():
        raise InvalidTransition(_("The meeting has not started yet."))
    meeting.status, meeting.updated_at = Meeting.Status.HELD, timezone.now()
    meeting.save(update_fields=["status", "updated_at"])
    log_event(acting_user, "meetings.mark_held", meeting, area=meeting.area)
    return meeting


# --- invitations -----------------------------------------------------------------------------------------------


def _open_for_invitations(meeting: Meeting) -> None:
    if meeting.status in (Meeting.Status.SKIPPED, Meeting.Status.CANCELLED):
        raise InvalidTransition(_("A skipped or cancelled meeting takes no invitations."))


def party_committee(area: Area) -> PartyOrg | None:
    return PartyOrg.objects.filter(area=area, kind=PartyOrg.Kind.COMMUNITY_COMMITTEE).first()


def _add_unit(meeting: Meeting, unit: Unit, created: list[Invitation]) -> None:
    if not meeting.invitations.filter(role=Invitation.Role.UNIT, unit=unit).exists():
        created.append(Invitation.objects.create(meeting=meeting, role=Invitation.Role.UNIT, unit=unit,
                                                 name=unit.name))
    committees = PartyOrg.objects.filter(kind=PartyOrg.Kind.COMMUNITY_COMMITTEE, area=meeting.area)
    for seat in CommitteeMembership.objects.filter(party_org__in=committees, unit=unit, active=True,
                                                   role=CommitteeMembership.Role.PART_TIME_MEMBER):
        if not meeting.invitations.filter(role=Invitation.Role.PART_TIME_MEMBER, unit=unit,
                                          name=seat.person_name).exists():
            created.append(Invitation.objects.create(meeting=meeting, role=Invitation.Role.PART_TIME_MEMBER,
                                                     unit=unit, name=seat.person_name))


def _log_invitations(meeting: Meeting, acting_user: User | None, created: list[Invitation]) -> None:
    if created:
        log_event(acting_user, "meetings.invite", meeting, area=meeting.area,
                  after={"invited": [i.name for i in created]})


@transaction.atomic
def do_invite(meeting: Meeting, *, acting_user: User | None, units: Iterable[Unit] = (),
              users: Iterable[User] = (), part_time_members: bool = True) -> list[Invitation]:
    """Invite member units (their liaison sees the meeting; with `part_time_members`, the unit's part-time members
    of the host community's party committee are invited too) and people by account. Already invited: left as is.
    Returns the new invitations."""
    meeting = _locked(meeting)
    _require_manage(acting_user, meeting, _("You may not invite people to this meeting."))
    _open_for_invitations(meeting)
    created: list[Invitation] = []
    for unit in units:
        if part_time_members:
            _add_unit(meeting, unit, created)
        elif not meeting.invitations.filter(role=Invitation.Role.UNIT, unit=unit).exists():
            created.append(Invitation.objects.create(meeting=meeting, role=Invitation.Role.UNIT, unit=unit,
                                                     name=unit.name))
    for user in users:
        if user is None or not user.is_active:
            continue
        if not meeting.invitations.filter(user=user).exists():
            created.append(Invitation.objects.create(meeting=meeting, role=Invitation.Role.PERSON, user=user,
                                                     name=user.display_name or user.username))
    _log_invitations(meeting, acting_user, created)
    return created


def registered_units(meeting: Meeting) -> QuerySet[Unit]:
    """The member units registered (双报到) at the host community, or at every community of the alliance."""
    communities: list[int] = [meeting.area_id]
    if meeting.alliance_id is not None:
        communities = list(Area.objects.filter(alliances=meeting.alliance_id).values_list("pk", flat=True))
    unit_ids = Registration.objects.confirmed().filter(kind=Registration.Kind.UNIT, community_id__in=communities) \
        .values_list("unit_id", flat=True)
    return Unit.objects.filter(pk__in=unit_ids).order_by("name")


def _invite_registered(meeting: Meeting, acting_user: User | None) -> list[Invitation]:
    created: list[Invitation] = []
    for unit in registered_units(meeting):
        _add_unit(meeting, unit, created)
    _log_invitations(meeting, acting_user, created)
    return created


@transaction.atomic
def do_invite_registered_units(meeting: Meeting, *, acting_user: User | None) -> list[Invitation]:
    meeting = _locked(meeting)
    _require_manage(acting_user, meeting, _("You may not invite people to this meeting."))
    _open_for_invitations(meeting)
    return _invite_registered(meeting, acting_user)


@transaction.atomic
def do_remove_invitation(invitation: Invitation, *, acting_user: User | None) -> None:
    meeting = _locked(invitation.meeting)
    _require_manage(acting_user, meeting)
    if invitation.attendance == Invitation.Attendance.PRESENT:
        raise InvalidTransition(_("Someone who signed in cannot be removed."))
    name = invitation.name
    invitation.delete()
    log_event(acting_user, "meetings.remove_invitation", meeting, area=meeting.area, before={"invited": name})


# --- sign-in and attendance ------------------------------------------------------------------------------------


def sign_in_open(meeting: Meeting, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if meeting.status not in (Meeting.Status.SCHEDULED, Meeting.Status.HELD):
        return False
    day_end = timezone.localtime(meeting.ends_at).replace(hour=23, minute=59, second=59)
    return meeting.starts_at - SIGN_IN_OPENS <= now <= day_end


def invitations_of(user: User, meeting: Meeting) -> QuerySet[Invitation]:
    """The user's own invitations to the meeting: in person, or through a unit they are the liaison of (a unit's
    own row first)."""
    units = permissions.liaison_unit_ids(user)
    q = Q(user=user)
    if units:
        q |= Q(unit_id__in=units, role=Invitation.Role.UNIT)
    return meeting.invitations.filter(q).order_by("-user_id", "id")


def meeting_for_code(code: str) -> Meeting | None:
    code = (code or "").strip()
    if not (len(code) == 6 and code.isdigit()):
        return None
    return Meeting.objects.filter(upcoming_q(), checkin_code=code).order_by("starts_at").first()


@transaction.atomic
def do_sign_in(meeting: Meeting, *, acting_user: User) -> Invitation:
    """The signed-in user signs in to the meeting (from the QR code's page or with the short code): their
    invitation (or their unit's) is marked present. Staff who see the meeting but were not invited sign in as
    a person present."""
    meeting = _locked(meeting)
    if not acting_user.is_authenticated:
        raise PermissionDenied(_("Please sign in first."))
    permissions.require(acting_user, "sign_in", meeting, _("You are not invited to this meeting."))
    if not sign_in_open(meeting):
        raise InvalidTransition(_("Sign-in is open from two hours before the meeting until the end of its day."))
    invitation = invitations_of(acting_user, meeting).first()
    if invitation is None:
        invitation = Invitation.objects.create(meeting=meeting, role=Invitation.Role.PERSON, user=acting_user,
                                               name=acting_user.display_name or acting_user.username)
    if invitation.attendance == Invitation.Attendance.PRESENT:
        return invitation
    invitation.attendance, invitation.checked_in_at, invitation.absence_reason = \
        Invitation.Attendance.PRESENT, timezone.now(), ""
    invitation.save(update_fields=["attendance", "checked_in_at", "absence_reason"])
    log_event(acting_user, "meetings.sign_in", meeting, area=meeting.area, after={"present": invitation.name})
    return invitation


@transaction.atomic
def do_sign_in_with_code(code: str, *, acting_user: User) -> Invitation:
    meeting = meeting_for_code(code)
    if meeting is None or not permissions.can(acting_user, "sign_in", meeting):
        raise ActionError(_("No meeting of yours has this code: please check the six digits."), field="code")
    return do_sign_in(meeting, acting_user=acting_user)


def _invitation_locked(invitation: Invitation, acting_user: User | None) -> Invitation:
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("meeting__area").get(
        pk=invitation.pk)
    _require_manage(acting_user, invitation.meeting, _("You may not record this meeting's attendance."))
    if invitation.meeting.status not in (Meeting.Status.SCHEDULED, Meeting.Status.HELD):
        raise InvalidTransition(_("A skipped or cancelled meeting has no attendance."))
    return invitation


@transaction.atomic
def do_mark_present(invitation: Invitation, *, acting_user: User | None) -> Invitation:
    """Staff mark an invitee present (signed in on paper)."""
    invitation = _invitation_locked(invitation, acting_user)
    if invitation.attendance != Invitation.Attendance.PRESENT:
        invitation.attendance, invitation.absence_reason = Invitation.Attendance.PRESENT, ""
        invitation.checked_in_at = invitation.checked_in_at or timezone.now()
        invitation.save(update_fields=["attendance", "absence_reason", "checked_in_at"])
        log_event(acting_user, "meetings.mark_present", invitation.meeting, area=invitation.meeting.area,
                  after={"present": invitation.name})
    return invitation


@transaction.atomic
def do_record_absence(invitation: Invitation, *, acting_user: User | None, reason: str) -> Invitation:
    """An invitee who did not (or will not) come, with the reason (请假、出差 ...)."""
    invitation = _invitation_locked(invitation, acting_user)
    reason = _clean_text(reason, field="reason", limit=200, empty=_("Please give the reason for the absence."))
    invitation.attendance, invitation.absence_reason, invitation.checked_in_at = \
        Invitation.Attendance.ABSENT, reason, None
    invitation.save(update_fields=["attendance", "absence_reason", "checked_in_at"])
    log_event(acting_user, "meetings.record_absence", invitation.meeting, area=invitation.meeting.area,
              after={"absent": invitation.name, "reason": reason})
    return invitation


# --- calendar feed ---------------------------------------------------------------------------------------------


@transaction.atomic
def do_renew_feed(*, acting_user: User) -> CalendarFeed:
    """Create the user's personal calendar feed, or give it a new address (the old one stops working)."""
    if not acting_user.is_authenticated:
        raise PermissionDenied(_("Please sign in first."))
    token = secrets.token_urlsafe(32)
    feed, created = CalendarFeed.objects.update_or_create(user=acting_user,
                                                          defaults={"token": token, "created_at": timezone.now()})
    log_event(acting_user, "meetings.create_feed" if created else "meetings.renew_feed", feed)
    return feed


# --- reminders -------------------------------------------------------------------------------------------------


def invitee_users(invitation: Invitation) -> list[User]:
    """Whom an invitation reaches: the person, or the unit's liaisons."""
    if invitation.user_id is not None:
        return [invitation.user] if invitation.user and invitation.user.is_active else []
    if invitation.unit_id is None:
        return []
    return list(User.objects.filter(is_active=True, grants__role=Role.UNIT_LIAISON,
                                    grants__unit_id=invitation.unit_id).distinct())


def liaison_grants(unit_ids: Iterable[int]) -> QuerySet[Grant]:
    return Grant.objects.filter(role=Role.UNIT_LIAISON, unit_id__in=list(unit_ids))


def do_remind_meetings(now: datetime | None = None) -> int:
    """Tell every invitee of a meeting starting within a day, once (Invitation.reminded_at, then
    Meeting.reminded_at). Returns how many notifications were sent. Each meeting in its own transaction."""
    now = now or timezone.now()
    due = Meeting.objects.filter(status=Meeting.Status.SCHEDULED, reminded_at__isnull=True, starts_at__gt=now,
                                 starts_at__lte=now + REMIND_AHEAD).order_by("starts_at")
    sent = 0
    for meeting in due:
        with transaction.atomic():
            meeting = Meeting.objects.select_for_update(of=("self",)).select_related("area").get(pk=meeting.pk)
            if meeting.reminded_at is not None:
                continue
            when = timezone.localtime(meeting.starts_at).strftime("%m-%d %H:%M")
            text = _("Reminder: %(title)s starts at %(when)s, %(place)s.") % {
                "title": meeting.title, "when": when, "place": meeting.place or meeting.area.name}
            for invitation in meeting.invitations.filter(reminded_at__isnull=True).select_related("user"):
                sent += notify(invitee_users(invitation), "meetings.remind", text, meeting_url(meeting))
                invitation.reminded_at = now
                invitation.save(update_fields=["reminded_at"])
            meeting.reminded_at = now
            meeting.save(update_fields=["reminded_at"])
            log_event(None, "meetings.remind", meeting, area=meeting.area)
    return sent
