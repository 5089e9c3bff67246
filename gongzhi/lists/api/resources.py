"""The resource list (资源清单) and matching (点对点匹配) over JSON: list, read, add and edit resources (pause,
resume or withdraw one by its status); a demand's ranked candidates and a match by hand; propose a matching round,
read it, change or remove its pairs, confirm it. Errors: 400 invalid (a Chinese message), 403 not allowed,
404 out of scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gongzhi.core.api_schemas import DEFAULT_LIMIT, Id, Limit, Offset, OneOf
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Alliance, Area, Unit
from gongzhi.core.permissions import visible_to as core_visible_to

from .. import actions, matching, permissions
from ..actions.resources import ResourceData
from ..models import CapacityUnit, Demand, MatchPair, MatchRound, Resource, ResourceKind
from ..resource_filters import resource_list_qs

router = Router()


class ResourceOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    provider_unit_id: int | None
    provider: str
    area_id: int
    area: str
    alliance_id: int | None
    place_id: int | None
    capacity_unit: str
    capacity: Decimal
    promised: Decimal
    remaining: Decimal
    opening_hours: str
    valid_from: date | None
    valid_until: date | None
    expired: bool
    contact_name: str
    contact_phone: str
    status: str


def _out(r: Resource) -> dict[str, Any]:
    from django.utils import timezone

    return {
        "id": r.pk, "kind": r.kind, "title": r.title, "description": r.description,
        "provider_unit_id": r.provider_unit_id, "provider": r.provider_unit.name if r.provider_unit else "",
        "area_id": r.area_id, "area": r.area.name, "alliance_id": r.alliance_id, "place_id": r.place_id,
        "capacity_unit": r.capacity_unit, "capacity": r.capacity, "promised": r.promised,
        "remaining": r.capacity - r.promised, "opening_hours": r.opening_hours, "valid_from": r.valid_from,
        "valid_until": r.valid_until, "expired": bool(r.valid_until and r.valid_until < timezone.localdate()),
        "contact_name": r.contact_name, "contact_phone": r.contact_phone, "status": r.status,
    }


class ResourceIn(Schema):
    kind: Annotated[str, OneOf(ResourceKind)]
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    provider_unit_id: Id | None = None
    area_id: Id
    alliance_id: Id | None = None
    place_id: Id | None = None
    capacity_unit: Annotated[str, OneOf(CapacityUnit)]
    capacity: Decimal = Field(..., ge=0, le=Decimal("999999999999"), decimal_places=2)
    opening_hours: str = Field("", max_length=100)
    valid_from: date | None = None
    valid_until: date | None = None
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)


class ResourceUpdateIn(Schema):
    """The fields to change (the others stay); `status` pauses (paused), resumes (active) or withdraws it."""

    kind: Annotated[str, OneOf(ResourceKind)] | None = None
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    area_id: Id | None = None
    place_id: Id | None = None
    capacity: Decimal | None = Field(None, ge=0, le=Decimal("999999999999"), decimal_places=2)
    opening_hours: str | None = Field(None, max_length=100)
    valid_from: date | None = None
    valid_until: date | None = None
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=20)
    status: Annotated[str, OneOf(Resource.Status)] | None = None


def _area(request: HttpRequest, pk: int | None, field: str) -> Area | None:
    if pk is None:
        return None
    area = core_visible_to(request.user, Area).filter(pk=pk).first()
    if area is None:
        raise ActionError(_("This area does not exist or is outside your scope."), field=field)
    return area


def _unit(request: HttpRequest, pk: int | None) -> Unit | None:
    if pk is None:
        return None
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise ActionError(_("This unit does not exist."), field="provider_unit_id")
    return unit


def _alliance(pk: int | None) -> Alliance | None:
    if pk is None:
        return None
    alliance = Alliance.objects.filter(pk=pk).first()
    if alliance is None:
        raise ActionError(_("This alliance does not exist."), field="alliance_id")
    return alliance


@router.get("/resources", response=list[ResourceOut], summary="资源清单（可按类型、提供方、服务区域、状态、即将到期筛选）")
def list_resources(request: HttpRequest, kind: str = "", provider: str = "", area: str = "", status: str = "",
                   expiring: str = "", limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> list[dict[str, Any]]:
    permissions.resource_policy.require_somewhere(request.user, "browse")
    qs, _chosen = resource_list_qs(request.user, {"kind": kind, "provider": provider, "area": area,
                                                  "status": status, "expiring": expiring})
    return [_out(r) for r in qs[offset: offset + limit]]


@router.get("/resources/{resource_id}", response=ResourceOut, summary="一项资源")
def get_resource(request: HttpRequest, resource_id: Id) -> dict[str, Any]:
    return _out(permissions.get_resource_for_user(request.user, resource_id))


@router.post("/resources", response={201: ResourceOut}, summary="登记一项资源（驻区单位联络员为本单位登记）")
def create_resource(request: HttpRequest, payload: ResourceIn) -> Status:
    if not permissions.area_policy.can_somewhere(request.user, "create_resource"):
        raise PermissionDenied(_("You may not add resources."))
    area = _area(request, payload.area_id, "area_id")
    assert area is not None
    data = ResourceData(
        kind=payload.kind, title=payload.title, description=payload.description,
        provider_unit=_unit(request, payload.provider_unit_id), area=area, alliance=_alliance(payload.alliance_id),
        place=_area(request, payload.place_id, "place_id"), capacity_unit=payload.capacity_unit,
        capacity=payload.capacity, opening_hours=payload.opening_hours, valid_from=payload.valid_from,
        valid_until=payload.valid_until, contact_name=payload.contact_name, contact_phone=payload.contact_phone)
    resource = actions.do_create_resource(acting_user=request.user, data=data)  # type: ignore[arg-type]
    return Status(201, _out(Resource.objects.select_related("area", "provider_unit").get(pk=resource.pk)))


@router.patch("/resources/{resource_id}", response=ResourceOut, summary="修改一项资源（容量不能少于已承诺的量）")
def update_resource(request: HttpRequest, resource_id: Id, payload: ResourceUpdateIn) -> dict[str, Any]:
    resource = permissions.get_resource_for_user(request.user, resource_id)
    permissions.require(request.user, "edit", resource, _("You may not edit this resource."))
    given = payload.dict(exclude_unset=True)
    status = given.pop("status", None)
    if given:
        data = ResourceData(
            kind=given.get("kind", resource.kind), title=given.get("title", resource.title),
            description=given.get("description", resource.description), provider_unit=resource.provider_unit,
            area=_area(request, given["area_id"], "area_id") if "area_id" in given else resource.area,  # type: ignore[arg-type]
            alliance=resource.alliance,
            place=_area(request, given["place_id"], "place_id") if "place_id" in given else resource.place,
            capacity_unit=resource.capacity_unit, capacity=given.get("capacity", resource.capacity),
            opening_hours=given.get("opening_hours", resource.opening_hours),
            valid_from=given.get("valid_from", resource.valid_from),
            valid_until=given.get("valid_until", resource.valid_until),
            contact_name=given.get("contact_name", resource.contact_name),
            contact_phone=given.get("contact_phone", resource.contact_phone))
        resource = actions.do_update_resource(resource, acting_user=request.user, data=data)  # type: ignore[arg-type]
    if status is not None and status != resource.status:
        resource = actions.do_set_resource_status(resource, status, acting_user=request.user)  # type: ignore[arg-type]
    return _out(Resource.objects.select_related("area", "provider_unit").get(pk=resource.pk))


# --- Matching ----------------------------------------------------------------------------------------------


class CandidateOut(Schema):
    resource_id: int
    title: str
    kind: str
    provider: str
    score: float
    amount: Decimal
    remaining: Decimal
    unit: str
    reasons: list[str]


class MatchIn(Schema):
    resource_id: Id


class ProjectOut(Schema):
    id: int
    title: str
    status: str


def _matchable_demand(request: HttpRequest, demand_id: int) -> Demand:
    demand = permissions.get_demand_for_user(request.user, demand_id)
    if not permissions.can(request.user, "run_matching", demand.area):
        raise PermissionDenied(_("You may not match demands here."))
    return demand


@router.get("/demands/{demand_id}/candidates", response=list[CandidateOut],
            summary="一条需求的候选资源，按匹配分排序，附中文理由")
def demand_candidates(request: HttpRequest, demand_id: Id, limit: Limit = matching.CANDIDATES) -> list[Any]:
    demand = _matchable_demand(request, demand_id)
    if demand.status != Demand.Status.OPEN:
        return []
    return matching.candidates_for(demand, limit=limit)


@router.post("/demands/{demand_id}/match", response={201: ProjectOut},
             summary="把一条需求与一项候选资源直接匹配（生成待认领的项目）")
def match_demand(request: HttpRequest, demand_id: Id, payload: MatchIn) -> Status:
    demand = _matchable_demand(request, demand_id)
    resource = permissions.get_resource_for_user(request.user, payload.resource_id)
    project = actions.do_match_by_hand(demand, resource, acting_user=request.user)  # type: ignore[arg-type]
    return Status(201, ProjectOut(id=project.pk, title=project.title, status=project.status))


class PairOut(Schema):
    id: int
    demand_id: int
    demand: str
    resource_id: int
    resource: str
    score: float
    amount: Decimal
    reasons: list[str]
    status: str
    project_id: int | None


class RoundOut(Schema):
    id: int
    area_id: int
    area: str
    status: str
    total_score: float
    solver: dict[str, Any]
    created_at: Any
    confirmed_at: Any
    pairs: list[PairOut]


class RoundIn(Schema):
    area_id: Id


class PairIn(Schema):
    resource_id: Id


def _visible_round(request: HttpRequest, round_id: int) -> MatchRound:
    """A round in the user's scope (404 otherwise); 403 for those who run no matching anywhere (who sees rounds is who
    runs them: view_roles = the confirm rule)."""
    permissions.match_round_policy.require_somewhere(request.user, "confirm")
    return permissions.get_match_round_for_user(request.user, round_id)


def _round_out(match_round: MatchRound) -> dict[str, Any]:
    pairs = match_round.pairs.select_related("demand", "resource").order_by("-score", "pk")
    return {
        "id": match_round.pk, "area_id": match_round.area_id, "area": match_round.area.name,
        "status": match_round.status, "total_score": match_round.total_score, "solver": match_round.solver,
        "created_at": match_round.created_at, "confirmed_at": match_round.confirmed_at,
        "pairs": [{"id": p.pk, "demand_id": p.demand_id, "demand": p.demand.title, "resource_id": p.resource_id,
                   "resource": p.resource.title, "score": p.score, "amount": p.amount, "reasons": p.reasons,
                   "status": p.status, "project_id": p.project_id} for p in pairs],
    }


@router.post("/match-rounds", response={201: RoundOut}, summary="为一个社区、街道、区或全市提出一轮匹配方案")
def propose_round(request: HttpRequest, payload: RoundIn) -> Status:
    area = get_object_or_404(core_visible_to(request.user, Area), pk=payload.area_id)
    match_round = actions.do_propose_match_round(acting_user=request.user, area=area)  # type: ignore[arg-type]
    return Status(201, _round_out(match_round))


@router.get("/match-rounds/{round_id}", response=RoundOut, summary="一轮匹配方案及其各对匹配")
def get_round(request: HttpRequest, round_id: Id) -> dict[str, Any]:
    return _round_out(_visible_round(request, round_id))


def _pair(request: HttpRequest, round_id: int, pair_id: int) -> tuple[MatchRound, MatchPair]:
    match_round = _visible_round(request, round_id)
    pair = match_round.pairs.filter(pk=pair_id).first()
    if pair is None:
        raise Http404
    return match_round, pair


@router.patch("/match-rounds/{round_id}/pairs/{pair_id}", response=RoundOut, summary="把一对匹配换成另一项候选资源")
def change_pair(request: HttpRequest, round_id: Id, pair_id: Id, payload: PairIn) -> dict[str, Any]:
    match_round, pair = _pair(request, round_id, pair_id)
    resource = permissions.get_resource_for_user(request.user, payload.resource_id)
    actions.do_change_match_pair(pair, resource, acting_user=request.user)  # type: ignore[arg-type]
    return _round_out(MatchRound.objects.select_related("area").get(pk=match_round.pk))


@router.delete("/match-rounds/{round_id}/pairs/{pair_id}", response=RoundOut, summary="从方案中移除一对匹配")
def remove_pair(request: HttpRequest, round_id: Id, pair_id: Id) -> dict[str, Any]:
    match_round, pair = _pair(request, round_id, pair_id)
    actions.do_remove_match_pair(pair, acting_user=request.user)  # type: ignore[arg-type]
    return _round_out(MatchRound.objects.select_related("area").get(pk=match_round.pk))


@router.post("/match-rounds/{round_id}/confirm", response=RoundOut,
             summary="确认方案：锁定并预留资源，每对匹配生成一个待认领的项目（全部成功或全部不变）")
def confirm_round(request: HttpRequest, round_id: Id) -> dict[str, Any]:
    match_round = _visible_round(request, round_id)
    actions.do_confirm_match_round(match_round, acting_user=request.user)  # type: ignore[arg-type]
    return _round_out(MatchRound.objects.select_related("area").get(pk=match_round.pk))
