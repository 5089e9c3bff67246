"""The lists over JSON (mounted at /api/lists/): add a demand or propose a monthly theme from a source's appeals
(today: a hot issue's, as the hot-issue page's form does). Errors: 400 invalid, 403 not allowed, 404 out of scope."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gongzhi.core.api_schemas import Id, OneOf
from gongzhi.core.models import Area
from gongzhi.core.permissions import visible_to as core_visible_to

from .. import actions, permissions, queries
from ..models import Demand
from ..views.demands import source_appeals

router = Router()


class DemandIn(Schema):
    appeal_ids: list[Id] = Field(..., min_length=1, max_length=1000)
    area_id: Id
    title: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)
    source: Annotated[str, OneOf(Demand.Source)] = Field(Demand.Source.HOT_ISSUE)


class ThemeIn(DemandIn):
    month: date


class CreatedOut(Schema):
    id: int
    title: str


def _appeals_and_area(request: HttpRequest, payload: DemandIn) -> tuple[list[Any], Area]:
    appeals = source_appeals(request.user, ",".join(str(i) for i in payload.appeal_ids))
    area = get_object_or_404(core_visible_to(request.user, Area), pk=payload.area_id)
    return appeals, area


@router.post("/demands", response={201: CreatedOut}, summary="新增一条需求（如由热点诉求转来）")
def create_demand(request: HttpRequest, payload: DemandIn) -> Status:
    if not permissions.can_create_demands(request.user):
        raise PermissionDenied(_("You may not add demands."))
    appeals, area = _appeals_and_area(request, payload)
    first = appeals[0]
    demand = actions.do_create_demand(
        acting_user=request.user, title=payload.title or first.title,  # type: ignore[arg-type]
        description=payload.description or queries.summary_of(appeals), area=area, source=payload.source,
        source_ref=first.title, appeal_ids=[a.pk for a in appeals],
    )
    return Status(201, CreatedOut(id=demand.pk, title=demand.title))


@router.post("/themes", response={201: CreatedOut}, summary="提议每月一题（如由热点诉求提议）")
def propose_theme(request: HttpRequest, payload: ThemeIn) -> Status:
    if not permissions.can_propose_themes(request.user):
        raise PermissionDenied(_("You may not propose the month's theme."))
    appeals, area = _appeals_and_area(request, payload)
    first = appeals[0]
    theme = actions.do_propose_monthly_theme(
        acting_user=request.user, month=payload.month, title=payload.title or first.title,  # type: ignore[arg-type]
        description=payload.description, area=area, source_summary=queries.summary_of(appeals),
        appeal_ids=[a.pk for a in appeals],
    )
    return Status(201, CreatedOut(id=theme.pk, title=theme.title))
