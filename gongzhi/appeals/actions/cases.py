"""Dispatch and handling: every transition of a case, and the writes on its appeals."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Area, Unit, User
from gongzhi.core.notifications import notify, send_sms
from gongzhi.core.registry import CASE_CLOSED, CASE_DISPATCHED, registry

from .. import deadlines, permissions
from ..models import (
    Appeal,
    Assignment,
    Case,
    CaseEvent,
    Category,
    EventPhoto,
    ExtensionRequest,
    FollowUp,
    Reply,
    ReplyTemplate,
    SubdistrictOffice,
    Urgency,
)
from ..permissions import require
from ..replies import prepare_reply
from ._common import (
    MAX_BODY,
    PLACE_LEVELS,
    _handler_unit,
    _lock,
    _notify_dispatchers,
    _notify_handlers,
    _record,
    _require_text,
    _save,
    _subdistrict_of,
    validate_photos,
)

logger = logging.getLogger("gongzhi.appeals")


# ---------------------------------------------------------------------------------------------------
# dispatch and handling


def _make_assignments(case: Case, lead: Unit, assists: Sequence[Unit], actor: User | None) -> None:
    now = timezone.now()
    Assignment.objects.create(case=case, unit=lead, role=Assignment.Role.LEAD, assigned_by=actor, created_at=now)
    for unit in {u.pk: u for u in assists if u.pk != lead.pk}.values():
        Assignment.objects.create(case=case, unit=unit, role=Assignment.Role.ASSIST, assigned_by=actor,
                                  created_at=now)


@transaction.atomic
def do_dispatch_case(
    case: Case,
    *,
    acting_user: User | None,
    lead_unit: Unit,
    assist_units: Sequence[Unit] = (),
    category: Category | None = None,
    area: Area | None = None,
    urgency: str | None = None,
    note: str = "",
    auto: bool = False,
    expected_version: int | None = None,
) -> Case:
    """派单: give the case to a lead unit (and assisting units); the clock starts now."""
    case = _lock(case, expected_version)
    require(acting_user, "dispatch", case)
    if case.status != Case.Status.PENDING_DISPATCH:
        raise InvalidTransition(
            _("This case cannot be dispatched: it is %(status)s.") % {"status": case.get_status_display()}
        )
    category = category or case.category
    if category is None:
        raise ActionError(_("Please choose a category before dispatching."), field="category")
    if urgency is not None:
        if urgency not in Urgency.values:
            raise ActionError(_("Please choose a valid urgency."), field="urgency")
        case.urgency = urgency
    if area is not None and area.pk != case.area_id:
        if area.level not in PLACE_LEVELS:
            raise ActionError(_("Please choose a community, estate, grid or building as the place."), field="area")
        if acting_user is not None and not permissions.can(acting_user, "dispatch", area):
            raise ActionError(_("You can only move a case to a place within your own area."), field="area")
        case.area, case.area_path = area, area.path
        case.subdistrict = case.supervising_area = _subdistrict_of(area)
    from_status = case.status
    now = timezone.now()
    case.category = category
    case.time_limit_kind = deadlines.effective_kind(case.urgency, category.time_limit_kind)
    limits = deadlines.limits_for(case.time_limit_kind)
    computed = deadlines.compute_deadlines(now, limits)
    case.accept_deadline = computed.accept_deadline
    if case.due_at is None:
        # First dispatch fixes the deadline; a re-dispatch after a return keeps it.
        case.dispatched_at, case.due_at, case.remind_at = now, computed.due_at, computed.remind_at
    case.lead_unit = lead_unit
    case.auto_dispatched = auto
    case.status = Case.Status.DISPATCHED
    _save(case, ["category", "urgency", "area", "area_path", "subdistrict", "supervising_area", "time_limit_kind",
                 "accept_deadline", "dispatched_at", "due_at", "remind_at", "lead_unit", "auto_dispatched",
                 "status"])
    case.appeals.filter(category__isnull=True).update(category=category)
    _make_assignments(case, lead_unit, assist_units, acting_user)
    names = "、".join([lead_unit.name, *[u.name for u in assist_units if u.pk != lead_unit.pk]])
    _record(case, "dispatch", acting_user, note=note or names, from_status=from_status,
            audit={"lead_unit": lead_unit.name, "assist_units": [u.name for u in assist_units]})
    for unit in [lead_unit, *assist_units]:
        _notify_handlers(unit, "appeals.dispatch",
                         _("New case to accept: %(title)s") % {"title": case.title}, case)
    registry.send_on_commit(CASE_DISPATCHED, case=case, acting_user=acting_user, category_id=category.pk, auto=auto)
    return case


@transaction.atomic
def do_accept_assignment(assignment: Assignment, *, acting_user: User | None) -> Assignment:
    """签收: the unit takes the case on; the lead unit's acceptance starts handling."""
    case = _lock(assignment.case)
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("unit").get(pk=assignment.pk)
    require(acting_user, "handle", assignment)
    if assignment.status != Assignment.Status.PENDING:
        raise InvalidTransition(_("This case has already been accepted or returned."))
    if case.status not in Case.RUNNING_STATUSES:
        raise InvalidTransition(
            _("This case cannot be accepted: it is %(status)s.") % {"status": case.get_status_display()}
        )
    now = timezone.now()
    assignment.status, assignment.accepted_at, assignment.accepted_by = Assignment.Status.ACCEPTED, now, acting_user
    assignment.save(update_fields=["status", "accepted_at", "accepted_by"])
    from_status = case.status
    if assignment.role == Assignment.Role.LEAD and case.status == Case.Status.DISPATCHED:
        case.status = Case.Status.IN_PROGRESS
    _save(case, ["status"])
    _record(case, "accept", acting_user, from_status=from_status, unit=assignment.unit,
            audit={"unit": assignment.unit.name, "role": assignment.role})
    return assignment


