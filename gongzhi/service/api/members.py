"""The members part over JSON, mounted at /api/service/. Every call goes through the same actions as the pages.
Errors: 400 refused (a Chinese message), 403 not allowed, 404 out of scope, 409 already decided by someone else."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from gongzhi.core.api_schemas import Id
from gongzhi.core.models import Area, Registration, Unit, User
from gongzhi.lib.masking import mask_id_number, mask_phone

from .. import permissions
from .. import queries_members as queries
from ..actions import members as actions
from ..downloads_members import check_url, docx_response, hours_workbook_response, over_check_limit
from ..models import Certificate, VolunteerProfile
from ..report_docx import report_document, report_filename

router = Router()


class ServiceRegistrationIn(Schema):
    community_id: Id
    unit_id: Id | None = Field(None, description="登记单位时填单位；不填则登记本人（党员）")
    note: str = Field("", max_length=200)


class ServiceRegistrationOut(Schema):
    id: int
    kind: str
    community_id: int
    community: str
    unit_id: int | None
    unit: str
    party_member_id: int | None
    party_member: str
    status: str
    status_label: str
    registered_at: datetime
    decided_at: datetime | None
    decline_reason: str


class ServiceDeclineIn(Schema):
    reason: str = Field(..., max_length=200)


class MemberYearRegistrationOut(Schema):
    community: str
    status: str
    status_label: str
    registered_at: datetime
    decided_at: datetime | None


class MemberYearPostOut(Schema):
    post: str
    community: str
    starts_on: date
    ends_on: date


class MemberYearPledgeOut(Schema):
    text: str
    status: str
    status_label: str


class MemberYearActivityOut(Schema):
    activity_id: int
    title: str
    community: str
    starts_at: datetime
    hours: Decimal


class MemberYearOut(Schema):
    member_id: int
    name: str
    phone: str
    id_number: str
    work_unit: str
    year: int
    registrations: list[MemberYearRegistrationOut]
    posts: list[MemberYearPostOut]
    pledges: list[MemberYearPledgeOut]
    activities: list[MemberYearActivityOut]
    hours: Decimal
    stars: int | None


class UnitReportRowOut(Schema):
    member_id: int
    name: str
    posts: list[str]
    pledges: list[MemberYearPledgeOut]
    activities: int
    hours: Decimal
    stars: int | None


class UnitReportOut(Schema):
    community_id: int
    unit_id: int
    unit: str
    year: int
    hours: Decimal
    rows: list[UnitReportRowOut]
    sent_at: list[datetime]


class ServiceReportOut(Schema):
    id: int
    community_id: int
    unit_id: int
    year: int
    members: int
    hours: Decimal
    sent_at: datetime


class VolunteerProfileOut(Schema):
    id: int
    user_id: int
    name: str
    community_id: int
    skills: str
    availability: str
    organisation: str
    id_number: str = Field(..., description="脱敏显示")


class VolunteerProfileIn(Schema):
    skills: str | None = Field(None, max_length=200)
    availability: str | None = Field(None, max_length=200)
    organisation: str | None = Field(None, max_length=100)
    id_number: str | None = Field(None, max_length=18, description="新证件号码；不填则不变；“-”清除")


class CertificateIn(Schema):
    user_id: Id
    community_id: Id
    start: date
    end: date
    content: str = Field("", max_length=2000)
    organisation: str = Field("", max_length=100)


class CertificateOut(Schema):
    id: int
    code: str
    user_id: int
    community_id: int
    name: str
    masked_id: str
    organisation: str
    period_start: date
    period_end: date
    content: str
    hours: Decimal
    issued_at: datetime
    superseded_at: datetime | None
    check_url: str


class CertificateCheckOut(Schema):
    code: str
    valid: bool
    name: str
    masked_id: str
    organisation: str
    community: str
    period_start: date
    period_end: date
    content: str
    hours: Decimal
    issued_at: datetime
    superseded_at: datetime | None
    superseded_reason: str


def _registration(r: Registration) -> dict[str, Any]:
    return {"id": r.pk, "kind": r.kind, "community_id": r.community_id, "community": r.community.name,
            "unit_id": r.unit_id, "unit": r.unit.name if r.unit else "", "party_member_id": r.party_member_id,
            "party_member": r.party_member.name if r.party_member else "", "status": r.status,
            "status_label": r.get_status_display(), "registered_at": r.registered_at, "decided_at": r.decided_at,
            "decline_reason": r.decline_reason}


def _stars(y: queries.MemberYear) -> int | None:
    return max((s.stars for s in y.stars), default=None)


def _pledges(y: queries.MemberYear) -> list[dict[str, Any]]:
    return [{"text": p.text, "status": p.status, "status_label": p.get_status_display()} for p in y.pledges]


def _community(pk: int) -> Area:
    return get_object_or_404(Area, pk=pk, level=Area.Level.COMMUNITY)


# --- registrations ---------------------------------------------------------------------------------------------


@router.post("/registrations", response={201: ServiceRegistrationOut},
             summary="双报到：党员本人或单位联络员登记到社区（待社区确认；被退回后再次登记即重新提交）")
def register(request: HttpRequest, payload: ServiceRegistrationIn) -> Status:
    community = _community(payload.community_id)
    if payload.unit_id:
        unit = get_object_or_404(Unit, pk=payload.unit_id)
        registration = actions.do_register_unit(acting_user=request.user, unit=unit, community=community,  # type: ignore[arg-type]
                                                note=payload.note)
    else:
        registration = actions.do_register_member(acting_user=request.user, community=community)  # type: ignore[arg-type]
    return Status(201, _registration(registration))


@router.get("/registrations", response=list[ServiceRegistrationOut],
            summary="可见的报到登记（待确认在前；可按状态、类型、社区筛选）")
def list_registrations(request: HttpRequest, status: str = "", kind: str = "",
                       community_id: int | None = None) -> list[dict[str, Any]]:
    if permissions.own_member(request.user) is None:
        permissions.registration_policy.require_somewhere(request.user, "browse")
    qs = permissions.visible_to(request.user, Registration).select_related("community", "unit", "party_member")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if community_id:
        qs = qs.filter(community_id=community_id)
    rows = sorted(qs.order_by("-registered_at", "-pk")[:500],
                  key=lambda r: r.status != Registration.Status.PENDING)
    return [_registration(r) for r in rows]


def _decide(request: HttpRequest, pk: int, confirm: bool, reason: str = "") -> dict[str, Any]:
    registration = permissions.get_registration_for_user(request.user, pk)
    return _registration(actions.do_decide_registration(registration, acting_user=request.user,  # type: ignore[arg-type]
                                                        confirm=confirm, reason=reason))


@router.post("/registrations/{registration_id}/confirm", response=ServiceRegistrationOut,
             summary="社区确认报到（他人已处理时返回 409）")
def confirm_registration(request: HttpRequest, registration_id: Id) -> dict[str, Any]:
    return _decide(request, registration_id, True)


@router.post("/registrations/{registration_id}/decline", response=ServiceRegistrationOut,
             summary="社区退回报到（须说明理由；他人已处理时返回 409）")
def decline_registration(request: HttpRequest, registration_id: Id, payload: ServiceDeclineIn) -> dict[str, Any]:
    return _decide(request, registration_id, False, payload.reason)


# --- a member's year ----------------------------------------------------------------------------------------------


@router.get("/members/{member_id}/year", response=MemberYearOut,
            summary="党员的年度服务：报到、岗位、承诺、活动与时长、星级（个人信息脱敏）")
def member_year(request: HttpRequest, member_id: Id, year: int | None = None) -> dict[str, Any]:
    member = permissions.get_member_for_user(request.user, member_id)
    this = timezone.localdate().year
    year = year if year is not None and 2000 <= year <= this else this
    y = queries.member_year(member, year)
    return {
        "member_id": member.pk, "name": member.name, "phone": mask_phone(member.phone),
        "id_number": mask_id_number(member.id_number), "work_unit": member.work_unit.name if member.work_unit else "",
        "year": year,
        "registrations": [{"community": r.community.name, "status": r.status, "status_label": r.get_status_display(),
                           "registered_at": r.registered_at, "decided_at": r.decided_at} for r in y.registrations],
        "posts": [{"post": t.post.name, "community": t.post.community.name, "starts_on": t.starts_on,
                   "ends_on": t.ended_on or t.ends_on} for t in y.terms],
        "pledges": _pledges(y),
        "activities": [{"activity_id": s.activity_id, "title": s.activity.title,
                        "community": s.activity.community.name, "starts_at": s.activity.starts_at,
                        "hours": s.hours} for s in y.signups],
        "hours": y.hours, "stars": _stars(y),
    }


# --- unit reports (双报告) ----------------------------------------------------------------------------------------


def _report_scope(request: HttpRequest, community_id: int, unit_id: int, year: int) -> tuple[Area, Unit]:
    community = Area.objects.filter(pk=community_id, level=Area.Level.COMMUNITY).first()
    unit = Unit.objects.filter(pk=unit_id).first()
    if community is None or unit is None or not (2000 <= year <= timezone.localdate().year) or \
            not queries.can_see_unit_report(request.user, community, unit):
        raise Http404
    return community, unit


@router.get("/reports/{community_id}/{unit_id}/{year}", response=UnitReportOut,
            summary="双报告：社区向单位报告其报到党员一年的服务情况")
def get_unit_report(request: HttpRequest, community_id: Id, unit_id: Id, year: int) -> dict[str, Any]:
    community, unit = _report_scope(request, community_id, unit_id, year)
    report = queries.unit_report(community, unit, year)
    return {"community_id": community.pk, "unit_id": unit.pk, "unit": unit.name, "year": year,
            "hours": report.hours, "sent_at": [s.sent_at for s in report.sent],
            "rows": [{"member_id": r.member.pk, "name": r.member.name, "posts": [t.post.name for t in r.terms],
                      "pledges": _pledges(r), "activities": r.activities, "hours": r.hours, "stars": _stars(r)}
                     for r in report.rows]}


@router.get("/reports/{community_id}/{unit_id}/{year}/docx", summary="双报告 Word 文档下载",
            response={200: None})
def get_unit_report_docx(request: HttpRequest, community_id: Id, unit_id: Id, year: int) -> HttpResponse:
    community, unit = _report_scope(request, community_id, unit_id, year)
    report = queries.unit_report(community, unit, year)
    return docx_response(report_document(report), report_filename(report))


@router.post("/reports/{community_id}/{unit_id}/{year}/send", response={201: ServiceReportOut},
             summary="把年度报告发送给单位（通知单位联络员）")
def send_unit_report(request: HttpRequest, community_id: Id, unit_id: Id, year: int) -> Status:
    community, unit = _report_scope(request, community_id, unit_id, year)
    sent = actions.do_send_unit_report(acting_user=request.user, community=community, unit=unit, year=year)  # type: ignore[arg-type]
    return Status(201, {"id": sent.pk, "community_id": sent.community_id, "unit_id": sent.unit_id, "year": sent.year,
                        "members": sent.members, "hours": sent.hours, "sent_at": sent.sent_at})


# --- volunteers ---------------------------------------------------------------------------------------------------


def _profile(p: VolunteerProfile) -> dict[str, Any]:
    return {"id": p.pk, "user_id": p.user_id, "name": p.user.display_name or p.user.username,
            "community_id": p.community_id, "skills": p.skills, "availability": p.availability,
            "organisation": p.organisation, "id_number": mask_id_number(p.id_number)}


@router.get("/volunteers/me", response=VolunteerProfileOut, summary="我的志愿者档案（证件号码脱敏）")
def my_profile(request: HttpRequest) -> dict[str, Any]:
    profile = VolunteerProfile.objects.select_related("user").filter(user=request.user).first()  # type: ignore[misc]
    if profile is None:
        raise Http404
    return _profile(profile)


@router.put("/volunteers/me", response=VolunteerProfileOut, summary="填写或修改我的志愿者档案")
def update_my_profile(request: HttpRequest, payload: VolunteerProfileIn) -> dict[str, Any]:
    user: User = request.user  # type: ignore[assignment]
    profile = VolunteerProfile.objects.filter(user=user).first()
    community = profile.community if profile else queries.home_community(user)
    if community is None:
        raise PermissionDenied(_("Your account belongs to no community: ask the community to add you."))
    profile = actions.do_update_volunteer_profile(profile, acting_user=user, user=user, community=community,
                                                  **payload.dict())
    return _profile(profile)


@router.get("/volunteers/hours.xlsx", summary="导出服务时长（每人每时段，Excel）", response={200: None})
def export_hours(request: HttpRequest, community_id: Id, start: date, end: date) -> HttpResponse:
    community = _community(community_id)
    queries.require_manage_service(request.user, community, _("Only the community's workers export volunteers' hours."))
    if end < start:
        raise HttpError(400, _("The period ends before it starts."))
    return hours_workbook_response(request.user, community, start, end)  # type: ignore[arg-type]


@router.get("/volunteers/{profile_id}", response=VolunteerProfileOut, summary="志愿者档案（证件号码脱敏）")
def get_profile(request: HttpRequest, profile_id: Id) -> dict[str, Any]:
    return _profile(permissions.get_volunteer_profile_for_user(request.user, profile_id))


@router.patch("/volunteers/{profile_id}", response=VolunteerProfileOut, summary="修改志愿者档案（本人或社区工作人员）")
def update_profile(request: HttpRequest, profile_id: Id, payload: VolunteerProfileIn) -> dict[str, Any]:
    profile = permissions.get_volunteer_profile_for_user(request.user, profile_id)
    return _profile(actions.do_update_volunteer_profile(profile, acting_user=request.user,  # type: ignore[arg-type]
                                                        **payload.dict()))


# --- certificates -------------------------------------------------------------------------------------------------


def _certificate(request: HttpRequest, c: Certificate) -> dict[str, Any]:
    return {"id": c.pk, "code": c.code, "user_id": c.user_id, "community_id": c.community_id, "name": c.name,
            "masked_id": c.masked_id, "organisation": c.organisation, "period_start": c.period_start,
            "period_end": c.period_end, "content": c.content, "hours": c.hours, "issued_at": c.issued_at,
            "superseded_at": c.superseded_at, "check_url": check_url(request, c)}


@router.post("/certificates", response={201: CertificateOut},
             summary="开具志愿服务记录证明（按时段内已确认的服务时长；社区工作人员）")
def issue_certificate(request: HttpRequest, payload: CertificateIn) -> Status:
    community = _community(payload.community_id)
    queries.require_manage_service(request.user, community, _("Only the community's workers issue service certificates."))
    user = get_object_or_404(User, pk=payload.user_id, is_active=True)
    cert = actions.do_issue_certificate(acting_user=request.user, user=user, community=community,  # type: ignore[arg-type]
                                        start=payload.start, end=payload.end, content=payload.content,
                                        organisation=payload.organisation)
    return Status(201, _certificate(request, cert))


@router.get("/certificates", response=list[CertificateOut], summary="可见的服务证明（本人的，或本社区的）")
def list_certificates(request: HttpRequest) -> list[dict[str, Any]]:
    qs = permissions.visible_to(request.user, Certificate).select_related("community")[:500]
    return [_certificate(request, c) for c in qs]


@router.get("/certificates/{certificate_id}/docx", summary="服务证明 Word 文档下载（证件号码脱敏）", response={200: None})
def certificate_docx(request: HttpRequest, certificate_id: Id) -> HttpResponse:
    from ..certificate_docx import certificate_document, certificate_filename

    cert = permissions.get_certificate_for_user(request.user, certificate_id)
    actions.record_certificate_download(cert, request.user)  # type: ignore[arg-type]
    return docx_response(certificate_document(cert, check_url(request, cert)), certificate_filename(cert))


@router.get("/certificates/verify/{code}", auth=None, response=CertificateCheckOut,
            summary="核验服务证明（无需登录；有效或已被更正取代）")
def verify_certificate(request: HttpRequest, code: str) -> dict[str, Any]:
    if over_check_limit(request):
        raise HttpError(429, _("Too many certificates were checked from this network in a short time. Please wait "
                               "ten minutes and try again."))
    code = code.strip().upper()
    cert = Certificate.objects.select_related("community").filter(code=code).first() \
        if len(code) == actions.CODE_LENGTH else None
    if cert is None:
        raise Http404
    return {"code": cert.code, "valid": cert.superseded_at is None, "name": cert.name, "masked_id": cert.masked_id,
            "organisation": cert.organisation, "community": cert.community.name, "period_start": cert.period_start,
            "period_end": cert.period_end, "content": cert.content, "hours": cert.hours,
            "issued_at": cert.issued_at, "superseded_at": cert.superseded_at,
            "superseded_reason": cert.superseded_reason}
