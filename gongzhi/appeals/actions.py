"""Every write of 接诉即办 and 吹哨报到: one function, one transaction, one timeline event, one audit row.

Transitions lock the case (`select_for_update`) and check its state first; from the wrong state they
raise `InvalidTransition` with a sentence saying why, and change nothing. When two people act on the
same case at once, the second waits for the first, then sees the new state and is refused.

Case lifecycle:
    pending_dispatch --dispatch--> dispatched --accept(lead)--> in_progress --reply--> replied
    replied --follow_up--> replied (recorded) --close--> closed
    replied/closed --reopen (once, when unsatisfied)--> in_progress
    dispatched/in_progress --return(lead)--> pending_dispatch        (at most Case.MAX_RETURNS times)
    dispatched/in_progress --reassign--> dispatched
    pending_dispatch --merge into another case--> merged
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Area, Unit, User
from gongzhi.core.permissions import covers, is_superuser, user_grants
from gongzhi.lib.validators import validate_phone

from . import deadlines, permissions
from .models import (
    Appeal,
    AppealPhoto,
    Assignment,
    AutoDispatchConfig,
    Case,
    CaseEvent,
    Category,
    EventPhoto,
    ExtensionRequest,
    FollowUp,
    Notification,
    RatesConfig,
    Reply,
    ReplyTemplate,
    RoutingRule,
    TimeLimitKind,
    TimeLimitPolicy,
    Urgency,
    Whistle,
    WhistleReport,
)
from .notifications import notify, send_sms
from .permissions import require

logger = logging.getLogger("gongzhi.appeals")

MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_BODY = 5000
PLACE_LEVELS = ("community", "estate", "grid", "building")

# ---------------------------------------------------------------------------------------------------
# helpers


def _lock(case: Case, expected_version: int | None = None) -> Case:
    locked = Case.objects.select_for_update(of=("self",)).select_related("area", "category", "lead_unit").get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise InvalidTransition(
            _("Someone else changed this case a moment ago. Reload the page to see its current state.")
        )
    return locked


def _record(
    case: Case, verb: str, actor: User | None, *, note: str = "", from_status: str = "", unit: Unit | None = None,
    audit: dict[str, Any] | None = None,
) -> CaseEvent:
    """Write the timeline event and the audit row of a transition (the case is already saved)."""
    now = timezone.now()
    previous = None if verb == "submit" else CaseEvent.objects.filter(case=case).order_by(
        "-created_at", "-id"
    ).values_list("created_at", flat=True).first()  # a case's first event has no step before it
    actor = actor if actor is not None and actor.is_authenticated else None
    event = CaseEvent.objects.create(
        case=case, verb=verb, actor=actor, unit=unit, note=note, from_status=from_status,
        to_status=case.status, created_at=now, duration=(now - previous) if previous else None,
    )
    log_event(
        actor, f"appeals.{verb}", case, area=case.area or case.supervising_area,
        before={"status": from_status} if from_status else None,
        after={"status": case.status, **(audit or {})},
    )
    return event


def _save(case: Case, fields: Iterable[str]) -> None:
    case.version += 1
    case.save(update_fields=[*fields, "version"])


def _require_text(value: str, message: str, field: str, max_length: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionError(message, field=field)
    if len(value) > max_length:
        raise ActionError(
            _("This text is too long: at most %(max)d characters.") % {"max": max_length}, field=field
        )
    return value


def _sniff_image(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def validate_photos(photos: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    """Check count, size and type (by the file's first bytes, not its name); return (file, content type)."""
    if len(photos) > MAX_PHOTOS:
        raise ActionError(_("You can attach at most %(max)d photos.") % {"max": MAX_PHOTOS}, field="photos")
    checked = []
    for photo in photos:
        if (photo.size or 0) > MAX_PHOTO_BYTES:
            raise ActionError(
                _("The photo %(name)s is larger than 5 MB.") % {"name": photo.name}, field="photos"
            )
        photo.seek(0)
        head = photo.read(16)
        photo.seek(0)
        content_type = _sniff_image(head)
        if content_type is None:
            raise ActionError(
                _("The file %(name)s is not a JPEG, PNG or WebP photo.") % {"name": photo.name}, field="photos"
            )
        checked.append((photo, content_type))
    return checked


_URL = re.compile(r"(https?://|www\.)", re.IGNORECASE)
_REPEAT = re.compile(r"(.)\1{14,}")


def check_spam(text: str) -> None:
    """Refuse obvious spam: many links, or one character repeated over and over."""
    if len(_URL.findall(text)) > 2:
        raise ActionError(_("Your message contains too many links. Please describe the problem in words."),
                          field="body")
    if _REPEAT.search(text):
        raise ActionError(_("Your message repeats the same character many times. Please describe the problem."),
                          field="body")


def _subdistrict_id_of(area: Area | None) -> int | None:
    """The subdistrict above (or at) `area`, read from its path: every tree is city/district/subdistrict/…"""
    ids = area.ancestor_ids() if area is not None else []
    return ids[2] if len(ids) >= 3 else None


def _subdistrict_of(area: Area | None) -> Area | None:
    if area is None:
        return None
    if area.level == Area.Level.SUBDISTRICT:
        return area
    return area.ancestor_of_level(Area.Level.SUBDISTRICT)


def _handler_unit(user: User | None, case: Case, *, lead_only: bool = False) -> Unit | None:
    """The unit through which `user` acts on `case` (their unit with an active assignment)."""
    qs = case.assignments.filter(status__in=Assignment.ACTIVE_STATUSES).select_related("unit")
    if lead_only:
        qs = qs.filter(role=Assignment.Role.LEAD)
    if user is None or is_superuser(user):
        first = qs.order_by("role").first()
        return first.unit if first else None
    units = permissions.handler_unit_ids(user)
    match = qs.filter(unit_id__in=units).order_by("role").first()
    return match.unit if match else None


def _notify_handlers(unit: Unit, verb: str, text: str, case: Case) -> None:
    notify(permissions.users_who_can("handle", unit), verb, text, url=f"/appeals/cases/{case.pk}/")


def _notify_dispatchers(case: Case, verb: str, text: str) -> None:
    notify(permissions.users_who_can("dispatch", case), verb, text, url=f"/appeals/cases/{case.pk}/")


# ---------------------------------------------------------------------------------------------------
# intake


def do_submit_appeal(
    *,
    acting_user: User | None,
    title: str,
    body: str,
    callback_phone: str,
    channel: str = Appeal.Channel.WEB,
    appeal_type: str = Appeal.Type.HELP,
    urgency: str = Urgency.NORMAL,
    callback_name: str = "",
    category: Category | None = None,
    area: Area | None = None,
    address: str = "",
    idempotency_key: str | None = None,
    photos: Sequence[UploadedFile] = (),
    source_ref: str = "",
    system: bool = False,
) -> Appeal:
    """Take in one appeal; it starts a case of its own waiting for dispatch.

    With an idempotency key, the same key from the same submitter returns the appeal created the
    first time (with `replayed` set) instead of a second one: the unique (submitter, key) index refuses
    the second INSERT, the attempt is rolled back whole, and the first appeal is handed back. So the
    common case, a new key, costs no extra query. `system=True` is for trusted callers (imports run by
    code).
    """
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    key = (idempotency_key or "").strip()[:100] or None
    if key is not None and user is None:
        key = None
    try:
        return _submit_appeal(
            user=user, title=title, body=body, callback_phone=callback_phone, channel=channel,
            appeal_type=appeal_type, urgency=urgency, callback_name=callback_name, category=category, area=area,
            address=address, key=key, photos=photos, source_ref=source_ref, system=system,
        )
    except IntegrityError:
        existing = Appeal.objects.filter(submitted_by=user, idempotency_key=key).first() if key else None
        if existing is None:
            raise
        existing.replayed = True
        return existing


@transaction.atomic
def _submit_appeal(
    *, user: User | None, title: str, body: str, callback_phone: str, channel: str, appeal_type: str,
    urgency: str, callback_name: str, category: Category | None, area: Area | None, address: str,
    key: str | None, photos: Sequence[UploadedFile], source_ref: str, system: bool,
) -> Appeal:
    if channel not in Appeal.Channel.values:
        raise ActionError(_("Please choose a valid channel."), field="channel")
    if appeal_type not in Appeal.Type.values:
        raise ActionError(_("Please choose a valid appeal type."), field="appeal_type")
    if urgency not in Urgency.values:
        raise ActionError(_("Please choose a valid urgency."), field="urgency")
    body = _require_text(body, _("Please describe your problem."), "body", MAX_BODY)
    title = (title or "").strip() or body[:30]
    if len(title) > 200:
        raise ActionError(_("The title is too long: at most 200 characters."), field="title")
    callback_phone = (callback_phone or "").strip()
    if not callback_phone:
        raise ActionError(_("Please enter a phone number we can call you back on."), field="callback_phone")
    try:
        validate_phone(callback_phone)
    except ActionError as exc:
        raise ActionError(exc.message, field="callback_phone") from exc
    address = (address or "").strip()
    if area is None and not address:
        raise ActionError(_("Please choose the place or enter an address."), field="area")
    if area is not None and area.level not in PLACE_LEVELS:
        raise ActionError(_("Please choose a community, estate, grid or building as the place."), field="area")
    if category is not None and not category.active:
        raise ActionError(_("This category is no longer in use."), field="category")
    check_spam(f"{title}\n{body}")
    checked_photos = validate_photos(photos)

    if not system:
        if channel == Appeal.Channel.HOTLINE and not permissions.can_take_hotline(user):
            raise PermissionDenied(_("Only dispatch staff can enter hotline appeals."))
        if channel == Appeal.Channel.GRID_PATROL:
            if not permissions.can_patrol(user):
                raise PermissionDenied(_("Only grid and community workers can file patrol reports."))
            if area is None or not covers(user, area, permissions.PATROL_ROLES):
                raise ActionError(_("Choose a place inside your own grid for a patrol report."), field="area")
        if channel == Appeal.Channel.IMPORT_12345 and not permissions.can_take_hotline(user):
            raise PermissionDenied(_("Only dispatch staff can import 12345 work orders."))
        if channel == Appeal.Channel.API and user is None:
            raise PermissionDenied(_("Please sign in to use the API."))

    resident = getattr(user, "resident", None) if user is not None else None
    subdistrict_id = _subdistrict_id_of(area)
    kind = deadlines.effective_kind(urgency, category.time_limit_kind if category else None)
    case = Case.objects.create(
        title=title, appeal_type=appeal_type, category=category, area=area, area_path=area.path if area else "",
        subdistrict_id=subdistrict_id, supervising_area_id=subdistrict_id, urgency=urgency, time_limit_kind=kind,
    )
    appeal = Appeal.objects.create(
        **_suggestion_fields(title, body),
        channel=channel, appeal_type=appeal_type, urgency=urgency, title=title, body=body,
        category=category, area=area, address=address, callback_name=(callback_name or "").strip()[:50],
        callback_phone=callback_phone, resident=resident, submitted_by=user, idempotency_key=key,
        source_ref=(source_ref or "").strip()[:50], case=case,
    )
    for photo, content_type in checked_photos:
        AppealPhoto.objects.create(appeal=appeal, file=photo, content_type=content_type, size=photo.size or 0)
    _record(case, "submit", user, note=appeal.get_channel_display(), audit={"tracking_code": appeal.tracking_code})
    _after_intake(appeal)
    return appeal


def _suggestion_fields(title: str, body: str) -> dict[str, Any]:
    """The classifier's category suggestion for a new appeal (stored with it); {} when there is none."""
    try:
        from gongzhi.intelligence.suggestions import suggestion_fields

        return suggestion_fields(title, body)
    except Exception as exc:  # noqa: BLE001 - intake must never fail because of routing intelligence
        logger.warning("category suggestion failed: %s", type(exc).__name__)
        return {}


def _after_intake(appeal: Appeal) -> None:
    """Category suggestion (stored on the appeal) and, when configured, auto-dispatch. Never fails intake."""
    try:
        from gongzhi.intelligence.suggestions import after_intake

        after_intake(appeal)
    except Exception as exc:  # noqa: BLE001 - intake must never fail because of routing intelligence
        logger.warning("routing intelligence failed for appeal %s: %s", appeal.pk, type(exc).__name__)


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
        if acting_user is not None and not permissions._covers_case(
            acting_user, Case(area_path=area.path), permissions.DISPATCH_ROLES
        ):
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
    if not auto and acting_user is not None:
        _record_suggestion_feedback(case, category, acting_user)
    return case


def _record_suggestion_feedback(case: Case, category: Category, acting_user: User) -> None:
    """A dispatcher's category against the classifier's top suggestion (confirmation or correction)."""
    try:
        from gongzhi.intelligence.suggestions import record_dispatch_feedback

        with transaction.atomic():
            record_dispatch_feedback(case, category, acting_user=acting_user)
    except Exception as exc:  # noqa: BLE001 - feedback is a by-product; dispatch must not fail for it
        logger.warning("suggestion feedback failed for case %s: %s", case.pk, type(exc).__name__)


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
    else:
        _save(case, [])
    _record(case, "return", acting_user, note=reason, from_status=from_status, unit=assignment.unit,
            audit={"unit": assignment.unit.name, "role": assignment.role})
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
    _record(case, "reassign", acting_user, note=reason or lead_unit.name, from_status=from_status,
            audit={"lead_unit": lead_unit.name, "assist_units": [u.name for u in assist_units]})
    for unit in [lead_unit, *assist_units]:
        _notify_handlers(unit, "appeals.dispatch", _("New case to accept: %(title)s") % {"title": case.title}, case)
    return case


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


@transaction.atomic
def do_add_progress_note(
    case: Case, *, acting_user: User | None, note: str, photos: Sequence[UploadedFile] = ()
) -> CaseEvent:
    """A progress note, with up to five photos, on a case being handled."""
    case = _lock(case)
    require(acting_user, "note", case)
    note = _require_text(note, _("Please write the progress note."), "note")
    checked = validate_photos(photos)
    if case.status not in (*Case.RUNNING_STATUSES, Case.Status.REPLIED):
        raise InvalidTransition(
            _("Progress cannot be recorded: the case is %(status)s.") % {"status": case.get_status_display()}
        )
    _save(case, [])
    event = _record(case, "progress", acting_user, note=note, unit=_handler_unit(acting_user, case))
    for photo, content_type in checked:
        EventPhoto.objects.create(event=event, file=photo, content_type=content_type, size=photo.size or 0)
    return event


@transaction.atomic
def do_reply_case(
    case: Case, *, acting_user: User | None, body: str = "", template: ReplyTemplate | None = None,
    expected_version: int | None = None,
) -> Reply:
    """办结答复: the lead unit answers; every appeal of the case shows this answer."""
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
    now = timezone.now()
    reply = Reply.objects.create(case=case, body=body, template=template, unit=unit, by=acting_user, created_at=now)
    case.assignments.filter(status=Assignment.Status.ACCEPTED).update(status=Assignment.Status.DONE, done_at=now)
    case.assignments.filter(status=Assignment.Status.PENDING).update(status=Assignment.Status.CANCELLED)
    from_status = case.status
    case.status, case.replied_at = Case.Status.REPLIED, now
    _save(case, ["status", "replied_at"])
    _record(case, "reply", acting_user, note=body, from_status=from_status, unit=unit)
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
    """回访: record whether the resident was reached, whether it is solved and how satisfied they are."""
    case = _lock(case)
    require(acting_user, "follow_up", case)
    if case.status != Case.Status.REPLIED:
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
                                        note=(note or "").strip(), by=acting_user, at=now)
    case.followed_up_at, case.contacted, case.solved, case.satisfaction = now, contacted, solved, satisfaction
    _save(case, ["followed_up_at", "contacted", "solved", "satisfaction"])
    _record(case, "follow_up", acting_user, note=note,
            audit={"contacted": contacted, "solved": solved, "satisfaction": satisfaction})
    return follow_up


