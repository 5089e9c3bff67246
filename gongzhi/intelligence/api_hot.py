"""Hot issues over JSON (mounted at /api/intelligence/hot/). Turning one into a demand or a monthly theme is the lists'
API: POST /api/lists/demands, /api/lists/themes."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gongzhi.core.models import Area
from gongzhi.core.permissions import visible_to as core_visible_to

from . import hot_queries
from .views import can_view_hot

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
