"""Hot issues over JSON (mounted at /api/intelligence/hot/): list, turn into a demand, propose as the month's theme."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from gongzhi.core.permissions import get_area_for_user
from gongzhi.lists import actions as list_actions
from gongzhi.lists.models import Demand

from . import hot_queries
from .permissions import require_view_hot
from .views import appeals_for_user, summary_of

hot_router = Router()


class HotFilter(Schema):
    days: int = Field(hot_queries.DEFAULT_WINDOW)
    area: int | None = None


class HotIssueOut(Schema):
    rank: int
    title: str
    place: str
    appeals: int
    residents: int
    likes: int
    heat: float
    first_at: datetime
    last_at: datetime
    appeal_ids: list[int]
    case_ids: list[int]


class DemandIn(Schema):
    appeal_ids: list[int] = Field(..., min_length=1, max_length=1000)
    area_id: int
    title: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)


class ThemeIn(DemandIn):
    month: date


class CreatedOut(Schema):
    id: int
    title: str


@hot_router.get("", response=list[HotIssueOut], summary="热点诉求（按问题和地点归并，按热度排序）")
def hot_list(request: HttpRequest, filters: Query[HotFilter]) -> list[HotIssueOut]:
    require_view_hot(request.user)
    if filters.days not in hot_queries.WINDOWS:
        filters.days = hot_queries.DEFAULT_WINDOW
    area = None
    if filters.area is not None:
        area = get_area_for_user(request.user, filters.area)
    issues = hot_queries.hot_issues_for(request.user, days=filters.days, area=area)
    out = []
    for g in issues.groups:
        refs = issues.refs(g)
        out.append(HotIssueOut(rank=g.rank, title=g.title, place=g.place_label, appeals=g.count, residents=g.residents,
                               likes=g.likes, heat=g.heat, first_at=g.first_at, last_at=g.last_at,
                               appeal_ids=[r.id for r in refs], case_ids=[r.case_id for r in refs if r.case_id]))
    return out


@hot_router.post("demand", response={201: CreatedOut}, summary="把热点转为需求清单中的一条需求")
def hot_to_demand(request: HttpRequest, payload: DemandIn) -> Status:
    require_view_hot(request.user)
    appeals = appeals_for_user(request, ",".join(str(i) for i in payload.appeal_ids))
    area = get_area_for_user(request.user, payload.area_id)
    demand = list_actions.do_create_demand(
        acting_user=request.user, title=payload.title or appeals[0].title,  # type: ignore[arg-type]
        description=payload.description or summary_of(appeals), area=area, source=Demand.Source.HOT_ISSUE,
        source_ref=appeals[0].title, appeal_ids=[a.pk for a in appeals],
    )
    return Status(201, CreatedOut(id=demand.pk, title=demand.title))


@hot_router.post("theme", response={201: CreatedOut}, summary="把热点提议为每月一题")
def hot_to_theme(request: HttpRequest, payload: ThemeIn) -> Status:
    require_view_hot(request.user)
    appeals = appeals_for_user(request, ",".join(str(i) for i in payload.appeal_ids))
    area = get_area_for_user(request.user, payload.area_id)
    theme = list_actions.do_propose_monthly_theme(
        acting_user=request.user, month=payload.month, title=payload.title or appeals[0].title,  # type: ignore[arg-type]
        description=payload.description, area=area, source_summary=summary_of(appeals),
        appeal_ids=[a.pk for a in appeals],
    )
    return Status(201, CreatedOut(id=theme.pk, title=theme.title))
