"""Writes to a meeting's agenda (议题) and to what members and residents raise for it.

Each function is one transaction: it locks the meeting (or the row it changes), checks the meeting's state and the
policy (`gongzhi.meetings.permissions`), writes and leaves one audit row ("meetings.*", named in reg_agenda.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Area, Unit, User
from gongzhi.lists import phone_codes

from .. import agenda, permissions
from ..models import AgendaItem, Meeting, RaisedItem

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_ITEMS = 60
PHONE_PURPOSE = "meeting_item"
OPEN_MEETING = (Meeting.Status.SCHEDULED, Meeting.Status.HELD)


def _clean(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        messages = {"title": _("Please enter a title."), "reason": _("Please give a reason."),
                    "name": _("Please enter your name."), "discussion": _("Please write what was discussed.")}
        raise ActionError(messages.get(field, _("This field is required.")), field=field)
    if len(text) > limit:
        raise ActionError(_("Too long: at most %(max)d characters.") % {"max": limit}, field=field)
    return text


def lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("area").get(pk=meeting.pk)


def _open_for_agenda(meeting: Meeting) -> None:
    if meeting.status not in OPEN_MEETING:
        raise InvalidTransition(_("This meeting was cancelled or skipped: its agenda can no longer change."))


def _manage(user: Any, meeting: Meeting) -> None:
    permissions.require(user, "manage", meeting, _("Only the meeting's organizers may change its agenda."))


def _next_order(meeting: Meeting) -> int:
    top = meeting.agenda_items.aggregate(m=Max("order"))["m"]
    return (top or 0) + 1


def _check_room(meeting: Meeting, adding: int) -> None:
    if meeting.agenda_items.count() + adding > MAX_ITEMS:
        raise ActionError(_("An agenda holds at most %(max)d items.") % {"max": MAX_ITEMS}, field="title")


@transaction.atomic
def do_propose_agenda(meeting: Meeting, *, acting_user: User, keys: Sequence[str] | None = None) -> list[AgendaItem]:
    """Add the proposals (`agenda.propose_agenda`) to the agenda, with their reasons; `keys` picks some of them by
    `source_key` (None: all). Raised items that go on the agenda are marked so."""
    meeting = lock_meeting(meeting)
    _manage(acting_user, meeting)
    _open_for_agenda(meeting)
    proposals = agenda.propose_agenda(meeting, acting_user)
    if keys is not None:
        wanted = set(keys)
        proposals = [p for p in proposals if p.source_key in wanted]
    if not proposals:
        raise ActionError(_("Nothing is waiting to be proposed: every open item is on the agenda already."))
    _check_room(meeting, len(proposals))
    order = _next_order(meeting)
    now = timezone.now()
    items = []
    for i, p in enumerate(proposals):
        item = AgendaItem.objects.create(meeting=meeting, order=order + i, title=p.title[:MAX_TITLE],
                                         description=p.description, source=p.source, source_key=p.source_key,
                                         reason=p.reason[:300], created_by=acting_user, created_at=now)
        items.append(item)
        if p.source == AgendaItem.Source.RAISED:
            RaisedItem.objects.filter(pk=int(p.source_key.rsplit(":", 1)[1]), status=RaisedItem.Status.NEW).update(
                status=RaisedItem.Status.ON_AGENDA, agenda_item=item)
    log_event(acting_user, "meetings.propose_agenda", meeting, area=meeting.area,
              after={"items": [p.source_key for p in proposals]})
    return items


@transaction.atomic
def do_add_item(meeting: Meeting, *, acting_user: User, title: str, description: str = "") -> AgendaItem:
    meeting = lock_meeting(meeting)
    _manage(acting_user, meeting)
    _open_for_agenda(meeting)
    title = _clean(title, "title", MAX_TITLE, required=True)
    description = _clean(description, "description", MAX_TEXT)
    _check_room(meeting, 1)
    item = AgendaItem.objects.create(meeting=meeting, order=_next_order(meeting), title=title,
                                     description=description, source=AgendaItem.Source.MANUAL,
                                     created_by=acting_user)
    log_event(acting_user, "meetings.add_agenda_item", item, area=meeting.area, after={"title": title})
    return item


def _lock_item(item: AgendaItem) -> tuple[Meeting, AgendaItem]:
    meeting = lock_meeting(item.meeting)
    fresh = AgendaItem.objects.filter(pk=item.pk, meeting=meeting).first()
    if fresh is None:
        raise InvalidTransition(_("This agenda item was removed."))
    return meeting, fresh


@transaction.atomic
def do_edit_item(item: AgendaItem, *, acting_user: User, title: str, description: str = "") -> AgendaItem:
    meeting, item = _lock_item(item)
    _manage(acting_user, meeting)
    _open_for_agenda(meeting)
    before = {"title": item.title, "description": item.description[:200]}
    item.title = _clean(title, "title", MAX_TITLE, required=True)
    item.description = _clean(description, "description", MAX_TEXT)
    item.save(update_fields=["title", "description"])
    log_event(acting_user, "meetings.edit_agenda_item", item, area=meeting.area, before=before,
              after={"title": item.title, "description": item.description[:200]})
    return item


@transaction.atomic
def do_remove_item(item: AgendaItem, *, acting_user: User) -> None:
    """Take an item off the agenda (a raised item waits again for a later meeting); an item that led to a resolution
    stays."""
    meeting, item = _lock_item(item)
    _manage(acting_user, meeting)
    _open_for_agenda(meeting)
    if item.resolutions.exists():
        raise InvalidTransition(_("This item has resolutions: it stays on the agenda."))
    RaisedItem.objects.filter(agenda_item=item).update(status=RaisedItem.Status.NEW, agenda_item=None)
    log_event(acting_user, "meetings.remove_agenda_item", item, area=meeting.area,
              before={"title": item.title, "source_key": item.source_key})
    item.delete()


@transaction.atomic
def do_reorder_items(meeting: Meeting, *, acting_user: User, ids: Sequence[int]) -> list[AgendaItem]:
    """Put the agenda in this order: `ids` must name every item of the meeting once."""
    meeting = lock_meeting(meeting)
    _manage(acting_user, meeting)
    _open_for_agenda(meeting)
    items = {i.pk: i for i in meeting.agenda_items.all()}
    try:
        wanted = [int(i) for i in ids]
    except (TypeError, ValueError) as exc:
        raise ActionError(_("The new order must name every item of the agenda once."), field="ids") from exc
    if sorted(wanted) != sorted(items):
        raise ActionError(_("The new order must name every item of the agenda once."), field="ids")
    before = [i.pk for i in sorted(items.values(), key=lambda i: (i.order, i.pk))]
    for n, pk in enumerate(wanted, start=1):
        if items[pk].order != n:
            items[pk].order = n
            items[pk].save(update_fields=["order"])
    log_event(acting_user, "meetings.reorder_agenda", meeting, area=meeting.area, before={"ids": before},
              after={"ids": wanted})
    return [items[pk] for pk in wanted]


def do_move_item(item: AgendaItem, *, acting_user: User, up: bool) -> list[AgendaItem]:
    """One step up or down (the phone page's buttons): a reorder of the whole agenda."""
    ids = list(item.meeting.agenda_items.order_by("order", "id").values_list("pk", flat=True))
    i = ids.index(item.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
    return do_reorder_items(item.meeting, acting_user=acting_user, ids=ids)


@transaction.atomic
def do_record_discussion(item: AgendaItem, *, acting_user: User, discussion: str) -> AgendaItem:
    meeting, item = _lock_item(item)
    _manage(acting_user, meeting)
    _open_for_agenda(meeting)
    item.discussion = _clean(discussion, "discussion", MAX_TEXT, required=True)
    item.save(update_fields=["discussion"])
    log_event(acting_user, "meetings.record_discussion", item, area=meeting.area,
              after={"discussion": item.discussion[:200]})
    return item


# --- raised items (member units and residents) ----------------------------------------------------------------


def raise_units(user: Any, area: Area) -> list[Unit]:
    """The units a liaison may raise an item for at this community (registered there, or sitting in it)."""
    from gongzhi.lists import queries as lists_queries

    ids = permissions.liaison_unit_ids(user)
    if not ids:
        return []
    registered = lists_queries.registered_units(Area.objects.filter(pk=area.pk))
    return list(registered.filter(pk__in=ids))


@transaction.atomic
def do_raise_item(area: Area, *, acting_user: User, title: str, description: str = "",
                  unit: Unit | None = None) -> RaisedItem:
    """A member unit's liaison (for its unit) or the community's staff raise an item for its next meeting."""
    permissions.require(acting_user, "raise_item", area, _("You may not raise items for this community's meetings."))
    title = _clean(title, "title", MAX_TITLE, required=True)
    description = _clean(description, "description", MAX_TEXT)
    units = raise_units(acting_user, area)
    if unit is None and units and not permissions.area_policy.in_scope(acting_user, area, permissions.STAFF_ROLES):
        unit = units[0]
    if unit is not None and unit.pk not in {u.pk for u in units}:
        raise ActionError(_("You may raise items only for your own unit registered at this community."), field="unit")
    item = RaisedItem.objects.create(area=area, title=title, description=description, raised_by_unit=unit,
                                     raised_by_user=acting_user,
                                     raised_by_name=(acting_user.display_name or acting_user.username)[:50])
    log_event(acting_user, "meetings.raise_item", item, area=area,
              after={"title": title, "unit": unit.name if unit else None})
    return item


def do_send_raise_code(area: Area, *, phone: str) -> None:
    """A code to a resident's phone before they raise an item for this community without an account."""
    if area.level != Area.Level.COMMUNITY:
        raise ActionError(_("Items are raised for a community."))
    phone_codes.do_send_code(PHONE_PURPOSE, area.pk, phone, what=_("raising a matter at %(community)s") % {
        "community": area.name})


def do_raise_item_by_resident(area: Area, *, name: str, phone: str, code: str, title: str,
                              description: str = "") -> RaisedItem:
    """A resident without an account raises an item: name and phone, proved with the code sent to it (checked in
    its own transaction first, so a wrong try stays counted)."""
    if area.level != Area.Level.COMMUNITY:
        raise ActionError(_("Items are raised for a community."))
    name = _clean(name, "name", 50, required=True)
    title = _clean(title, "title", MAX_TITLE, required=True)
    description = _clean(description, "description", MAX_TEXT)
    key = phone_codes.phone_hash(phone)
    if not phone_codes.use_code(PHONE_PURPOSE, area.pk, phone, code):
        raise ActionError(_("The code is wrong or has expired. Please ask for a new one."), field="code")
    return _create_resident_item(area, name=name, phone_key=key, title=title, description=description)


@transaction.atomic
def _create_resident_item(area: Area, *, name: str, phone_key: str, title: str, description: str) -> RaisedItem:
    item = RaisedItem.objects.create(area=area, title=title, description=description, raised_by_name=name,
                                     phone_hash=phone_key)
    log_event(None, "meetings.raise_item", item, area=area, after={"title": title, "by": "resident"})
    return item


@transaction.atomic
def do_decline_raised_item(item: RaisedItem, *, acting_user: User, reason: str) -> RaisedItem:
    item = RaisedItem.objects.select_for_update(of=("self",)).select_related("area").get(pk=item.pk)
    permissions.require(acting_user, "manage", item, _("Only the community's organizers may decline raised items."))
    if item.status != RaisedItem.Status.NEW:
        raise InvalidTransition(_("This item is already on an agenda or declined."))
    item.status_reason = _clean(reason, "reason", 200, required=True)
    item.status = RaisedItem.Status.DECLINED
    item.save(update_fields=["status", "status_reason"])
    log_event(acting_user, "meetings.decline_raised_item", item, area=item.area, after={"reason": item.status_reason})
    return item
