"""The agenda and resolutions sections of a meeting's page (`gongzhi.meetings.sections`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from . import permissions
from .models import Meeting, Resolution
from .sections import Section, section


@section("agenda", order=20)
def agenda_section(request: Any, meeting: Meeting) -> Section | None:
    items = list(meeting.agenda_items.order_by("order", "id"))
    return Section("meetings/_section_agenda.html", {
        "agenda_items": items, "can_manage_agenda": permissions.can(request.user, "manage", meeting),
    })


@section("resolutions", order=30)
def resolutions_section(request: Any, meeting: Meeting) -> Section | None:
    resolutions = list(permissions.visible_to(request.user, Resolution).filter(meeting=meeting)
                       .select_related("agenda_item").prefetch_related("units").order_by("agenda_item__order", "id"))
    can_manage = permissions.can(request.user, "manage", meeting)
    if not resolutions and not can_manage:
        return None
    return Section("meetings/_section_resolutions.html", {
        "meeting_resolutions": resolutions, "can_add_resolution": can_manage and meeting.status in (
            Meeting.Status.SCHEDULED, Meeting.Status.HELD), "today": timezone.localdate(),
    })
