"""The members part's writes: registrations (双报到) and their decision, the yearly report to a unit (双报告),
volunteers' profiles, the hours export's audit row, and service certificates (志愿服务记录证明).

- `do_register_member(user, community)`: the user's own party-member record registers at a community (pending);
  `do_register_unit(user, unit, community)`: a unit's liaison registers the unit (pending). A declined registration
  is reopened (pending again) by registering again; a pending or confirmed one refuses.
- `do_decide_registration(registration, confirm=..., reason=...)`: the community (community worker and up)
  confirms or declines (a reason is required) a pending registration, locked, so of two staff deciding at once one
  wins and the other is told it was already decided. The member (or the unit's liaisons) is notified; on
  confirmation the member's work unit's liaisons are told too (双报告).
- `do_send_unit_report`: records a ServiceReport and notifies the unit's liaisons.
- `do_update_volunteer_profile`, `do_issue_certificate` (hours from confirmed sign-ups in the period, stored with
  the sign-ups it counts, a random verification code).
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gongzhi.core import actions as core_actions
from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import Area, Registration, Role, Unit, User
from gongzhi.core.notifications import notify
from gongzhi.core.policy import is_superuser
from gongzhi.lib.masking import mask_id_number
from gongzhi.lib.validators import validate_id_number

from .. import permissions
from ..models import Certificate, ServiceReport, VolunteerProfile
from ..queries_members import hours_of, liaisons_of, period_bounds, served_signups, unit_report

MAX_REASON = 200
MAX_CONTENT = 2000
# Verification codes: no 0/O/1/I/L, so one read out or typed from paper is not mistaken.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def registrations_url() -> str:
    return reverse("service:registrations")


def _community_workers(community: Area) -> Any:
    return User.objects.filter(is_active=True, grants__role=Role.COMMUNITY_WORKER, grants__area=community).distinct()


def _check_community(community: Area) -> None:
    if community.level != Area.Level.COMMUNITY:
        raise ActionError(_("Registration is at a community."), field="community")


def _reopen(registration: Registration, acting_user: User) -> Registration:
    """A declined registration registered again: pending once more (the reason declined is kept in the log)."""
    if registration.status == Registration.Status.PENDING:
        raise ActionError(_("This registration is already waiting for the community's confirmation."))
    if registration.status == Registration.Status.CONFIRMED:
        raise ActionError(_("This registration has already been confirmed."))
    before = {"status": registration.status, "decline_reason": registration.decline_reason}
    registration.status = Registration.Status.PENDING
    registration.registered_at = timezone.now()
    registration.decided_at, registration.decided_by, registration.decline_reason = None, None, ""
    registration.save(update_fields=["status", "registered_at", "decided_at", "decided_by", "decline_reason"])
    log_event(acting_user, "service.registration.reopen", registration, area=registration.community, before=before,
              after={"status": registration.status})
    return registration


def _tell_community(registration: Registration, who: str) -> None:
    notify(_community_workers(registration.community), "service.registration.pending",
           _("%(who)s registered at %(community)s and waits for your confirmation.")
           % {"who": who, "community": registration.community.name}, registrations_url())


@transaction.atomic
def do_register_member(*, acting_user: User, community: Area) -> Registration:
    """The user's own party-member record registers where they live (pending until the community confirms)."""
    _check_community(community)
    member = permissions.own_member(acting_user)
    if member is None:
        raise ActionError(_("Only a party member registers here: your account has no party-member record. Ask "
                            "your community to link it."))
    permissions.area_policy.require(acting_user, "register", community)
    existing = (Registration.objects.select_for_update().select_related("community")
                .filter(community=community, party_member=member).first())
    if existing is not None:
        registration = _reopen(existing, acting_user)
    else:
        registration = core_actions.do_register_party_member(member, community=community, acting_user=acting_user)
        log_event(acting_user, "service.registration.register", registration, area=community,
                  after={"party_member": member.name, "community": community.name, "status": registration.status})
    _tell_community(registration, member.name)
    return registration


