"""The agreements part's writes: the mediation agreement (人民调解协议书), the follow-up visits, reopening mediation.

- `do_record_agreement(dispute, facts, terms, performance, signed_on)`: the mediators write the agreement while the
  dispute is assigned or in mediation (a party on each side needed); it may be edited until it is signed. Signing
  (signed_on given) makes the dispute "agreement reached" (resolved now), schedules the first follow-up visit
  `DISPUTES_FOLLOW_UP_DAYS` (30) days after the signing and tells the assignees. A signed agreement is fixed; when
  mediation is reopened after it (it did not hold), it is kept as it was and a new agreement is written
  (`agreement_in_hand` is the one in force or being written, `earlier_agreements` the ones that failed).
- `do_schedule_follow_up(dispute, due_on)` adds a visit, `do_reschedule_follow_up(follow_up, due_on)` moves one (the
  due notice is sent again for the new date): the mediators and the community's workers ("schedule").
- `do_record_follow_up(follow_up, visited_at, holds, note)`: the mediators record the visit; when the agreement does
  not hold the assignees are told and `do_reopen_mediation(dispute)` takes the dispute back into mediation.
- `notify_due_follow_ups()`: the scheduled check, telling the assignees once when a visit falls due.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import User
from gongzhi.core.notifications import notify
from gongzhi.lib.validators import clean_text

from ..models import Agreement, Dispute, DisputeParty, FollowUp, MediationAssignment
from ..permissions import dispute_policy
from .cases import tell_applicants

MAX_FACTS = 4000
MAX_TERMS = 4000
MAX_PERFORMANCE = 300
MAX_NOTE = 2000
# How far ahead a visit may be put (a year and a bit): a date beyond is a typing error.
MAX_AHEAD_DAYS = 400
WRITABLE = (Dispute.Status.ASSIGNED, Dispute.Status.IN_MEDIATION)


def follow_up_days() -> int:
    """Days from the signing to the first follow-up visit (setting DISPUTES_FOLLOW_UP_DAYS, 30 by default)."""
    return int(getattr(settings, "DISPUTES_FOLLOW_UP_DAYS", 30))


def dispute_url(dispute: Dispute) -> str:
    return reverse("disputes:dispute", args=[dispute.pk])


def assignees(dispute: Dispute) -> list[User]:
    """Whom the part tells: the assigned mediators, and the members and head of an assigned body."""
    users: dict[int, User] = {}
    rows = MediationAssignment.objects.filter(dispute=dispute, active=True).select_related("mediator", "body__head")
    bodies = []
    for a in rows:
        if a.mediator is not None and a.mediator.is_active:
            users[a.mediator.pk] = a.mediator
        if a.body is not None:
            bodies.append(a.body)
            if a.body.head is not None and a.body.head.is_active:
                users[a.body.head.pk] = a.body.head
    if bodies:
        for u in User.objects.filter(mediation_bodies__in=bodies, is_active=True).distinct():
            users[u.pk] = u
    return list(users.values())


def _others(dispute: Dispute, actor: User | None) -> list[User]:
    return [u for u in assignees(dispute) if actor is None or u.pk != actor.pk]


def _lock(dispute: Dispute) -> Dispute:
    return Dispute.objects.select_for_update(of=("self",)).select_related("community").get(pk=dispute.pk)


def _text(value: Any, *, field: str, limit: int, required: str | None, too_long: str) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise ActionError(too_long, field=field)
    return clean_text(text, field=field, limit=limit, empty=required)


def _as_date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ActionError(_("Give the date as YYYY-MM-DD."), field=field) from None


def agreement_in_hand(dispute: Dispute, *, for_update: bool = False) -> Agreement | None:
    """The agreement in force or being written: the latest one, unless it was signed and mediation was reopened
    since (then a new one is to be written, and this is None)."""
    qs = Agreement.objects.filter(dispute=dispute).order_by("-pk")
    latest = (qs.select_for_update() if for_update else qs).first()
    if latest is not None and latest.signed_on is not None:
        # the status as stored (the caller's copy of the dispute may predate the signing or the reopening)
        if Dispute.objects.filter(pk=dispute.pk, status__in=WRITABLE).exists():
            return None
    return latest


def earlier_agreements(dispute: Dispute) -> list[Agreement]:
    """Signed agreements that did not hold (mediation was reopened after each), the latest first."""
    current = agreement_in_hand(dispute)
    qs = Agreement.objects.filter(dispute=dispute, signed_on__isnull=False).order_by("-pk")
    return list(qs.exclude(pk=current.pk) if current is not None else qs)


def agreement_to_download(dispute: Dispute, agreement_id: int | None = None) -> Agreement | None:
    """The agreement whose Word document is asked for: one of the dispute's by id (an earlier one), else the one
    in hand; None when there is none."""
    if agreement_id is not None:
        return Agreement.objects.filter(dispute=dispute, pk=agreement_id).first()
    return agreement_in_hand(dispute)


def _check_sides(dispute: Dispute) -> None:
    sides = set(DisputeParty.objects.filter(dispute=dispute).values_list("side", flat=True))
    if DisputeParty.Side.APPLICANT not in sides or DisputeParty.Side.RESPONDENT not in sides:
        raise InvalidTransition(_("An agreement needs at least one applicant and one respondent among the parties; "
                                  "add the missing party first."))


@transaction.atomic
def do_record_agreement(dispute: Dispute, *, facts: str, terms: str, performance: str = "",
                        signed_on: date | str | None = None, acting_user: User) -> Agreement:
    """Write (or edit, until signed) the dispute's mediation agreement; sign it when `signed_on` is given."""
    dispute = _lock(dispute)
    dispute_policy.require(acting_user, "mediate", dispute,
                           _("Only the dispute's mediators write its mediation agreement."))
    existing = agreement_in_hand(dispute, for_update=True)
    if existing is not None and existing.signed_on is not None:
        raise InvalidTransition(_("The agreement was signed on %(day)s and can no longer be changed.")
                                % {"day": existing.signed_on.isoformat()})
    if dispute.status not in WRITABLE:
        raise InvalidTransition(_("An agreement is written while the dispute is assigned or in mediation."))
    facts = _text(facts, field="facts", limit=MAX_FACTS, required=_("Write the main facts and what is in dispute."),
                  too_long=_("The facts are too long (at most 4000 characters)."))
    terms = _text(terms, field="terms", limit=MAX_TERMS, required=_("Write what the parties agreed."),
                  too_long=_("The terms are too long (at most 4000 characters)."))
    performance = _text(performance, field="performance", limit=MAX_PERFORMANCE, required=None,
                        too_long=_("How and by when it is carried out is too long (at most 300 characters)."))
    signed = _as_date(signed_on, "signed_on")
    today = timezone.localdate()
    if signed is not None:
        if signed > today:
            raise ActionError(_("The signing date cannot be in the future."), field="signed_on")
        if signed < timezone.localdate(dispute.created_at):
            raise ActionError(_("The signing date cannot be before the dispute was recorded."), field="signed_on")
        if not performance:
            raise ActionError(_("Say how and by when the agreement is carried out before it is signed."),
                              field="performance")
    _check_sides(dispute)
    before = None
    if existing is None:
        agreement = Agreement.objects.create(dispute=dispute, facts=facts, terms=terms, performance=performance,
                                             signed_on=signed, created_by=acting_user)
    else:
        agreement = existing
        before = {"facts_chars": len(agreement.facts), "terms_chars": len(agreement.terms)}
        agreement.facts, agreement.terms, agreement.performance = facts, terms, performance
        agreement.signed_on = signed
        agreement.save(update_fields=["facts", "terms", "performance", "signed_on"])
    # The audit row says what happened, never what the parties agreed (the content stays with the mediators).
    log_event(acting_user, "disputes.agreement.save", agreement, area=dispute.community, before=before,
              after={"dispute": dispute.reference, "facts_chars": len(facts), "terms_chars": len(terms),
                     "signed": signed is not None})
    if signed is not None:
        _sign(dispute, agreement, signed, acting_user)
    return agreement


