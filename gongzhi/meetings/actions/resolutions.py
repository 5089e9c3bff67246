"""Writes to resolutions (决议): decided at a meeting (how it is solved, the task, the responsible units, the
deadline, what it concerns), tracked with progress updates by the responsible units, completed with evidence or
cancelled with a reason; and the worker's reminders (3 days before the deadline, once when overdue).

Statuses: open → in_progress (first update) → done (with evidence); cancelled from open or in progress.
Each function is one transaction that locks the resolution, checks the state and the policy, writes and audits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appeals import queries as appeals_queries
from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Area, Role, Unit, User
from gongzhi.core.notifications import notify
from gongzhi.lists import project_queries
from gongzhi.lists import queries as lists_queries
from gongzhi.lists.actions import do_create_demand
from gongzhi.lists.actions.projects import do_create_project, validate_photos

from .. import agenda, permissions
from ..models import AgendaItem, Meeting, Resolution, ResolutionUpdate

MAX_UNITS = 10
MAX_TEXT = 5000
REMIND_DAYS = 3
OPEN = (Resolution.Status.OPEN, Resolution.Status.IN_PROGRESS)
CREATE_CHOICES = ("", "demand", "project")


def _text(value: Any, field: str, limit: int, message: str | None = None) -> str:
    text = str(value or "").strip()
    if message is not None and not text:
        raise ActionError(message, field=field)
    if len(text) > limit:
        raise ActionError(_("Too long: at most %(max)d characters.") % {"max": limit}, field=field)
    return text


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError as exc:
        raise ActionError(_("Please enter the deadline as a date, e.g. 2026-12-31."), field="due_on") from exc


def resolution_url(resolution: Resolution) -> str:
    return reverse("meetings:resolution", args=[resolution.pk])


def unit_liaisons(units: Sequence[Unit]) -> list[User]:
    if not units:
        return []
    return list(User.objects.filter(is_active=True, grants__role=Role.UNIT_LIAISON,
                                    grants__unit__in=list(units)).distinct())


def _linked(user: Any, case_id: Any, demand_id: Any, project_id: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"case": None, "demand": None, "project": None}
    if case_id:
        try:
            found["case"] = appeals_queries.get_case_for_user(user, int(case_id))
        except (Http404, ValueError, TypeError) as exc:
            raise ActionError(_("No such case, or it is outside your area."), field="case") from exc
    if demand_id:
        found["demand"] = lists_queries.demand_list(user).filter(pk=_int(demand_id, "demand")).first()
        if found["demand"] is None:
            raise ActionError(_("No such demand, or it is outside your area."), field="demand")
    if project_id:
        found["project"] = project_queries.project_list(user).filter(pk=_int(project_id, "project")).first()
        if found["project"] is None:
            raise ActionError(_("No such project, or it is outside your area."), field="project")
    return found


def _int(value: Any, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ActionError(_("Please choose a valid record."), field=field) from exc


def _from_agenda_key(item: AgendaItem | None) -> dict[str, int]:
    """The case, demand or project the agenda item was proposed from."""
    if item is None or ":" not in item.source_key:
        return {}
    kind, _sep, pk = item.source_key.partition(":")
    names = {"appeals.case": "case", "lists.demand": "demand", "lists.project": "project"}
    return {names[kind]: int(pk)} if kind in names and pk.isdigit() else {}


@transaction.atomic
def do_add_resolution(
    meeting: Meeting,
    *,
    acting_user: User,
    approach: str,
    task: str,
    units: Sequence[Unit],
    due_on: Any,
    agenda_item: AgendaItem | None = None,
    area: Area | None = None,
    case_id: Any = None,
    demand_id: Any = None,
    project_id: Any = None,
    create: str = "",
) -> Resolution:
    """A resolution of the meeting: the approach, the task, the responsible units (at least one), the deadline; linked
    to the case, demand or project its agenda item came from (or those given). `create` "demand" puts the task on
    the demand list (`lists.actions.do_create_demand`), "project" also makes a project of that demand."""
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("area").get(pk=meeting.pk)
    permissions.require(acting_user, "manage", meeting, _("Only the meeting's organizers record its resolutions."))
    if meeting.status in (Meeting.Status.CANCELLED, Meeting.Status.SKIPPED):
        raise InvalidTransition(_("This meeting was cancelled or skipped: it decides nothing."))
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ActionError(_("This agenda item belongs to another meeting."), field="agenda_item")
    approach = _text(approach, "approach", MAX_TEXT, _("Please say how the problem will be solved."))
    task = _text(task, "task", 300, _("Please enter the task."))
    unit_list = list({u.pk: u for u in units}.values())
    if not unit_list:
        raise ActionError(_("Please choose at least one responsible unit."), field="units")
    if len(unit_list) > MAX_UNITS:
        raise ActionError(_("At most %(max)d responsible units.") % {"max": MAX_UNITS}, field="units")
    due = _date(due_on)
    if due < timezone.localdate(meeting.starts_at):
        raise ActionError(_("The deadline cannot be before the meeting."), field="due_on")
    communities = agenda.meeting_communities(meeting)
    if area is None:
        area = meeting.area
    elif area.pk not in {c.pk for c in communities}:
        raise ActionError(_("Please choose one of the meeting's communities."), field="area")
    if create not in CREATE_CHOICES:
        raise ActionError(_("Please choose a valid option."), field="create")
    implied = _from_agenda_key(agenda_item)
    links = _linked(acting_user, case_id or implied.get("case"), demand_id or implied.get("demand"),
                    project_id or implied.get("project"))
    now = timezone.now()
    resolution = Resolution.objects.create(meeting=meeting, agenda_item=agenda_item, area=area, approach=approach,
                                           task=task, due_on=due, created_by=acting_user, created_at=now,
                                           updated_at=now, **links)
    resolution.units.set(unit_list)
    if create:
        demand = do_create_demand(acting_user=acting_user, title=task[:200], area=area, description=approach,
                                  source_ref=meeting.title[:200], source_key=f"meetings.resolution:{resolution.pk}")
        resolution.demand = demand
        fields = ["demand"]
        if create == "project":
            try:
                project = do_create_project(acting_user=acting_user, area=area, title=task[:200],
                                            description=approach, demand_ids=[demand.pk])
            except PermissionDenied as exc:
                raise ActionError(_("You may not create projects in this community."), field="create") from exc
            resolution.project = project
            fields.append("project")
        resolution.save(update_fields=fields)
    notify(unit_liaisons(unit_list), "meetings.resolution_assigned",
           _("The meeting %(meeting)s assigned your unit a task: %(task)s, due on %(due)s.") % {
               "meeting": meeting.title, "task": task, "due": due.isoformat()}, resolution_url(resolution))
    log_event(acting_user, "meetings.add_resolution", resolution, area=area, after={
        "task": task, "units": [u.pk for u in unit_list], "due_on": due.isoformat(),
        "case": links["case"].pk if links["case"] else None, "demand": resolution.demand_id,
        "project": resolution.project_id})
    return resolution


def lock_resolution(resolution: Resolution) -> Resolution:
    return (Resolution.objects.select_for_update(of=("self",)).select_related("area", "meeting__area")
            .get(pk=resolution.pk))


def _refuse_closed(resolution: Resolution) -> None:
    if resolution.status not in OPEN:
        raise InvalidTransition(_("This resolution is done or cancelled already."))


def _acting_unit(user: Any, resolution: Resolution) -> Unit | None:
    ids = permissions.liaison_unit_ids(user)
    return resolution.units.filter(pk__in=ids).order_by("name").first() if ids else None


def _percent(value: Any) -> int:
    try:
        percent = int(str(value).strip().rstrip("%"))
    except (TypeError, ValueError) as exc:
        raise ActionError(_("Please enter the progress as a whole number from 0 to 100."), field="percent") from exc
    if not 0 <= percent <= 100:
        raise ActionError(_("Please enter the progress as a whole number from 0 to 100."), field="percent")
    return percent


def _photo(photo: Any) -> Any:
    if photo is None:
        return None
    return validate_photos([photo])[0]  # re-encoded, size-checked; outside the transaction


def do_post_resolution_update(resolution: Resolution, *, acting_user: User, percent: Any, note: str,
                              photo: Any = None) -> ResolutionUpdate:
    """A responsible unit's liaison (or the organizers) post progress: a percentage, a note, a photo."""
    checked = _photo(photo)
    return _post_update(resolution, acting_user=acting_user, percent=percent, note=note, photo=checked)