@transaction.atomic
def do_register_unit(*, acting_user: User, unit: Unit, community: Area, note: str = "") -> Registration:
    """A member unit's liaison registers the unit (its party organization) at a community: pending."""
    _check_community(community)
    if unit.pk not in permissions.liaison_unit_ids(acting_user) and not is_superuser(acting_user):
        raise ActionError(_("Only the unit's liaison registers the unit."), field="unit")
    permissions.area_policy.require(acting_user, "register", community)
    note = str(note or "").strip()
    if len(note) > MAX_REASON:
        raise ActionError(_("The note is too long (at most 200 characters)."), field="note")
    existing = (Registration.objects.select_for_update().select_related("community")
                .filter(community=community, unit=unit).first())
    if existing is not None:
        registration = _reopen(existing, acting_user)
    else:
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    kind=Registration.Kind.UNIT, unit=unit, community=community, registered_at=timezone.now(),
                    note=note, status=Registration.Status.PENDING)
        except IntegrityError:
            raise ActionError(_("This unit is already registered at this community.")) from None
        log_event(acting_user, "service.registration.register", registration, area=community,
                  after={"unit": unit.name, "community": community.name, "status": registration.status})
    _tell_community(registration, unit.name)
    return registration


def _who(registration: Registration) -> str:
    if registration.unit is not None:
        return registration.unit.name
    return registration.party_member.name if registration.party_member else ""


@transaction.atomic
def do_decide_registration(registration: Registration, *, acting_user: User | None, confirm: bool,
                           reason: Any = "") -> Registration:
    """Confirm or decline (with a reason) a pending registration; the loser of a race is told it was decided."""
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    registration = (Registration.objects.select_related("community", "unit", "party_member",
                                                        "party_member__work_unit", "party_member__user",
                                                        "decided_by").get(pk=locked.pk))
    permissions.registration_policy.require(acting_user, "decide", registration,
                                            _("Only the community's workers confirm registrations."))
    if registration.status != Registration.Status.PENDING:
        by = registration.decided_by.display_name if registration.decided_by else _("someone else")
        raise Conflict(_("This registration was already %(status)s by %(by)s; nothing was changed.")
                       % {"status": registration.get_status_display(), "by": by})
    reason = str(reason or "").strip()
    if not confirm and not reason:
        raise ActionError(_("Please give the reason for declining."), field="reason")
    if len(reason) > MAX_REASON:
        raise ActionError(_("The reason is too long (at most 200 characters)."), field="reason")
    registration.status = Registration.Status.CONFIRMED if confirm else Registration.Status.DECLINED
    registration.decided_at = timezone.now()
    registration.decided_by = acting_user
    registration.decline_reason = "" if confirm else reason
    registration.save(update_fields=["status", "decided_at", "decided_by", "decline_reason"])
    verb = "service.registration.confirm" if confirm else "service.registration.decline"
    log_event(acting_user, verb, registration, area=registration.community, before={"status": "pending"},
              after={"status": registration.status, "reason": reason})
    _notify_decision(registration, confirm, reason)
    return registration


def _notify_decision(registration: Registration, confirm: bool, reason: str) -> None:
    community = registration.community.name
    member = registration.party_member
    if confirm:
        text = _("Your registration at %(community)s was confirmed.") % {"community": community}
    else:
        text = _("Your registration at %(community)s was declined: %(reason)s") % {"community": community,
                                                                                  "reason": reason}
    if member is not None:
        url = reverse("service:member_year", args=[member.pk])
        if member.user is not None:
            notify([member.user], verb_for(confirm), text, url)
        if confirm and member.work_unit_id is not None:
            notify(liaisons_of([member.work_unit_id]), "service.registration.unit_told",
                   _("%(member)s of your unit registered at %(community)s (confirmed): the community will report "
                     "their service to you.") % {"member": member.name, "community": community}, url)
    elif registration.unit_id is not None:
        unit_text = (_("%(unit)s's registration at %(community)s was confirmed.") if confirm else
                     _("%(unit)s's registration at %(community)s was declined: %(reason)s")) % {
            "unit": _who(registration), "community": community, "reason": reason}
        notify(liaisons_of([registration.unit_id]), verb_for(confirm), unit_text, registrations_url())


