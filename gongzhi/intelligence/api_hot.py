"""Hot issues over JSON (mounted at /api/intelligence/hot/): list, turn into a demand, propose as the month's theme."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gongzhi.core.models import Area
from gongzhi.core.permissions import visible_to as core_visible_to
from gongzhi.lists import actions as list_actions
from gongzhi.lists.models import Demand

from . import hot_queries
from .views import appeals_for_user, can_view_hot, summary_of

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
    if not can_view_hot(request.user):
        raise PermissionDenied(_("You do not have permission to see hot issues."))
    if filters.days not in hot_queries.WINDOWS:
        filters.days = hot_queries.DEFAULT_WINDOW
    area = None
    if filters.area is not None:
        area = core_visible_to(request.user, Area).filter(pk=filters.area).first()
        if area is None:
            raise Http404
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
    if not can_view_hot(request.user):
        raise PermissionDenied(_("You do not have permission to see hot issues."))
    appeals = appeals_for_user(request, ",".join(str(i) for i in payload.appeal_ids))
    area = get_object_or_404(core_visible_to(request.user, Area), pk=payload.area_id)
    demand = list_actions.do_create_demand(
        acting_user=request.user, title=payload.title or appeals[0].title,  # type: ignore[arg-type]
        description=payload.description or summary_of(appeals), area=area, source=Demand.Source.HOT_ISSUE,
        source_ref=appeals[0].title, appeal_ids=[a.pk for a in appeals],
    )
    return Status(201, CreatedOut(id=demand.pk, title=demand.title))


@hot_router.post("theme", response={201: CreatedOut}, summary="把热点提议为每月一题")
def hot_to_theme(request: HttpRequest, payload: ThemeIn) -> Status:
    if not can_view_hot(request.user):
        raise PermissionDenied(_("You do not have permission to see hot issues."))
    appeals = appeals_for_user(request, ",".join(str(i) for i in payload.appeal_ids))
    area = get_object_or_404(core_visible_to(request.user, Area), pk=payload.area_id)
    theme = list_actions.do_propose_monthly_theme(
        acting_user=request.user, month=payload.month, title=payload.title or appeals[0].title,  # type: ignore[arg-type]
        description=payload.description, area=area, source_summary=summary_of(appeals),
        appeal_ids=[a.pk for a in appeals],
    )
    return Status(201, CreatedOut(id=theme.pk, title=theme.title))
