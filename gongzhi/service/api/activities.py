"""The activities part over JSON, mounted at /api/service/. Every call goes through the same actions as the pages.
Errors: 400 refused (a Chinese message), 403 not allowed, 404 out of scope.

Activities (scoped list, one, create, change, cancel), sign-up and its cancellation (the waitlist promotes),
check-in and check-out (the QR code's token or the read-out code), the organizer's list of sign-ups, confirming and
correcting hours, recurring activities and their next one, and the signed-in person's attendance record."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gongzhi.core.api_schemas import Id, OneOf
from gongzhi.core.errors import ActionError

from .. import permissions
from ..actions import activities as actions
from ..models import Activity, ActivityKind, ActivitySeries, SignUp

router = Router()


class ServiceActivityIn(Schema):
    community_id: Id = Field(..., description="社区 id")
    title: str = Field(..., max_length=200)
    kind: Annotated[str, OneOf(ActivityKind)] = Field(ActivityKind.VOLUNTEER,
                                                      description="party_day、volunteer、clean_up、elderly_visit 或 other")
    description: str = Field("", max_length=5000)
    place: str = Field(..., max_length=200, description="场馆名称或地址")
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(..., ge=1, le=1000)
    open_to_party_members: bool = True
    open_to_volunteers: bool = True
    open_to_residents: bool = False
    skills: str = Field("", max_length=200)


class ServiceActivityPatch(Schema):
    title: str | None = Field(None, max_length=200)
    kind: Annotated[str, OneOf(ActivityKind)] | None = None
    description: str | None = Field(None, max_length=5000)
    place: str | None = Field(None, max_length=200)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    capacity: int | None = Field(None, ge=1, le=1000)
    open_to_party_members: bool | None = None
    open_to_volunteers: bool | None = None
    open_to_residents: bool | None = None
    skills: str | None = Field(None, max_length=200)


class ServiceActivityOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    status: str
    cancel_reason: str
    community_id: int
    community_name: str
    series_id: int | None
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    signed_up: int
    waiting: int
    open_to_party_members: bool
    open_to_volunteers: bool
    open_to_residents: bool
    skills: str
    url: str
    my_signup_id: int | None = None
    my_status: str | None = Field(None, description="本人报名状态：confirmed、waitlisted，未报名为空")
    feedback_url: str | None = Field(None, description="居民评价页（仅组织者可见）")


class ServiceActivityReasonIn(Schema):
    reason: str = Field(..., max_length=200)


class ServiceSignUpOut(Schema):
    id: int
    activity_id: int
    user_id: int
    name: str
    status: str
    position: int
    promoted_at: datetime | None
    cancelled_at: datetime | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    minutes: int
    hours: str
    hours_confirmed_at: datetime | None
    correction_reason: str


class ServiceCheckinIn(Schema):
    activity_id: Id | None = Field(None, description="用二维码令牌签到时：活动 id")
    token: str = Field("", max_length=40, description="二维码链接中的令牌（每分钟更换）")
    code: str = Field("", max_length=6, description="组织者念出的六位数字")


class ServiceCheckinOut(Schema):
    step: str = Field(..., description="in：已签到；out：已签退")
    signup: ServiceSignUpOut


class ServiceConfirmHoursIn(Schema):
    signup_ids: list[Id] = Field(default_factory=list, max_length=1000, description="为空：确认全部待确认的报名")


class ServiceCorrectHoursIn(Schema):
    minutes: int = Field(..., ge=0, le=720, description="更正后的服务分钟数")
    reason: str = Field(..., max_length=200)


class ServiceSeriesIn(Schema):
    community_id: Id
    title: str = Field(..., max_length=200)
    kind: Annotated[str, OneOf(ActivityKind)] = ActivityKind.PARTY_DAY
    description: str = Field("", max_length=5000)
    place: str = Field(..., max_length=200)
    first_starts_at: datetime
    every_months: int = Field(3, ge=1, le=12)
    duration_minutes: int = Field(120, ge=15, le=720)
    capacity: int = Field(30, ge=1, le=1000)
    create_first: bool = Field(True, description="同时创建第一次活动")


class ServiceSeriesOut(Schema):
    id: int
    community_id: int
    kind: str
    title: str
    place: str
    every_months: int
    first_starts_at: datetime
    duration_minutes: int
    capacity: int
    next_number: int
    next_starts_at: datetime


class ServiceAttendanceOut(Schema):
    year: int
    signed_up: int
    attended: int
    hours: float
    signups: list[ServiceSignUpOut]


def _signup_out(s: SignUp) -> dict[str, Any]:
    return {"id": s.pk, "activity_id": s.activity_id, "user_id": s.user_id, "name": actions.name_of(s.user),
            "status": s.status, "position": s.position, "promoted_at": s.promoted_at, "cancelled_at": s.cancelled_at,
            "checked_in_at": s.checked_in_at, "checked_out_at": s.checked_out_at, "minutes": s.minutes,
            "hours": str(s.hours), "hours_confirmed_at": s.hours_confirmed_at,
            "correction_reason": s.correction_reason}


def _activity_out(request: HttpRequest, a: Activity, counts: dict[int, tuple[int, int]] | None = None,
                  mine: dict[int, SignUp] | None = None) -> dict[str, Any]:
    if counts is not None:
        taken, waiting = counts.get(a.pk, (0, 0))
    else:
        taken = a.signups.filter(status=SignUp.Status.CONFIRMED).count()
        waiting = a.signups.filter(status=SignUp.Status.WAITLISTED).count()
    my = (mine or {}).get(a.pk) if mine is not None else actions.my_signup(request.user, a)
    can_manage = mine is None and permissions.can(request.user, "manage", a)
    return {
        "id": a.pk, "kind": a.kind, "title": a.title, "description": a.description, "status": a.status,
        "cancel_reason": a.cancel_reason, "community_id": a.community_id, "community_name": a.community.name,
        "series_id": a.series_id, "place": a.place, "starts_at": a.starts_at, "ends_at": a.ends_at,
        "capacity": a.capacity, "signed_up": taken, "waiting": waiting,
        "open_to_party_members": a.open_to_party_members, "open_to_volunteers": a.open_to_volunteers,
        "open_to_residents": a.open_to_residents, "skills": a.skills,
        "url": request.build_absolute_uri(reverse("service:activity", args=[a.pk])),
        "my_signup_id": my.pk if my else None, "my_status": my.status if my else None,
        "feedback_url": request.build_absolute_uri(reverse("service:activity_feedback", args=[a.public_code]))
        if can_manage and a.public_code else None,
    }


def _series_out(series: ActivitySeries) -> dict[str, Any]:
    number, starts = actions.next_of_series(series)
    return {"id": series.pk, "community_id": series.community_id, "kind": series.kind, "title": series.title,
            "place": series.place, "every_months": series.every_months, "first_starts_at": series.first_starts_at,
            "duration_minutes": series.duration_minutes, "capacity": series.capacity, "next_number": number,
            "next_starts_at": starts}


def _gate(request: HttpRequest) -> None:
    if not permissions.shows_service(request.user):
        raise PermissionDenied(_("This page is not available to your role."))


def _activity(request: HttpRequest, activity_id: int, action: str = "view") -> Activity:
    _gate(request)
    activity = permissions.get_activity_for_user(request.user, activity_id)
    if action != "view":
        permissions.require(request.user, action, activity, _("Only the activity's organizers may do this."))
    return activity


def _community(request: HttpRequest, community_id: int) -> Any:
    areas = permissions.area_policy.areas_where(request.user, "manage_service").filter(level="community")
    return get_object_or_404(areas, pk=community_id)


def _signup(request: HttpRequest, signup_id: int) -> SignUp:
    _gate(request)
    return permissions.get_signup_for_user(request.user, signup_id)


@router.get("/activities", response=list[ServiceActivityOut], summary="服务活动列表（本人社区的；可只看即将开始、本人报名的）")
def list_activities(request: HttpRequest, upcoming: bool = False, kind: str = "", mine: bool = False) -> list[Any]:
    _gate(request)
    qs = permissions.visible_to(request.user, Activity).select_related("community")
    if upcoming:
        qs = qs.filter(actions.upcoming_q()).order_by("starts_at", "id")
    else:
        qs = qs.order_by("-starts_at", "-id")
    if kind in ActivityKind.values:
        qs = qs.filter(kind=kind)
    my = {s.activity_id: s for s in SignUp.objects.filter(user_id=request.user.pk)  # type: ignore[misc]
          .exclude(status=SignUp.Status.CANCELLED)}
    if mine:
        qs = qs.filter(pk__in=list(my))
    rows = list(qs[:200])
    counts: dict[int, tuple[int, int]] = {}
    for activity_id, status in SignUp.objects.filter(activity__in=[a.pk for a in rows]).exclude(
            status=SignUp.Status.CANCELLED).values_list("activity_id", "status"):
        taken, waiting = counts.get(activity_id, (0, 0))
        counts[activity_id] = (taken + (status == SignUp.Status.CONFIRMED), waiting + (status != SignUp.Status.CONFIRMED))
    return [_activity_out(request, a, counts, my) for a in rows]


@router.get("/activities/{int:activity_id}", response=ServiceActivityOut, summary="一个服务活动")
def get_activity(request: HttpRequest, activity_id: Id) -> dict[str, Any]:
    return _activity_out(request, _activity(request, activity_id))


@router.post("/activities", response={201: ServiceActivityOut}, summary="发布服务活动（社区工作者及以上）")
def create_activity(request: HttpRequest, payload: ServiceActivityIn) -> Status:
    data = payload.dict()
    community = _community(request, data.pop("community_id"))
    activity = actions.do_create_activity(acting_user=request.user, community=community, **data)  # type: ignore[arg-type]
    return Status(201, _activity_out(request, activity))


@router.patch("/activities/{int:activity_id}", response=ServiceActivityOut, summary="修改服务活动")
def update_activity(request: HttpRequest, activity_id: Id, payload: ServiceActivityPatch) -> dict[str, Any]:
    activity = actions.do_update_activity(_activity(request, activity_id, "manage"), acting_user=request.user,  # type: ignore[arg-type]
                                          **payload.dict())
    return _activity_out(request, activity)


@router.post("/activities/{int:activity_id}/cancel", response=ServiceActivityOut, summary="取消服务活动（说明原因）")
def cancel_activity(request: HttpRequest, activity_id: Id, payload: ServiceActivityReasonIn) -> dict[str, Any]:
    activity = actions.do_cancel_activity(_activity(request, activity_id, "manage"), acting_user=request.user,  # type: ignore[arg-type]
                                          reason=payload.reason)
    return _activity_out(request, activity)


@router.post("/activities/{int:activity_id}/signups", response={201: ServiceSignUpOut},
             summary="报名（满员时进入候补，按顺序递补）")
def sign_up(request: HttpRequest, activity_id: Id) -> Status:
    signup = actions.do_sign_up(_activity(request, activity_id), acting_user=request.user)  # type: ignore[arg-type]
    return Status(201, _signup_out(signup))


@router.get("/activities/{int:activity_id}/signups", response=list[ServiceSignUpOut],
            summary="活动的报名名单（组织者）：签到、签退、时长")
def list_signups(request: HttpRequest, activity_id: Id) -> list[dict[str, Any]]:
    activity = _activity(request, activity_id, "manage")
    return [_signup_out(s) for s in activity.signups.select_related("user").order_by("status", "position", "pk")]


@router.post("/activities/signups/{int:signup_id}/cancel", response=ServiceSignUpOut,
             summary="取消报名（空出的名额由候补第一位递补）")
def cancel_signup(request: HttpRequest, signup_id: Id) -> dict[str, Any]:
    signup = actions.do_cancel_signup(_signup(request, signup_id), acting_user=request.user)  # type: ignore[arg-type]
    return _signup_out(signup)


@router.post("/activities/checkin", response=ServiceCheckinOut,
             summary="签到或签退：二维码令牌（及活动 id）或六位数字；第一次签到，第二次签退")
def check_in(request: HttpRequest, payload: ServiceCheckinIn) -> dict[str, Any]:
    _gate(request)
    if payload.token:
        if payload.activity_id is None:
            raise ActionError(_("Please give the activity of the QR code."), field="activity_id")
        activity = permissions.get_activity_for_user(request.user, payload.activity_id)
        result = actions.do_check_in(activity, acting_user=request.user, token=payload.token)  # type: ignore[arg-type]
    else:
        result = actions.do_check_in_with_code(payload.code, acting_user=request.user)  # type: ignore[arg-type]
    return {"step": result.step, "signup": _signup_out(result.signup)}


@router.post("/activities/{int:activity_id}/hours", response=list[ServiceSignUpOut],
             summary="确认服务时长（全部或所选报名），计入时间银行")
def confirm_hours(request: HttpRequest, activity_id: Id, payload: ServiceConfirmHoursIn) -> list[dict[str, Any]]:
    activity = _activity(request, activity_id, "manage")
    chosen = list(activity.signups.filter(pk__in=payload.signup_ids)) if payload.signup_ids else None
    if chosen is not None and len(chosen) != len(set(payload.signup_ids)):
        raise ActionError(_("Please choose sign-ups of this activity."), field="signup_ids")
    done = actions.do_confirm_hours(activity, acting_user=request.user, signups=chosen)  # type: ignore[arg-type]
    return [_signup_out(s) for s in done]


@router.post("/activities/signups/{int:signup_id}/hours", response=ServiceSignUpOut,
             summary="更正服务时长（说明原因；已计入的时长冲正后重新计入）")
def correct_hours(request: HttpRequest, signup_id: Id, payload: ServiceCorrectHoursIn) -> dict[str, Any]:
    signup = _signup(request, signup_id)
    permissions.require(request.user, "confirm_hours", signup, _("Only the activity's organizers may correct hours."))
    signup = actions.do_correct_hours(signup, acting_user=request.user, minutes=payload.minutes,  # type: ignore[arg-type]
                                      reason=payload.reason)
    return _signup_out(signup)


@router.post("/activity-series", response={201: ServiceSeriesOut}, summary="新建周期活动（如每季度主题党日）")
def create_series(request: HttpRequest, payload: ServiceSeriesIn) -> Status:
    data = payload.dict()
    community = _community(request, data.pop("community_id"))
    create_first = data.pop("create_first")
    series = actions.do_create_series(acting_user=request.user, community=community, **data)  # type: ignore[arg-type]
    if create_first:
        actions.do_create_next(series, acting_user=request.user)  # type: ignore[arg-type]
    return Status(201, _series_out(series))


def _series(request: HttpRequest, series_id: int) -> ActivitySeries:
    _gate(request)
    series = ActivitySeries.objects.select_related("community").filter(pk=series_id).first()
    if series is None or not permissions.area_policy.can(request.user, "manage_service", series.community):
        raise Http404(_("Not found, or outside your area."))
    return series


@router.get("/activity-series/{int:series_id}", response=ServiceSeriesOut, summary="周期活动及下一次的时间")
def get_series(request: HttpRequest, series_id: Id) -> dict[str, Any]:
    return _series_out(_series(request, series_id))


@router.post("/activity-series/{int:series_id}/next", response={201: ServiceActivityOut},
             summary="创建周期活动的下一次活动")
def series_next(request: HttpRequest, series_id: Id) -> Status:
    activity = actions.do_create_next(_series(request, series_id), acting_user=request.user)  # type: ignore[arg-type]
    return Status(201, _activity_out(request, activity))


@router.get("/activities/attendance", response=ServiceAttendanceOut, summary="本人的活动参与记录（一年）")
def attendance(request: HttpRequest, year: int | None = Query(None, ge=2000, le=2100)) -> dict[str, Any]:  # noqa: B008
    _gate(request)
    year = year or timezone.localdate().year
    rows = list(actions.signups_of(request.user, year))  # type: ignore[arg-type]
    served = [s for s in rows if s.status == SignUp.Status.CONFIRMED and s.checked_in_at is not None]
    minutes = sum(s.minutes for s in rows if s.hours_confirmed_at is not None)
    return {"year": year, "signed_up": sum(1 for s in rows if s.status != SignUp.Status.CANCELLED),
            "attended": len(served), "hours": round(minutes / 60, 2), "signups": [_signup_out(s) for s in rows]}