def verb_for(confirm: bool) -> str:
    return "service.registration.confirmed" if confirm else "service.registration.declined"


# --- the yearly report to a unit (双报告) ----------------------------------------------------------------------


@transaction.atomic
def do_send_unit_report(*, acting_user: User | None, community: Area, unit: Unit, year: int) -> ServiceReport:
    permissions.area_policy.require(acting_user, "manage_service", community,
                                    _("Only the community's workers send the reports to the units."))
    if year < 2000 or year > timezone.localdate().year:
        raise ActionError(_("Choose a year that has begun."), field="year")
    report = unit_report(community, unit, year)
    if not report.rows:
        raise ActionError(_("No member of this unit is registered (confirmed) at this community."), field="unit")
    sent = ServiceReport.objects.create(community=community, unit=unit, year=year, members=len(report.rows),
                                        hours=report.hours, sent_at=timezone.now(), sent_by=acting_user)
    log_event(acting_user, "service.report.send", sent, area=community,
              after={"unit": unit.name, "year": year, "members": sent.members, "hours": str(sent.hours)})
    notify(liaisons_of([unit.pk]), "service.report.sent",
           _("%(community)s sent the %(year)d service report of your unit's registered party members.")
           % {"community": community.name, "year": year},
           reverse("service:unit_report", args=[community.pk, unit.pk, year]))
    return sent


# --- volunteers ---------------------------------------------------------------------------------------------------

PROFILE_FIELDS = ("skills", "availability", "organisation")
LABELS = {"skills": _lazy("Skills"), "availability": _lazy("Availability"), "organisation": _lazy("Organisation")}


@transaction.atomic
def do_update_volunteer_profile(profile: VolunteerProfile | None, *, acting_user: User, user: User | None = None,
                                community: Area | None = None, id_number: Any = None,
                                **changes: Any) -> VolunteerProfile:
    """Edit a profile (the volunteer or the community's staff); `profile=None` creates the user's own, at
    `community`. An empty `id_number` keeps the one on file; "-" clears it."""
    if profile is None:
        if user is None or community is None:
            raise ActionError(_("Choose the community where you volunteer."), field="community")
        if user.pk != acting_user.pk and not permissions.manages(acting_user, community):
            raise ActionError(_("Only the volunteer or the community's workers edit this profile."))
        profile, _created = VolunteerProfile.objects.get_or_create(user=user, defaults={"community": community})
    profile = VolunteerProfile.objects.select_for_update().select_related("community", "user").get(pk=profile.pk)
    permissions.volunteer_profile_policy.require(acting_user, "edit", profile,
                                                 _("Only the volunteer or the community's workers edit this "
                                                   "profile."))
    before = {f: getattr(profile, f) for f in PROFILE_FIELDS}
    limits = {"skills": 200, "availability": 200, "organisation": 100}
    for name, value in changes.items():
        if name not in PROFILE_FIELDS or value is None:
            continue
        text = str(value).strip()
        if len(text) > limits[name]:
            raise ActionError(_("%(field)s is too long (at most %(limit)d characters).")
                              % {"field": LABELS[name], "limit": limits[name]},
                              field=name)
        setattr(profile, name, text)
    id_changed = False
    if id_number is not None and str(id_number).strip():
        value = str(id_number).strip().upper()
        if value == "-":
            profile.id_number, id_changed = "", True
        elif "*" not in value:  # the masked value sent back unchanged keeps the number on file
            validate_id_number(value)
            profile.id_number, id_changed = value, True
    profile.updated_at = timezone.now()
    profile.save(update_fields=[*PROFILE_FIELDS, "id_number", "updated_at"])
    after: dict[str, Any] = {f: getattr(profile, f) for f in PROFILE_FIELDS}
    if id_changed:
        after["id_number"] = mask_id_number(profile.id_number)
    log_event(acting_user, "service.volunteer.update", profile, area=profile.community, before=before, after=after)
    return profile