@transaction.atomic
def do_return_assignment(assignment: Assignment, *, acting_user: User | None, reason: str) -> Assignment:
    """退单: the unit sends the case back with a reason; a lead unit's return puts it back to the dispatcher."""
    case = _lock(assignment.case)
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("unit").get(pk=assignment.pk)
    require(acting_user, "handle", assignment)
    reason = _require_text(reason, _("Please give the reason for returning this case."), "reason", 500)
    if assignment.status not in Assignment.ACTIVE_STATUSES or case.status not in Case.RUNNING_STATUSES:
        raise InvalidTransition(_("This case can no longer be returned: it has been returned or answered already."))
    is_lead = assignment.role == Assignment.Role.LEAD
    if is_lead and case.return_count >= Case.MAX_RETURNS:
        raise InvalidTransition(
            _("This case has already been returned %(count)d times; ask the dispatcher to reassign it instead.")
            % {"count": case.return_count}
        )
    now = timezone.now()
    assignment.status, assignment.returned_at, assignment.returned_reason = Assignment.Status.RETURNED, now, reason
    assignment.save(update_fields=["status", "returned_at", "returned_reason"])
    from_status = case.status
    if is_lead:
        case.assignments.filter(status__in=Assignment.ACTIVE_STATUSES).update(status=Assignment.Status.CANCELLED)
        case.status = Case.Status.PENDING_DISPATCH
        case.lead_unit = None
        case.return_count += 1
        _save(case, ["status", "lead_unit", "return_count"])
        lapsed = _lapse_extensions(case, _("The case was returned before a decision."))
    else:
        _save(case, [])
        lapsed = 0
    _record(case, "return", acting_user, note=reason, from_status=from_status, unit=assignment.unit,
            audit={"unit": assignment.unit.name, "role": assignment.role, **_lapsed_audit(lapsed)})
    _notify_dispatchers(case, "appeals.return",
                        _("%(unit)s returned the case %(title)s.") % {"unit": assignment.unit.name, "title": case.title})
    return assignment


