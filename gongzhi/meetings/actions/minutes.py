"""Writes to the minutes (会议纪要) of a meeting.

- `do_start_minutes`: version 1, a draft (refused when the meeting has minutes already).
- `do_edit_minutes`: a draft's summary and the discussion of each agenda item.
- `do_sign_off_minutes`: freezes the version (`snapshot`, see gongzhi.meetings.minutes); it never changes again.
- `do_correct_minutes`: a new draft version from the latest signed-off one, saying what it corrects.
- `do_remind_unsigned_minutes(now)`: a meeting that ended `REMIND_AFTER_DAYS` days ago without signed-off minutes
  reminds its organizer once (`Minutes.reminded_at`; a meeting without minutes gets an empty draft to carry it).

Only staff who manage the meeting write (MinutesPolicy "edit").
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import User
from gongzhi.core.notifications import notify

from .. import minutes as read
from .. import permissions
from ..models import Meeting, Minutes

MAX_TEXT = 10000
REMIND_AFTER_DAYS = 3
REMIND_LOOKBACK_DAYS = 60
CLOSED = (Meeting.Status.SKIPPED, Meeting.Status.CANCELLED)


def minutes_url(minutes: Minutes) -> str:
    return reverse("meetings:minutes", args=[minutes.meeting_id]) + f"#minutes-v{minutes.version}"


def _lock(minutes: Minutes) -> Minutes:
    return Minutes.objects.select_for_update(of=("self",)).select_related("meeting__area").get(pk=minutes.pk)


def _text(value: Any, field: str) -> str:
    text = str(value or "").strip()
    if len(text) > MAX_TEXT:
        raise ActionError(_("The text is too long (at most 10000 characters)."), field=field)
    return text


def _refuse_signed(minutes: Minutes) -> None:
    if minutes.status == Minutes.Status.SIGNED_OFF:
        raise InvalidTransition(_("Signed-off minutes never change; make a correction (a new version) instead."))


@transaction.atomic
def do_start_minutes(meeting: Meeting, *, acting_user: User) -> Minutes:
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("area").get(pk=meeting.pk)
    permissions.meeting_policy.require(acting_user, "manage", meeting,
                                       _("Only the meeting's organizers write its minutes."))
    if meeting.status in CLOSED:
        raise InvalidTransition(_("This meeting was skipped or cancelled: it has no minutes."))
    if Minutes.objects.filter(meeting=meeting).exists():
        raise InvalidTransition(_("This meeting's minutes are started already."))
    now = timezone.now()
    body = {"summary": "", "items": {str(a.pk): a.discussion for a in meeting.agenda_items.all() if a.discussion}}
    minutes = Minutes.objects.create(meeting=meeting, version=1, body=body, created_at=now, updated_at=now)
    log_event(acting_user, "meetings.start_minutes", minutes, area=meeting.area, after={"version": 1})
    return minutes


@transaction.atomic
def do_edit_minutes(minutes: Minutes, *, acting_user: User, summary: Any = None,
                    discussions: dict[Any, Any] | None = None) -> Minutes:
    """The summary, and the discussion of agenda items (by agenda item id; items of other meetings refused)."""
    minutes = _lock(minutes)
    permissions.minutes_policy.require(acting_user, "edit", minutes,
                                       _("Only the meeting's organizers write its minutes."))
    _refuse_signed(minutes)
    body = dict(minutes.body) if isinstance(minutes.body, dict) else {}
    before = {"summary": str(body.get("summary", ""))[:200]}
    if summary is not None:
        body["summary"] = _text(summary, "summary")
    if discussions:
        ids = {str(pk) for pk in minutes.meeting.agenda_items.values_list("pk", flat=True)}
        items = dict(body.get("items") or {})
        for key, text in discussions.items():
            if str(key) not in ids:
                raise ActionError(_("This agenda item is not on this meeting's agenda."), field="discussions")
            items[str(key)] = _text(text, "discussions")
        body["items"] = items
    minutes.body = body
    minutes.updated_at = timezone.now()
    minutes.save(update_fields=["body", "updated_at"])
    log_event(acting_user, "meetings.edit_minutes", minutes, area=minutes.meeting.area, before=before,
              after={"summary": str(body.get("summary", ""))[:200],
                     "items": sorted(str(k) for k in (discussions or {}))})
    return minutes


@transaction.atomic
def do_sign_off_minutes(minutes: Minutes, *, acting_user: User) -> Minutes:
    minutes = _lock(minutes)
    permissions.minutes_policy.require(acting_user, "edit", minutes,
                                       _("Only the meeting's organizers sign off its minutes."))
    _refuse_signed(minutes)
    meeting = minutes.meeting
    if meeting.starts_at > timezone.now():
        raise InvalidTransition(_("The meeting has not taken place yet: its minutes cannot be signed off."))
    now = timezone.now()
    snapshot = read.build_content(minutes)
    snapshot["signed_off_by"] = str(acting_user)
    snapshot["signed_off_at"] = now.isoformat()
    minutes.snapshot = snapshot
    minutes.status = Minutes.Status.SIGNED_OFF
    minutes.signed_off_by = acting_user
    minutes.signed_off_at = now
    minutes.updated_at = now
    minutes.save(update_fields=["snapshot", "status", "signed_off_by", "signed_off_at", "updated_at"])
    log_event(acting_user, "meetings.sign_off_minutes", minutes, area=meeting.area,
              after={"version": minutes.version, "resolutions": len(snapshot["resolutions"])})
    return minutes


@transaction.atomic
def do_correct_minutes(minutes: Minutes, *, acting_user: User, note: Any) -> Minutes:
    """A new draft version from a signed-off one (the latest), with what it corrects; the signed one stays."""
    minutes = _lock(minutes)
    permissions.minutes_policy.require(acting_user, "edit", minutes,
                                       _("Only the meeting's organizers correct its minutes."))
    if minutes.status != Minutes.Status.SIGNED_OFF:
        raise InvalidTransition(_("Only signed-off minutes are corrected; a draft is edited directly."))
    meeting = Meeting.objects.select_for_update().get(pk=minutes.meeting_id)
    if Minutes.objects.filter(meeting=meeting, status=Minutes.Status.DRAFT).exists():
        raise InvalidTransition(_("A correction is being written already; edit it and sign it off."))
    latest = Minutes.objects.filter(meeting=meeting).aggregate(v=Max("version"))["v"] or 0
    if minutes.version != latest:
        raise InvalidTransition(_("Correct the latest version of the minutes."))
    text = str(note or "").strip()
    if not text:
        raise ActionError(_("Please say what this correction corrects."), field="note")
    if len(text) > 300:
        raise ActionError(_("Say what it corrects in at most 300 characters."), field="note")
    now = timezone.now()
    snapshot = minutes.snapshot or {}
    body = dict(minutes.body) if isinstance(minutes.body, dict) else {}
    body["summary"] = snapshot.get("summary", body.get("summary", ""))
    body["items"] = {str(i["id"]): i.get("discussion", "") for i in snapshot.get("items", [])} or body.get("items", {})
    new = Minutes.objects.create(meeting=meeting, version=latest + 1, body=body, correction_note=text,
                                 created_at=now, updated_at=now)
    log_event(acting_user, "meetings.correct_minutes", new, area=minutes.meeting.area,
              after={"version": new.version, "corrects": minutes.version, "note": text})
    return new


def do_remind_unsigned_minutes(now: datetime | None = None, limit: int = 200) -> int:
    """Remind each organizer once of a meeting that ended `REMIND_AFTER_DAYS` ago without signed-off minutes."""
    now = now or timezone.now()
    due = (Meeting.objects.filter(ends_at__lte=now - timedelta(days=REMIND_AFTER_DAYS),
                                  ends_at__gte=now - timedelta(days=REMIND_LOOKBACK_DAYS),
                                  organizer__isnull=False)
           .exclude(status__in=CLOSED)
           .exclude(minutes__status=Minutes.Status.SIGNED_OFF)
           .exclude(minutes__reminded_at__isnull=False)
           .order_by("ends_at", "pk").values_list("pk", flat=True)[:limit])
    return sum(_remind_one(pk, now) for pk in list(due))


def remind_minutes_of(meeting: Meeting, now: datetime | None = None) -> int:
    """Remind the organizer of this meeting's unsigned minutes now (once; the demo and `do_remind_unsigned_minutes`)."""
    return _remind_one(meeting.pk, now or timezone.now()) if meeting.organizer_id else 0


@transaction.atomic
def _remind_one(pk: int, now: datetime) -> int:
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("area", "organizer").get(pk=pk)
    rows = Minutes.objects.filter(meeting=meeting)
    if rows.filter(status=Minutes.Status.SIGNED_OFF).exists() or rows.filter(reminded_at__isnull=False).exists():
        return 0
    draft = read.current_draft(meeting)
    if draft is None:
        draft = Minutes.objects.create(meeting=meeting, version=1, body={"summary": "", "items": {}},
                                       created_at=now, updated_at=now)
    draft.reminded_at = now
    draft.save(update_fields=["reminded_at"])
    notify([meeting.organizer], "meetings.remind_minutes",
           _("The minutes of %(meeting)s are not signed off yet, %(days)d days after the meeting.") % {
               "meeting": meeting.title, "days": REMIND_AFTER_DAYS}, minutes_url(draft))
    log_event(None, "meetings.remind_minutes", draft, area=meeting.area, after={"version": draft.version})
    return 1