def do_record_hours_export(*, acting_user: User, community: Area, start: date, end: date, rows: int) -> None:
    permissions.area_policy.require(acting_user, "manage_service", community,
                                    _("Only the community's workers export volunteers' hours."))
    log_event(acting_user, "service.volunteer.export", community, area=community,
              after={"from": start.isoformat(), "to": end.isoformat(), "rows": rows})


# --- certificates ------------------------------------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _n in range(CODE_LENGTH))


def _id_number_of(user: User) -> str:
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is not None and profile.id_number:
        return profile.id_number
    member = permissions.own_member(user)
    return member.id_number if member is not None else ""


def default_content(signups: list[Any]) -> str:
    titles: list[str] = []
    for s in signups:
        if s.activity.title not in titles:
            titles.append(s.activity.title)
    return "、".join(titles[:20]) + (_(" and other activities") if len(titles) > 20 else "")


@transaction.atomic
def do_issue_certificate(*, acting_user: User | None, user: User, community: Area, start: date, end: date,
                         content: Any = "", organisation: Any = "") -> Certificate:
    """志愿服务记录证明 for `user`'s confirmed hours at `community`'s activities from `start` to `end`."""
    permissions.area_policy.require(acting_user, "manage_service", community,
                                    _("Only the community's workers issue service certificates."))
    if end < start:
        raise ActionError(_("The period ends before it starts."), field="end")
    if end > timezone.localdate():
        raise ActionError(_("The period cannot end in the future."), field="end")
    if (end - start).days > 366 * 10:
        raise ActionError(_("A certificate covers at most ten years."), field="start")
    first, last = period_bounds(start, end)
    signups = list(served_signups(user.pk, community=community, start=first, end=last).select_for_update(
        of=("self",)))
    if not signups:
        raise ActionError(_("%(name)s has no confirmed hours at %(community)s in this period.")
                          % {"name": user.display_name or user.username, "community": community.name},
                          field="start")
    content = str(content or "").strip() or default_content(signups)
    if len(content) > MAX_CONTENT:
        raise ActionError(_("The service content is too long (at most 2000 characters)."), field="content")
    profile = VolunteerProfile.objects.filter(user=user).first()
    organisation = str(organisation or "").strip() or (profile.organisation if profile else "") or community.name
    if len(organisation) > 100:
        raise ActionError(_("The organisation's name is too long (at most 100 characters)."), field="organisation")
    hours = hours_of(sum(s.minutes for s in signups))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                cert = Certificate.objects.create(
                    code=new_code(), user=user, community=community, name=(user.display_name or user.username)[:50],
                    masked_id=mask_id_number(_id_number_of(user))[:18], organisation=organisation,
                    period_start=start, period_end=end, content=content, hours=hours, issued_at=timezone.now(),
                    issued_by=acting_user)
            break
        except IntegrityError:  # pragma: no cover - a code drawn twice
            continue
    else:  # pragma: no cover
        raise ActionError(_("Please try again."))
    cert.signups.set(signups)
    log_event(acting_user, "service.certificate.issue", cert, area=community,
              after={"user": user.pk, "from": start.isoformat(), "to": end.isoformat(), "hours": str(hours),
                     "signups": len(signups)})
    notify([user], "service.certificate.issued",
           _("Your service certificate (%(hours)s hours) was issued.") % {"hours": hours},
           reverse("service:certificates"))
    return cert


def record_certificate_download(cert: Certificate, acting_user: User) -> None:
    log_event(acting_user, "service.certificate.download", cert, area=cert.community)