@transaction.atomic
def _post_update(resolution: Resolution, *, acting_user: User, percent: Any, note: str, photo: Any) -> ResolutionUpdate:
    resolution = lock_resolution(resolution)
    permissions.require(acting_user, "update", resolution,
                        _("Only the responsible units and the meeting's organizers post progress."))
    _refuse_closed(resolution)
    value = _percent(percent)
    note = _text(note, "note", MAX_TEXT, _("Please write what was done."))
    if value >= 100:
        raise ActionError(_("To finish it, mark it done with the evidence."), field="percent")
    now = timezone.now()
    update = ResolutionUpdate.objects.create(resolution=resolution, unit=_acting_unit(acting_user, resolution),
                                             by=acting_user, percent=value, note=note, photo=photo, at=now)
    resolution.progress = value
    resolution.status = Resolution.Status.IN_PROGRESS
    resolution.updated_at = now
    resolution.save(update_fields=["progress", "status", "updated_at"])
    log_event(acting_user, "meetings.post_resolution_update", resolution, area=resolution.area,
              after={"percent": value, "note": note[:200], "photo": photo is not None})
    return update


def do_complete_resolution(resolution: Resolution, *, acting_user: User, evidence: str,
                           photo: Any = None) -> Resolution:
    """Done, with the evidence (what was done, where it can be seen; required) and an optional photo."""
    checked = _photo(photo)
    return _complete(resolution, acting_user=acting_user, evidence=evidence, photo=checked)