@transaction.atomic
def do_reopen_case(case: Case, *, acting_user: User | None, note: str = "") -> Case:
    """重办: once, when the resident is unsatisfied; back to the lead unit with a new deadline."""
    case = _lock(case)
    require(acting_user, "follow_up", case)
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
    """办结: close an answered case; a case still waiting for dispatch may be closed with a note (e.g. answered on the phone)."""
    case = _lock(case)
    require(acting_user, "dispatch", case)
    if case.status == Case.Status.PENDING_DISPATCH:
        note = _require_text(note, _("Please say why this case is closed without dispatch."), "note")
    elif case.status != Case.Status.REPLIED:
        raise InvalidTransition(
            _("This case cannot be closed: it is %(status)s.") % {"status": case.get_status_display()}
        )
    from_status = case.status
    case.status, case.closed_at = Case.Status.CLOSED, timezone.now()
    _save(case, ["status", "closed_at"])
    _record(case, "close", acting_user, note=note, from_status=from_status)
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
                    % {"code": appeal.tracking_code}
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
    _record(target, "merge", acting_user, note=note or "、".join(a.tracking_code for a in moved),
            audit={"appeals": [a.tracking_code for a in moved]})
    return target


# ---------------------------------------------------------------------------------------------------
# whistle and report


def _whistler_area(user: User | None, area: Area) -> Area:
    """The community or subdistrict the whistler speaks for: their deepest grant area covering `area`."""
    if user is None or is_superuser(user):
        return area.ancestor_of_level(Area.Level.COMMUNITY) or area.ancestor_of_level(Area.Level.SUBDISTRICT) or area
    candidates = [g.area for g in user_grants(user)
                  if g.role in permissions.WHISTLE_ROLES and area.path.startswith(g.area.path)]
    return max(candidates, key=lambda a: len(a.path)) if candidates else area


