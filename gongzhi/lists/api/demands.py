"""The demand list over JSON (mounted at /api/lists/): list (filtered as the page is, scoped), one demand, add one
from any source (a hot issue's or appeals' ids, a survey, a council proposal, a member unit's own need, staff
entry), edit, close, reopen; and propose a monthly theme from a hot issue. Errors: 400 invalid (a Chinese message),
403 not allowed, 404 out of scope."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gongzhi.core.api_schemas import MAX_ID, MAX_LIMIT, Id, Limit, Offset, OneOf
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, Unit
from gongzhi.core.permissions import visible_to as core_visible_to

from .. import actions, demand_filters, permissions, queries
from ..models import Demand, ResourceKind, Survey, Urgency
from ..views.demands import source_appeals

router = Router()


class DemandIn(Schema):
    """A new demand. With `appeal_ids` (a hot issue's or appeals') the source is hot_issue unless told, the title
    defaults to the first appeal's; a survey demand names `source_survey_id`, a member unit's own need
    `source_unit_id`, a council proposal `source_ref` (and `source_key` for a later app's record)."""

    appeal_ids: list[Id] = Field(default_factory=list, max_length=1000)
    area_id: Id
    title: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)
    source: Annotated[str, OneOf(Demand.Source)] | None = None
    source_ref: str = Field("", max_length=200)
    source_key: str = Field("", max_length=80)
    source_survey_id: Id | None = None
    source_unit_id: Id | None = None
    category_id: Id | None = None
    beneficiaries: str = Field("", max_length=200)
    beneficiary_count: int = Field(0, ge=0, le=1_000_000)
    urgency: Annotated[str, OneOf(Urgency)] = Urgency.NORMAL
    resource_kinds: list[Annotated[str, OneOf(ResourceKind)]] = Field(default_factory=list, max_length=5)
    cost_estimate: Decimal | None = Field(None, ge=0, le=Decimal("999999999999.99"), decimal_places=2)
    need_quantity: int | None = Field(None, ge=0, le=1_000_000)


class DemandPatch(Schema):
    """The fields to change (the others stay)."""

    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    area_id: Id | None = None
    category_id: int | None = Field(None, ge=0, le=MAX_ID, description="分类 id；0 清除分类")
    beneficiaries: str | None = Field(None, max_length=200)
    beneficiary_count: int | None = Field(None, ge=0, le=1_000_000)
    urgency: Annotated[str, OneOf(Urgency)] | None = None
    resource_kinds: list[Annotated[str, OneOf(ResourceKind)]] | None = Field(None, max_length=5)
    cost_estimate: Decimal | None = Field(None, ge=0, le=Decimal("999999999999.99"), decimal_places=2)
    need_quantity: int | None = Field(None, ge=0, le=1_000_000)


class CloseIn(Schema):
    reason: str = Field(..., max_length=300)


class ThemeIn(Schema):
    appeal_ids: list[Id] = Field(..., min_length=1, max_length=1000)
    area_id: Id
    title: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)
    month: date


class CreatedOut(Schema):
    id: int
    title: str


class DemandOut(Schema):
    id: int
    title: str
    description: str
    area_id: int
    area_name: str
    category_id: int | None
    category_name: str | None
    source: str
    source_ref: str
    source_key: str
    source_survey_id: int | None
    source_unit_id: int | None
    source_unit_name: str | None
    appeal_ids: list[int]
    beneficiaries: str
    beneficiary_count: int
    urgency: str
    resource_kinds: list[str]
    cost_estimate: Decimal | None
    need_quantity: int | None
    status: str
    closed_reason: str
    created_at: datetime
    updated_at: datetime
    met_at: datetime | None


class DemandListOut(Schema):
    count: int
    items: list[DemandOut]


