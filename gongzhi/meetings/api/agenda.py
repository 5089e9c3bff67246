"""Agendas (议题), raised items and resolutions (决议) over JSON, mounted at /api/meetings/: a meeting's agenda, its
proposals with their reasons, adding them, adding, editing, removing and ordering items; the items raised for
meetings; resolutions listed (filters status, overdue, unit, community), read, recorded, progress posted, completed.
Every call goes through the same actions as the pages. Errors: 400 refused (a Chinese message), 403 not allowed,
404 out of scope."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.core.api_schemas import Id
from gongzhi.core.models import Unit

from .. import agenda, permissions
from ..actions import agenda as agenda_actions
from ..actions import resolutions as resolution_actions
from ..models import AgendaItem, Meeting, RaisedItem, Resolution
from ..views.resolutions import resolution_list_qs

router = Router()
MAX_ROWS = 200


class AgendaItemOut(Schema):
    id: int
    order: int
    title: str
    description: str
    source: str
    source_label: str
    source_key: str
    reason: str
    discussion: str


class AgendaProposalOut(Schema):
    source: str
    source_label: str
    source_key: str
    title: str
    reason: str
    url: str


class ProposeIn(Schema):
    keys: list[str] | None = None


class ItemIn(Schema):
    title: str
    description: str = ""


class ItemEditIn(Schema):
    title: str
    description: str = ""
    discussion: str | None = None


class OrderIn(Schema):
    ids: list[int]


class RaisedItemOut(Schema):
    id: int
    community_id: int
    title: str
    description: str
    raised_by_unit: str | None
    raised_by_name: str
    status: str
    status_reason: str
    created_at: datetime


class RaiseIn(Schema):
    community_id: int
    title: str
    description: str = ""
    unit_id: int | None = None


class DeclineIn(Schema):
    reason: str


class ResolutionUpdateOut(Schema):
    id: int
    percent: int
    note: str
    unit: str | None
    completes: bool
    has_photo: bool
    at: datetime


class ResolutionOut(Schema):
    id: int
    meeting_id: int
    agenda_item_id: int | None
    community_id: int
    approach: str
    task: str
    unit_ids: list[int]
    units: list[str]
    due_on: date
    status: str
    status_label: str
    progress: int
    overdue: bool
    case_id: int | None
    demand_id: int | None
    project_id: int | None
    evidence: str
    completed_at: datetime | None


class ResolutionDetailOut(ResolutionOut):
    updates: list[ResolutionUpdateOut]


class ResolutionIn(Schema):
    approach: str
    task: str
    unit_ids: list[int]
    due_on: date
    agenda_item_id: int | None = None
    case_id: int | None = None
    demand_id: int | None = None
    project_id: int | None = None
    create: str = ""


class ResolutionCompleteIn(Schema):
    evidence: str


class CancelIn(Schema):
    reason: str


def _item(i: AgendaItem) -> dict[str, Any]:
    return {"id": i.pk, "order": i.order, "title": i.title, "description": i.description, "source": i.source,
            "source_label": str(i.get_source_display()), "source_key": i.source_key, "reason": i.reason,
            "discussion": i.discussion}


def _raised(i: RaisedItem) -> dict[str, Any]:
    return {"id": i.pk, "community_id": i.area_id, "title": i.title, "description": i.description,
            "raised_by_unit": i.raised_by_unit.name if i.raised_by_unit else None, "raised_by_name": i.raised_by_name,
            "status": i.status, "status_reason": i.status_reason, "created_at": i.created_at}


def _resolution(r: Resolution) -> dict[str, Any]:
    units = list(r.units.all())
    return {"id": r.pk, "meeting_id": r.meeting_id, "agenda_item_id": r.agenda_item_id, "community_id": r.area_id,
            "approach": r.approach, "task": r.task, "unit_ids": [u.pk for u in units], "units": [u.name for u in units],
            "due_on": r.due_on, "status": r.status, "status_label": str(r.get_status_display()),
            "progress": r.progress, "overdue": r.overdue, "case_id": r.case_id, "demand_id": r.demand_id,
            "project_id": r.project_id, "evidence": r.evidence, "completed_at": r.completed_at}


def _detail(r: Resolution) -> dict[str, Any]:
    updates = [{"id": u.pk, "percent": u.percent, "note": u.note, "unit": u.unit.name if u.unit else None,
                "completes": u.completes, "has_photo": bool(u.photo), "at": u.at}
               for u in r.updates.select_related("unit")]
    return {**_resolution(r), "updates": updates}


def _meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    return permissions.get_meeting_for_user(request.user, meeting_id)


def _managed(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = _meeting(request, meeting_id)
    permissions.require(request.user, "manage", meeting)
    return meeting


def _agenda_item(meeting: Meeting, item_id: int) -> AgendaItem:
    return get_object_or_404(AgendaItem, pk=item_id, meeting=meeting)


def _agenda(meeting: Meeting) -> list[dict[str, Any]]:
    return [_item(i) for i in meeting.agenda_items.order_by("order", "id")]


# --- the agenda ------------------------------------------------------------------------------------------------


@router.get("/{meeting_id}/agenda", response=list[AgendaItemOut], summary="会议议题（按顺序，含提议理由）")
def list_agenda(request: HttpRequest, meeting_id: Id) -> list[dict[str, Any]]:
    return _agenda(_meeting(request, meeting_id))


@router.get("/{meeting_id}/agenda/proposals", response=list[AgendaProposalOut],
            summary="根据社区待办事项提议的议题及理由（未列入议题的）")
def list_proposals(request: HttpRequest, meeting_id: Id) -> list[dict[str, Any]]:
    meeting = _managed(request, meeting_id)
    return [{"source": p.source, "source_label": p.source_label, "source_key": p.source_key, "title": p.title,
             "reason": p.reason, "url": p.url} for p in agenda.propose_agenda(meeting, request.user)]


@router.post("/{meeting_id}/agenda/propose", response={201: list[AgendaItemOut]},
             summary="将提议的议题列入议程（keys 为空则全部列入）")
def propose_agenda(request: HttpRequest, meeting_id: Id, payload: ProposeIn) -> Status:
    meeting = _meeting(request, meeting_id)
    items = agenda_actions.do_propose_agenda(meeting, acting_user=request.user, keys=payload.keys)  # type: ignore[arg-type]
    return Status(201, [_item(i) for i in items])


@router.post("/{meeting_id}/agenda", response={201: AgendaItemOut}, summary="新增议题")
def add_item(request: HttpRequest, meeting_id: Id, payload: ItemIn) -> Status:
    meeting = _meeting(request, meeting_id)
    item = agenda_actions.do_add_item(meeting, acting_user=request.user, title=payload.title,  # type: ignore[arg-type]
                                      description=payload.description)
    return Status(201, _item(item))


@router.post("/{meeting_id}/agenda/{item_id}", response=AgendaItemOut, summary="修改议题（标题、说明、讨论情况）")
def edit_item(request: HttpRequest, meeting_id: Id, item_id: Id, payload: ItemEditIn) -> dict[str, Any]:
    meeting = _meeting(request, meeting_id)
    item = _agenda_item(meeting, item_id)
    item = agenda_actions.do_edit_item(item, acting_user=request.user, title=payload.title,  # type: ignore[arg-type]
                                       description=payload.description)
    if payload.discussion is not None:
        item = agenda_actions.do_record_discussion(item, acting_user=request.user,  # type: ignore[arg-type]
                                                   discussion=payload.discussion)
    return _item(item)


@router.delete("/{meeting_id}/agenda/{item_id}", response=list[AgendaItemOut], summary="移除议题")
def remove_item(request: HttpRequest, meeting_id: Id, item_id: Id) -> list[dict[str, Any]]:
    meeting = _meeting(request, meeting_id)
    agenda_actions.do_remove_item(_agenda_item(meeting, item_id), acting_user=request.user)  # type: ignore[arg-type]
    return _agenda(meeting)


@router.post("/{meeting_id}/agenda-order", response=list[AgendaItemOut], summary="调整议题顺序（ids 须包含全部议题）")
def reorder_items(request: HttpRequest, meeting_id: Id, payload: OrderIn) -> list[dict[str, Any]]:
    meeting = _meeting(request, meeting_id)
    agenda_actions.do_reorder_items(meeting, acting_user=request.user, ids=payload.ids)  # type: ignore[arg-type]
    return _agenda(meeting)


# --- raised items --------------------------------------------------------------------------------------------


@router.get("/raised-items", response=list[RaisedItemOut], summary="提请会议讨论的事项")
def list_raised(request: HttpRequest, status: str = RaisedItem.Status.NEW) -> list[dict[str, Any]]:
    permissions.resolution_policy.require_somewhere(request.user, "browse")
    qs = permissions.visible_to(request.user, RaisedItem).select_related("raised_by_unit")
    if status in RaisedItem.Status.values:
        qs = qs.filter(status=status)
    return [_raised(i) for i in qs.order_by("-created_at", "-id")[:MAX_ROWS]]


@router.post("/raised-items", response={201: RaisedItemOut}, summary="驻区单位联络员（或社区）提出议题")
def raise_item(request: HttpRequest, payload: RaiseIn) -> Status:
    from gongzhi.core.models import Area

    area = get_object_or_404(Area, pk=payload.community_id, level=Area.Level.COMMUNITY)
    unit = get_object_or_404(Unit, pk=payload.unit_id) if payload.unit_id else None
    item = agenda_actions.do_raise_item(area, acting_user=request.user, title=payload.title,  # type: ignore[arg-type]
                                        description=payload.description, unit=unit)
    return Status(201, _raised(item))


@router.post("/raised-items/{item_id}/decline", response=RaisedItemOut, summary="不予采纳（须说明原因）")
def decline_raised(request: HttpRequest, item_id: Id, payload: DeclineIn) -> dict[str, Any]:
    item = permissions.get_raised_item_for_user(request.user, item_id)
    item = agenda_actions.do_decline_raised_item(item, acting_user=request.user, reason=payload.reason)  # type: ignore[arg-type]
    return _raised(item)


# --- resolutions ---------------------------------------------------------------------------------------------


@router.get("/resolutions", response=list[ResolutionOut], summary="会议决议（可按状态、逾期、责任单位、社区筛选）")
def list_resolutions(request: HttpRequest, status: str = "", overdue: bool = False, unit_id: int | None = None,
                     community_id: int | None = None, mine: bool = False) -> list[dict[str, Any]]:
    permissions.resolution_policy.require_somewhere(request.user, "browse")
    qs = resolution_list_qs(request.user, status=status, overdue=overdue, unit_id=unit_id, community_id=community_id,
                            mine=mine)
    return [_resolution(r) for r in qs[:MAX_ROWS]]


@router.get("/resolutions/{resolution_id}", response=ResolutionDetailOut, summary="决议及其进展")
def get_resolution(request: HttpRequest, resolution_id: Id) -> dict[str, Any]:
    return _detail(permissions.get_resolution_for_user(request.user, resolution_id))


@router.post("/{meeting_id}/resolutions", response={201: ResolutionDetailOut},
             summary="记录决议（解决办法、任务、责任单位、完成时限；create 为 demand 或 project 时同时生成）")
def create_resolution(request: HttpRequest, meeting_id: Id, payload: ResolutionIn) -> Status:
    meeting = _meeting(request, meeting_id)
    units = list(Unit.objects.filter(pk__in=payload.unit_ids))
    item = _agenda_item(meeting, payload.agenda_item_id) if payload.agenda_item_id else None
    resolution = resolution_actions.do_add_resolution(
        meeting, acting_user=request.user, approach=payload.approach, task=payload.task, units=units,  # type: ignore[arg-type]
        due_on=payload.due_on, agenda_item=item, case_id=payload.case_id, demand_id=payload.demand_id,
        project_id=payload.project_id, create=payload.create)
    return Status(201, _detail(resolution))


@router.post("/resolutions/{resolution_id}/updates", response={201: ResolutionDetailOut},
             summary="填报决议进展（multipart 表单：percent、note，可附一张照片 photo，不超过 5 MB）")
def post_update(request: HttpRequest, resolution_id: Id, percent: int = Form(...), note: str = Form(...),  # noqa: B008
                photo: UploadedFile | None = File(None)) -> Status:  # noqa: B008
    resolution = permissions.get_resolution_for_user(request.user, resolution_id)
    resolution_actions.do_post_resolution_update(resolution, acting_user=request.user, percent=percent,  # type: ignore[arg-type]
                                                 note=note, photo=photo)
    return Status(201, _detail(permissions.get_resolution_for_user(request.user, resolution_id)))


@router.post("/resolutions/{resolution_id}/complete", response=ResolutionDetailOut, summary="决议办结（须提供完成佐证）")
def complete_resolution(request: HttpRequest, resolution_id: Id, payload: ResolutionCompleteIn) -> dict[str, Any]:
    resolution = permissions.get_resolution_for_user(request.user, resolution_id)
    resolution = resolution_actions.do_complete_resolution(resolution, acting_user=request.user,  # type: ignore[arg-type]
                                                           evidence=payload.evidence)
    return _detail(resolution)


@router.post("/resolutions/{resolution_id}/cancel", response=ResolutionDetailOut, summary="撤销决议（须说明原因）")
def cancel_resolution(request: HttpRequest, resolution_id: Id, payload: CancelIn) -> dict[str, Any]:
    resolution = permissions.get_resolution_for_user(request.user, resolution_id)
    resolution = resolution_actions.do_cancel_resolution(resolution, acting_user=request.user,  # type: ignore[arg-type]
                                                         reason=payload.reason)
    return _detail(resolution)