@transaction.atomic
def do_whistle(
    *, acting_user: User | None, title: str, area: Area, units: Sequence[Unit], description: str = "",
    urgent: bool = False, case: Case | None = None,
) -> Whistle:
    """吹哨: a community or subdistrict summons departments, each to report within the deadline."""
    if case is not None:
        case = _lock(case)
        require(acting_user, "whistle", case)
        area = case.area or area
    if acting_user is not None and not permissions.can(acting_user, "whistle", area):
        raise PermissionDenied(_("Only community and subdistrict staff can whistle here."))
    title = _require_text(title, _("Please give the whistle a title."), "title", 200)
    if not units:
        raise ActionError(_("Please choose the departments to summon."), field="units")
    if acting_user is None:
        raise ActionError(_("A whistle must be blown by a person."))
    now = timezone.now()
    whistler_area = _whistler_area(acting_user, area)
    whistle = Whistle.objects.create(
        case=case, title=title, description=(description or "").strip(), area=area,
        whistler=acting_user, whistler_area=whistler_area, whistler_area_path=whistler_area.path,
        urgent=urgent, report_deadline=deadlines.whistle_report_deadline(now, urgent=urgent), created_at=now,
    )
    unique_units = list({u.pk: u for u in units}.values())
    WhistleReport.objects.bulk_create([WhistleReport(whistle=whistle, unit=u) for u in unique_units])
    log_event(acting_user, "appeals.whistle", whistle, area=area,
              after={"units": [u.name for u in unique_units], "urgent": urgent})
    if case is not None:
        _save(case, [])
        _record(case, "whistle", acting_user, note="、".join(u.name for u in unique_units))
    deadline = timezone.localtime(whistle.report_deadline).strftime("%Y-%m-%d %H:%M")
    for unit in unique_units:
        notify(permissions.users_who_can("handle", unit), "appeals.whistle",
               _("You are summoned to %(title)s; report by %(deadline)s.") % {"title": title, "deadline": deadline},
               url=f"/appeals/whistles/{whistle.pk}/")
    return whistle


