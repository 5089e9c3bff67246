"""The public notice (公示) and the quarterly refresh (每季度动态更新) over JSON, mounted at /api/lists/.

Public, no sign-in (the same fields as the public pages, nothing personal): a community's projects on the notice,
one project, and a resident's rating (with the code sent to the phone: ask for it first). Staff: a community's
quarter (from its snapshot when closed), closing it, and two quarters compared. Errors: 400 invalid (a Chinese
message), 403 not allowed, 404 out of scope or not on the notice, 409 a quarter already closed, 429 too many
requests from one address."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.conf import settings
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from gongzhi.core.api_schemas import Id, OneOf
from gongzhi.lib import ratelimit
from gongzhi.lib.net import client_ip

from .. import notice
from ..actions import public as rating_actions
from ..actions import quarters as quarter_actions
from ..models import Project, ProjectRating
from ..quarters import LISTS, Quarter, compare, quarter_view
from ..views.quarters import get_community_for_user

router = Router()

QUARTER = r"^\d{4}-[Qq][1-4]$"


# --- the public notice ---------------------------------------------------------------------------------------


class SatisfactionOut(Schema):
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    total: int
    rate: float | None = Field(None, description="（满意 + 0.9 × 基本满意）/ 评价数")


class MilestoneOut(Schema):
    title: str
    due_on: date
    done: bool
    overdue: bool


class UpdateOut(Schema):
    at: datetime
    percent: int
    unit: str
    note: str
    photo_urls: list[str]


class PublicDemandOut(Schema):
    title: str
    status: str
    beneficiary_count: int


class PublicProjectOut(Schema):
    id: int
    title: str
    status: str
    status_label: str
    progress: int
    lead_unit: str
    partner_units: list[str]
    demands: list[PublicDemandOut]
    beneficiaries: int
    satisfaction: SatisfactionOut
    url: str


class PublicProjectDetailOut(PublicProjectOut):
    description: str
    milestones: list[MilestoneOut]
    updates: list[UpdateOut]
    can_rate: bool


def _satisfaction(s: notice.Satisfaction) -> dict[str, Any]:
    return {"satisfied": s.satisfied, "basically_satisfied": s.basically, "unsatisfied": s.unsatisfied,
            "total": s.total, "rate": round(s.rate, 4) if s.rate is not None else None}


def _public_project(request: HttpRequest, p: Project, demands: list[Any], s: notice.Satisfaction,
                    partners: list[str]) -> dict[str, Any]:
    return {
        "id": p.pk, "title": p.title, "status": p.status, "status_label": str(p.get_status_display()),
        "progress": p.progress, "lead_unit": p.lead_unit.name if p.lead_unit else "", "partner_units": partners,
        "demands": [{"title": d.title, "status": d.status, "beneficiary_count": d.beneficiary_count}
                    for d in demands],
        "beneficiaries": sum(d.beneficiary_count for d in demands), "satisfaction": _satisfaction(s),
        "url": request.build_absolute_uri(reverse("lists:public_project", args=[p.area_id, p.pk])),
    }


def _community(community_id: int) -> Any:
    community = notice.get_community(community_id)
    if community is None:
        raise Http404
    return community


def _limit(request: HttpRequest) -> None:
    limit, window = getattr(settings, "LISTS_RATING_RATE", (20, 600))
    if not ratelimit.hit(f"lists:rating:{client_ip(request)}", limit=int(limit), window_seconds=int(window)):
        raise HttpError(429, _("Too many ratings or codes were asked from this network in a short time. Please "
                               "wait ten minutes and try again."))


@router.get("/public/{community_id}/projects", auth=None, response=list[PublicProjectOut],
            summary="社区项目公示（无需登录；不含个人信息）")
def public_projects(request: HttpRequest, community_id: Id) -> list[dict[str, Any]]:
    community = _community(community_id)
    return [_public_project(request, p, list(p.demands.all()), p.satisfaction,  # type: ignore[attr-defined]
                            [u.name for u in p.partner_units.all()])
            for p in notice.community_projects(community)]


@router.get("/public/{community_id}/projects/{project_id}", auth=None, response=PublicProjectDetailOut,
            summary="一个公示项目：节点、进展、照片、满足的需求、居民评价（无需登录）")
def public_project(request: HttpRequest, community_id: Id, project_id: Id) -> dict[str, Any]:
    community = _community(community_id)
    project = notice.get_public_project(community, project_id)
    if project is None:
        raise Http404
    page = notice.project_page(project)
    out = _public_project(request, project, page["demands"], page["satisfaction"],
                          [u.name for u in page["partners"]])
    out.update({
        "description": page["description"],
        "milestones": [{"title": m.public_title, "due_on": m.due_on, "done": m.done_at is not None,  # type: ignore[attr-defined]
                        "overdue": m.overdue} for m in page["milestones"]],  # type: ignore[attr-defined]
        "updates": [{"at": u.at, "percent": u.percent, "unit": u.unit.name if u.unit else "",
                     "note": u.public_note,  # type: ignore[attr-defined]
                     "photo_urls": [request.build_absolute_uri(reverse("lists:public_photo", args=[ph.pk]))
                                    for ph in u.photos.all()]} for u in page["updates"]],
        "can_rate": page["can_rate"],
    })
    return out


class CodeIn(Schema):
    phone: str = Field(..., max_length=20)


class RatingIn(Schema):
    phone: str = Field(..., max_length=20)
    code: str = Field(..., max_length=6)
    satisfaction: Annotated[str, OneOf(ProjectRating.Satisfaction)]
    comment: str = Field("", max_length=rating_actions.MAX_COMMENT)


class SentOut(Schema):
    sent: bool


def _rated_project(community_id: int, project_id: int) -> Project:
    project = notice.get_public_project(_community(community_id), project_id)
    if project is None:
        raise Http404
    return project


@router.post("/public/{community_id}/projects/{project_id}/code", auth=None, response=SentOut,
             summary="向居民手机发送评价验证码（无需登录；号码只存散列）")
def public_rating_code(request: HttpRequest, community_id: Id, project_id: Id, payload: CodeIn) -> dict[str, Any]:
    project = _rated_project(community_id, project_id)
    _limit(request)
    rating_actions.do_send_rating_code(project, phone=payload.phone)
    return {"sent": True}


@router.post("/public/{community_id}/projects/{project_id}/ratings", auth=None, response={201: SatisfactionOut},
             summary="居民评价已完成的项目（每个手机号一次，须填验证码；无需登录）")
def public_rate(request: HttpRequest, community_id: Id, project_id: Id, payload: RatingIn) -> Status:
    project = _rated_project(community_id, project_id)
    _limit(request)
    rating_actions.do_rate_project(project, phone=payload.phone, code=payload.code,
                                   satisfaction=payload.satisfaction, comment=payload.comment)
    return Status(201, _satisfaction(notice.satisfaction(project)))


# --- quarters (staff) ----------------------------------------------------------------------------------------


class QuarterOut(Schema):
    community_id: int
    quarter: str
    closed: bool
    closed_at: datetime | None
    as_of: datetime
    counts: dict[str, Any]
    lists: dict[str, list[dict[str, Any]]]


class ChangeOut(Schema):
    id: int
    title: str
    before: str = Field(..., description="前一季度的状态（空：不在清单中）")
    after: str = Field(..., description="后一季度的状态（空：已移出清单）")


class CompareOut(Schema):
    a: str
    b: str
    counts: dict[str, dict[str, list[int]]] = Field(..., description="每张清单每个数：[前一季度, 后一季度, 增减]")
    changes: dict[str, list[ChangeOut]]


def _quarter(text: str) -> Quarter:
    quarter = Quarter.parse(text)
    if quarter is None or quarter.is_future():
        raise Http404
    return quarter


def _quarter_out(view: Any) -> dict[str, Any]:
    return {"community_id": view.community.pk, "quarter": view.quarter.slug, "closed": view.closed,
            "closed_at": view.snapshot.closed_at if view.snapshot else None, "as_of": view.as_of,
            "counts": view.data["counts"], "lists": view.data["lists"]}


@router.get("/quarters/{community_id}/compare", response=CompareOut, summary="两个季度的三张清单对比")
def quarter_compare(request: HttpRequest, community_id: Id,
                    a: Annotated[str, Field(pattern=QUARTER)], b: Annotated[str, Field(pattern=QUARTER)]
                    ) -> dict[str, Any]:
    community = get_community_for_user(request.user, community_id)
    qa, qb = sorted((_quarter(a), _quarter(b)))
    result = compare(quarter_view(community, qa), quarter_view(community, qb))
    return {
        "a": qa.slug, "b": qb.slug,
        "counts": {name: {key: [x, y, d] for key, x, y, d in result["counts"][name]} for name in LISTS},
        "changes": {name: [{"id": c.id, "title": c.title, "before": c.before, "after": c.after}
                           for c in result["changes"][name]] for name in LISTS},
    }


@router.get("/quarters/{community_id}/{quarter}", response=QuarterOut,
            summary="社区一个季度的三张清单：新增、变更、满足或完成、滞后（已关闭的季度取自存档）")
def quarter_detail(request: HttpRequest, community_id: Id, quarter: Annotated[str, Field(pattern=QUARTER)]
                   ) -> dict[str, Any]:
    community = get_community_for_user(request.user, community_id)
    return _quarter_out(quarter_view(community, _quarter(quarter)))


@router.post("/quarters/{community_id}/{quarter}/close", response={201: QuarterOut},
             summary="关闭季度：存档三张清单（每个社区每季度一次）")
def quarter_close(request: HttpRequest, community_id: Id, quarter: Annotated[str, Field(pattern=QUARTER)]
                  ) -> Status:
    community = get_community_for_user(request.user, community_id)
    q = _quarter(quarter)
    quarter_actions.do_close_quarter(community, q, acting_user=request.user)  # type: ignore[arg-type]
    return Status(201, _quarter_out(quarter_view(community, q)))