class DemandQuery(Schema):
    q: str = Field("", max_length=50, description="标题、描述、受益人群或来源中的文字")
    status: str = Field("", description="状态：open、matched、in_project、met、closed")
    source: str = Field("", description="来源：appeal、hot_issue、survey、council、unit、manual")
    urgency: str = Field("", description="紧急程度：low、normal、high、urgent")
    area: str = Field("", description="地点（区域 id，含其下级）")
    category: str = Field("", description="诉求分类 id（含其下级分类）")
    kind: str = Field("", description="所需资源类型：venue、funds、service、volunteer_hours、equipment")
    limit: Limit = 50
    offset: Offset = 0


def demand_out(demand: Demand) -> dict[str, Any]:
    return {
        "id": demand.pk, "title": demand.title, "description": demand.description, "area_id": demand.area_id,
        "area_name": demand.area.name, "category_id": demand.category_id,
        "category_name": demand.category.name if demand.category else None, "source": demand.source,
        "source_ref": demand.source_ref, "source_key": demand.source_key,
        "source_survey_id": demand.source_survey_id, "source_unit_id": demand.source_unit_id,
        "source_unit_name": demand.source_unit.name if demand.source_unit else None,
        "appeal_ids": demand.appeal_ids, "beneficiaries": demand.beneficiaries,
        "beneficiary_count": demand.beneficiary_count, "urgency": demand.urgency,
        "resource_kinds": list(demand.resource_kinds or []), "cost_estimate": demand.cost_estimate,
        "need_quantity": demand.need_quantity, "status": demand.status, "closed_reason": demand.closed_reason,
        "created_at": demand.created_at, "updated_at": demand.updated_at, "met_at": demand.met_at,
    }


def _area(request: HttpRequest, pk: int) -> Area:
    return get_object_or_404(core_visible_to(request.user, Area), pk=pk)


@router.get("/demands", response=DemandListOut, summary="需求清单（可筛选，仅本人可见范围）")
def list_demands(request: HttpRequest, query: Query[DemandQuery]) -> dict[str, Any]:
    permissions.demand_policy.require_somewhere(request.user, "browse")
    filters = demand_filters.parse_filters(request.user, query.dict())
    if filters.errors:
        raise ActionError(" ".join(filters.errors))
    qs = queries.demand_list(request.user, filters=filters).prefetch_related("links")
    limit = min(query.limit, MAX_LIMIT)
    return {"count": qs.count(), "items": [demand_out(d) for d in qs[query.offset:query.offset + limit]]}


@router.get("/demands/{demand_id}", response=DemandOut, summary="一条需求")
def get_demand(request: HttpRequest, demand_id: Id) -> dict[str, Any]:
    return demand_out(permissions.get_demand_for_user(request.user, demand_id))


@router.post("/demands", response={201: CreatedOut}, summary="新增一条需求（热点诉求、问卷、居民议事、单位需求或社区录入）")
def create_demand(request: HttpRequest, payload: DemandIn) -> Status:
    if not permissions.can_create_demands(request.user):
        raise PermissionDenied(_("You may not add demands."))
    source = payload.source or (Demand.Source.HOT_ISSUE if payload.appeal_ids else Demand.Source.MANUAL)
    title, description, source_ref = payload.title, payload.description, payload.source_ref
    appeal_ids: list[int] = []
    if source in actions.demands.APPEAL_SOURCES:
        if not payload.appeal_ids:
            raise ActionError(_("A demand from a hot issue or from appeals needs the appeals' ids."),
                              field="appeal_ids")
        appeals = source_appeals(request.user, ",".join(str(i) for i in payload.appeal_ids))
        first = appeals[0]
        title = title or first.title
        description = description or queries.summary_of(appeals)
        source_ref = source_ref or first.title
        appeal_ids = [a.pk for a in appeals]
    area = _area(request, payload.area_id)
    survey = None
    if payload.source_survey_id is not None:
        survey = permissions.visible_to(request.user, Survey).filter(pk=payload.source_survey_id).first()
        if survey is None:
            raise ActionError(_("The survey does not exist or is outside your area."), field="source_survey_id")
    unit = None
    if payload.source_unit_id is not None:
        unit = Unit.objects.filter(pk=payload.source_unit_id).select_related("area").first()
        if unit is None:
            raise ActionError(_("This unit does not exist."), field="source_unit_id")
    demand = actions.do_create_demand(
        acting_user=request.user, title=title, area=area, description=description, source=source,  # type: ignore[arg-type]
        source_ref=source_ref, appeal_ids=appeal_ids, source_survey=survey, source_unit=unit,
        source_key=payload.source_key, category=payload.category_id, beneficiaries=payload.beneficiaries,
        beneficiary_count=payload.beneficiary_count, urgency=payload.urgency, resource_kinds=payload.resource_kinds,
        cost_estimate=payload.cost_estimate, need_quantity=payload.need_quantity,
    )
    return Status(201, CreatedOut(id=demand.pk, title=demand.title))