def _sign(dispute: Dispute, agreement: Agreement, signed: date, acting_user: User) -> None:
    old = dispute.status
    # Resolved when the parties signed (the moment itself when they signed today).
    now = timezone.now()
    resolved = now if signed >= timezone.localdate(now) else timezone.make_aware(datetime.combine(signed, time(12)))
    dispute.status, dispute.resolved_at = Dispute.Status.AGREED, max(resolved, dispute.created_at)
    dispute.save(update_fields=["status", "resolved_at"])
    follow_up = FollowUp.objects.create(dispute=dispute, agreement=agreement,
                                        due_on=signed + timedelta(days=follow_up_days()))
    told = tell_applicants(dispute)
    log_event(acting_user, "disputes.agreement.sign", agreement, area=dispute.community, before={"status": old},
              after={"status": dispute.status, "signed_on": signed.isoformat(),
                     "follow_up_due_on": follow_up.due_on.isoformat(), "told": told})
    notify(_others(dispute, acting_user), "disputes.agreement_signed",
           _("The mediation agreement of dispute %(ref)s was signed on %(day)s; the follow-up visit is due on "
             "%(due)s.") % {"ref": dispute.reference, "day": signed.isoformat(), "due": follow_up.due_on.isoformat()},
           dispute_url(dispute))