def _lock_report(report: WhistleReport) -> tuple[Whistle, WhistleReport]:
    whistle = Whistle.objects.select_for_update().get(pk=report.whistle_id)
    report = WhistleReport.objects.select_for_update(of=("self",)).select_related("unit").get(pk=report.pk)
    return whistle, report


@transaction.atomic
def do_report_whistle(report: WhistleReport, *, acting_user: User | None) -> WhistleReport:
    """报到: the department reports in; the time is recorded."""
    whistle, report = _lock_report(report)
    require(acting_user, "report", report)
    if whistle.status != Whistle.Status.OPEN:
        raise InvalidTransition(_("This whistle is closed."))
    if report.reported_at is not None:
        raise InvalidTransition(_("Your department has already reported to this whistle."))
    report.reported_at, report.reported_by = timezone.now(), acting_user
    report.save(update_fields=["reported_at", "reported_by"])
    log_event(acting_user, "appeals.whistle_report", report, area=whistle.area,
              after={"unit": report.unit.name, "late": report.reported_at > whistle.report_deadline})
    return report


@transaction.atomic
def do_complete_whistle_report(report: WhistleReport, *, acting_user: User | None, action_taken: str) -> WhistleReport:
    """The department records what it did; when every department is done the whistle closes."""
    whistle, report = _lock_report(report)
    require(acting_user, "report", report)
    action_taken = _require_text(action_taken, _("Please record what your department did."), "action_taken")
    if whistle.status != Whistle.Status.OPEN:
        raise InvalidTransition(_("This whistle is closed."))
    if report.reported_at is None:
        raise InvalidTransition(_("Please report in (报到) before recording what was done."))
    if report.done_at is not None:
        raise InvalidTransition(_("Your department has already finished this whistle."))
    now = timezone.now()
    report.action_taken, report.done_at = action_taken, now
    report.save(update_fields=["action_taken", "done_at"])
    log_event(acting_user, "appeals.whistle_done", report, area=whistle.area, after={"unit": report.unit.name})
    if not whistle.reports.filter(done_at__isnull=True).exists():
        whistle.status, whistle.closed_at = Whistle.Status.CLOSED, now
        whistle.save(update_fields=["status", "closed_at"])
        log_event(acting_user, "appeals.whistle_close", whistle, area=whistle.area)
    notify(permissions.users_who_can("whistle", whistle), "appeals.whistle_done",
           _("%(unit)s has finished on %(title)s.") % {"unit": report.unit.name, "title": whistle.title},
           url=f"/appeals/whistles/{whistle.pk}/")
    return report


