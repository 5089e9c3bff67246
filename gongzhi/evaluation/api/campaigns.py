"""The campaigns part of the evaluation API (/api/evaluation/). Every call goes through the same actions as the
pages. Errors: 400 refused (a Chinese message), 403 not allowed, 404 out of scope.

- campaigns: list, create (a draft, its ratees drawn from the area), get, update (a draft), refresh the ratees,
  open the rating;
- ratees: list (organizers: all, with how many have rated; raters: theirs, with their own grade), leave one out;
- raters: list, add one (by username or id), add a group's suggested raters, remove;
- rating: my tasks, my rating of a ratee, put my rating (creates or replaces it).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gongzhi.core.api_schemas import Id, OneOf
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, PartyOrg, User

from .. import permissions
from .. import queries_campaigns as queries
from ..actions import campaigns as actions
from ..models import Campaign, Grade, Ratee, Rater, RaterGroup, Rating

router = Router()
MANAGE_MESSAGE = "Only the subdistrict or district that organizes the campaign may do this."


class EvaluationCriterionIO(Schema):
    name: str = Field(..., max_length=100, description="评分项，如 履职尽责")
    max_score: int = Field(..., ge=1, le=100, description="满分")


class EvaluationCriterionOut(Schema):
    id: int
    name: str
    max_score: int


class EvaluationGroupOut(Schema):
    kind: str = Field(..., description="subdistrict 街道党工委、community 社区党组织、estate 小区党支部、residents 居民代表、"
                                       "units 成员单位（评社区）")
    label: str
    weight: int = Field(..., description="权重（%）")
    raters: int


class EvaluationCampaignOut(Schema):
    id: int
    title: str
    area_id: int
    area_name: str
    period: str
    period_start: date
    period_end: date
    deadline: datetime
    notice_days: int
    rates_units: bool
    rates_members: bool
    rates_communities: bool
    uses_scores: bool
    status: str = Field(..., description="draft 草稿、open 评议中、notice 公示、final 结果确定")
    opened_at: datetime | None
    criteria: list[EvaluationCriterionOut]
    groups: list[EvaluationGroupOut]
    ratees: int
    can_manage: bool


Weights = dict[Annotated[str, OneOf(RaterGroup.Kind)], Annotated[int, Field(ge=0, le=100)]]


class EvaluationCampaignIn(Schema):
    area_id: Id = Field(..., description="组织评议的街道或区")
    title: str = Field(..., max_length=200)
    period: Annotated[str, OneOf(Campaign.Period)] = Field("annual", description="annual 年度 或 quarterly 季度")
    period_start: date | None = Field(None, description="空：年度为上一年，季度为上一季度")
    period_end: date | None = None
    deadline: datetime = Field(..., description="评议截止时间")
    notice_days: int = Field(5, ge=1, le=actions.MAX_NOTICE_DAYS, description="公示天数")
    rates_units: bool = True
    rates_members: bool = True
    rates_communities: bool = Field(False, description="双向评价：成员单位评社区党组织")
    uses_scores: bool = False
    criteria: list[EvaluationCriterionIO] = Field(default_factory=list, max_length=actions.MAX_CRITERIA)
    groups: Weights | None = Field(None, description="各评议主体的权重（%），如 {\"subdistrict\": 30, \"community\": 30, "
                                                     "\"residents\": 40}；空为默认")


class EvaluationCampaignPatch(Schema):
    title: str | None = Field(None, max_length=200)
    period: Annotated[str, OneOf(Campaign.Period)] | None = None
    period_start: date | None = None
    period_end: date | None = None
    deadline: datetime | None = None
    notice_days: int | None = Field(None, ge=1, le=actions.MAX_NOTICE_DAYS)
    rates_units: bool | None = None
    rates_members: bool | None = None
    rates_communities: bool | None = None
    uses_scores: bool | None = None
    criteria: list[EvaluationCriterionIO] | None = Field(None, max_length=actions.MAX_CRITERIA)
    groups: Weights | None = None


class EvaluationRefreshOut(Schema):
    added: int
    removed: int
    ratees: int


class EvaluationCampaignRateeOut(Schema):
    id: int
    kind: str = Field(..., description="unit 成员单位、member 兼职委员、community 社区党组织")
    name: str
    community_id: int
    community_name: str
    unit_id: int | None
    membership_id: int | None
    ratings: int | None = Field(None, description="已评人数（组织者可见）")
    my_grade: str | None = Field(None, description="本人的评议等次（评议人可见）")


class EvaluationCampaignRaterOut(Schema):
    id: int
    group: str
    user_id: int
    username: str
    name: str
    community_id: int | None
    community_name: str
    party_org_id: int | None
    unit_id: int | None
    rated: int
    to_rate: int


class EvaluationRaterIn(Schema):
    group: Annotated[str, OneOf(RaterGroup.Kind)]
    username: str | None = Field(None, max_length=150, description="账号用户名（或 user_id）")
    user_id: Id | None = None
    community_id: Id | None = Field(None, description="评议所在社区；空则按账号的角色确定")
    party_org_id: Id | None = Field(None, description="代表的党组织（社区大党委或小区党支部）")


class EvaluationSuggestIn(Schema):
    group: Annotated[str, OneOf(RaterGroup.Kind)]


class EvaluationAddedOut(Schema):
    added: int


class EvaluationRatingTaskOut(Schema):
    campaign_id: int
    title: str
    deadline: datetime
    group: str
    community_id: int | None
    done: int
    total: int
    urgent: bool = Field(..., description="截止前三天内仍有未评")
    next_ratee_id: int | None
    ratees: list[EvaluationCampaignRateeOut]


class EvaluationRatingIn(Schema):
    grade: Annotated[str, OneOf(Grade)] = Field(..., description="excellent 优秀、qualified 合格、unqualified 不合格")
    scores: dict[str, Annotated[int, Field(ge=0, le=100)]] = Field(
        default_factory=dict, description="按评分项打分：{评分项 id: 分数}（评议设了评分项时必填）")
    comment: str = Field("", max_length=300)


class EvaluationMyRatingOut(Schema):
    id: int
    ratee_id: int
    grade: str
    scores: dict[str, int]
    comment: str
    created_at: datetime
    updated_at: datetime
    next_ratee_id: int | None = Field(None, description="下一个未评的对象")


# --- helpers ---------------------------------------------------------------------------------------------------


def _campaign_out(c: Campaign, user: Any) -> dict[str, Any]:
    groups = list(c.groups.all())
    counts = {g.pk: g.raters.count() for g in groups}
    return {
        "id": c.pk, "title": c.title, "area_id": c.area_id, "area_name": c.area.name, "period": c.period,
        "period_start": c.period_start, "period_end": c.period_end, "deadline": c.deadline,
        "notice_days": c.notice_days, "rates_units": c.rates_units, "rates_members": c.rates_members,
        "rates_communities": c.rates_communities, "uses_scores": c.uses_scores, "status": c.status,
        "opened_at": c.opened_at,
        "criteria": [{"id": x.pk, "name": x.name, "max_score": x.max_score} for x in c.criteria.all()],
        "groups": [{"kind": g.kind, "label": str(g.get_kind_display()), "weight": g.weight, "raters": counts[g.pk]}
                   for g in groups],
        "ratees": c.ratees.count(), "can_manage": permissions.can(user, "manage", c),
    }


def _ratee_out(r: Ratee, *, ratings: int | None = None, my_grade: str | None = None) -> dict[str, Any]:
    return {"id": r.pk, "kind": r.kind, "name": r.name, "community_id": r.community_id,
            "community_name": r.community.name, "unit_id": r.unit_id, "membership_id": r.membership_id,
            "ratings": ratings, "my_grade": my_grade}


def _rater_out(r: Rater) -> dict[str, Any]:
    return {"id": r.pk, "group": r.group.kind, "user_id": r.user_id, "username": r.user.username,
            "name": str(r.user), "community_id": r.community_id,
            "community_name": r.community.name if r.community else "", "party_org_id": r.party_org_id,
            "unit_id": r.unit_id, "rated": getattr(r, "rated", 0), "to_rate": getattr(r, "to_rate", 0)}


def _rating_out(r: Rating, nxt: Ratee | None = None) -> dict[str, Any]:
    return {"id": r.pk, "ratee_id": r.ratee_id, "grade": r.grade, "scores": r.scores or {}, "comment": r.comment,
            "created_at": r.created_at, "updated_at": r.updated_at, "next_ratee_id": nxt.pk if nxt else None}


def _managed(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign = permissions.get_campaign_for_user(request.user, campaign_id)
    permissions.require(request.user, "manage", campaign, _(MANAGE_MESSAGE))
    return campaign


def _criteria(rows: list[EvaluationCriterionIO] | None) -> list[tuple[str, int]] | None:
    return None if rows is None else [(c.name, c.max_score) for c in rows]


# --- campaigns -------------------------------------------------------------------------------------------------


@router.get("/campaigns", response=list[EvaluationCampaignOut], summary="评议活动（组织者：本辖区的；评议人：参评的）")
def list_campaigns(request: HttpRequest, status: Annotated[str, OneOf(Campaign.Status)] | None = None
                   ) -> list[dict[str, Any]]:
    qs = permissions.visible_to(request.user, Campaign).select_related("area")
    if status:
        qs = qs.filter(status=status)
    return [_campaign_out(c, request.user) for c in qs.order_by("-period_end", "-id")[:200]]


@router.post("/campaigns", response={201: EvaluationCampaignOut},
             summary="新建评议活动（草稿；按辖区生成评议对象）：街道干部、区、市管理员")
def create_campaign(request: HttpRequest, payload: EvaluationCampaignIn) -> Status:
    area = Area.objects.filter(pk=payload.area_id).first()
    if area is None or not permissions.area_policy.can(request.user, "organize", area):
        if area is not None and area.level in (Area.Level.SUBDISTRICT, Area.Level.DISTRICT):
            raise PermissionDenied(_(MANAGE_MESSAGE))
        raise ActionError(_("A campaign is organized by a subdistrict or a district: please choose one."),
                          field="area_id")
    campaign = actions.do_create_campaign(
        acting_user=request.user, area=area, title=payload.title, period=payload.period,  # type: ignore[arg-type]
        period_start=payload.period_start, period_end=payload.period_end, deadline=payload.deadline,
        notice_days=payload.notice_days, rates_units=payload.rates_units, rates_members=payload.rates_members,
        rates_communities=payload.rates_communities, uses_scores=payload.uses_scores,
        criteria=_criteria(payload.criteria), groups=payload.groups)
    return Status(201, _campaign_out(campaign, request.user))


@router.get("/campaigns/{int:campaign_id}", response=EvaluationCampaignOut, summary="评议活动详情")
def get_campaign(request: HttpRequest, campaign_id: Id) -> dict[str, Any]:
    return _campaign_out(permissions.get_campaign_for_user(request.user, campaign_id), request.user)


@router.patch("/campaigns/{int:campaign_id}", response=EvaluationCampaignOut, summary="修改评议活动（仅草稿）")
def update_campaign(request: HttpRequest, campaign_id: Id, payload: EvaluationCampaignPatch) -> dict[str, Any]:
    campaign = _managed(request, campaign_id)
    changes = payload.dict(exclude_unset=True)
    if "criteria" in changes:
        changes["criteria"] = _criteria(payload.criteria)
    campaign = actions.do_update_campaign(campaign, acting_user=request.user, **changes)  # type: ignore[arg-type]
    return _campaign_out(campaign, request.user)


@router.post("/campaigns/{int:campaign_id}/refresh", response=EvaluationRefreshOut,
             summary="按辖区重新生成评议对象（仅草稿）")
def refresh_ratees(request: HttpRequest, campaign_id: Id) -> dict[str, Any]:
    campaign = _managed(request, campaign_id)
    added, removed = actions.do_refresh_ratees(campaign, acting_user=request.user)  # type: ignore[arg-type]
    return {"added": added, "removed": removed, "ratees": campaign.ratees.count()}


@router.post("/campaigns/{int:campaign_id}/open", response=EvaluationCampaignOut,
             summary="开始评议：检查评议对象、各评议主体的评议人和截止时间，通知评议人")
def open_campaign(request: HttpRequest, campaign_id: Id) -> dict[str, Any]:
    campaign = _managed(request, campaign_id)
    campaign = actions.do_open_campaign(campaign, acting_user=request.user)  # type: ignore[arg-type]
    return _campaign_out(campaign, request.user)


# --- ratees ----------------------------------------------------------------------------------------------------


@router.get("/campaigns/{int:campaign_id}/ratees", response=list[EvaluationCampaignRateeOut],
            summary="评议对象：组织者看全部（含已评人数），评议人看自己要评的（含本人等次）")
def list_ratees(request: HttpRequest, campaign_id: Id) -> list[dict[str, Any]]:
    campaign = permissions.get_campaign_for_user(request.user, campaign_id)
    if permissions.can(request.user, "manage", campaign):
        return [_ratee_out(r, ratings=r.ratings_count) for r in queries.ratee_rows(campaign)]  # type: ignore[attr-defined]
    rater = permissions.rater_for(request.user, campaign)
    if rater is None or campaign.status != Campaign.Status.OPEN:
        raise PermissionDenied(_("You do not rate in this campaign."))
    return [_ratee_out(r, my_grade=r.my_grade) for r in queries.ratees_of(rater)]  # type: ignore[attr-defined]


@router.delete("/campaigns/{int:campaign_id}/ratees/{int:ratee_id}", response={204: None},
               summary="不再评议某个对象（仅草稿；重新生成时会回来）")
def remove_ratee(request: HttpRequest, campaign_id: Id, ratee_id: Id) -> Status:
    campaign = _managed(request, campaign_id)
    ratee = campaign.ratees.filter(pk=ratee_id).first()
    if ratee is None:
        raise Http404(_("Not found, or outside your area."))
    actions.do_remove_ratee(ratee, acting_user=request.user)  # type: ignore[arg-type]
    return Status(204, None)


# --- raters ----------------------------------------------------------------------------------------------------


@router.get("/campaigns/{int:campaign_id}/raters", response=list[EvaluationCampaignRaterOut],
            summary="评议人（按评议主体），含已评和应评数")
def list_raters(request: HttpRequest, campaign_id: Id) -> list[dict[str, Any]]:
    campaign = _managed(request, campaign_id)
    return [_rater_out(r) for r in queries.rater_rows(campaign)]


@router.post("/campaigns/{int:campaign_id}/raters", response={201: EvaluationCampaignRaterOut},
             summary="添加一名评议人（每人在一次评议中只评一次）")
def add_rater(request: HttpRequest, campaign_id: Id, payload: EvaluationRaterIn) -> Status:
    campaign = _managed(request, campaign_id)
    user = None
    if payload.user_id is not None:
        user = User.objects.filter(pk=payload.user_id).first()
    elif payload.username:
        user = User.objects.filter(username=payload.username.strip()).first()
    community = None
    if payload.community_id is not None:
        community = Area.objects.filter(pk=payload.community_id).first()
        if community is None:
            raise ActionError(_("The community must lie in the campaign's area."), field="community_id")
    party_org = None
    if payload.party_org_id is not None:
        party_org = PartyOrg.objects.filter(pk=payload.party_org_id).select_related("area").first()
        if party_org is None:
            raise ActionError(_("The party organization must lie in the campaign's area."), field="party_org_id")
    rater = actions.do_add_rater(campaign, acting_user=request.user, kind=payload.group, user=user,  # type: ignore[arg-type]
                                 community=community, party_org=party_org)
    return Status(201, _rater_out(rater))


@router.post("/campaigns/{int:campaign_id}/raters/suggested", response=EvaluationAddedOut,
             summary="按角色添加某评议主体的建议评议人")
def add_suggested_raters(request: HttpRequest, campaign_id: Id, payload: EvaluationSuggestIn) -> dict[str, Any]:
    campaign = _managed(request, campaign_id)
    n = actions.do_add_suggested_raters(campaign, acting_user=request.user, kind=payload.group)  # type: ignore[arg-type]
    return {"added": n}


@router.delete("/campaigns/{int:campaign_id}/raters/{int:rater_id}", response={204: None},
               summary="移除评议人（尚未评议的）")
def remove_rater(request: HttpRequest, campaign_id: Id, rater_id: Id) -> Status:
    campaign = _managed(request, campaign_id)
    rater = campaign.raters.filter(pk=rater_id).first()
    if rater is None:
        raise Http404(_("Not found, or outside your area."))
    actions.do_remove_rater(rater, acting_user=request.user)  # type: ignore[arg-type]
    return Status(204, None)


# --- rating ----------------------------------------------------------------------------------------------------


@router.get("/rating/tasks", response=list[EvaluationRatingTaskOut], summary="我的评议任务（进行中的评议）")
def my_tasks(request: HttpRequest) -> list[dict[str, Any]]:
    out = []
    for t in queries.my_tasks(request.user):
        nxt = t.next_ratee
        out.append({"campaign_id": t.campaign.pk, "title": t.campaign.title, "deadline": t.campaign.deadline,
                    "group": t.rater.group.kind, "community_id": t.rater.community_id, "done": t.done,
                    "total": t.total, "urgent": t.urgent, "next_ratee_id": nxt.pk if nxt else None,
                    "ratees": [_ratee_out(r, my_grade=r.my_grade) for r in t.ratees]})  # type: ignore[attr-defined]
    return out


def _rated_ratee(request: HttpRequest, ratee_id: int) -> tuple[Ratee, Rater]:
    ratee = permissions.get_ratee_for_user(request.user, ratee_id)
    rater = permissions.rater_for(request.user, ratee.campaign)
    if rater is None or not permissions.rater_covers(rater, ratee):
        raise PermissionDenied(_("You do not rate this one: you rate only your community's ratees of your group."))
    return ratee, rater


@router.get("/ratees/{int:ratee_id}/rating", response=EvaluationMyRatingOut, summary="本人对某对象的评议")
def get_my_rating(request: HttpRequest, ratee_id: Id) -> dict[str, Any]:
    ratee, rater = _rated_ratee(request, ratee_id)
    rating = queries.my_rating(rater, ratee)
    if rating is None:
        raise Http404(_("You have not rated this one yet."))
    return _rating_out(rating)


@router.put("/ratees/{int:ratee_id}/rating", response=EvaluationMyRatingOut,
            summary="评议（优秀、合格、不合格，可按评分项打分）；截止前再评即替换原评议")
def put_rating(request: HttpRequest, ratee_id: Id, payload: EvaluationRatingIn) -> dict[str, Any]:
    ratee, rater = _rated_ratee(request, ratee_id)
    rating = actions.do_rate(ratee, grade=payload.grade, scores=payload.scores, comment=payload.comment,
                             acting_user=request.user)  # type: ignore[arg-type]
    return _rating_out(rating, queries.next_unrated(rater, after=ratee))
