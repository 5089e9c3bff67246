"""iCalendar (.ics) of meetings, with the `icalendar` package: one meeting's download, and a user's personal feed
(the meetings they are invited to). Times in Asia/Shanghai with its VTIMEZONE; the meeting's page as URL."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Meeting

TZ = ZoneInfo("Asia/Shanghai")
PRODID = "-//Gongzhi//Joint meetings//ZH"


def _description(meeting: Meeting, url: str) -> str:
    lines = [str(meeting.get_kind_display()), _("Host community: %(name)s") % {"name": meeting.area.name}]
    if meeting.host_name:
        lines.append(_("Host: %(name)s") % {"name": meeting.host_name})
    if meeting.link:
        lines.append(_("Online link: %(link)s") % {"link": meeting.link})
    if meeting.status_reason:
        lines.append(_("Note: %(reason)s") % {"reason": meeting.status_reason})
    lines.append(url)
    return "\n".join(lines)


def meeting_event(meeting: Meeting, url: str) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@gongzhi")
    event.add("summary", meeting.title)
    event.add("dtstart", meeting.starts_at.astimezone(TZ))
    event.add("dtend", meeting.ends_at.astimezone(TZ))
    event.add("dtstamp", timezone.now())
    event.add("last-modified", meeting.updated_at)
    if meeting.place:
        event.add("location", meeting.place)
    event.add("url", url)
    event.add("description", _description(meeting, url))
    if meeting.status in (Meeting.Status.SKIPPED, Meeting.Status.CANCELLED):
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    return event


def calendar_bytes(meetings: Iterable[Meeting], url_for: Callable[[Meeting], str], name: str = "") -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if name:
        cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, url_for(meeting)))
    cal.add_missing_timezones()
    return cal.to_ical()