@transaction.atomic
def do_rate_whistle_report(
    report: WhistleReport, *, acting_user: User | None, rating: str, note: str = ""
) -> WhistleReport:
    """The whistler rates a department that has finished: 优秀 / 合格 / 不合格."""
    whistle, report = _lock_report(report)
    if acting_user is not None and not permissions.can(acting_user, "rate", whistle):
        raise PermissionDenied(_("Only the whistler can rate the departments."))
    if rating not in WhistleReport.Rating.values:
        raise ActionError(_("Please choose a rating."), field="rating")
    if report.done_at is None:
        raise InvalidTransition(_("A department can only be rated after it has finished."))
    if report.rating:
        raise InvalidTransition(_("This department has already been rated for this whistle."))
    report.rating, report.rating_note, report.rated_by, report.rated_at = rating, (note or "")[:500], acting_user, \
        timezone.now()
    report.save(update_fields=["rating", "rating_note", "rated_by", "rated_at"])
    log_event(acting_user, "appeals.whistle_rate", report, area=whistle.area,
              after={"unit": report.unit.name, "rating": rating})
    return report


# ---------------------------------------------------------------------------------------------------
# configuration (city and district admins)


def _require_citywide(user: User | None) -> None:
    """Categories, time limits, weights and auto-dispatch hold for the whole city: the city decides."""
    if user is not None and not permissions.can_configure_citywide(user):
        raise PermissionDenied(_("Only city administrators can change city-wide settings."))