@router.patch("/demands/{demand_id}", response=DemandOut, summary="修改一条需求")
def update_demand(request: HttpRequest, demand_id: Id, payload: DemandPatch) -> dict[str, Any]:
    demand = permissions.get_demand_for_user(request.user, demand_id)
    changes: dict[str, Any] = {}
    for name in ("title", "description", "beneficiaries", "beneficiary_count", "urgency", "resource_kinds",
                 "need_quantity", "cost_estimate"):
        if name in payload.model_fields_set:
            changes[name] = getattr(payload, name)
    for name in ("title", "description", "beneficiaries", "urgency", "resource_kinds", "beneficiary_count"):
        if name in changes and changes[name] is None:
            raise ActionError(_("This field cannot be empty: leave it out to keep it."), field=name)
    if "category_id" in payload.model_fields_set:
        changes["category"] = payload.category_id or None
    if payload.area_id is not None:
        changes["area"] = _area(request, payload.area_id)
    demand = actions.do_update_demand(demand, acting_user=request.user, **changes)  # type: ignore[arg-type]
    return demand_out(permissions.get_demand_for_user(request.user, demand.pk))


@router.post("/demands/{demand_id}/close", response=DemandOut, summary="关闭一条需求（须说明原因）")
def close_demand(request: HttpRequest, demand_id: Id, payload: CloseIn) -> dict[str, Any]:
    demand = permissions.get_demand_for_user(request.user, demand_id)
    actions.do_close_demand(demand, acting_user=request.user, reason=payload.reason)  # type: ignore[arg-type]
    return demand_out(permissions.get_demand_for_user(request.user, demand.pk))


@router.post("/demands/{demand_id}/reopen", response=DemandOut, summary="重新打开已关闭的需求")
def reopen_demand(request: HttpRequest, demand_id: Id) -> dict[str, Any]:
    demand = permissions.get_demand_for_user(request.user, demand_id)
    actions.do_reopen_demand(demand, acting_user=request.user)  # type: ignore[arg-type]
    return demand_out(permissions.get_demand_for_user(request.user, demand.pk))


@router.post("/themes", response={201: CreatedOut}, summary="提议每月一题（如由热点诉求提议）")
def propose_theme(request: HttpRequest, payload: ThemeIn) -> Status:
    if not permissions.can_propose_themes(request.user):
        raise PermissionDenied(_("You may not propose the month's theme."))
    appeals = source_appeals(request.user, ",".join(str(i) for i in payload.appeal_ids))
    area = _area(request, payload.area_id)
    first = appeals[0]
    theme = actions.do_propose_monthly_theme(
        acting_user=request.user, month=payload.month, title=payload.title or first.title,  # type: ignore[arg-type]
        description=payload.description, area=area, source_summary=queries.summary_of(appeals),
        appeal_ids=[a.pk for a in appeals],
    )
    return Status(201, CreatedOut(id=theme.pk, title=theme.title))
