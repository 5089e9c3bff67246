"""The commitments part over JSON, mounted at /api/service/. Every call goes through the same actions as the pages.
Errors: 400 refused (a Chinese message), 403 not allowed, 404 out of scope.

- posts: list (a community's, with who holds them today), create, update, assign a term, end a term early;
- pledges: list (one's own, or a community's by year and status), create, update (while open), assess;
- star rules: get, update; star ratings: list, mine (with the breakdown), adjust, recompute now, the distribution.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from annotated_types import Interval
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gongzhi.core.api_schemas import Id, OneOf
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area
from gongzhi.core.policy import scope_paths

from .. import permissions, stars
from ..actions import commitments as actions
from ..models import Pledge, Post, PostTerm, StarRating
from ..views.commitments import breakdown_rows, current_terms, member_communities, posts_with_holders

router = Router()
Year = Annotated[int, Interval(ge=2000, le=2100)]


class ServiceTermOut(Schema):
    id: int
    post_id: int
    party_member_id: int
    party_member_name: str
    starts_on: date
    ends_on: date
    ended_on: date | None


class ServicePostOut(Schema):
    id: int
    community_id: int
    area_id: int | None
    area_name: str
    name: str
    duties: str
    seats: int
    active: bool
    holders: list[ServiceTermOut]


class ServicePostIn(Schema):
    community_id: Id
    name: str = Field(..., max_length=50, description="岗位名称，如 楼栋长、政策宣传员、矛盾调解员、文明引导员")
    duties: str = Field(..., max_length=2000)
    seats: int = Field(1, ge=1, le=actions.MAX_SEATS)
    area_id: Id | None = Field(None, description="服务范围（社区内的小区、网格或楼栋）；空为整个社区")


class ServicePostPatch(Schema):
    name: str | None = Field(None, max_length=50)
    duties: str | None = Field(None, max_length=2000)
    seats: int | None = Field(None, ge=1, le=actions.MAX_SEATS)
    area_id: Id | None = None
    whole_community: bool = Field(False, description="改为服务整个社区（清除服务范围）")
    active: bool | None = None


class ServiceTermIn(Schema):
    party_member_id: Id
    starts_on: date
    ends_on: date


class ServiceTermEndIn(Schema):
    ended_on: date | None = Field(None, description="离岗日期，默认今天")


class ServicePledgeOut(Schema):
    id: int
    party_member_id: int
    party_member_name: str
    community_id: int
    community_name: str
    year: int
    text: str
    status: str
    evidence: str
    assessed_at: datetime | None


class ServicePledgeIn(Schema):
    community_id: Id
    year: Year | None = Field(None, description="默认今年")
    text: str = Field(..., max_length=300)


class ServicePledgePatch(Schema):
    text: str = Field(..., max_length=300)


class ServicePledgeAssessIn(Schema):
    status: Annotated[str, OneOf(actions.ASSESSED)] = Field(..., description="kept、partly 或 not_kept")
    evidence: str = Field("", max_length=2000, description="佐证；部分兑现、未兑现时必填")


class ServiceStarRuleOut(Schema):
    community_id: int
    configured: bool
    points_per_hour: Decimal
    points_per_party_day: Decimal
    points_per_pledge_kept: Decimal
    points_per_post: Decimal
    points_per_feedback: Decimal
    two_stars: int
    three_stars: int
    four_stars: int
    five_stars: int


class ServiceStarRuleIn(Schema):
    points_per_hour: Decimal | None = Field(None, ge=0, le=actions.MAX_POINTS)
    points_per_party_day: Decimal | None = Field(None, ge=0, le=actions.MAX_POINTS)
    points_per_pledge_kept: Decimal | None = Field(None, ge=0, le=actions.MAX_POINTS)
    points_per_post: Decimal | None = Field(None, ge=0, le=actions.MAX_POINTS)
    points_per_feedback: Decimal | None = Field(None, ge=0, le=actions.MAX_POINTS)
    two_stars: int | None = Field(None, ge=1, le=actions.MAX_THRESHOLD)
    three_stars: int | None = Field(None, ge=1, le=actions.MAX_THRESHOLD)
    four_stars: int | None = Field(None, ge=1, le=actions.MAX_THRESHOLD)
    five_stars: int | None = Field(None, ge=1, le=actions.MAX_THRESHOLD)


class ServiceMeasureOut(Schema):
    key: str
    label: str
    value: str
    points: str


class ServiceStarRatingOut(Schema):
    id: int | None
    party_member_id: int
    party_member_name: str
    community_id: int
    community_name: str
    year: int
    points: Decimal
    stars: int
    computed_stars: int
    adjusted_stars: int | None
    adjust_reason: str
    breakdown: list[ServiceMeasureOut]
    computed_at: datetime | None
    preview: bool = Field(False, description="尚未记录：按现有数据即时计算（每晚记录）")


class ServiceStarAdjustIn(Schema):
    stars: int | None = Field(..., ge=1, le=5, description="1–5 星；null 取消调整")
    reason: str = Field(..., max_length=200)


class ServiceRecomputeIn(Schema):
    community_id: Id
    year: Year | None = None


class ServiceRecomputeOut(Schema):
    community_id: int
    year: int
    ratings: int


class ServiceStarDistributionOut(Schema):
    community_id: int
    year: int
    counts: list[int] = Field(..., description="1 星到 5 星的人数")


# --- helpers ---------------------------------------------------------------------------------------------------


def community_in_scope(user: Any, community: Area) -> bool:
    """Does the user belong to the community (a grant covering it, a confirmed registration, their home)?"""
    if permissions.area_policy.can(user, "manage_service", community):
        return True
    if any(community.path.startswith(p) for p in scope_paths(user, permissions.COMMUNITY_ROLES)):
        return True
    return any(c.pk == community.pk for c in member_communities(user))


def _community(request: HttpRequest, community_id: int, *, manage: bool = False) -> Area:
    community = Area.objects.filter(pk=community_id, level=Area.Level.COMMUNITY).first()
    if community is None or not community_in_scope(request.user, community):
        raise Http404(_("Not found, or outside your area."))
    if manage and not permissions.area_policy.can(request.user, "manage_service", community):
        raise PermissionDenied(_("Only the community's workers may do this."))
    return community


def _term_out(t: PostTerm) -> dict[str, Any]:
    return {"id": t.pk, "post_id": t.post_id, "party_member_id": t.party_member_id,
            "party_member_name": t.party_member.name, "starts_on": t.starts_on, "ends_on": t.ends_on,
            "ended_on": t.ended_on}


def _post_out(p: Post, holders: list[PostTerm] | None = None) -> dict[str, Any]:
    if holders is None:
        holders = list(p.terms.filter(current_terms(timezone.localdate())).select_related("party_member")
                       .order_by("starts_on", "id"))
    return {"id": p.pk, "community_id": p.community_id, "area_id": p.area_id, "area_name": p.area.name if p.area else "",
            "name": p.name, "duties": p.duties, "seats": p.seats, "active": p.active,
            "holders": [_term_out(t) for t in holders]}


def _pledge_out(p: Pledge) -> dict[str, Any]:
    return {"id": p.pk, "party_member_id": p.party_member_id, "party_member_name": p.party_member.name,
            "community_id": p.community_id, "community_name": p.community.name, "year": p.year, "text": p.text,
            "status": p.status, "evidence": p.evidence, "assessed_at": p.assessed_at}


def _rule_out(community: Area) -> dict[str, Any]:
    rule = stars.rule_for(community)
    return {"community_id": community.pk, "configured": rule.pk is not None,
            **{name: getattr(rule, name) for name in actions.RULE_FIELDS}}


def _rows(rating: Any) -> list[dict[str, Any]]:
    return [{"key": r["key"], "label": str(r["label"]), "value": str(r["value"]), "points": str(r["points"])}
            for r in breakdown_rows(rating)]


def _rating_out(r: StarRating) -> dict[str, Any]:
    return {"id": r.pk, "party_member_id": r.party_member_id, "party_member_name": r.party_member.name,
            "community_id": r.community_id, "community_name": r.community.name, "year": r.year, "points": r.points,
            "stars": r.stars, "computed_stars": r.computed_stars, "adjusted_stars": r.adjusted_stars,
            "adjust_reason": r.adjust_reason, "breakdown": _rows(r), "computed_at": r.computed_at}


# --- posts -------------------------------------------------------------------------------------------------------


@router.get("/posts", response=list[ServicePostOut], summary="社区岗位（设岗定责）及现任党员")
def list_posts(request: HttpRequest, community_id: Id) -> list[dict[str, Any]]:
    community = _community(request, community_id)
    return [_post_out(p, p.holders) for p in posts_with_holders(community)]  # type: ignore[attr-defined]


@router.post("/posts", response={201: ServicePostOut}, summary="新设岗位（社区工作者及以上）")
def create_post(request: HttpRequest, payload: ServicePostIn) -> Status:
    community = _community(request, payload.community_id, manage=True)
    area = Area.objects.filter(pk=payload.area_id).first() if payload.area_id else None
    if payload.area_id and area is None:
        raise ActionError(_("The area a post serves must lie in its community."), field="area_id")
    post = actions.do_create_post(acting_user=request.user, community=community, name=payload.name,  # type: ignore[arg-type]
                                  duties=payload.duties, seats=payload.seats, area=area)
    return Status(201, _post_out(post, []))


def _post(request: HttpRequest, post_id: int) -> Post:
    post = permissions.get_post_for_user(request.user, post_id)
    permissions.require(request.user, "manage", post, _("Only the community's workers may do this."))
    return post


@router.patch("/posts/{int:post_id}", response=ServicePostOut, summary="修改岗位：名称、职责、服务范围、岗位数、启用")
def update_post(request: HttpRequest, post_id: Id, payload: ServicePostPatch) -> dict[str, Any]:
    post = _post(request, post_id)
    area: Any = False
    if payload.whole_community:
        area = None
    elif payload.area_id is not None:
        area = Area.objects.filter(pk=payload.area_id).first()
        if area is None:
            raise ActionError(_("The area a post serves must lie in its community."), field="area_id")
    post = actions.do_update_post(post, acting_user=request.user, name=payload.name, duties=payload.duties,  # type: ignore[arg-type]
                                  seats=payload.seats, area=area, active=payload.active)
    return _post_out(post)


@router.post("/posts/{int:post_id}/terms", response={201: ServiceTermOut}, summary="党员任岗（一个任期）")
def assign_term(request: HttpRequest, post_id: Id, payload: ServiceTermIn) -> Status:
    post = _post(request, post_id)
    member = stars.members_of(post.community).filter(pk=payload.party_member_id).first()
    if member is None:
        raise ActionError(_("Choose a party member who lives or is registered at this community."),
                          field="party_member_id")
    term = actions.do_assign_post_term(post, acting_user=request.user, party_member=member,  # type: ignore[arg-type]
                                       starts_on=payload.starts_on, ends_on=payload.ends_on)
    return Status(201, _term_out(term))


@router.post("/posts/terms/{int:term_id}/end", response=ServiceTermOut, summary="提前离岗")
def end_term(request: HttpRequest, term_id: Id, payload: ServiceTermEndIn) -> dict[str, Any]:
    term = PostTerm.objects.filter(pk=term_id).first()
    if term is None:
        raise Http404(_("Not found, or outside your area."))
    _post(request, term.post_id)
    term = actions.do_end_post_term(term, acting_user=request.user, ended_on=payload.ended_on)  # type: ignore[arg-type]
    return _term_out(term)


# --- pledges -----------------------------------------------------------------------------------------------------


@router.get("/pledges", response=list[ServicePledgeOut], summary="服务承诺：本人的，或社区的（按年度、状态）")
def list_pledges(request: HttpRequest, year: Year | None = None, status: str = "", community_id: Id | None = None,
                 mine: bool = False) -> list[dict[str, Any]]:
    qs = permissions.visible_to(request.user, Pledge).select_related("party_member", "community")
    if mine:
        qs = qs.filter(party_member__user=request.user)
    if community_id is not None:
        qs = qs.filter(community_id=community_id)
    if year is not None:
        qs = qs.filter(year=year)
    if status in Pledge.Status.values:
        qs = qs.filter(status=status)
    return [_pledge_out(p) for p in qs.order_by("-year", "party_member__name", "id")[:500]]


@router.post("/pledges", response={201: ServicePledgeOut}, summary="作出服务承诺（本人，在居住或报到的社区）")
def create_pledge(request: HttpRequest, payload: ServicePledgeIn) -> Status:
    member = permissions.own_member(request.user)
    if member is None:
        raise PermissionDenied(_("A party member makes their own pledges."))
    community = _community(request, payload.community_id)
    pledge = actions.do_create_pledge(acting_user=request.user, party_member=member, community=community,  # type: ignore[arg-type]
                                      year=payload.year or timezone.localdate().year, text=payload.text)
    return Status(201, _pledge_out(pledge))


@router.patch("/pledges/{int:pledge_id}", response=ServicePledgeOut, summary="修改本人未评定的承诺")
def update_pledge(request: HttpRequest, pledge_id: Id, payload: ServicePledgePatch) -> dict[str, Any]:
    pledge = permissions.get_pledge_for_user(request.user, pledge_id)
    pledge = actions.do_update_pledge(pledge, acting_user=request.user, text=payload.text)  # type: ignore[arg-type]
    return _pledge_out(pledge)


@router.post("/pledges/{int:pledge_id}/assess", response=ServicePledgeOut, summary="年终评定承诺：已兑现、部分兑现、未兑现")
def assess_pledge(request: HttpRequest, pledge_id: Id, payload: ServicePledgeAssessIn) -> dict[str, Any]:
    pledge = permissions.get_pledge_for_user(request.user, pledge_id)
    pledge = actions.do_assess_pledge(pledge, acting_user=request.user, status=payload.status,  # type: ignore[arg-type]
                                      evidence=payload.evidence)
    return _pledge_out(pledge)


# --- star rules and ratings ----------------------------------------------------------------------------------------


@router.get("/star-rules/{int:community_id}", response=ServiceStarRuleOut, summary="社区的星级评定规则")
def get_star_rule(request: HttpRequest, community_id: Id) -> dict[str, Any]:
    return _rule_out(_community(request, community_id))


@router.put("/star-rules/{int:community_id}", response=ServiceStarRuleOut, summary="设置星级评定规则（分值与星级门槛）")
def update_star_rule(request: HttpRequest, community_id: Id, payload: ServiceStarRuleIn) -> dict[str, Any]:
    community = _community(request, community_id, manage=True)
    actions.do_update_star_rule(community, acting_user=request.user, **payload.dict())  # type: ignore[arg-type]
    return _rule_out(community)


@router.get("/star-ratings", response=list[ServiceStarRatingOut], summary="星级评定：社区的（工作人员）或本单位党员的（联络员）")
def list_star_ratings(request: HttpRequest, year: Year | None = None,
                      community_id: Id | None = None) -> list[dict[str, Any]]:
    qs = permissions.visible_to(request.user, StarRating).select_related("party_member", "community")
    qs = qs.filter(year=year or timezone.localdate().year)
    if community_id is not None:
        qs = qs.filter(community_id=community_id)
    return [_rating_out(r) for r in qs.order_by("community__name", "party_member__name")[:1000]]


@router.get("/star-ratings/mine", response=list[ServiceStarRatingOut], summary="本人的星级及明细")
def my_star_ratings(request: HttpRequest) -> list[dict[str, Any]]:
    member = permissions.own_member(request.user)
    if member is None:
        return []
    ratings = list(StarRating.objects.filter(party_member=member).select_related("party_member", "community")
                   .order_by("-year", "community__name")[:50])
    out = [_rating_out(r) for r in ratings]
    year = timezone.localdate().year
    have = {r.community_id for r in ratings if r.year == year}
    for community in member_communities(request.user):
        if community.pk in have:
            continue
        res = stars.compute(community, year, members=[member])[0]
        out.insert(0, {"id": None, "party_member_id": member.pk, "party_member_name": member.name,
                       "community_id": community.pk, "community_name": community.name, "year": year,
                       "points": res.points, "stars": res.stars, "computed_stars": res.stars,
                       "adjusted_stars": None, "adjust_reason": "", "breakdown": _rows(res), "computed_at": None,
                       "preview": True})
    return out


@router.post("/star-ratings/recompute", response=ServiceRecomputeOut, summary="立即重新计算社区党员的星级（保留调整）")
def recompute(request: HttpRequest, payload: ServiceRecomputeIn) -> dict[str, Any]:
    community = _community(request, payload.community_id, manage=True)
    year = payload.year or timezone.localdate().year
    count = actions.do_recompute_star_ratings(community, acting_user=request.user, year=year)  # type: ignore[arg-type]
    return {"community_id": community.pk, "year": year, "ratings": count}


@router.get("/star-ratings/distribution", response=ServiceStarDistributionOut, summary="社区的星级分布（1–5 星人数）")
def star_distribution(request: HttpRequest, community_id: Id, year: Year | None = None) -> dict[str, Any]:
    community = _community(request, community_id)
    year = year or timezone.localdate().year
    return {"community_id": community.pk, "year": year, "counts": stars.distribution(community, year)}


@router.post("/star-ratings/{int:rating_id}/adjust", response=ServiceStarRatingOut, summary="调整星级（须说明理由）")
def adjust_star_rating(request: HttpRequest, rating_id: Id, payload: ServiceStarAdjustIn) -> dict[str, Any]:
    rating = permissions.get_star_rating_for_user(request.user, rating_id)
    rating = actions.do_adjust_star_rating(rating, acting_user=request.user, stars_given=payload.stars,  # type: ignore[arg-type]
                                           reason=payload.reason)
    return _rating_out(rating)