def _require_configure(user: User | None) -> None:
    if user is not None and not permissions.can_configure(user):
        raise PermissionDenied(_("Only city or district administrators can change this."))


def _categories_changed() -> None:
    """Intake reads the categories through a per-process cache: forget it here and after the commit."""
    from gongzhi.intelligence.suggestions import active_categories_by_name

    active_categories_by_name.clear()
    transaction.on_commit(active_categories_by_name.clear)


@transaction.atomic
def do_create_category(
    *, acting_user: User | None, name: str, parent: Category | None = None, code: str = "",
    time_limit_kind: str = TimeLimitKind.ORDINARY,
) -> Category:
    _require_citywide(acting_user)
    name = _require_text(name, _("Please enter the category's name."), "name", 50)
    level = (parent.level + 1) if parent is not None else 1
    if level > 3:
        raise ActionError(_("Categories have at most three levels."), field="parent")
    if time_limit_kind not in TimeLimitKind.values:
        raise ActionError(_("Please choose a valid time limit."), field="time_limit_kind")
    if Category.objects.filter(parent=parent, name=name).exists():
        raise ActionError(_("A category named %(name)s already exists here.") % {"name": name}, field="name")
    category = Category.objects.create(name=name, parent=parent, level=level, code=code,
                                       time_limit_kind=time_limit_kind)
    log_event(acting_user, "appeals.category.create", category, after={"name": name, "level": level})
    _categories_changed()
    return category


@transaction.atomic
def do_update_category(category: Category, *, acting_user: User | None, **changes: Any) -> Category:
    _require_citywide(acting_user)
    category = Category.objects.select_for_update().get(pk=category.pk)
    allowed = {"name", "code", "time_limit_kind", "active", "sort_order"}
    unknown = set(changes) - allowed
    if unknown:
        raise ActionError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if "name" in changes:
        changes["name"] = _require_text(changes["name"], _("Please enter the category's name."), "name", 50)
        if Category.objects.filter(parent=category.parent, name=changes["name"]).exclude(pk=category.pk).exists():
            raise ActionError(_("A category named %(name)s already exists here.") % {"name": changes["name"]},
                              field="name")
    if "time_limit_kind" in changes and changes["time_limit_kind"] not in TimeLimitKind.values:
        raise ActionError(_("Please choose a valid time limit."), field="time_limit_kind")
    before = {k: getattr(category, k) for k in changes}
    for key, value in changes.items():
        setattr(category, key, value)
    category.save(update_fields=list(changes))
    log_event(acting_user, "appeals.category.update", category, before=before, after=dict(changes))
    _categories_changed()
    return category


