"""The API of the bookings part (/api/venues/): room bookings, through the same actions as the pages.
Errors as the other apps: 400 a rule refuses (a Chinese message naming the rule), 409 the slot is taken (or, for a
recurring booking with "book nothing", some dates are: the conflicts listed), 403 not allowed, 404 out of scope,
422 a malformed request.

- a room's calendar: its free and taken half hours for up to 14 days (taken: only 已预约 / 待审批, never who);
- book a room once, or repeatedly (weekly / fortnightly / monthly until a date; skip the taken dates or not);
- my bookings; the pending bookings I approve; one booking; approve, refuse (a reason), cancel (one or the rest of
  its series), check in.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from annotated_types import Interval
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gongzhi.core.api_schemas import Id, OneOf
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Unit

from .. import permissions, rules
from ..actions import bookings as actions
from ..models import Booking, BookingSeries
from ..queries import pending_for

router = Router()
Days = Annotated[int, Interval(ge=1, le=14)]


class VenuesSlotOut(Schema):
    starts_at: datetime
    ends_at: datetime
    state: str = Field(..., description="free 空闲；approved 已预约；pending 待审批；past 已过或不足提前时间；"
                                         "buffer 相邻预约的间隔时间")


class VenuesCalendarDayOut(Schema):
    day: date
    open: bool
    closed_reason: str = Field(..., description="暂停开放的原因（非开放日为空）")
    slots: list[VenuesSlotOut]


class VenuesCalendarOut(Schema):
    room_id: int
    room_name: str
    venue_name: str
    opens_at: str
    closes_at: str
    days: list[VenuesCalendarDayOut]


class VenuesBookingIn(Schema):
    starts_at: datetime
    ends_at: datetime
    purpose: str = Field(..., max_length=200)
    attendees: int = Field(1, ge=1, le=10000)
    unit_id: Id | None = Field(None, description="成员单位联络员以单位名义预约时填单位 id")


class VenuesSeriesIn(VenuesBookingIn):
    frequency: Annotated[str, OneOf(BookingSeries.Frequency)] = Field(..., description="weekly、fortnightly 或 monthly")
    until: date
    skip_taken: bool = Field(True, description="true：跳过无法预约的日期，预约其余日期；false：任一日期无法预约则全部不预约")


class VenuesBookingOut(Schema):
    id: int
    room_id: int
    room_name: str
    venue_name: str
    series_id: int | None
    starts_at: datetime
    ends_at: datetime
    purpose: str
    attendees: int
    booker_kind: str
    unit_id: int | None
    booker_community_id: int | None
    booker_community_name: str
    status: str
    status_label: str
    reason: str
    checked_in_at: datetime | None
    created_at: datetime


class VenuesSkippedOut(Schema):
    starts_at: datetime
    reason: str


class VenuesSeriesOut(Schema):
    series_id: int
    booked: list[VenuesBookingOut]
    skipped: list[VenuesSkippedOut]


class VenuesSeriesRefusedOut(Schema):
    detail: str
    field: str | None
    conflicts: list[VenuesSkippedOut]


class VenuesReasonIn(Schema):
    reason: str = Field(..., max_length=300)


class VenuesCancelIn(Schema):
    reason: str = Field("", max_length=300, description="阵地工作人员取消他人预约时必填，将通知预约人")
    rest_of_series: bool = Field(False, description="同时取消该重复预约以后的各次")


def booking_out(b: Booking) -> dict[str, Any]:
    return {"id": b.pk, "room_id": b.room_id, "room_name": b.room.name, "venue_name": b.room.venue.name,
            "series_id": b.series_id, "starts_at": b.starts_at, "ends_at": b.ends_at, "purpose": b.purpose,
            "attendees": b.attendees, "booker_kind": b.booker_kind, "unit_id": b.unit_id,
            "booker_community_id": b.booker_community_id,
            "booker_community_name": b.booker_community.name if b.booker_community else "",
            "status": b.status, "status_label": str(b.get_status_display()), "reason": b.reason,
            "checked_in_at": b.checked_in_at, "created_at": b.created_at}


def _unit(unit_id: int | None) -> Unit | None:
    if unit_id is None:
        return None
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise ActionError(_("You may book only as a unit you are the liaison of."), field="unit_id")
    return unit


def _bookable(request: HttpRequest, room_id: int) -> Any:
    room = permissions.get_room_for_user(request.user, room_id)
    if not permissions.can(request.user, "book", room):
        raise PermissionDenied(_("You may not book this room."))
    return room


@router.get("/rooms/{room_id}/calendar", response=VenuesCalendarOut,
            summary="活动室预约日历：某日起若干天（最多 14 天）每半小时的空闲与占用（占用只显示已预约/待审批）")
def room_calendar(request: HttpRequest, room_id: Id, from_date: date | None = None, days: Days = 7
                  ) -> dict[str, Any]:
    room = permissions.get_room_for_user(request.user, room_id)
    first = from_date or timezone.localdate()
    first = max(first, timezone.localdate() - timedelta(days=62))
    grid = rules.calendar(room, first, days)
    return {"room_id": room.pk, "room_name": room.name, "venue_name": room.venue.name,
            "opens_at": f"{room.opens_at:%H:%M}", "closes_at": f"{room.closes_at:%H:%M}",
            "days": [{"day": d.day, "open": d.open, "closed_reason": d.closed_reason,
                      "slots": [{"starts_at": s.starts_at, "ends_at": s.ends_at, "state": s.state} for s in d.slots]}
                     for d in grid]}


@router.post("/rooms/{room_id}/bookings", response={201: VenuesBookingOut},
             summary="预约活动室（一次）：按活动室规则校验；无需审批的直接通过，否则待审批并通知审批人")
def book_room(request: HttpRequest, room_id: Id, payload: VenuesBookingIn) -> Status:
    room = _bookable(request, room_id)
    booking = actions.do_book(acting_user=request.user, room=room, starts_at=payload.starts_at,  # type: ignore[arg-type]
                              ends_at=payload.ends_at, purpose=payload.purpose, attendees=payload.attendees,
                              as_unit=_unit(payload.unit_id))
    return Status(201, booking_out(booking))


@router.post("/rooms/{room_id}/booking-series", response={201: VenuesSeriesOut, 409: VenuesSeriesRefusedOut},
             summary="重复预约活动室（每周、每两周、每月，至某日）：逐次校验；可选跳过无法预约的日期或全部不预约")
def book_series(request: HttpRequest, room_id: Id, payload: VenuesSeriesIn) -> Status:
    room = _bookable(request, room_id)
    try:
        result = actions.do_book_series(
            acting_user=request.user, room=room, starts_at=payload.starts_at,  # type: ignore[arg-type]
            ends_at=payload.ends_at, purpose=payload.purpose, attendees=payload.attendees,
            frequency=payload.frequency, until=payload.until, skip_taken=payload.skip_taken,
            as_unit=_unit(payload.unit_id))
    except actions.SeriesRefused as exc:
        return Status(409, {"detail": exc.message, "field": exc.field,
                            "conflicts": [{"starts_at": s, "reason": r} for s, r in exc.conflicts]})
    return Status(201, {"series_id": result.series.pk, "booked": [booking_out(b) for b in result.booked],
                        "skipped": [{"starts_at": s, "reason": r} for s, r in result.skipped]})


@router.get("/bookings", response=list[VenuesBookingOut], summary="我的活动室预约（即将到来的在前，最多 200 条）")
def my_bookings(request: HttpRequest, upcoming: bool = True) -> list[dict[str, Any]]:
    qs = permissions.visible_to(request.user, Booking).filter(booked_by=request.user).select_related(
        "room", "room__venue", "booker_community")
    now = timezone.now()
    qs = qs.filter(ends_at__gte=now).order_by("starts_at") if upcoming else qs.filter(ends_at__lt=now).order_by(
        "-starts_at")
    return [booking_out(b) for b in qs[:200]]


@router.get("/bookings/approvals", response=list[VenuesBookingOut], summary="待我审批的活动室预约（按开始时间）")
def approvals(request: HttpRequest) -> list[dict[str, Any]]:
    return [booking_out(b) for b in pending_for(request.user)]


@router.get("/bookings/{booking_id}", response=VenuesBookingOut, summary="一次活动室预约")
def get_booking(request: HttpRequest, booking_id: Id) -> dict[str, Any]:
    return booking_out(permissions.get_booking_for_user(request.user, booking_id))


@router.post("/bookings/{booking_id}/approve", response=VenuesBookingOut, summary="通过预约（活动室的审批人）")
def approve(request: HttpRequest, booking_id: Id) -> dict[str, Any]:
    booking = permissions.get_booking_for_user(request.user, booking_id)
    return booking_out(actions.do_approve_booking(booking, acting_user=request.user))  # type: ignore[arg-type]


@router.post("/bookings/{booking_id}/refuse", response=VenuesBookingOut, summary="不予通过（须填理由，通知预约人）")
def refuse(request: HttpRequest, booking_id: Id, payload: VenuesReasonIn) -> dict[str, Any]:
    booking = permissions.get_booking_for_user(request.user, booking_id)
    return booking_out(actions.do_refuse_booking(booking, acting_user=request.user,  # type: ignore[arg-type]
                                                 reason=payload.reason))


@router.post("/bookings/{booking_id}/cancel", response=list[VenuesBookingOut],
             summary="取消预约（预约人或阵地工作人员；可同时取消重复预约以后的各次）")
def cancel(request: HttpRequest, booking_id: Id, payload: VenuesCancelIn) -> list[dict[str, Any]]:
    booking = permissions.get_booking_for_user(request.user, booking_id)
    done = actions.do_cancel_booking(booking, acting_user=request.user,  # type: ignore[arg-type]
                                     reason=payload.reason, rest_of_series=payload.rest_of_series)
    return [booking_out(b) for b in done]


@router.post("/bookings/{booking_id}/check-in", response=VenuesBookingOut,
             summary="签到（预约人在预约当天；阵地工作人员随时）")
def check_in(request: HttpRequest, booking_id: Id) -> dict[str, Any]:
    booking = permissions.get_booking_for_user(request.user, booking_id)
    return booking_out(actions.do_check_in_booking(booking, acting_user=request.user))  # type: ignore[arg-type]
