"""Read side of the minutes (会议纪要): what a version says.

A draft says what the meeting's records say now (title, time, place, host, recorder, attendance, agenda items,
resolutions) with the version's own text (`body`: a summary and the discussion of each agenda item). Signing off
freezes all of it into `snapshot`; a signed-off version is always shown, and downloaded, from its snapshot, so later
changes to the records never change it. A correction is a new version (`correction_note`: what it corrects).

The snapshot:

    {"title", "kind", "starts_at", "ends_at", "time", "place", "host", "recorder", "community",
     "summary", "attendees": [name], "absentees": [{"name", "reason"}],
     "items": [{"id", "title", "reason", "discussion"}],
     "resolutions": [{"id", "item_id", "task", "approach", "units": [name], "due_on", "status"}],
     "version", "correction_note", "signed_off_by", "signed_off_at"}
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Invitation, Meeting, Minutes, Resolution


def _time(meeting: Meeting) -> str:
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"


def discussion_of(body: dict[str, Any], item_id: int, default: str = "") -> str:
    items = body.get("items") if isinstance(body, dict) else None
    if isinstance(items, dict) and str(item_id) in items:
        return str(items[str(item_id)])
    return default


def build_content(minutes: Minutes) -> dict[str, Any]:
    """What the version says from the meeting's records now and its own text (a draft's view; the snapshot a
    sign-off freezes)."""
    meeting = minutes.meeting
    body = minutes.body if isinstance(minutes.body, dict) else {}
    invitations = list(Invitation.objects.filter(meeting=meeting).select_related("unit").order_by("role", "name",
                                                                                                  "pk"))
    attendees = [i.name for i in invitations if i.attendance == Invitation.Attendance.PRESENT]
    absentees = [{"name": i.name, "reason": i.absence_reason or (
        _("did not sign in") if i.attendance == Invitation.Attendance.INVITED else "")}
        for i in invitations if i.attendance != Invitation.Attendance.PRESENT]
    items = [{"id": a.pk, "title": a.title, "reason": a.reason,
              "discussion": discussion_of(body, a.pk, a.discussion)}
             for a in meeting.agenda_items.order_by("order", "pk")]
    resolutions = [{"id": r.pk, "item_id": r.agenda_item_id, "task": r.task, "approach": r.approach,
                    "units": [u.name for u in r.units.all()], "due_on": f"{r.due_on:%Y-%m-%d}",
                    "status": r.get_status_display()}
                   for r in Resolution.objects.filter(meeting=meeting).exclude(status=Resolution.Status.CANCELLED)
                   .prefetch_related("units").order_by("agenda_item__order", "pk")]
    return {
        "title": meeting.title, "kind": meeting.get_kind_display(), "community": meeting.area.name,
        "starts_at": meeting.starts_at.isoformat(), "ends_at": meeting.ends_at.isoformat(), "time": _time(meeting),
        "place": meeting.place, "host": meeting.host_name, "recorder": meeting.recorder_name,
        "summary": str(body.get("summary", "")), "attendees": attendees, "absentees": absentees, "items": items,
        "resolutions": resolutions, "version": minutes.version, "correction_note": minutes.correction_note,
        "signed_off_by": "", "signed_off_at": "",
    }


def content_of(minutes: Minutes) -> dict[str, Any]:
    """What the version says: its snapshot once signed off, else the records as they are now."""
    if minutes.status == Minutes.Status.SIGNED_OFF and minutes.snapshot:
        return minutes.snapshot
    return build_content(minutes)


def versions(meeting: Meeting) -> list[Minutes]:
    """Every version, newest first."""
    return list(Minutes.objects.filter(meeting=meeting).select_related("signed_off_by").order_by("-version"))


def current_draft(meeting: Meeting) -> Minutes | None:
    return Minutes.objects.filter(meeting=meeting, status=Minutes.Status.DRAFT).order_by("-version").first()


def signed_off_label(minutes: Minutes) -> str:
    if minutes.signed_off_at is None:
        return ""
    return _("signed off by %(name)s on %(date)s") % {
        "name": minutes.signed_off_by.display_name if minutes.signed_off_by else "—",
        "date": f"{timezone.localtime(minutes.signed_off_at):%Y-%m-%d %H:%M}"}
