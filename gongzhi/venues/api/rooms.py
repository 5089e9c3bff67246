"""The API of the rooms part (/api/venues/): venues and rooms (rules, closed dates), utilisation. Every call goes
through the same actions as the pages. Errors: 400 refused (a Chinese message), 403 not allowed, 404 out of scope.

- venues: list (the ones the user sees; by level, community), create, get (with its rooms), update (with `active`);
- rooms: a venue's rooms, create, get (with its rules in plain Chinese), update (with `active`);
- closures: a room's closed dates ahead, the bookings a closure would hit, create (`cancel_hits`: cancel them with
  notice, or keep them), delete;
- utilisation: per venue and room over a period, with the share that served other communities and the alliance.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from gongzhi.core.api_schemas import Id, Month, OneOf
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area

from .. import permissions, queries, utilisation
from ..actions import rooms as actions
from ..models import Booking, Room, RoomClosure, Venue
from ..views.rooms import community_filter

router = Router()
Quarter = Annotated[str, StringConstraints(pattern=r"^\d{4}-[1-4]$")]
MANAGE = "Only the venue's managers (community workers and up over its area) may do this."


class VenueIn(Schema):
    name: str = Field(..., max_length=100)
    level: Annotated[str, OneOf(Venue.Level)] = Field(..., description="centre（中心，街道/镇）、station（站，社区）、"
                                                                        "point（点，小区/网格）")
    area_id: Id = Field(..., description="阵地服务的区域：中心为街道（镇），站为社区，点为小区或网格")
    address: str = Field("", max_length=200)
    phone: str = Field("", max_length=20)
    description: str = Field("", max_length=2000)


class VenuePatch(Schema):
    name: str | None = Field(None, max_length=100)
    level: Annotated[str, OneOf(Venue.Level)] | None = None
    area_id: Id | None = None
    address: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=20)
    description: str | None = Field(None, max_length=2000)
    active: bool | None = Field(None, description="false：停用（仍有待使用的预约时不能停用）；true：重新启用")


class VenueRoomBrief(Schema):
    id: int
    name: str
    capacity: int
    who_may_book: str
    active: bool


class VenueOut(Schema):
    id: int
    name: str
    level: str
    level_label: str
    area_id: int
    area_name: str
    community_id: int | None
    address: str
    phone: str
    description: str
    active: bool
    manageable: bool
    rooms: list[VenueRoomBrief]


class VenueRoomIn(Schema):
    name: str = Field(..., max_length=100)
    capacity: int = Field(20, ge=1, le=2000)
    facilities: str = Field("", max_length=300)
    open_days: str = Field("12345", max_length=7, description="开放的星期：1=周一 … 7=周日，如 12345")
    opens_at: time = time(8, 30)
    closes_at: time = time(17, 30)
    who_may_book: Annotated[str, OneOf(Room.WhoMayBook)] = Field(
        "community", description="community 本社区、subdistrict 本街道、alliance 联盟社区、anyone 所有居民")
    approver: Annotated[str, OneOf(Room.Approver)] = Field(
        "venue", description="none 无需审批、venue 由社区审批、subdistrict 由街道审批")
    min_minutes: int = Field(30, ge=15, le=1440)
    max_minutes: int = Field(240, ge=15, le=1440)
    max_days_ahead: int = Field(30, ge=1, le=365)
    min_hours_ahead: int = Field(2, ge=0, le=720)
    buffer_minutes: int = Field(0, ge=0, le=240)
    limit_period: Annotated[str, OneOf(Room.LimitPeriod)] = "month"
    limit_count: int | None = Field(None, ge=1, le=1000, description="每人每周期最多预约次数；空为不限")
    limit_hours: int | None = Field(None, ge=1, le=1000, description="每人每周期最多预约小时；空为不限")


class VenueRoomPatch(Schema):
    name: str | None = Field(None, max_length=100)
    capacity: int | None = Field(None, ge=1, le=2000)
    facilities: str | None = Field(None, max_length=300)
    open_days: str | None = Field(None, max_length=7)
    opens_at: time | None = None
    closes_at: time | None = None
    who_may_book: Annotated[str, OneOf(Room.WhoMayBook)] | None = None
    approver: Annotated[str, OneOf(Room.Approver)] | None = None
    min_minutes: int | None = Field(None, ge=15, le=1440)
    max_minutes: int | None = Field(None, ge=15, le=1440)
    max_days_ahead: int | None = Field(None, ge=1, le=365)
    min_hours_ahead: int | None = Field(None, ge=0, le=720)
    buffer_minutes: int | None = Field(None, ge=0, le=240)
    limit_period: Annotated[str, OneOf(Room.LimitPeriod)] | None = None
    limit_count: int | None = Field(None, ge=0, le=1000, description="0 为取消限制")
    limit_hours: int | None = Field(None, ge=0, le=1000, description="0 为取消限制")
    active: bool | None = None


class VenueRuleOut(Schema):
    label: str
    text: str


class VenueRoomOut(Schema):
    id: int
    venue_id: int
    venue_name: str
    name: str
    capacity: int
    facilities: str
    open_days: str
    opens_at: time
    closes_at: time
    who_may_book: str
    approver: str
    min_minutes: int
    max_minutes: int
    max_days_ahead: int
    min_hours_ahead: int
    buffer_minutes: int
    limit_period: str
    limit_count: int | None
    limit_hours: int | None
    active: bool
    rules: list[VenueRuleOut] = Field(..., description="预约规则的中文说明")
    photo_urls: list[str]
    manageable: bool
    bookable: bool


class VenueClosureIn(Schema):
    starts_on: date
    ends_on: date
    reason: str = Field(..., max_length=200)
    cancel_hits: bool = Field(False, description="true：取消这些日期内的预约并通知预约人；false：保留")


class VenueHitOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    purpose: str
    booker: str = Field(..., description="预约人（无账号居民为姓名和脱敏手机号）")
    booker_community: str
    has_account: bool


class VenueClosureOut(Schema):
    id: int
    room_id: int
    starts_on: date
    ends_on: date
    reason: str


class VenueClosureResultOut(Schema):
    closure: VenueClosureOut
    cancelled: list[VenueHitOut]
    kept: list[VenueHitOut]
    to_phone: list[VenueHitOut] = Field(..., description="无账号居民的预约：无法短信通知，请电话告知")


class VenueFiguresOut(Schema):
    open_hours: float
    booked_hours: float
    own_hours: float
    other_hours: float
    alliance_hours: float = Field(..., description="其他社区中联盟社区的小时数")
    unknown_hours: float
    bookings: int
    rate: float | None = Field(..., description="利用率（%）：已预约小时 / 开放小时")
    other_share: float | None = Field(..., description="服务其他社区的小时占已预约小时的百分比")
    alliance_share: float | None = Field(..., description="服务联盟社区的小时占已预约小时的百分比")


class VenueUtilisationRoomOut(Schema):
    room_id: int
    room_name: str
    figures: VenueFiguresOut


class VenueUtilisationVenueOut(Schema):
    venue_id: int
    venue_name: str
    level: str
    figures: VenueFiguresOut
    rooms: list[VenueUtilisationRoomOut]


class VenueUtilisationOut(Schema):
    first: date
    last: date
    total: VenueFiguresOut
    sentence: str
    venues: list[VenueUtilisationVenueOut]


# --- helpers ---------------------------------------------------------------------------------------------------


def _venue_out(request: HttpRequest, v: Venue, rooms: list[Room] | None = None) -> dict[str, Any]:
    community = permissions.community_of_area(v.area)
    if rooms is None:
        rooms = list(permissions.visible_to(request.user, Room).filter(venue=v).order_by("name"))
    return {"id": v.pk, "name": v.name, "level": v.level, "level_label": str(v.get_level_display()),
            "area_id": v.area_id, "area_name": v.area.name, "community_id": community.pk if community else None,
            "address": v.address, "phone": v.phone, "description": v.description, "active": v.active,
            "manageable": permissions.manages_venue(request.user, v),
            "rooms": [{"id": r.pk, "name": r.name, "capacity": r.capacity, "who_may_book": r.who_may_book,
                       "active": r.active} for r in rooms]}


def _room_out(request: HttpRequest, r: Room) -> dict[str, Any]:
    from django.urls import reverse

    return {"id": r.pk, "venue_id": r.venue_id, "venue_name": r.venue.name, "name": r.name,
            "capacity": r.capacity, "facilities": r.facilities, "open_days": r.open_days, "opens_at": r.opens_at,
            "closes_at": r.closes_at, "who_may_book": r.who_may_book, "approver": r.approver,
            "min_minutes": r.min_minutes, "max_minutes": r.max_minutes, "max_days_ahead": r.max_days_ahead,
            "min_hours_ahead": r.min_hours_ahead, "buffer_minutes": r.buffer_minutes,
            "limit_period": r.limit_period, "limit_count": r.limit_count, "limit_hours": r.limit_hours,
            "active": r.active, "rules": [{"label": label, "text": text} for label, text in queries.room_rules(r)],
            "photo_urls": [reverse("venues:room_photo", args=[p.pk]) for p in r.photos.all()],
            "manageable": permissions.manages_venue(request.user, r.venue),
            "bookable": permissions.can(request.user, "book", r)}


def _hit_out(b: Booking) -> dict[str, Any]:
    if b.booked_by is not None:
        booker = b.booked_by.display_name or b.booked_by.username
    else:
        booker = f"{b.contact_name} {b.phone_masked}".strip()
    return {"id": b.pk, "starts_at": b.starts_at, "ends_at": b.ends_at, "status": b.status, "purpose": b.purpose,
            "booker": booker, "booker_community": b.booker_community.name if b.booker_community else "",
            "has_account": b.booked_by_id is not None}


def _closure_out(c: RoomClosure) -> dict[str, Any]:
    return {"id": c.pk, "room_id": c.room_id, "starts_on": c.starts_on, "ends_on": c.ends_on, "reason": c.reason}


def _area(area_id: int | None) -> Area | None:
    if area_id is None:
        return None
    area = Area.objects.filter(pk=area_id).first()
    if area is None:
        raise ActionError(_("Please choose the area the venue serves."), field="area_id")
    return area


def _managed_venue(request: HttpRequest, venue_id: int) -> Venue:
    venue = permissions.get_venue_for_user(request.user, venue_id)
    if not permissions.manages_venue(request.user, venue):
        raise PermissionDenied(_(MANAGE))
    return venue


def _room(request: HttpRequest, room_id: int, manage: bool = False) -> Room:
    room = permissions.get_room_for_user(request.user, room_id)
    if manage and not permissions.manages_venue(request.user, room.venue):
        raise PermissionDenied(_(MANAGE))
    return room


# --- venues ----------------------------------------------------------------------------------------------------


@router.get("/venues", response=list[VenueOut], summary="党群服务阵地（可按层级、社区筛选）")
def list_venues(request: HttpRequest, level: Annotated[str, OneOf(["", *Venue.Level.values])] = "",
                community_id: Id | None = None) -> list[dict[str, Any]]:
    qs = permissions.visible_to(request.user, Venue).select_related("area")
    if level:
        qs = qs.filter(level=level)
    if community_id is not None:
        community = Area.objects.filter(pk=community_id, level=Area.Level.COMMUNITY).first()
        if community is None:
            return []
        qs = community_filter(qs, community)
    venues = list(qs.order_by("area__path", "level", "name")[:300])
    rooms: dict[int, list[Room]] = {v.pk: [] for v in venues}
    for r in permissions.visible_to(request.user, Room).filter(venue_id__in=list(rooms)).order_by("name"):
        rooms[r.venue_id].append(r)
    return [_venue_out(request, v, rooms[v.pk]) for v in venues]


@router.post("/venues", response={201: VenueOut}, summary="新建阵地（社区工作者及以上，在其辖区内）")
def create_venue(request: HttpRequest, payload: VenueIn) -> Status:
    venue = actions.do_create_venue(acting_user=request.user, area=_area(payload.area_id),  # type: ignore[arg-type]
                                    name=payload.name, level=payload.level, address=payload.address,
                                    phone=payload.phone, description=payload.description)
    return Status(201, _venue_out(request, venue))


@router.get("/venues/{venue_id}", response=VenueOut, summary="一个阵地及其功能室")
def get_venue(request: HttpRequest, venue_id: Id) -> dict[str, Any]:
    return _venue_out(request, permissions.get_venue_for_user(request.user, venue_id))


@router.patch("/venues/{venue_id}", response=VenueOut, summary="修改阵地；active 停用或重新启用")
def update_venue(request: HttpRequest, venue_id: Id, payload: VenuePatch) -> dict[str, Any]:
    venue = _managed_venue(request, venue_id)
    fields = payload.dict(exclude_unset=True)
    active = fields.pop("active", None)
    if fields:
        area = _area(fields.pop("area_id")) if "area_id" in fields else venue.area
        current = {"name": venue.name, "level": venue.level, "address": venue.address, "phone": venue.phone,
                   "description": venue.description}
        current.update({k: v for k, v in fields.items() if v is not None})
        venue = actions.do_update_venue(venue, acting_user=request.user, area=area,  # type: ignore[arg-type]
                                        **current)
    if active is not None:
        venue = actions.do_set_venue_active(venue, acting_user=request.user, active=active)  # type: ignore[arg-type]
    return _venue_out(request, venue)


# --- rooms -----------------------------------------------------------------------------------------------------


@router.get("/venues/{venue_id}/rooms", response=list[VenueRoomOut], summary="阵地的功能室")
def list_rooms(request: HttpRequest, venue_id: Id) -> list[dict[str, Any]]:
    venue = permissions.get_venue_for_user(request.user, venue_id)
    rooms = permissions.visible_to(request.user, Room).filter(venue=venue).select_related(
        "venue", "venue__area").prefetch_related("photos").order_by("name")
    return [_room_out(request, r) for r in rooms]


@router.post("/venues/{venue_id}/rooms", response={201: VenueRoomOut},
             summary="新增功能室及其预约规则（阵地的管理者）")
def create_room(request: HttpRequest, venue_id: Id, payload: VenueRoomIn) -> Status:
    venue = _managed_venue(request, venue_id)
    room = actions.do_create_room(venue, acting_user=request.user, **payload.dict())  # type: ignore[arg-type]
    return Status(201, _room_out(request, room))


@router.get("/rooms/{room_id}", response=VenueRoomOut, summary="一个功能室：容量、设施、开放时间、预约规则")
def get_room(request: HttpRequest, room_id: Id) -> dict[str, Any]:
    return _room_out(request, _room(request, room_id))


@router.patch("/rooms/{room_id}", response=VenueRoomOut, summary="修改功能室及其预约规则；active 停用或重新启用")
def update_room(request: HttpRequest, room_id: Id, payload: VenueRoomPatch) -> dict[str, Any]:
    room = _room(request, room_id, manage=True)
    fields = payload.dict(exclude_unset=True)
    active = fields.pop("active", None)
    if fields:
        current = {name: getattr(room, name) for name in actions.ROOM_FIELDS if name != "active"}
        for key, value in fields.items():
            if key in ("limit_count", "limit_hours"):
                current[key] = value or None
            elif value is not None:
                current[key] = value
        room = actions.do_update_room(room, acting_user=request.user, **current)  # type: ignore[arg-type]
    if active is not None:
        room = actions.do_set_room_active(room, acting_user=request.user, active=active)  # type: ignore[arg-type]
    return _room_out(request, room)


# --- closures --------------------------------------------------------------------------------------------------


@router.get("/rooms/{room_id}/closures", response=list[VenueClosureOut], summary="功能室今后的闭馆日期")
def list_closures(request: HttpRequest, room_id: Id) -> list[dict[str, Any]]:
    room = _room(request, room_id)
    return [_closure_out(c) for c in RoomClosure.objects.filter(
        room=room, ends_on__gte=timezone.localdate()).order_by("starts_on")[:200]]


@router.get("/rooms/{room_id}/closure-hits", response=list[VenueHitOut],
            summary="闭馆前查看：这些日期内受影响的预约（待审批、已通过）")
def closure_hits(request: HttpRequest, room_id: Id, starts_on: date, ends_on: date) -> list[dict[str, Any]]:
    room = _room(request, room_id, manage=True)
    if ends_on < starts_on:
        raise ActionError(_("The last closed day cannot come before the first."), field="ends_on")
    return [_hit_out(b) for b in actions.closure_hits(room, starts_on, ends_on)]


@router.post("/rooms/{room_id}/closures", response={201: VenueClosureResultOut},
             summary="闭馆：cancel_hits 为 true 时取消受影响的预约并通知预约人，否则保留")
def create_closure(request: HttpRequest, room_id: Id, payload: VenueClosureIn) -> Status:
    room = _room(request, room_id, manage=True)
    result = actions.do_close_room(room, payload.starts_on, payload.ends_on, payload.reason, payload.cancel_hits,
                                   request.user)  # type: ignore[arg-type]
    return Status(201, {"closure": _closure_out(result.closure), "cancelled": [_hit_out(b) for b in result.cancelled],
                        "kept": [_hit_out(b) for b in result.kept],
                        "to_phone": [_hit_out(b) for b in result.to_phone]})


@router.delete("/closures/{closure_id}", response={204: None}, summary="取消闭馆（已取消的预约不恢复）")
def delete_closure(request: HttpRequest, closure_id: Id) -> Status:
    closure = RoomClosure.objects.filter(pk=closure_id).first()
    if closure is None:
        raise Http404(_("Not found, or outside your area."))
    _room(request, closure.room_id, manage=True)
    actions.do_remove_closure(closure, acting_user=request.user)  # type: ignore[arg-type]
    return Status(204, None)


# --- utilisation -----------------------------------------------------------------------------------------------


@router.get("/utilisation", response=VenueUtilisationOut,
            summary="利用率：开放小时、已预约小时、利用率，及服务其他社区、联盟社区的比例（阵地的管理者）；"
                    "period 为 30d（默认，近30天）、month（month=2026-11）、quarter（quarter=2026-4）或 custom（from、to）")
def get_utilisation(request: HttpRequest, period: Annotated[str, OneOf(["30d", "month", "quarter", "custom"])] = "30d",
                    month: Month = "", quarter: Quarter = "", venue_id: Id | None = None,
                    level: Annotated[str, OneOf(["", *Venue.Level.values])] = "") -> dict[str, Any]:
    venues = utilisation.managed_venues(request.user)
    if not venues.exists():
        raise PermissionDenied(_("Utilisation is shown to the venues' managers (community workers and up)."))
    params = {"period": period, "month": month, "quarter": quarter, "from": request.GET.get("from"),
              "to": request.GET.get("to")}
    _kind, first, last = utilisation.period_from(params)
    if venue_id is not None:
        chosen = venues.filter(pk=venue_id)
        if not chosen.exists():
            raise Http404(_("Not found, or outside your area."))
    else:
        chosen = venues.filter(active=True)
        if level:
            chosen = chosen.filter(level=level)
    report = utilisation.compute(chosen.order_by("area__path", "level", "name")[:200], first, last)
    return {"first": report.first, "last": report.last, "total": report.total.as_dict(),
            "sentence": utilisation.share_sentence(report.total),
            "venues": [{"venue_id": row.venue.pk, "venue_name": row.venue.name, "level": row.venue.level,
                        "figures": row.figures.as_dict(),
                        "rooms": [{"room_id": r.room.pk, "room_name": r.room.name, "figures": r.figures.as_dict()}
                                  for r in row.rooms]} for row in report.venues]}