@transaction.atomic
def do_update_time_limit(
    policy: TimeLimitPolicy, *, acting_user: User | None, accept_minutes: int, response_hours: int, handle_hours: int
) -> TimeLimitPolicy:
    _require_citywide(acting_user)
    if min(accept_minutes, response_hours, handle_hours) <= 0:
        raise ActionError(_("Time limits must be positive."))
    policy = TimeLimitPolicy.objects.select_for_update().get(pk=policy.pk)
    before = {"accept_minutes": policy.accept_minutes, "response_hours": policy.response_hours,
              "handle_hours": policy.handle_hours}
    policy.accept_minutes, policy.response_hours, policy.handle_hours = accept_minutes, response_hours, handle_hours
    policy.save(update_fields=["accept_minutes", "response_hours", "handle_hours"])
    log_event(acting_user, "appeals.time_limit.update", policy, before=before,
              after={"accept_minutes": accept_minutes, "response_hours": response_hours, "handle_hours": handle_hours})
    return policy


@transaction.atomic
def do_update_rates_config(
    *, acting_user: User | None, response_weight: float, resolution_weight: float, satisfaction_weight: float
) -> RatesConfig:
    _require_citywide(acting_user)
    weights = [response_weight, resolution_weight, satisfaction_weight]
    if any(w < 0 for w in weights) or abs(sum(weights) - 1) > 0.001:
        raise ActionError(_("The three weights must be non-negative and add up to 1."))
    config = RatesConfig.objects.select_for_update().first() or RatesConfig()
    config.response_weight, config.resolution_weight, config.satisfaction_weight = weights  # type: ignore[assignment]
    config.save()
    log_event(acting_user, "appeals.rates_config.update", config, after={"weights": weights})
    return config


@transaction.atomic
def do_configure_auto_dispatch(*, acting_user: User | None, threshold: float | None) -> AutoDispatchConfig:
    """Set the confidence above which new appeals are dispatched without a person; None turns it off."""
    _require_citywide(acting_user)
    if threshold is not None and not 0 <= threshold <= 1:
        raise ActionError(_("The threshold must be between 0 and 1, or empty to turn auto-dispatch off."),
                          field="threshold")
    config = AutoDispatchConfig.objects.select_for_update().order_by("pk").first() or AutoDispatchConfig()
    before = {"threshold": config.threshold}
    config.threshold = threshold
    config.updated_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    config.save()
    from gongzhi.intelligence.suggestions import auto_dispatch_threshold

    auto_dispatch_threshold.clear()
    transaction.on_commit(auto_dispatch_threshold.clear)
    log_event(acting_user, "appeals.auto_dispatch_config.update", config, before=before,
              after={"threshold": threshold})
    return config


@transaction.atomic
def do_create_routing_rule(
    *, acting_user: User | None, lead_unit: Unit, category: Category | None = None, area: Area | None = None,
    assist_units: Sequence[Unit] = (),
) -> RoutingRule:
    _require_configure(acting_user)
    if acting_user is not None and area is not None and not is_superuser(acting_user) and not covers(
        acting_user, area, permissions.CONFIG_ROLES
    ):
        raise PermissionDenied(_("You can only add routing rules within your own area."))
    if area is None and acting_user is not None and not is_superuser(acting_user) and not covers_config_area(
        acting_user, None
    ):
        raise PermissionDenied(_("Only a city administrator can add a rule for the whole city."))
    if RoutingRule.objects.filter(category=category, area=area).exists():
        raise ActionError(_("A rule for this category and area already exists; delete it first."), field="category")
    rule = RoutingRule.objects.create(category=category, area=area, lead_unit=lead_unit)
    rule.assist_units.set(list(assist_units))
    log_event(acting_user, "appeals.routing_rule.create", rule, area=area,
              after={"category": str(category or ""), "lead_unit": lead_unit.name})
    return rule


def due_window(case: Case) -> timedelta | None:
    if case.dispatched_at is None or case.due_at is None:
        return None
    return case.due_at - case.dispatched_at


# ---------------------------------------------------------------------------------------------------
# configuration: routing rule removal and the category tree import (pages in views/config.py)


def covers_config_area(user: User | None, area: Area | None) -> bool:
    """May this admin configure things attached to `area`? A rule without an area is city-wide."""
    if user is None or is_superuser(user):
        return True
    if area is None:
        return permissions.has_citywide_config_grant(user)
    return covers(user, area, permissions.CONFIG_ROLES)


