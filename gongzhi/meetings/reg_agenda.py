"""What the agenda part registers (called from gongzhi.meetings.registration): the meeting page's agenda and
resolutions sections, audit verbs, the nav entry 会议决议, home tasks, the reminders' scheduled check and the demo
step."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from gongzhi.core.navigation import NavEntry
    from gongzhi.core.registry import registry

    from . import scheduled_resolutions, sections_agenda  # noqa: F401  (register the sections and the check)
    from .demo_agenda import build_demo_agenda

    registry.verbs({
        "meetings.propose_agenda": _("Proposed a meeting's agenda"),
        "meetings.add_agenda_item": _("Added an agenda item"),
        "meetings.edit_agenda_item": _("Edited an agenda item"),
        "meetings.remove_agenda_item": _("Removed an agenda item"),
        "meetings.reorder_agenda": _("Reordered a meeting's agenda"),
        "meetings.record_discussion": _("Recorded the discussion of an agenda item"),
        "meetings.raise_item": _("Raised an item for a meeting"),
        "meetings.decline_raised_item": _("Declined a raised item"),
        "meetings.add_resolution": _("Recorded a resolution"),
        "meetings.post_resolution_update": _("Posted a resolution's progress"),
        "meetings.complete_resolution": _("Marked a resolution done"),
        "meetings.cancel_resolution": _("Cancelled a resolution"),
        "meetings.remind_resolution": _("Reminded of a resolution's deadline"),
        "meetings.remind_resolution_overdue": _("Reminded of an overdue resolution"),
    })
    registry.nav(NavEntry("meeting_resolutions", _("Meeting resolutions"), "meetings:resolutions",
                          can_see_resolutions, priority=60), before="audit")
    registry.task("meetings.agenda", agenda_tasks, order=52)
    registry.demo_builder("meetings.agenda", build_demo_agenda, order=51)


def can_see_resolutions(user: Any) -> bool:
    """The nav entry 会议决议: area staff and member units' liaisons."""
    from .permissions import resolution_policy

    return resolution_policy.can_somewhere(user, "browse")


def agenda_tasks(user: Any) -> list[Any]:
    """A liaison: its units' open resolutions and those overdue; community workers (who organize the meetings): the
    items raised and waiting. One or two bounded queries each."""
    from django.urls import reverse

    from gongzhi.core.models import Role
    from gongzhi.core.paging import capped_count
    from gongzhi.core.policy import has_role, is_active_user
    from gongzhi.core.registry import Task

    from . import permissions
    from .models import RaisedItem
    from .views.resolutions import resolution_list_qs

    if not is_active_user(user):
        return []
    tasks: list[Task] = []

    def counted(qs: Any, key: str, label: Any, url: str, one: str, kind: str = "") -> Task:
        first = list(qs.values_list("pk", flat=True)[:2])
        count = len(first) if len(first) < 2 else capped_count(qs)
        return Task(key, label, count, reverse(one, args=[first[0]]) if count == 1 and one else url,
                    kind if count else "")

    if permissions.liaison_unit_ids(user):
        base = reverse("meetings:resolutions")
        tasks.append(counted(resolution_list_qs(user, status="open", mine=True), "meetings.my_resolutions",
                             _("Resolutions my unit is responsible for"), f"{base}?mine=1&status=open",
                             "meetings:resolution"))
        tasks.append(counted(resolution_list_qs(user, overdue=True, mine=True), "meetings.my_overdue_resolutions",
                             _("My unit's resolutions overdue"), f"{base}?mine=1&overdue=on", "meetings:resolution",
                             "overdue"))
    if has_role(user, {Role.COMMUNITY_WORKER}):  # the community organizes its meetings
        raised = permissions.visible_to(user, RaisedItem).filter(status=RaisedItem.Status.NEW)
        tasks.append(counted(raised, "meetings.raised_waiting", _("Items raised for meetings, waiting"),
                             reverse("meetings:raised"), ""))
    return tasks
