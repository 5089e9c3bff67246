"""The schedule over JSON (mounted at /api/meetings/): meetings (scoped list, one meeting), create, series and their
next meeting (the host follows the rotation), change, move, skip, cancel, held, invitations, sign-in (by the QR
code's token or the short code), attendance, and a meeting's .ics. Errors: 400 invalid (a Chinese message), 403 not
allowed, 404 out of scope."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gongzhi.core.api_schemas import Id, OneOf
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Alliance, Unit, User

from .. import ics, permissions
from ..actions import schedule as actions
from ..models import Invitation, Meeting, MeetingKind, MeetingSeries

router = Router()


class MeetingIn(Schema):
    area_id: Id = Field(..., description="承办社区 id")
    title: str = Field(..., max_length=200)
    kind: Annotated[str, OneOf(MeetingKind)] = Field(MeetingKind.AD_HOC,
                                                     description="committee、alliance、council 或 ad_hoc")
    alliance_id: Id | None = Field(None, description="轮值联席会议的联盟 id")
    starts_at: datetime
    ends_at: datetime | None = None
    place: str = Field("", max_length=200)
    link: str = Field("", max_length=300)
    host_name: str = Field("", max_length=50)
    recorder_name: str = Field("", max_length=50)
    invite_registered: bool = Field(False, description="同时邀请报到的成员单位")


class MeetingPatch(Schema):
    title: str | None = Field(None, max_length=200)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str | None = Field(None, max_length=200)
    link: str | None = Field(None, max_length=300)
    host_name: str | None = Field(None, max_length=50)
    recorder_name: str | None = Field(None, max_length=50)


class SeriesIn(Schema):
    area_id: Id = Field(..., description="社区 id（轮值联席会议：发起社区，轮值第一位）")
    kind: Annotated[str, OneOf(MeetingKind)] = Field(..., description="committee、alliance 或 council")
    title: str = Field(..., max_length=200)
    first_starts_at: datetime
    every_months: int | None = Field(None, ge=1, le=12, description="间隔月数：默认联席会议 3、轮值会议 2")
    duration_minutes: int = Field(90, ge=15, le=720)
    place: str = Field("", max_length=200)
    alliance_id: Id | None = None
    rotation: list[Id] = Field(default_factory=list, max_length=50, description="轮值顺序：社区 id，各一次")
    schedule_first: bool = Field(True, description="同时安排第一次会议")


class SeriesOut(Schema):
    id: int
    kind: str
    title: str
    area_id: int
    alliance_id: int | None
    every_months: int
    first_starts_at: datetime
    rotation: list[int]
    next_number: int
    next_starts_at: datetime
    next_host_area_id: int
    next_host_area_name: str


class MeetingReasonIn(Schema):
    reason: str = Field(..., max_length=200)


class MoveIn(Schema):
    starts_at: datetime
    ends_at: datetime | None = None
    reason: str = Field("", max_length=200)


class InviteIn(Schema):
    unit_ids: list[Id] = Field(default_factory=list, max_length=200)
    user_ids: list[Id] = Field(default_factory=list, max_length=200)
    registered: bool = Field(False, description="邀请全部报到的成员单位（联盟会议：联盟各社区的）")
    part_time_members: bool = Field(True, description="同时邀请这些单位在社区大党委的兼职委员")


class SignInIn(Schema):
    code: str = Field("", max_length=6, description="六位签到码")
    token: str = Field("", max_length=40, description="二维码链接中的签到令牌")


class InvitationOut(Schema):
    id: int
    role: str
    name: str
    unit_id: int | None
    user_id: int | None
    attendance: str
    absence_reason: str
    checked_in_at: datetime | None


class MeetingOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    status_reason: str
    area_id: int
    area_name: str
    alliance_id: int | None
    series_id: int | None
    number: int
    rotation_index: int
    starts_at: datetime
    ends_at: datetime
    place: str
    link: str
    host_name: str
    recorder_name: str
    url: str
    ics_url: str
    checkin_code: str | None = Field(None, description="签到码（仅组织者可见）")
    checkin_url: str | None = Field(None, description="签到二维码链接（仅组织者可见）")


class AttendanceOut(Schema):
    meeting_id: int
    present: int
    absent: int
    not_signed_in: int
    invitations: list[InvitationOut]


def _meeting_out(request: HttpRequest, meeting: Meeting, can_manage: bool | None = None) -> dict[str, Any]:
    if can_manage is None:
        can_manage = permissions.can(request.user, "manage", meeting)
    return {
        "id": meeting.pk, "kind": meeting.kind, "title": meeting.title, "status": meeting.status,
        "status_reason": meeting.status_reason, "area_id": meeting.area_id, "area_name": meeting.area.name,
        "alliance_id": meeting.alliance_id, "series_id": meeting.series_id, "number": meeting.number,
        "rotation_index": meeting.rotation_index, "starts_at": meeting.starts_at, "ends_at": meeting.ends_at,
        "place": meeting.place, "link": meeting.link, "host_name": meeting.host_name,
        "recorder_name": meeting.recorder_name,
        "url": request.build_absolute_uri(reverse("meetings:meeting", args=[meeting.pk])),
        "ics_url": request.build_absolute_uri(reverse("meetings:meeting_ics", args=[meeting.pk])),
        "checkin_code": meeting.checkin_code if can_manage else None,
        "checkin_url": request.build_absolute_uri(reverse("meetings:checkin", args=[meeting.checkin_token]))
        if can_manage else None,
    }


def _invitation_out(i: Invitation) -> dict[str, Any]:
    return {"id": i.pk, "role": i.role, "name": i.name, "unit_id": i.unit_id, "user_id": i.user_id,
            "attendance": i.attendance, "absence_reason": i.absence_reason, "checked_in_at": i.checked_in_at}


def _series_out(series: MeetingSeries) -> dict[str, Any]:
    number, _index, due, host = actions.next_of_series(series)
    return {"id": series.pk, "kind": series.kind, "title": series.title, "area_id": series.area_id,
            "alliance_id": series.alliance_id, "every_months": series.every_months,
            "first_starts_at": series.first_starts_at, "rotation": [int(i) for i in series.rotation or []],
            "next_number": number, "next_starts_at": due, "next_host_area_id": host.pk,
            "next_host_area_name": host.name}


def _gate(request: HttpRequest) -> None:
    permissions.meeting_policy.require_somewhere(request.user, "browse")


def _meeting(request: HttpRequest, meeting_id: int, action: str = "view") -> Meeting:
    _gate(request)
    meeting = permissions.get_meeting_for_user(request.user, meeting_id)
    if action != "view":
        permissions.require(request.user, action, meeting, _("You may not organise this meeting."))
    return meeting


def _area(request: HttpRequest, area_id: int) -> Any:
    areas = permissions.area_policy.areas_where(request.user, "schedule_meeting")
    return get_object_or_404(areas, pk=area_id)


def _alliance(alliance_id: int | None) -> Alliance | None:
    if alliance_id is None:
        return None
    alliance = Alliance.objects.filter(pk=alliance_id).first()
    if alliance is None:
        raise ActionError(_("Please choose the alliance."), field="alliance_id")
    return alliance


def _series(request: HttpRequest, series_id: int) -> MeetingSeries:
    series = MeetingSeries.objects.select_related("area", "alliance").filter(pk=series_id).first()
    if series is None or not actions.can_manage_series(request.user, series):  # type: ignore[arg-type]
        raise Http404(_("Not found, or outside your area."))
    return series


@router.get("", response=list[MeetingOut], summary="会议列表（本人可见：组织者管理的、受邀参加的）")
def list_meetings(request: HttpRequest, upcoming: bool = False, kind: str = "") -> list[dict[str, Any]]:
    _gate(request)
    qs = permissions.visible_to(request.user, Meeting).select_related("area")
    if upcoming:
        qs = qs.filter(status=Meeting.Status.SCHEDULED, ends_at__gte=timezone.now()).order_by("starts_at", "id")
    else:
        qs = qs.order_by("-starts_at", "-id")
    if kind in MeetingKind.values:
        qs = qs.filter(kind=kind)
    return [_meeting_out(request, m) for m in qs[:200]]


@router.get("/{int:meeting_id}", response=MeetingOut, summary="一个会议")
def get_meeting(request: HttpRequest, meeting_id: Id) -> dict[str, Any]:
    return _meeting_out(request, _meeting(request, meeting_id))


@router.post("", response={201: MeetingOut}, summary="新建会议（任何类型，在一个社区）")
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Status:
    area = _area(request, payload.area_id)
    meeting = actions.do_create_meeting(
        acting_user=request.user, area=area, title=payload.title, kind=payload.kind,  # type: ignore[arg-type]
        starts_at=payload.starts_at, ends_at=payload.ends_at, place=payload.place, link=payload.link,
        host_name=payload.host_name, recorder_name=payload.recorder_name, alliance=_alliance(payload.alliance_id))
    if payload.invite_registered:
        actions.do_invite_registered_units(meeting, acting_user=request.user)  # type: ignore[arg-type]
    return Status(201, _meeting_out(request, meeting))


@router.patch("/{int:meeting_id}", response=MeetingOut, summary="修改会议：时间、地点、链接、主持人、记录人")
def update_meeting(request: HttpRequest, meeting_id: Id, payload: MeetingPatch) -> dict[str, Any]:
    meeting = actions.do_update_meeting(_meeting(request, meeting_id), acting_user=request.user,  # type: ignore[arg-type]
                                        **payload.dict())
    return _meeting_out(request, meeting)


@router.post("/series", response={201: SeriesOut}, summary="新建周期会议（轮值联席会议按轮值顺序承办）")
def create_series(request: HttpRequest, payload: SeriesIn) -> Status:
    area = _area(request, payload.area_id)
    series = actions.do_create_series(
        acting_user=request.user, kind=payload.kind, area=area, title=payload.title,  # type: ignore[arg-type]
        first_starts_at=payload.first_starts_at, every_months=payload.every_months,
        duration_minutes=payload.duration_minutes, place=payload.place, alliance=_alliance(payload.alliance_id),
        rotation=payload.rotation or None)
    if payload.schedule_first:
        actions.do_schedule_next(series, acting_user=request.user)  # type: ignore[arg-type]
    return Status(201, _series_out(series))


@router.get("/series/{int:series_id}", response=SeriesOut, summary="周期会议及下一次会议（时间、承办社区）")
def get_series(request: HttpRequest, series_id: Id) -> dict[str, Any]:
    return _series_out(_series(request, series_id))


@router.post("/series/{int:series_id}/next", response={201: MeetingOut}, summary="安排周期会议的下一次会议")
def schedule_next(request: HttpRequest, series_id: Id) -> Status:
    meeting = actions.do_schedule_next(_series(request, series_id), acting_user=request.user)  # type: ignore[arg-type]
    return Status(201, _meeting_out(request, meeting, True))


@router.post("/{int:meeting_id}/move", response=MeetingOut, summary="会议改期（保留轮值顺序）")
def move_meeting(request: HttpRequest, meeting_id: Id, payload: MoveIn) -> dict[str, Any]:
    meeting = actions.do_move_meeting(_meeting(request, meeting_id), acting_user=request.user,  # type: ignore[arg-type]
                                      starts_at=payload.starts_at, ends_at=payload.ends_at, reason=payload.reason)
    return _meeting_out(request, meeting)


@router.post("/{int:meeting_id}/skip", response=MeetingOut, summary="本次跳过（说明原因；承办社区保留轮值）")
def skip_meeting(request: HttpRequest, meeting_id: Id, payload: MeetingReasonIn) -> dict[str, Any]:
    meeting = actions.do_skip_meeting(_meeting(request, meeting_id), acting_user=request.user,  # type: ignore[arg-type]
                                      reason=payload.reason)
    return _meeting_out(request, meeting)


@router.post("/{int:meeting_id}/cancel", response=MeetingOut, summary="取消会议（说明原因）")
def cancel_meeting(request: HttpRequest, meeting_id: Id, payload: MeetingReasonIn) -> dict[str, Any]:
    meeting = actions.do_cancel_meeting(_meeting(request, meeting_id), acting_user=request.user,  # type: ignore[arg-type]
                                        reason=payload.reason)
    return _meeting_out(request, meeting)


@router.post("/{int:meeting_id}/held", response=MeetingOut, summary="标记会议已召开")
def mark_held(request: HttpRequest, meeting_id: Id) -> dict[str, Any]:
    meeting = actions.do_mark_held(_meeting(request, meeting_id), acting_user=request.user)  # type: ignore[arg-type]
    return _meeting_out(request, meeting)


@router.post("/{int:meeting_id}/invitations", response={201: list[InvitationOut]},
             summary="邀请：成员单位（及其兼职委员）、人员，或全部报到单位")
def invite(request: HttpRequest, meeting_id: Id, payload: InviteIn) -> Status:
    meeting = _meeting(request, meeting_id)
    created: list[Invitation] = []
    if payload.registered:
        created += actions.do_invite_registered_units(meeting, acting_user=request.user)  # type: ignore[arg-type]
    units = list(Unit.objects.filter(pk__in=payload.unit_ids))
    users = list(User.objects.filter(pk__in=payload.user_ids, is_active=True))
    if len(units) != len(set(payload.unit_ids)):
        raise ActionError(_("Please choose the units from the list."), field="unit_ids")
    if len(users) != len(set(payload.user_ids)):
        raise ActionError(_("Please choose the people from the list."), field="user_ids")
    if units or users:
        created += actions.do_invite(meeting, acting_user=request.user, units=units, users=users,  # type: ignore[arg-type]
                                     part_time_members=payload.part_time_members)
    return Status(201, [_invitation_out(i) for i in created])


@router.get("/{int:meeting_id}/attendance", response=AttendanceOut, summary="出席情况：受邀者、出席、缺席及原因")
def attendance(request: HttpRequest, meeting_id: Id) -> dict[str, Any]:
    meeting = _meeting(request, meeting_id)
    rows = list(meeting.invitations.order_by("role", "name", "id"))
    return {"meeting_id": meeting.pk, "invitations": [_invitation_out(i) for i in rows],
            "present": sum(1 for i in rows if i.attendance == Invitation.Attendance.PRESENT),
            "absent": sum(1 for i in rows if i.attendance == Invitation.Attendance.ABSENT),
            "not_signed_in": sum(1 for i in rows if i.attendance == Invitation.Attendance.INVITED)}


def _invitation(request: HttpRequest, meeting_id: int, invitation_id: int) -> Invitation:
    meeting = _meeting(request, meeting_id)
    invitation = meeting.invitations.filter(pk=invitation_id).first()
    if invitation is None:
        raise ActionError(_("This invitation is not of this meeting."), field="invitation_id")
    return invitation


@router.post("/{int:meeting_id}/invitations/{int:invitation_id}/present", response=InvitationOut,
             summary="登记出席（代签到）")
def mark_present(request: HttpRequest, meeting_id: Id, invitation_id: Id) -> dict[str, Any]:
    invitation = actions.do_mark_present(_invitation(request, meeting_id, invitation_id),
                                         acting_user=request.user)  # type: ignore[arg-type]
    return _invitation_out(invitation)


@router.post("/{int:meeting_id}/invitations/{int:invitation_id}/absent", response=InvitationOut,
             summary="登记缺席（说明原因）")
def record_absence(request: HttpRequest, meeting_id: Id, invitation_id: Id, payload: MeetingReasonIn) -> dict[str, Any]:
    invitation = actions.do_record_absence(_invitation(request, meeting_id, invitation_id),
                                           acting_user=request.user, reason=payload.reason)  # type: ignore[arg-type]
    return _invitation_out(invitation)


@router.post("/sign-in", response=InvitationOut, summary="签到：六位签到码或二维码中的令牌")
def sign_in(request: HttpRequest, payload: SignInIn) -> dict[str, Any]:
    if not request.user.is_authenticated:
        raise PermissionDenied(_("Please sign in first."))
    if payload.token:
        meeting = Meeting.objects.filter(checkin_token=payload.token).first()
        if meeting is None or not permissions.can(request.user, "sign_in", meeting):
            raise Http404(_("Not found, or outside your area."))
        invitation = actions.do_sign_in(meeting, acting_user=request.user)  # type: ignore[arg-type]
    else:
        invitation = actions.do_sign_in_with_code(payload.code, acting_user=request.user)  # type: ignore[arg-type]
    return _invitation_out(invitation)


@router.get("/{int:meeting_id}/ics", summary="下载会议日历文件（.ics）", response={200: None})
def meeting_ics(request: HttpRequest, meeting_id: Id) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    body = ics.calendar_bytes([meeting], lambda m: request.build_absolute_uri(reverse("meetings:meeting",
                                                                                     args=[m.pk])))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response