@transaction.atomic
def do_delete_routing_rule(rule: RoutingRule, *, acting_user: User | None) -> None:
    _require_configure(acting_user)
    rule = RoutingRule.objects.select_for_update(of=("self",)).select_related("category", "area", "lead_unit").get(
        pk=rule.pk
    )
    if not covers_config_area(acting_user, rule.area):
        raise PermissionDenied(_("You can only remove routing rules within your own area."))
    before = {"category": str(rule.category or ""), "area": str(rule.area or ""), "lead_unit": rule.lead_unit.name,
              "assist_units": [u.name for u in rule.assist_units.all()]}
    area = rule.area
    log_event(acting_user, "appeals.routing_rule.delete", rule, area=area, before=before)
    rule.delete()


def _next_sort_order(parent: Category | None) -> int:
    last = Category.objects.filter(parent=parent).order_by("-sort_order").values_list("sort_order", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def do_import_categories(
    rows: Sequence[tuple[tuple[str, str, str], str | None]], *, acting_user: User | None, source_name: str = ""
) -> dict[str, int]:
    """Create the missing nodes of each (一级, 二级, 三级) path; reuse (and reactivate) existing ones.

    A row's time-limit kind (None = keep) is set on its leaf. All rows or none; one audit event.
    """
    _require_citywide(acting_user)
    if not rows:
        raise ActionError(_("The file has no rows to import."), field="file")
    nodes: dict[tuple[int | None, str], Category] = {}
    created: list[str] = []
    updated: list[str] = []
    reactivated: list[str] = []
    reused: set[int] = set()
    first_top: Category | None = None
    for raw_names, kind in rows:
        names = [(n or "").strip() for n in raw_names]
        if len(names) != 3 or not all(names) or any(len(n) > 50 for n in names):
            raise ActionError(_("Each row needs a first-, second- and third-level category name."), field="file")
        if kind is not None and kind not in TimeLimitKind.values:
            raise ActionError(_("Please choose a valid time limit."), field="time_limit_kind")
        parent: Category | None = None
        for level, name in enumerate(names, start=1):
            key = (parent.pk if parent is not None else None, name)
            node = nodes.get(key)
            leaf_kind = kind if level == 3 else None
            if node is None:
                node = Category.objects.select_for_update().filter(parent=parent, name=name).order_by("id").first()
                if node is None:
                    sort_order = _next_sort_order(parent)
                    node = Category.objects.create(
                        name=name, parent=parent, level=level, sort_order=sort_order,
                        code=f"{parent.code if parent is not None else ''}{sort_order:02d}"[:30],
                        time_limit_kind=leaf_kind or TimeLimitKind.ORDINARY,
                    )
                    created.append(node.full_name())
                else:
                    reused.add(node.pk)
                    changed: list[str] = []
                    if not node.active:
                        node.active = True
                        changed.append("active")
                        reactivated.append(node.full_name())
                    if leaf_kind and node.time_limit_kind != leaf_kind:
                        node.time_limit_kind = leaf_kind
                        changed.append("time_limit_kind")
                        updated.append(node.full_name())
                    if changed:
                        node.save(update_fields=changed)
                nodes[key] = node
            if first_top is None:
                first_top = node
            parent = node
    assert first_top is not None
    summary = {"rows": len(rows), "created": len(created), "reused": len(reused), "updated": len(updated),
               "reactivated": len(reactivated)}
    _categories_changed()
    log_event(acting_user, "appeals.category.import", first_top,
              after={"file": source_name[:200], **summary, "created_names": created[:500],
                     "updated_names": updated[:500], "reactivated_names": reactivated[:500]})
    return summary


# ---------------------------------------------------------------------------------------------------
# reading personal data and notifications


@transaction.atomic
def do_reveal_callback_phone(appeal: Appeal, *, acting_user: User) -> str:
    """One appeal's callback phone in full, for those who call back (dispatch, handle, follow up); audited."""
    case = appeal.case
    if case is None or not any(
        permissions.can(acting_user, action, case) for action in ("dispatch", "handle", "follow_up")
    ):
        raise PermissionDenied(_("You do not have permission to do this here."))
    log_event(acting_user, "appeals.phone.reveal", appeal, area=case.area,
              after={"tracking_code": appeal.tracking_code})
    return appeal.callback_phone


def do_mark_notifications_read(user: User, *, notification_ids: Sequence[int] | None = None) -> int:
    """Mark the user's own unread notifications (all, or the given ones) read; returns how many."""
    qs = permissions.visible_to(user, Notification).filter(read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