@transaction.atomic
def _complete(resolution: Resolution, *, acting_user: User, evidence: str, photo: Any) -> Resolution:
    resolution = lock_resolution(resolution)
    permissions.require(acting_user, "update", resolution,
                        _("Only the responsible units and the meeting's organizers mark it done."))
    _refuse_closed(resolution)
    evidence = _text(evidence, "evidence", MAX_TEXT, _("Please give the evidence that it is done."))
    now = timezone.now()
    ResolutionUpdate.objects.create(resolution=resolution, unit=_acting_unit(acting_user, resolution),
                                    by=acting_user, percent=100, note=evidence, completes=True, photo=photo, at=now)
    resolution.status = Resolution.Status.DONE
    resolution.progress = 100
    resolution.evidence = evidence
    resolution.completed_at = now
    resolution.updated_at = now
    resolution.save(update_fields=["status", "progress", "evidence", "completed_at", "updated_at"])
    organizer = [resolution.meeting.organizer] if resolution.meeting.organizer_id else []
    notify([u for u in organizer if u != acting_user], "meetings.resolution_done",
           _("The resolution %(task)s is done.") % {"task": resolution.task}, resolution_url(resolution))
    log_event(acting_user, "meetings.complete_resolution", resolution, area=resolution.area,
              after={"evidence": evidence[:200], "photo": photo is not None})
    return resolution


@transaction.atomic
def do_cancel_resolution(resolution: Resolution, *, acting_user: User, reason: str) -> Resolution:
    resolution = lock_resolution(resolution)
    permissions.require(acting_user, "manage", resolution, _("Only the meeting's organizers cancel resolutions."))
    _refuse_closed(resolution)
    reason = _text(reason, "reason", 300, _("Please give a reason."))
    now = timezone.now()
    ResolutionUpdate.objects.create(resolution=resolution, by=acting_user, percent=resolution.progress,
                                    note=_("Cancelled: %(reason)s") % {"reason": reason}, at=now)
    resolution.status = Resolution.Status.CANCELLED
    resolution.updated_at = now
    resolution.save(update_fields=["status", "updated_at"])
    notify(unit_liaisons(list(resolution.units.all())), "meetings.resolution_cancelled",
           _("The resolution %(task)s was cancelled: %(reason)s") % {"task": resolution.task, "reason": reason},
           resolution_url(resolution))
    log_event(acting_user, "meetings.cancel_resolution", resolution, area=resolution.area, after={"reason": reason})
    return resolution


# --- reminders (the worker) ----------------------------------------------------------------------------------


def do_remind_resolutions(now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Tell the responsible units' liaisons once `REMIND_DAYS` days before the deadline (`reminded_at`), and once
    when it has passed (`overdue_reminded_at`, the organizer too). Audited without an actor."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    soon = list(Resolution.objects.filter(status__in=OPEN, reminded_at__isnull=True, due_on__gte=today,
                                          due_on__lte=today + timedelta(days=REMIND_DAYS))
                .order_by("due_on", "pk").values_list("pk", flat=True)[:limit])
    late = list(Resolution.objects.filter(status__in=OPEN, overdue_reminded_at__isnull=True, due_on__lt=today)
                .order_by("due_on", "pk").values_list("pk", flat=True)[:limit])
    return {"due_soon": sum(_remind_one(pk, now, today, overdue=False) for pk in soon),
            "overdue": sum(_remind_one(pk, now, today, overdue=True) for pk in late)}


@transaction.atomic
def _remind_one(pk: int, now: datetime, today: date, *, overdue: bool) -> int:
    field = "overdue_reminded_at" if overdue else "reminded_at"
    resolution = (Resolution.objects.select_for_update(of=("self",)).select_related("area", "meeting")
                  .filter(pk=pk, status__in=OPEN, **{f"{field}__isnull": True}).first())
    if resolution is None:
        return 0
    users = unit_liaisons(list(resolution.units.all()))
    if overdue:
        if resolution.meeting.organizer is not None:
            users.append(resolution.meeting.organizer)
        text = _("The resolution %(task)s was due on %(due)s and is not done: %(days)d days overdue.") % {
            "task": resolution.task, "due": resolution.due_on.isoformat(), "days": (today - resolution.due_on).days}
    else:
        text = _("The resolution %(task)s is due on %(due)s, in %(days)d days.") % {
            "task": resolution.task, "due": resolution.due_on.isoformat(), "days": (resolution.due_on - today).days}
    told = notify(users, "meetings.resolution_overdue" if overdue else "meetings.resolution_due",
                  text, resolution_url(resolution))
    setattr(resolution, field, now)
    resolution.save(update_fields=[field])
    log_event(None, "meetings.remind_resolution_overdue" if overdue else "meetings.remind_resolution", resolution,
              area=resolution.area, after={"due_on": resolution.due_on.isoformat(), "told": told})
    return 1