@transaction.atomic
def do_reassign_case(
    case: Case, *, acting_user: User | None, lead_unit: Unit, assist_units: Sequence[Unit] = (), reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """改派: the dispatcher withdraws the case from its units and gives it to others. The deadline stays."""
    case = _lock(case, expected_version)
    require(acting_user, "dispatch", case)
    if case.status not in Case.RUNNING_STATUSES:
        raise InvalidTransition(
            _("This case cannot be reassigned: it is %(status)s.") % {"status": case.get_status_display()}
        )
    from_status = case.status
    case.assignments.filter(status__in=Assignment.ACTIVE_STATUSES).update(status=Assignment.Status.CANCELLED)
    limits = deadlines.limits_for(case.time_limit_kind)
    case.accept_deadline = timezone.now() + limits.accept
    case.accept_reminder_sent_at = None
    case.lead_unit = lead_unit
    case.status = Case.Status.DISPATCHED
    _save(case, ["accept_deadline", "accept_reminder_sent_at", "lead_unit", "status"])
    _make_assignments(case, lead_unit, assist_units, acting_user)
    lapsed = _lapse_extensions(case, _("The case was reassigned before a decision."))
    _record(case, "reassign", acting_user, note=reason or lead_unit.name, from_status=from_status,
            audit={"lead_unit": lead_unit.name, "assist_units": [u.name for u in assist_units],
                   **_lapsed_audit(lapsed)})
    for unit in [lead_unit, *assist_units]:
        _notify_handlers(unit, "appeals.dispatch", _("New case to accept: %(title)s") % {"title": case.title}, case)
    return case


def _lapse_extensions(case: Case, note: str) -> int:
    """A request still waiting when the case leaves the requesting unit's hands (answered, returned by the lead,
    reassigned) lapses: no one has to decide it, and closing the case later leaves nothing pending behind.
    Part of the caller's transaction and event (its audit row counts them)."""
    return case.extensions.filter(status=ExtensionRequest.Status.PENDING).update(
        status=ExtensionRequest.Status.LAPSED, decided_at=timezone.now(), decision_note=note[:500]
    )


def _lapsed_audit(count: int) -> dict[str, int]:
    return {"lapsed_extensions": count} if count else {}


@transaction.atomic
def do_request_extension(case: Case, *, acting_user: User | None, new_due_at: datetime, reason: str) -> ExtensionRequest:
    """延期申请: the lead unit asks for a later deadline; the dispatcher decides."""
    case = _lock(case)
    require(acting_user, "handle", case)
    reason = _require_text(reason, _("Please give the reason for the extension."), "reason")
    if case.status not in Case.RUNNING_STATUSES:
        raise InvalidTransition(
            _("An extension cannot be requested: the case is %(status)s.") % {"status": case.get_status_display()}
        )
    if timezone.is_naive(new_due_at):
        raise ActionError(_("Please give the new deadline with a time zone."), field="new_due_at")
    if case.due_at is not None and new_due_at <= case.due_at:
        raise ActionError(_("The new deadline must be later than the current one."), field="new_due_at")
    latest = max(case.due_at or timezone.now(), timezone.now()) + deadlines.MAX_EXTENSION
    if new_due_at > latest:
        raise ActionError(_("The new deadline may be at most %(days)d days after the current one.")
                          % {"days": deadlines.MAX_EXTENSION.days}, field="new_due_at")
    if case.extensions.filter(status=ExtensionRequest.Status.PENDING).exists():
        raise InvalidTransition(_("An extension request for this case is already waiting for a decision."))
    if acting_user is None:
        raise ActionError(_("An extension must be requested by a person."))
    unit = _handler_unit(acting_user, case)
    request = ExtensionRequest.objects.create(
        case=case, requested_by=acting_user, unit=unit, old_due_at=case.due_at, new_due_at=new_due_at, reason=reason
    )
    _save(case, [])
    _record(case, "request_extension", acting_user, note=reason, unit=unit,
            audit={"new_due_at": new_due_at.isoformat()})
    _notify_dispatchers(case, "appeals.extension", _("Extension requested for %(title)s.") % {"title": case.title})
    return request


@transaction.atomic
def do_decide_extension(
    extension: ExtensionRequest, *, acting_user: User | None, approve: bool, note: str = ""
) -> ExtensionRequest:
    """Approve or reject an extension; only an approval moves the deadline."""
    case = _lock(extension.case)
    extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    require(acting_user, "dispatch", case)
    if extension.status != ExtensionRequest.Status.PENDING:
        raise InvalidTransition(_("This extension request has already been decided."))
    if approve and case.status not in Case.RUNNING_STATUSES:
        raise InvalidTransition(
            _("The extension cannot be approved: the case is %(status)s.") % {"status": case.get_status_display()}
        )
    now = timezone.now()
    extension.status = ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REJECTED
    extension.decided_by, extension.decided_at, extension.decision_note = acting_user, now, (note or "")[:500]
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        start = case.dispatched_at or now
        case.due_at = extension.new_due_at
        case.remind_at = deadlines.remind_at(start, extension.new_due_at)
        case.reminder_sent_at = None
        case.escalated_at = None
        _save(case, ["due_at", "remind_at", "reminder_sent_at", "escalated_at"])
    else:
        _save(case, [])
    _record(case, "approve_extension" if approve else "reject_extension", acting_user, note=note,
            audit={"new_due_at": extension.new_due_at.isoformat()})
    if extension.requested_by_id:
        notify([extension.requested_by],
               "appeals.extension_decided",
               (_("Your extension for %(title)s was approved.") if approve
                else _("Your extension for %(title)s was rejected.")) % {"title": case.title},
               url=f"/appeals/cases/{case.pk}/")
    return extension


@transaction.atomic
def do_supervise_case(case: Case, *, acting_user: User | None, note: str) -> Case:
    """督办: the dispatcher or a supervisor presses the units with a note."""
    case = _lock(case)
    require(acting_user, "supervise", case)
    note = _require_text(note, _("Please write the supervision note."), "note")
    if case.status not in (*Case.RUNNING_STATUSES, Case.Status.REPLIED):
        raise InvalidTransition(
            _("This case cannot be supervised: it is %(status)s.") % {"status": case.get_status_display()}
        )
    _save(case, [])
    _record(case, "supervise", acting_user, note=note)
    if case.lead_unit is not None:
        _notify_handlers(case.lead_unit, "appeals.supervise",
                         _("Supervision note on %(title)s: %(note)s") % {"title": case.title, "note": note}, case)
    return case


def do_add_progress_note(
    case: Case, *, acting_user: User | None, note: str, photos: Sequence[Any] = ()
) -> CaseEvent:
    """A progress note, with up to five photos (re-encoded before the transaction opens), on a case being
    handled."""
    require(acting_user, "note", case)  # checked again under the lock; refuse before decoding anything
    return _add_progress_note(case, acting_user=acting_user, note=note, photos=validate_photos(photos))


@transaction.atomic
def _add_progress_note(
    case: Case, *, acting_user: User | None, note: str, photos: list[tuple[Any, str]]
) -> CaseEvent:
    case = _lock(case)
    require(acting_user, "note", case)
    note = _require_text(note, _("Please write the progress note."), "note")
    if case.status not in (*Case.RUNNING_STATUSES, Case.Status.REPLIED):
        raise InvalidTransition(
            _("Progress cannot be recorded: the case is %(status)s.") % {"status": case.get_status_display()}
        )
    _save(case, [])
    event = _record(case, "progress", acting_user, note=note, unit=_handler_unit(acting_user, case))
    for photo, content_type in photos:
        EventPhoto.objects.create(event=event, file=photo, content_type=content_type, size=photo.size or 0)
    return event


@transaction.atomic
def do_reply_case(
    case: Case, *, acting_user: User | None, body: str = "", template: ReplyTemplate | None = None,
    expected_version: int | None = None,
) -> Reply:
    """办结答复: the lead unit answers; every appeal of the case shows this answer. Placeholders the platform knows
    are filled from the case (`replies.prepare_reply`); an answer still holding one is refused, naming it."""
    case = _lock(case, expected_version)
    require(acting_user, "handle", case)
    if not (body or "").strip() and template is not None:
        body = template.body
    body = _require_text(body, _("Please write the answer to the resident."), "body", MAX_BODY)
    if case.status != Case.Status.IN_PROGRESS:
        raise InvalidTransition(
            _("This case cannot be answered: it is %(status)s.") % {"status": case.get_status_display()}
        )
    unit = _handler_unit(acting_user, case, lead_only=True)
    if unit is None:
        raise PermissionDenied(_("Only the lead unit can answer this case."))
    prepared = prepare_reply(body, case, unit=unit)
    if prepared.missing:
        raise ActionError(
            _("The answer still contains %(placeholders)s. Replace each with what the resident should read, "
              "then send it.") % {"placeholders": "、".join(prepared.missing)},
            field="body",
        )
    body = _require_text(prepared.body, _("Please write the answer to the resident."), "body", MAX_BODY)
    now = timezone.now()
    reply = Reply.objects.create(case=case, body=body, template=template, unit=unit, by=acting_user, created_at=now)
    case.assignments.filter(status=Assignment.Status.ACCEPTED).update(status=Assignment.Status.DONE, done_at=now)
    case.assignments.filter(status=Assignment.Status.PENDING).update(status=Assignment.Status.CANCELLED)
    from_status = case.status
    case.status, case.replied_at = Case.Status.REPLIED, now
    _save(case, ["status", "replied_at"])
    lapsed = _lapse_extensions(case, _("The case was answered before a decision."))
    _record(case, "reply", acting_user, note=body, from_status=from_status, unit=unit, audit=_lapsed_audit(lapsed))
    for appeal in case.appeals.all():
        send_sms(appeal.callback_phone,
                 _("Your appeal %(code)s has been answered. Look it up with the code and your phone number.")
                 % {"code": appeal.tracking_code})
    _notify_dispatchers(case, "appeals.reply", _("%(title)s has been answered and waits for follow-up.")
                        % {"title": case.title})
    return reply


@transaction.atomic
def do_follow_up_case(
    case: Case, *, acting_user: User | None, contacted: bool, solved: bool = False, satisfaction: str = "",
    note: str = "",
) -> FollowUp:
    """回访 by a follow-up caller (or the system): whether the resident was reached, whether it is solved and how
    satisfied they are. The policy lets only callers who take no part in the case record it; the resident's own
    rating goes through `actions.ratings.do_rate_appeal`."""
    case = _lock(case)
    require(acting_user, "follow_up", case)
    return record_follow_up(case, by=acting_user, source=FollowUp.Source.CALLER, contacted=contacted, solved=solved,
                            satisfaction=satisfaction, note=note)


def record_follow_up(
    case: Case, *, by: User | None, source: str, contacted: bool, solved: bool = False, satisfaction: str = "",
    note: str = "",
) -> FollowUp:
    """Write a follow-up on a locked case whose rater has been checked: the FollowUp row, the columns the three
    rates read, the timeline event and the audit row. An answered case, or a closed one whose resident was
    never reached (closed without dispatch, or before the follow-up), may be followed up."""
    if not case.awaits_follow_up:
        raise InvalidTransition(
            _("This case cannot be followed up: it is %(status)s.") % {"status": case.get_status_display()}
        )
    if contacted:
        if satisfaction not in Case.Satisfaction.values:
            raise ActionError(_("Please record how satisfied the resident is."), field="satisfaction")
    else:
        solved, satisfaction = False, ""
    now = timezone.now()
    follow_up = FollowUp.objects.create(case=case, contacted=contacted, solved=solved, satisfaction=satisfaction,
                                        note=(note or "").strip(), by=by, at=now, source=source)
    case.followed_up_at, case.contacted, case.solved, case.satisfaction = now, contacted, solved, satisfaction
    _save(case, ["followed_up_at", "contacted", "solved", "satisfaction"])
    _record(case, "follow_up", by, note=note,
            audit={"contacted": contacted, "solved": solved, "satisfaction": satisfaction, "source": source})
    if contacted:
        after_follow_up(case, by=by, source=source)
    return follow_up


# satisfaction → the rules it may have (the first is the default: settings.APPEALS_AFTER_RATING).
AFTER_RATING_CHOICES: dict[str, tuple[str, ...]] = {
    "satisfied": ("close", "wait"),
    "basically_satisfied": ("close", "wait"),
    "unsatisfied": ("offer_reopen", "close", "wait"),
}


def after_rating_rule(satisfaction: str) -> str:
    """The configured rule (settings.APPEALS_AFTER_RATING) for a follow-up with this satisfaction."""
    choices = AFTER_RATING_CHOICES.get(satisfaction, ("wait",))
    rule = getattr(settings, "APPEALS_AFTER_RATING", {}).get(satisfaction, choices[0])
    if rule not in choices:
        raise ImproperlyConfigured(f"APPEALS_AFTER_RATING: {satisfaction}={rule}, expected one of {', '.join(choices)}")
    return str(rule)


def after_follow_up(case: Case, *, by: User | None, source: str) -> None:
    """A follow-up that reached the resident is the end of the loop: the case moves on by the configured rule
    (`after_rating_rule`): closed (answered cases; a case closed before the follow-up stays closed), offered to the
    dispatchers for reopening when the resident is unsatisfied (closed instead when it was reopened before), or
    left for a dispatcher to close. Part of the follow-up's transaction; the closing is its own timeline event and
    audit row, and sends the case_closed hook."""
    rule = after_rating_rule(case.satisfaction)
    if rule == "offer_reopen":
        if case.may_be_reopened:
            _notify_dispatchers(case, "appeals.unsatisfied",
                                _("The resident is unsatisfied with the answer to %(title)s: reopen it or close it.")
                                % {"title": case.title})
            return
        rule = "close"  # reopened once already: nothing more to offer
    if rule != "close" or case.status != Case.Status.REPLIED:
        return
    _close(case, by, note=str(_("Closed after the follow-up, by the rule for this rating.")),
           audit={"rule": "after_follow_up", "satisfaction": case.satisfaction, "source": source})


@transaction.atomic
def do_reopen_case(case: Case, *, acting_user: User | None, note: str = "") -> Case:
    """重办: once, when the resident is unsatisfied; back to the lead unit with a new deadline. The dispatchers
    decide it (the follow-up is the resident's word, the reopening is where the work goes)."""
    case = _lock(case)
    require(acting_user, "dispatch", case)
    if case.status not in (Case.Status.REPLIED, Case.Status.CLOSED):
        raise InvalidTransition(
            _("This case cannot be reopened: it is %(status)s.") % {"status": case.get_status_display()}
        )
    if case.reopen_count >= Case.MAX_REOPENS:
        raise InvalidTransition(_("This case has already been reopened once and cannot be reopened again."))
    if case.satisfaction != Case.Satisfaction.UNSATISFIED:
        raise InvalidTransition(_("A case can only be reopened after a follow-up in which the resident was unsatisfied."))
    lead = case.assignments.filter(role=Assignment.Role.LEAD, status=Assignment.Status.DONE).order_by("-id").first()
    if lead is None:
        raise InvalidTransition(_("This case has no lead unit to reopen it with."))
    now = timezone.now()
    lead.status, lead.done_at = Assignment.Status.ACCEPTED, None
    lead.save(update_fields=["status", "done_at"])
    computed = deadlines.compute_deadlines(now, deadlines.limits_for(case.time_limit_kind))
    from_status = case.status
    case.status = Case.Status.IN_PROGRESS
    case.reopen_count += 1
    case.due_at, case.remind_at = computed.due_at, computed.remind_at
    case.reminder_sent_at = case.escalated_at = case.replied_at = case.closed_at = None
    case.followed_up_at, case.contacted, case.solved, case.satisfaction = None, None, None, ""
    _save(case, ["status", "reopen_count", "due_at", "remind_at", "reminder_sent_at", "escalated_at", "replied_at",
                 "closed_at", "followed_up_at", "contacted", "solved", "satisfaction"])
    _record(case, "reopen", acting_user, note=note, from_status=from_status, audit={"due_at": case.due_at.isoformat()})
    _notify_handlers(lead.unit, "appeals.reopen", _("The case %(title)s has been reopened.") % {"title": case.title},
                     case)
    return case


@transaction.atomic
def do_close_case(case: Case, *, acting_user: User | None, note: str = "") -> Case:
    """办结: close an answered case; a case still waiting for dispatch may be closed with a note (e.g. answered on
    the phone). Either way the resident is still followed up (`Case.awaits_follow_up`): a case closed without
    dispatch counts as answered by its subdistrict's office, and counts in that office's three rates."""
    case = _lock(case)
    require(acting_user, "dispatch", case)
    fields = ["status", "closed_at"]
    now = timezone.now()
    if case.status == Case.Status.PENDING_DISPATCH:
        note = _require_text(note, _("Please say why this case is closed without dispatch."), "note")
        office = SubdistrictOffice.objects.filter(subdistrict_id=case.subdistrict_id).select_related("unit").first()
        if office is not None:
            case.lead_unit = office.unit
            fields.append("lead_unit")
        case.replied_at = now
        fields.append("replied_at")
    elif case.status != Case.Status.REPLIED:
        raise InvalidTransition(
            _("This case cannot be closed: it is %(status)s.") % {"status": case.get_status_display()}
        )
    return _close(case, acting_user, note=note, fields=fields, at=now)


def _close(case: Case, actor: User | None, *, note: str, fields: Sequence[str] = ("status", "closed_at"),
           at: datetime | None = None, audit: dict[str, Any] | None = None) -> Case:
    """Close a locked case whose state has been checked: the columns, the event and audit row, the hook."""
    from_status = case.status
    case.status, case.closed_at = Case.Status.CLOSED, at or timezone.now()
    _save(case, fields)
    _record(case, "close", actor, note=note, from_status=from_status, audit=audit)
    registry.send_on_commit(CASE_CLOSED, case=case, acting_user=actor)
    return case


@transaction.atomic
def do_merge_appeals(case: Case, *, appeals: Sequence[Appeal], acting_user: User | None, note: str = "") -> Case:
    """Merge duplicate appeals into `case`. Each appeal keeps its tracking code and gets the case's answer.

    Only appeals whose case still waits for dispatch can be moved; a case left without appeals becomes
    "merged" and points to the case it went into.
    """
    if not appeals:
        raise ActionError(_("Please choose the appeals to merge."), field="appeals")
    source_ids = sorted({a.case_id for a in appeals if a.case_id} | {case.pk})
    locked = {c.pk: c for c in Case.objects.select_for_update(of=("self",)).select_related("area").filter(pk__in=source_ids)
              .order_by("pk")}
    target = locked[case.pk]
    require(acting_user, "dispatch", target)
    if target.status not in Case.OPEN_STATUSES:
        raise InvalidTransition(
            _("Appeals cannot be merged into this case: it is %(status)s.") % {"status": target.get_status_display()}
        )
    moved = []
    for appeal in Appeal.objects.filter(pk__in=[a.pk for a in appeals]).select_related("case"):
        if appeal.case_id == target.pk:
            continue
        source = locked.get(appeal.case_id) if appeal.case_id else None
        if source is not None:
            require(acting_user, "dispatch", source)
            if source.status != Case.Status.PENDING_DISPATCH:
                raise InvalidTransition(
                    _("The appeal %(code)s is already being handled in another case and cannot be merged.")
                    % {"code": appeal.masked_code}
                )
        appeal.case = target
        appeal.save(update_fields=["case"])
        moved.append(appeal)
    if not moved:
        raise ActionError(_("These appeals are already in this case."), field="appeals")
    now = timezone.now()
    for source in locked.values():
        if source.pk == target.pk or source.appeals.exists():
            continue
        from_status = source.status
        source.status, source.merged_into, source.closed_at = Case.Status.MERGED, target, now
        _save(source, ["status", "merged_into", "closed_at"])
        _record(source, "merged", acting_user, note=str(target), from_status=from_status,
                audit={"merged_into": target.pk})
    _save(target, [])
    # Staff see tracking codes masked: the timeline and the audit row name the appeals by id and masked code.
    _record(target, "merge", acting_user, note=note or "、".join(a.masked_code for a in moved),
            audit={"appeals": [a.pk for a in moved]})
    return target

# ---------------------------------------------------------------------------------------------------
# reading personal data


@transaction.atomic
def do_reveal_appeal_contact(appeal: Appeal, *, acting_user: User) -> dict[str, str]:
    """One appeal's callback phone and address in full, as far as `permissions.contact_fields` allows the user
    (the one rule for personal data, `gongzhi.core.pii`); every reveal is audited, naming the fields only."""
    case = appeal.case
    fields = permissions.contact_fields(acting_user, case) if case is not None else ()
    if not fields:
        raise PermissionDenied(_("You do not have permission to do this here."))
    log_event(acting_user, "appeals.phone.reveal", appeal, area=case.area if case else None,
              after={"appeal": appeal.pk, "fields": list(fields)})
    values = {"phone": appeal.callback_phone, "address": appeal.address}
    return {field: values[field] for field in fields}


def do_reveal_callback_phone(appeal: Appeal, *, acting_user: User) -> str:
    """One appeal's callback phone in full (see `do_reveal_appeal_contact`); audited."""
    case = appeal.case
    if case is None or "phone" not in permissions.contact_fields(acting_user, case):
        raise PermissionDenied(_("You do not have permission to do this here."))
    return do_reveal_appeal_contact(appeal, acting_user=acting_user)["phone"]
