"""Hot issues over JSON (mounted at /api/intelligence/hot/). Turning one into a demand or a monthly theme is the lists'
API: POST /api/lists/demands, /api/lists/themes."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongzhi.core.api_schemas import Id, SmallInt
from gongzhi.core.permissions import get_area_for_user

from . import hot_queries
from .permissions import require_view_hot

hot_router = Router()


class HotFilter(Schema):
    days: SmallInt = Field(hot_queries.DEFAULT_WINDOW)
    area: Id | None = None


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
