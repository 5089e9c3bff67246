"""The services part of the venues API (/api/venues/): shared services, their sessions, places (take, cancel,
check in, rate) and attendance. Errors: 400 refused (a Chinese message), 403 not allowed, 404 out of scope, 409 a
conflict (already checked in, already rated, already cancelled). Residents without an account use the public pages,
not the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from gongzhi.core.api_schemas import Id, OneOf
from gongzhi.core.models import Area, Unit
from gongzhi.core.policy import is_superuser

from ..actions import services as actions
from ..models import Room, ServiceBooking, ServiceSession, SharedService, Venue
from ..permissions import (
    get_place_for_user,
    get_service_for_user,
    get_session_for_user,
    get_venue_for_user,
    place_policy,
    runs_q,
    runs_service,
    service_policy,
)

router = Router()


class VenuesServiceOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    venue_id: int
    venue: str
    provider_community_id: int | None
    provider_community: str
    provider_unit_id: int | None
    provider_unit: str
    who_may_use: str
    who_may_use_label: str
    description: str
    active: bool
    average_rating: float | None = Field(None, description="居民评分的平均值（1–5），无评分时为空")
    ratings: int
    runs: bool = Field(..., description="当前用户是否负责该服务（可加场次、签到、看到场情况）")
    can_take_place: bool


class VenuesServiceIn(Schema):
    venue_id: Id
    title: str = Field(..., max_length=200)
    kind: Annotated[str, OneOf(SharedService.Kind)]
    who_may_use: Annotated[str, OneOf(SharedService.WhoMayUse)] = SharedService.WhoMayUse.ALLIANCE
    description: str = Field("", max_length=2000)
    provider_community_id: Id | None = Field(None, description="提供服务的社区（与 provider_unit_id 二选一或都填）")
    provider_unit_id: Id | None = Field(None, description="提供服务的成员单位")


class VenuesServiceUpdateIn(Schema):
    title: str | None = Field(None, max_length=200)
    kind: Annotated[str, OneOf(SharedService.Kind)] | None = None
    who_may_use: Annotated[str, OneOf(SharedService.WhoMayUse)] | None = None
    description: str | None = Field(None, max_length=2000)


class VenuesServiceActiveIn(Schema):
    active: bool = Field(..., description="false：停止提供（不再出现在列表中）；true：恢复")


class VenuesSessionOut(Schema):
    id: int
    service_id: int
    service: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int
    places_left: int
    cancelled_at: datetime | None
    reminded_at: datetime | None
    booking_id: int | None = Field(None, description="场次预约的功能室（若有）")
    room: str = ""
    my_place_id: int | None = Field(None, description="当前用户在该场次的名额（若有）")


class VenuesSessionIn(Schema):
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(20, ge=1, le=500, description="名额")
    room_id: Id | None = Field(None, description="同时预约该阵地的功能室（可选；按功能室的预约规则）")


class VenuesSessionCancelIn(Schema):
    reason: str = Field(..., max_length=200, description="取消原因（告知已预约的人）")


class VenuesPlaceOut(Schema):
    id: int
    session_id: int
    service_id: int
    service: str
    starts_at: datetime
    name: str
    phone_masked: str = Field(..., description="脱敏的手机号")
    community_id: int | None
    community: str
    status: str
    status_label: str
    checked_in_at: datetime | None
    created_at: datetime
    rating: int | None
    rating_comment: str


class VenuesRatingIn(Schema):
    score: int = Field(..., ge=1, le=5, description="1 到 5 星")
    comment: str = Field("", max_length=300)


class VenuesSessionAttendanceOut(Schema):
    session_id: int
    starts_at: datetime
    cancelled: bool
    capacity: int
    booked: int
    attended: int
    places_cancelled: int
    other_communities: int = Field(..., description="来自其他社区（联盟）的人数")
    average_rating: float | None
    ratings: int


class VenuesAttendanceOut(Schema):
    service_id: int
    attended: int
    booked: int
    places_cancelled: int
    other_communities: int
    average_rating: float | None
    ratings: int
    sessions: list[VenuesSessionAttendanceOut]


def _service(s: SharedService, user: Any) -> dict[str, Any]:
    average, ratings = actions.service_rating(s)
    return {
        "id": s.pk, "title": s.title, "kind": s.kind, "kind_label": s.get_kind_display(), "venue_id": s.venue_id,
        "venue": s.venue.name, "provider_community_id": s.provider_community_id,
        "provider_community": s.provider_community.name if s.provider_community else "",
        "provider_unit_id": s.provider_unit_id, "provider_unit": s.provider_unit.name if s.provider_unit else "",
        "who_may_use": s.who_may_use, "who_may_use_label": s.get_who_may_use_display(),
        "description": s.description, "active": s.active, "average_rating": average, "ratings": ratings,
        "runs": runs_service(user, s), "can_take_place": service_policy.can(user, "take_place", s),
    }


def _session(x: ServiceSession, user: Any) -> dict[str, Any]:
    taken = actions.places_taken(x)
    mine = x.places.filter(user=user, status__in=actions.TAKEN).values_list("pk", flat=True).first() \
        if getattr(user, "is_authenticated", False) else None
    return {"id": x.pk, "service_id": x.service_id, "service": x.service.title, "starts_at": x.starts_at,
            "ends_at": x.ends_at, "capacity": x.capacity, "taken": taken, "places_left": max(0, x.capacity - taken),
            "cancelled_at": x.cancelled_at, "reminded_at": x.reminded_at, "my_place_id": mine,
            "booking_id": x.booking_id, "room": x.booking.room.name if x.booking_id and x.booking else ""}


def _place(p: ServiceBooking) -> dict[str, Any]:
    rating = getattr(p, "rating", None) if hasattr(p, "rating") else None
    return {"id": p.pk, "session_id": p.session_id, "service_id": p.session.service_id,
            "service": p.session.service.title, "starts_at": p.session.starts_at, "name": p.name,
            "phone_masked": p.phone_masked, "community_id": p.community_id,
            "community": p.community.name if p.community else "", "status": p.status,
            "status_label": p.get_status_display(), "checked_in_at": p.checked_in_at, "created_at": p.created_at,
            "rating": rating.score if rating else None, "rating_comment": rating.comment if rating else ""}


def _place_reloaded(user: Any, pk: int) -> dict[str, Any]:
    return _place(get_place_for_user(user, pk))


# --- services --------------------------------------------------------------------------------------------------


@router.get("/services", response=list[VenuesServiceOut],
            summary="共享服务：当前用户可使用或负责的服务（可按类别、阵地筛选；mine=true 只看自己负责的）")
def list_services(request: HttpRequest, kind: Annotated[str, OneOf(["", *SharedService.Kind.values])] = "",
                  venue_id: Id | None = None, mine: bool = False) -> list[dict[str, Any]]:
    user = request.user
    qs = service_policy.visible_to(user).select_related("venue", "provider_community", "provider_unit")
    if mine:
        qs = qs if is_superuser(user) else qs.filter(runs_q(user))
    else:
        qs = qs.filter(active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if venue_id:
        qs = qs.filter(venue_id=venue_id)
    return [_service(s, user) for s in qs.order_by("venue__name", "title")[:200]]


@router.post("/services", response=VenuesServiceOut,
             summary="设立共享服务：在某阵地，由社区或成员单位提供，说明谁可使用")
def create_service(request: HttpRequest, payload: VenuesServiceIn) -> dict[str, Any]:
    user = request.user
    service_policy.require_somewhere(user, "create_service",
                                     _("Only community workers and member units' liaisons set up services."))
    venue: Venue = get_venue_for_user(user, payload.venue_id)
    community = get_object_or_404(Area, pk=payload.provider_community_id) if payload.provider_community_id else None
    unit = get_object_or_404(Unit, pk=payload.provider_unit_id) if payload.provider_unit_id else None
    service = actions.do_create_service(acting_user=user, venue=venue, title=payload.title,  # type: ignore[arg-type]
                                        kind=payload.kind, who_may_use=payload.who_may_use,
                                        description=payload.description, provider_community=community,
                                        provider_unit=unit)
    return _service(get_service_for_user(user, service.pk), user)


@router.get("/services/{service_id}", response=VenuesServiceOut, summary="一项共享服务")
def get_service(request: HttpRequest, service_id: Id) -> dict[str, Any]:
    return _service(get_service_for_user(request.user, service_id), request.user)


@router.patch("/services/{service_id}", response=VenuesServiceOut, summary="修改共享服务（负责该服务的人）")
def update_service(request: HttpRequest, service_id: Id, payload: VenuesServiceUpdateIn) -> dict[str, Any]:
    service = get_service_for_user(request.user, service_id)
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    actions.do_update_service(service, acting_user=request.user, **changes)  # type: ignore[arg-type]
    return _service(get_service_for_user(request.user, service_id), request.user)


@router.post("/services/{service_id}/active", response=VenuesServiceOut,
             summary="停止或恢复提供共享服务（已是该状态时返回 409）")
def set_active(request: HttpRequest, service_id: Id, payload: VenuesServiceActiveIn) -> dict[str, Any]:
    service = get_service_for_user(request.user, service_id)
    actions.do_set_service_active(service, acting_user=request.user, active=payload.active)  # type: ignore[arg-type]
    return _service(get_service_for_user(request.user, service_id), request.user)


@router.get("/services/{service_id}/sessions", response=list[VenuesSessionOut],
            summary="服务的场次（upcoming=true 只看未结束、未取消的）")
def list_sessions(request: HttpRequest, service_id: Id, upcoming: bool = True) -> list[dict[str, Any]]:
    from django.utils import timezone

    service = get_service_for_user(request.user, service_id)
    qs = ServiceSession.objects.filter(service=service).select_related("service")
    if upcoming:
        qs = qs.filter(cancelled_at__isnull=True, ends_at__gte=timezone.now())
    return [_session(x, request.user) for x in qs.order_by("starts_at")[:200]]


@router.post("/services/{service_id}/sessions", response=VenuesSessionOut, summary="增加场次（时间、名额）")
def create_session(request: HttpRequest, service_id: Id, payload: VenuesSessionIn) -> dict[str, Any]:
    service = get_service_for_user(request.user, service_id)
    room = get_object_or_404(Room, pk=payload.room_id, venue=service.venue) if payload.room_id else None
    session = actions.do_create_session(service, acting_user=request.user,  # type: ignore[arg-type]
                                        starts_at=payload.starts_at, ends_at=payload.ends_at,
                                        capacity=payload.capacity, room=room)
    return _session(session, request.user)


def _figures(a: actions.Attendance) -> dict[str, Any]:
    return {"attended": a.attended, "booked": a.booked, "places_cancelled": a.cancelled,
            "other_communities": a.other_communities, "average_rating": a.average, "ratings": a.ratings}


@router.get("/services/{service_id}/attendance", response=VenuesAttendanceOut,
            summary="服务的到场情况：总数和逐场（负责该服务的人）")
def attendance(request: HttpRequest, service_id: Id) -> dict[str, Any]:
    service = get_service_for_user(request.user, service_id)
    if not runs_service(request.user, service):
        raise PermissionDenied(_("Only those who run the service see its attendance."))
    sessions = ServiceSession.objects.filter(service=service).select_related(
        "service", "service__venue", "service__provider_community").annotate(
        n=Count("places", filter=Q(places__status__in=actions.TAKEN))).order_by("-starts_at")[:200]
    rows = [{"session_id": x.pk, "starts_at": x.starts_at, "cancelled": x.cancelled_at is not None,
             "capacity": x.capacity, **_figures(actions.session_attendance(x))} for x in sessions]
    return {"service_id": service.pk, **_figures(actions.service_attendance(service)), "sessions": rows}


# --- sessions and places -----------------------------------------------------------------------------------


@router.get("/service-sessions/{session_id}", response=VenuesSessionOut, summary="一个场次：名额和剩余")
def get_session(request: HttpRequest, session_id: Id) -> dict[str, Any]:
    return _session(get_session_for_user(request.user, session_id), request.user)


@router.post("/service-sessions/{session_id}/cancel", response=VenuesSessionOut,
             summary="取消场次（已预约的人收到通知）")
def cancel_session(request: HttpRequest, session_id: Id, payload: VenuesSessionCancelIn) -> dict[str, Any]:
    session = get_session_for_user(request.user, session_id)
    actions.do_cancel_session(session, acting_user=request.user, reason=payload.reason)  # type: ignore[arg-type]
    return _session(get_session_for_user(request.user, session_id), request.user)


@router.get("/service-sessions/{session_id}/places", response=list[VenuesPlaceOut],
            summary="场次的预约名单（负责该服务的人；手机号脱敏）")
def session_places(request: HttpRequest, session_id: Id) -> list[dict[str, Any]]:
    session = get_session_for_user(request.user, session_id)
    if not runs_service(request.user, session.service):
        raise PermissionDenied(_("Only those who run the service see its places."))
    places = session.places.select_related("session", "session__service", "community", "rating").order_by(
        "created_at")
    return [_place(p) for p in places[:500]]


@router.post("/service-sessions/{session_id}/places", response=VenuesPlaceOut,
             summary="预约一个名额（名额已满、已预约、不对本社区开放时返回 400）")
def take_place(request: HttpRequest, session_id: Id) -> dict[str, Any]:
    session = get_session_for_user(request.user, session_id)
    place = actions.do_take_place(session, acting_user=request.user)  # type: ignore[arg-type]
    return _place_reloaded(request.user, place.pk)


@router.get("/service-places", response=list[VenuesPlaceOut], summary="我的预约")
def my_places(request: HttpRequest) -> list[dict[str, Any]]:
    qs = place_policy.visible_to(request.user).filter(user=request.user.pk).select_related(
        "session", "session__service", "community", "rating").order_by("-session__starts_at")
    return [_place(p) for p in qs[:200]]


@router.get("/service-places/{place_id}", response=VenuesPlaceOut, summary="一个名额（本人或服务负责人）")
def get_place(request: HttpRequest, place_id: Id) -> dict[str, Any]:
    return _place_reloaded(request.user, place_id)


@router.post("/service-places/{place_id}/cancel", response=VenuesPlaceOut, summary="取消名额（开始前）")
def cancel_place(request: HttpRequest, place_id: Id) -> dict[str, Any]:
    place = get_place_for_user(request.user, place_id)
    actions.do_cancel_place(place, acting_user=request.user)  # type: ignore[arg-type]
    return _place_reloaded(request.user, place_id)


@router.post("/service-places/{place_id}/check-in", response=VenuesPlaceOut,
             summary="签到（服务负责人；开始前两小时至当天结束；已签到返回 409）")
def check_in(request: HttpRequest, place_id: Id) -> dict[str, Any]:
    place = get_place_for_user(request.user, place_id)
    actions.do_check_in_place(place, acting_user=request.user)  # type: ignore[arg-type]
    return _place_reloaded(request.user, place_id)


@router.post("/service-places/{place_id}/rate", response=VenuesPlaceOut,
             summary="评价服务（到场后，本人，一次；已评价返回 409）")
def rate(request: HttpRequest, place_id: Id, payload: VenuesRatingIn) -> dict[str, Any]:
    place = get_place_for_user(request.user, place_id)
    actions.do_rate_place(place, acting_user=request.user, score=payload.score,  # type: ignore[arg-type]
                          comment=payload.comment)
    return _place_reloaded(request.user, place_id)