def _check_due(due: date | None, dispute: Dispute) -> date:
    if due is None:
        raise ActionError(_("Choose the date of the visit."), field="due_on")
    today = timezone.localdate()
    if due < today:
        raise ActionError(_("A visit cannot be scheduled in the past."), field="due_on")
    if due > today + timedelta(days=MAX_AHEAD_DAYS):
        raise ActionError(_("A visit can be scheduled at most 400 days ahead."), field="due_on")
    agreement = agreement_in_hand(dispute)
    if agreement is None or agreement.signed_on is None:
        raise InvalidTransition(_("Follow-up visits are scheduled once the agreement is signed."))
    if due < agreement.signed_on:
        raise ActionError(_("A visit cannot be before the agreement was signed."), field="due_on")
    return due


@transaction.atomic
def do_schedule_follow_up(dispute: Dispute, *, due_on: date | str, acting_user: User) -> FollowUp:
    """Add a follow-up visit (e.g. a second one after the first)."""
    dispute = _lock(dispute)
    dispute_policy.require(acting_user, "schedule", dispute,
                           _("Only the dispute's mediators and the community's workers schedule follow-up visits."))
    due = _check_due(_as_date(due_on, "due_on"), dispute)
    if FollowUp.objects.filter(dispute=dispute, due_on=due, done_at__isnull=True).exists():
        raise ActionError(_("A visit is already scheduled on that date."), field="due_on")
    follow_up = FollowUp.objects.create(dispute=dispute, agreement=agreement_in_hand(dispute), due_on=due)
    log_event(acting_user, "disputes.follow_up.schedule", follow_up, area=dispute.community,
              after={"dispute": dispute.reference, "due_on": due.isoformat()})
    return follow_up


@transaction.atomic
def do_reschedule_follow_up(follow_up: FollowUp, *, due_on: date | str, acting_user: User) -> FollowUp:
    """Move a visit not yet made to another date (its due notice is sent again when the new date comes)."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    dispute = _lock(follow_up.dispute)
    dispute_policy.require(acting_user, "schedule", dispute,
                           _("Only the dispute's mediators and the community's workers schedule follow-up visits."))
    if follow_up.done_at is not None:
        raise InvalidTransition(_("This visit has been made; it cannot be moved."))
    due = _check_due(_as_date(due_on, "due_on"), dispute)
    old = follow_up.due_on
    follow_up.due_on, follow_up.notified_at = due, None
    follow_up.save(update_fields=["due_on", "notified_at"])
    log_event(acting_user, "disputes.follow_up.reschedule", follow_up, area=dispute.community,
              before={"due_on": old.isoformat()}, after={"dispute": dispute.reference, "due_on": due.isoformat()})
    return follow_up


@transaction.atomic
def do_record_follow_up(follow_up: FollowUp, *, visited_at: datetime | None = None, holds: bool | None,
                        note: str = "", acting_user: User) -> FollowUp:
    """Record the visit: when it was made, whether the agreement holds, what was found."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    dispute = _lock(follow_up.dispute)
    dispute_policy.require(acting_user, "mediate", dispute,
                           _("Only the dispute's mediators record a follow-up visit."))
    if follow_up.done_at is not None:
        raise InvalidTransition(_("This visit has already been recorded."))
    agreement = agreement_in_hand(dispute)
    if agreement is None or agreement.signed_on is None:
        raise InvalidTransition(_("A follow-up visit is recorded once the agreement is signed."))
    if holds is None:
        raise ActionError(_("Say whether the agreement holds."), field="holds")
    now = timezone.now()
    visited = visited_at or now
    if timezone.is_naive(visited):
        visited = timezone.make_aware(visited)
    if visited > now + timedelta(minutes=5):
        raise ActionError(_("The visit cannot be in the future."), field="visited_at")
    if timezone.localdate(visited) < agreement.signed_on:
        raise ActionError(_("The visit cannot be before the agreement was signed."), field="visited_at")
    note = _text(note, field="note", limit=MAX_NOTE,
                 required=None if holds else _("Say what no longer holds and why."),
                 too_long=_("The note is too long (at most 2000 characters)."))
    follow_up.done_at, follow_up.holds, follow_up.note, follow_up.done_by = visited, holds, note, acting_user
    follow_up.save(update_fields=["done_at", "holds", "note", "done_by"])
    log_event(acting_user, "disputes.follow_up.record", follow_up, area=dispute.community,
              after={"dispute": dispute.reference, "holds": holds, "visited_on": timezone.localdate(visited).isoformat()})
    if not holds:
        notify(_others(dispute, acting_user), "disputes.agreement_broken",
               _("The follow-up visit of dispute %(ref)s found that the agreement does not hold; mediation may be "
                 "reopened.") % {"ref": dispute.reference}, dispute_url(dispute))
    return follow_up


def broken(dispute: Dispute) -> bool:
    """Did the latest visit made of the agreement in hand find that it does not hold?"""
    agreement = agreement_in_hand(dispute)
    if agreement is None or agreement.signed_on is None:
        return False
    latest = (FollowUp.objects.filter(dispute=dispute, agreement=agreement, done_at__isnull=False)
              .order_by("-done_at", "-pk").values_list("holds", flat=True).first())
    return latest is False


@transaction.atomic
def do_reopen_mediation(dispute: Dispute, *, acting_user: User) -> Dispute:
    """The agreement does not hold: the dispute goes back into mediation (the signed agreement is kept as it was)."""
    dispute = _lock(dispute)
    dispute_policy.require(acting_user, "mediate", dispute, _("Only the dispute's mediators reopen mediation."))
    if dispute.status != Dispute.Status.AGREED:
        raise InvalidTransition(_("Only a dispute with an agreement reached can be taken back into mediation."))
    if not broken(dispute):
        raise InvalidTransition(_("Mediation is reopened when a follow-up visit found that the agreement does not "
                                  "hold."))
    dispute.status, dispute.resolved_at = Dispute.Status.IN_MEDIATION, None
    dispute.save(update_fields=["status", "resolved_at"])
    FollowUp.objects.filter(dispute=dispute, done_at__isnull=True).delete()  # visits of an agreement that failed
    log_event(acting_user, "disputes.mediation.reopen", dispute, area=dispute.community,
              before={"status": Dispute.Status.AGREED}, after={"status": dispute.status})
    notify(_others(dispute, acting_user), "disputes.mediation_reopened",
           _("Mediation of dispute %(ref)s was reopened: the agreement did not hold.") % {"ref": dispute.reference},
           dispute_url(dispute))
    return dispute


def notify_due_follow_ups(today: date | None = None) -> dict[str, int]:
    """The scheduled check: tell the assignees, once, of each visit that falls due today or earlier and is not made
    (each visit in its own transaction; a moved visit is told again when its new date comes)."""
    today = today or timezone.localdate()
    told = 0
    pending = (FollowUp.objects.filter(done_at__isnull=True, notified_at__isnull=True, due_on__lte=today)
               .exclude(dispute__status=Dispute.Status.CLOSED).values_list("pk", flat=True))
    for pk in list(pending):
        with transaction.atomic():
            follow_up = (FollowUp.objects.select_for_update().select_related("dispute")
                         .filter(Q(pk=pk), done_at__isnull=True, notified_at__isnull=True).first())
            if follow_up is None:
                continue
            dispute = follow_up.dispute
            notify(assignees(dispute), "disputes.follow_up_due",
                   _("The follow-up visit of dispute %(ref)s is due on %(due)s: visit the parties and record whether "
                     "the agreement holds.") % {"ref": dispute.reference, "due": follow_up.due_on.isoformat()},
                   dispute_url(dispute))
            follow_up.notified_at = timezone.now()
            follow_up.save(update_fields=["notified_at"])
            told += 1
    return {"notified": told}
