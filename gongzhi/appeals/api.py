"""接诉即办 and 吹哨报到 over JSON, mounted at /api/appeals/. Scoped by the appeals policy.

Authentication: the session (with CSRF) or an API key in the header X-API-Key. Public tracking needs
neither. Errors: ActionError → 400, PermissionDenied → 403, out of scope → 404 (gongzhi/api.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from gongzhi.core import api as core_api
from gongzhi.core.api_keys import API_AUTH
from gongzhi.core.api_schemas import DEFAULT_LIMIT, Id, Limit, Month, Offset, OneOf
from gongzhi.core.models import Area, Unit
from gongzhi.core.queries import cached_area
from gongzhi.core.registry import registry

from . import actions, queries, rates, tracking
from .api_schemas import (
    AppealIn,
    AppealOut,
    CaseDetailOut,
    CaseOut,
    CaseRouteOut,
    CategoryOut,
    CompleteIn,
    ContactOut,
    DecideIn,
    DispatchIn,
    ExtensionIn,
    ExtensionOut,
    FollowUpIn,
    ImportOut,
    MergeIn,
    NoteIn,
    OkOut,
    RateIn,
    RateRowOut,
    ReasonIn,
    ReplyIn,
    TemplateOut,
    TrackIn,
    TrackOut,
    WhistleIn,
    WhistleOut,
    WhistleReportOut,
)
from .models import (
    Appeal,
    Case,
    Category,
    ExtensionRequest,
    ReplyTemplate,
    Whistle,
    WhistleReport,
)
from .permissions import (
    area_policy,
    get_assignment_for_user,
    get_case_for_user,
    get_whistle_for_user,
    get_whistle_report_for_user,
    require,
    visible_to,
)
from .ratelimit import client_ip, hit
from .routing import suggest_route
from .worklist_filters import WorklistFilters, filtered_worklist, parse_filters

AUTH = API_AUTH
router = Router(auth=AUTH)

WorklistName = Annotated[str, OneOf(queries.LISTS)]
Figure = Annotated[str, OneOf(rates.FIGURES)]


# ---------------------------------------------------------------------------------------------------
# helpers


def _user(request: HttpRequest) -> Any:
    return request.user


def _unit(unit_id: int) -> Unit:
    return get_object_or_404(Unit, pk=unit_id)


def _units(ids: list[int]) -> list[Unit]:
    units = list(Unit.objects.filter(pk__in=ids))
    if len(units) != len(set(ids)):
        raise Http404
    return units


def _month(value: str) -> date:
    try:
        return rates.parse_month(value)
    except ValueError as exc:
        raise HttpError(400, _("Give the month as YYYY-MM.")) from exc


def _case_detail(request: HttpRequest, case_id: int) -> Case:
    case: Any = queries.case_detail(_user(request), case_id)
    replies = list(case.replies.all())
    case.timeline = list(case.events.all())
    case.answer = replies[0].body if replies else ""
    case.extras = registry.api_extras("appeals.case", request, case)  # e.g. intelligence's "suggestions"
    return case


def _dispatchable_case(user: Any, case_id: int) -> Case:
    case = get_case_for_user(user, case_id)
    require(user, "dispatch", case, message="")
    return case


# ---------------------------------------------------------------------------------------------------
# intake and public tracking


@router.post("/submit", response={201: AppealOut, 200: AppealOut}, summary="提交诉求（支持 Idempotency-Key）")
def submit_appeal(request: HttpRequest, payload: AppealIn) -> Status[Appeal]:
    return _submit(request, payload, [])


@router.post("/submit-with-photos", response={201: AppealOut, 200: AppealOut},
             summary="提交诉求并附照片（multipart 表单，最多 5 张 JPEG/PNG/WebP，每张不超过 5 MB）")
def submit_appeal_with_photos(
    request: HttpRequest, payload: Form[AppealIn], photos: list[UploadedFile] = File(None),  # noqa: B008
) -> Status[Appeal]:
    return _submit(request, payload, photos or [])


def _submit(request: HttpRequest, payload: AppealIn, photos: list[UploadedFile]) -> Status[Appeal]:
    user = _user(request)
    key = request.headers.get("Idempotency-Key")
    # Integrations with an issued key (the 12345 hotline system) are trusted; people are rate-limited,
    # but a retry of what they already sent is answered before it counts against their limit.
    is_integration = getattr(request, "api_key", None) is not None
    if not is_integration:
        if key:
            existing = Appeal.objects.filter(submitted_by=user, idempotency_key=key.strip()[:100]).first()
            if existing is not None:
                return Status(200, existing)
        if not hit(f"submit:{user.pk}", limit=30, window_seconds=60):
            raise HttpError(429, _("Too many submissions; please wait a minute and try again."))
    category = get_object_or_404(Category, pk=payload.category_id) if payload.category_id else None
    area = None
    if payload.area_id:
        area = cached_area(payload.area_id)
        if area is None:
            raise Http404
    appeal = actions.do_submit_appeal(
        acting_user=user, title=payload.title, body=payload.body, callback_phone=payload.callback_phone,
        callback_name=payload.callback_name, appeal_type=payload.appeal_type, urgency=payload.urgency,
        channel=payload.channel, category=category, area=area, address=payload.address, idempotency_key=key,
        source_ref=payload.source_ref, photos=photos,
    )
    return Status(200 if appeal.replayed else 201, appeal)


@router.post("/track", auth=None, response=TrackOut, summary="凭查询码和手机号后四位查询诉求（无需登录；在请求体中提交）")
def track_appeal(request: HttpRequest, payload: TrackIn) -> dict[str, Any]:
    # Code and digits come in the body, never in the address (access logs keep addresses).
    if not hit(f"track:{client_ip(request)}", limit=20, window_seconds=60):
        raise HttpError(429, _("Too many lookups; please wait a minute and try again."))
    found = tracking.lookup(payload.code, payload.phone_last4)
    if found.locked:
        # Unknown codes are counted and locked the same way: this never tells whether a code exists.
        raise HttpError(429, str(tracking.LOCKED_MESSAGE))
    appeal = found.appeal
    if appeal is None:
        raise Http404
    case = appeal.case
    reply = case.replies.order_by("-created_at", "-id").first() if case else None
    return {
        "tracking_code": appeal.tracking_code, "title": appeal.title,
        "status": case.status if case else "", "status_label": appeal.shown_status.label,
        "submitted_at": appeal.created_at, "answer": reply.body if reply else "",
        "answered_at": reply.created_at if reply else None,
    }


@router.get("/appeals/mine", response=list[AppealOut], summary="我提交的诉求")
def my_appeals(request: HttpRequest, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> list[Appeal]:
    qs = Appeal.objects.filter(submitted_by=_user(request)).select_related("case", "area").order_by("-created_at")
    return list(qs[offset: offset + limit])


# ---------------------------------------------------------------------------------------------------
# worklists and cases


@router.get("/worklists", response=dict[str, int], summary="各工作清单的数量")
def worklist_counts(request: HttpRequest) -> dict[str, int]:
    return queries.worklist_counts(_user(request))


def _worklist_filters(request: HttpRequest) -> WorklistFilters:
    """The page's filters from the query string (same names: q, area, unit, category, channel, urgency, deadline,
    status, submitted_from, submitted_to, sort); a bad value is a 400 with the Chinese message."""
    filters = parse_filters(_user(request), request.GET)
    if filters.errors:
        raise HttpError(400, " ".join(filters.errors))
    return filters


@router.get("/worklists/{name}", response=list[CaseOut],
            summary="工作清单：待派单/待签收/办理中/即将超期/已超期/待回访/全部（可检索、筛选、排序，参数同页面）")
def worklist(request: HttpRequest, name: WorklistName, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> list[Case]:
    filters = _worklist_filters(request)
    try:
        qs = filtered_worklist(_user(request), name, filters)
    except KeyError as exc:
        raise Http404 from exc
    return list(qs[offset: offset + limit])


@router.get("/worklists/{name}/export", summary="导出工作清单（Excel，筛选参数同页面）")
def worklist_export(request: HttpRequest, name: WorklistName) -> HttpResponse:
    from .exports import worklist_response

    if name not in queries.LISTS:
        raise Http404
    return worklist_response(_user(request), name, _worklist_filters(request))


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="工单详情与完整时间线")
def case_detail(request: HttpRequest, case_id: Id) -> Case:
    return _case_detail(request, case_id)


@router.post("/cases/{case_id}/appeals/{appeal_id}/contact", response=ContactOut,
             summary="查看诉求人完整联系电话和地址（按个人信息规则，记入审计）")
def reveal_contact(request: HttpRequest, case_id: Id, appeal_id: Id) -> dict[str, Any]:
    user = _user(request)
    case = get_case_for_user(user, case_id)
    appeal = get_object_or_404(Appeal, pk=appeal_id, case=case)
    values = actions.do_reveal_appeal_contact(appeal, acting_user=user)
    return {"callback_phone": values.get("phone"), "address": values.get("address")}


@router.get("/cases/{case_id}/route", response=CaseRouteOut, summary="建议派单单位（按分派规则）")
def case_route(request: HttpRequest, case_id: Id) -> dict[str, Any]:
    case = _dispatchable_case(_user(request), case_id)
    route = suggest_route(case.category, case.area)
    return {"lead_unit_id": route.lead.pk if route.lead else None,
            "lead_unit_name": route.lead.name if route.lead else None,
            "assist_unit_ids": [u.pk for u in route.assists], "rule_id": route.rule.pk if route.rule else None}


@router.post("/cases/{case_id}/dispatch", response=CaseOut, summary="派单")
def dispatch_case(request: HttpRequest, case_id: Id, payload: DispatchIn) -> Case:
    case = get_case_for_user(_user(request), case_id)
    category = get_object_or_404(Category, pk=payload.category_id) if payload.category_id else None
    area = get_object_or_404(Area, pk=payload.area_id) if payload.area_id else None
    return actions.do_dispatch_case(
        case, acting_user=_user(request), lead_unit=_unit(payload.lead_unit_id),
        assist_units=_units(payload.assist_unit_ids), category=category, area=area, urgency=payload.urgency,
        note=payload.note, expected_version=payload.expected_version,
    )


@router.post("/cases/{case_id}/reassign", response=CaseOut, summary="改派")
def reassign_case(request: HttpRequest, case_id: Id, payload: DispatchIn) -> Case:
    case = get_case_for_user(_user(request), case_id)
    return actions.do_reassign_case(
        case, acting_user=_user(request), lead_unit=_unit(payload.lead_unit_id),
        assist_units=_units(payload.assist_unit_ids), reason=payload.note, expected_version=payload.expected_version,
    )


@router.post("/assignments/{assignment_id}/accept", response=OkOut, summary="签收")
def accept_assignment(request: HttpRequest, assignment_id: Id) -> dict[str, Any]:
    assignment = get_assignment_for_user(_user(request), assignment_id)
    actions.do_accept_assignment(assignment, acting_user=_user(request))
    return {"ok": True, "id": assignment.case_id}


@router.post("/assignments/{assignment_id}/return", response=OkOut, summary="退单")
def return_assignment(request: HttpRequest, assignment_id: Id, payload: ReasonIn) -> dict[str, Any]:
    assignment = get_assignment_for_user(_user(request), assignment_id)
    actions.do_return_assignment(assignment, acting_user=_user(request), reason=payload.reason)
    return {"ok": True, "id": assignment.case_id}


@router.post("/cases/{case_id}/extensions", response=ExtensionOut, summary="申请延期")
def request_extension(request: HttpRequest, case_id: Id, payload: ExtensionIn) -> ExtensionRequest:
    case = get_case_for_user(_user(request), case_id)
    return actions.do_request_extension(case, acting_user=_user(request), new_due_at=payload.new_due_at,
                                        reason=payload.reason)


@router.post("/extensions/{extension_id}/decide", response=ExtensionOut, summary="审批延期")
def decide_extension(request: HttpRequest, extension_id: Id, payload: DecideIn) -> ExtensionRequest:
    extension = get_object_or_404(ExtensionRequest, pk=extension_id)
    get_case_for_user(_user(request), extension.case_id)
    return actions.do_decide_extension(extension, acting_user=_user(request), approve=payload.approve,
                                       note=payload.note)


@router.post("/cases/{case_id}/supervise", response=OkOut, summary="督办")
def supervise_case(request: HttpRequest, case_id: Id, payload: NoteIn) -> dict[str, Any]:
    case = get_case_for_user(_user(request), case_id)
    actions.do_supervise_case(case, acting_user=_user(request), note=payload.note)
    return {"ok": True, "id": case.pk}


@router.post("/cases/{case_id}/progress", response=OkOut, summary="添加办理进展（可附照片）")
def add_progress(request: HttpRequest, case_id: Id, note: str, photos: list[UploadedFile] = File(None)) -> dict[str, Any]:  # noqa: B008
    case = get_case_for_user(_user(request), case_id)
    event = actions.do_add_progress_note(case, acting_user=_user(request), note=note, photos=photos or [])
    return {"ok": True, "id": event.pk}


@router.post("/cases/{case_id}/reply", response=OkOut, summary="办结答复")
def reply_case(request: HttpRequest, case_id: Id, payload: ReplyIn) -> dict[str, Any]:
    case = get_case_for_user(_user(request), case_id)
    template = get_object_or_404(ReplyTemplate, pk=payload.template_id) if payload.template_id else None
    reply = actions.do_reply_case(case, acting_user=_user(request), body=payload.body, template=template,
                                  expected_version=payload.expected_version)
    return {"ok": True, "id": reply.pk}


@router.post("/cases/{case_id}/follow-up", response=OkOut, summary="回访")
def follow_up_case(request: HttpRequest, case_id: Id, payload: FollowUpIn) -> dict[str, Any]:
    case = get_case_for_user(_user(request), case_id)
    follow_up = actions.do_follow_up_case(case, acting_user=_user(request), contacted=payload.contacted,
                                          solved=payload.solved, satisfaction=payload.satisfaction, note=payload.note)
    return {"ok": True, "id": follow_up.pk}


@router.post("/cases/{case_id}/reopen", response=CaseOut, summary="重办")
def reopen_case(request: HttpRequest, case_id: Id, payload: NoteIn) -> Case:
    case = get_case_for_user(_user(request), case_id)
    return actions.do_reopen_case(case, acting_user=_user(request), note=payload.note)


@router.post("/cases/{case_id}/close", response=CaseOut, summary="办结")
def close_case(request: HttpRequest, case_id: Id, payload: NoteIn) -> Case:
    case = get_case_for_user(_user(request), case_id)
    return actions.do_close_case(case, acting_user=_user(request), note=payload.note)


@router.post("/cases/{case_id}/merge", response=CaseOut, summary="合并重复诉求到本工单")
def merge_appeals(request: HttpRequest, case_id: Id, payload: MergeIn) -> Case:
    user = _user(request)
    case = get_case_for_user(user, case_id)
    appeals = list(visible_to(user, Appeal).filter(pk__in=payload.appeal_ids))
    if len(appeals) != len(set(payload.appeal_ids)):
        raise Http404
    return actions.do_merge_appeals(case, appeals=appeals, acting_user=user, note=payload.note)


# ---------------------------------------------------------------------------------------------------
# whistles


@router.get("/whistles", response=list[WhistleOut], summary="吹哨列表")
def whistle_list(request: HttpRequest, open_only: bool = False, limit: Limit = DEFAULT_LIMIT,
                 offset: Offset = 0) -> list[Whistle]:
    return list(queries.whistle_list(_user(request), open_only=open_only)[offset: offset + limit])


@router.post("/whistles", response={201: WhistleOut}, summary="吹哨")
def create_whistle(request: HttpRequest, payload: WhistleIn) -> Status[Whistle]:
    user = _user(request)
    case = get_case_for_user(user, payload.case_id) if payload.case_id else None
    if case is not None and case.area is not None:
        area = case.area
    elif payload.area_id:
        area = get_object_or_404(Area, pk=payload.area_id)
    else:
        raise HttpError(400, _("Please choose the place of the problem."))
    whistle = actions.do_whistle(acting_user=user, title=payload.title, description=payload.description, area=area,
                                 units=_units(payload.unit_ids), urgent=payload.urgent, case=case)
    return Status(201, whistle)


@router.get("/whistles/{whistle_id}", response=WhistleOut, summary="吹哨详情")
def whistle_detail(request: HttpRequest, whistle_id: Id) -> Whistle:
    return get_whistle_for_user(_user(request), whistle_id)


@router.post("/whistle-reports/{report_id}/report", response=WhistleReportOut, summary="部门报到")
def report_whistle(request: HttpRequest, report_id: Id) -> WhistleReport:
    report = get_whistle_report_for_user(_user(request), report_id)
    return actions.do_report_whistle(report, acting_user=_user(request))


@router.post("/whistle-reports/{report_id}/complete", response=WhistleReportOut, summary="记录处置情况")
def complete_whistle_report(request: HttpRequest, report_id: Id, payload: CompleteIn) -> WhistleReport:
    report = get_whistle_report_for_user(_user(request), report_id)
    return actions.do_complete_whistle_report(report, acting_user=_user(request), action_taken=payload.action_taken)


@router.post("/whistle-reports/{report_id}/rate", response=WhistleReportOut, summary="评价报到部门")
def rate_whistle_report(request: HttpRequest, report_id: Id, payload: RateIn) -> WhistleReport:
    report = get_whistle_report_for_user(_user(request), report_id)
    return actions.do_rate_whistle_report(report, acting_user=_user(request), rating=payload.rating,
                                          note=payload.note)


# ---------------------------------------------------------------------------------------------------
# the three rates


def _require_rates(request: HttpRequest) -> None:
    area_policy.require_somewhere(_user(request), "view_rates", message="")


@router.get("/rates/{month}/departments", response=list[RateRowOut], summary="部门月度三率排名")
def department_ranking(request: HttpRequest, month: Month) -> list[rates.RateRow]:
    _require_rates(request)
    return rates.department_ranking(_month(month))


@router.get("/rates/{month}/subdistricts", response=list[RateRowOut], summary="街道月度三率排名")
def subdistrict_ranking(request: HttpRequest, month: Month) -> list[rates.RateRow]:
    _require_rates(request)
    return rates.subdistrict_ranking(_month(month))


@router.get("/rates/{month}/cases", response=list[CaseOut], summary="某项数据背后的工单")
def rate_cases(request: HttpRequest, month: Month, figure: Figure = "followed_up", unit_id: Id | None = None,
               subdistrict_id: Id | None = None, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> list[Case]:
    _require_rates(request)
    if figure not in rates.FIGURES:
        raise HttpError(400, _("Unknown figure."))
    qs = rates.cases_behind(_month(month), figure=figure, unit_id=unit_id, subdistrict_id=subdistrict_id)
    qs = qs.filter(pk__in=visible_to(_user(request), Case).values("pk"))
    return list(qs[offset: offset + limit])


@router.get("/rates/{month}/export", summary="导出月度排名（Excel）")
def ranking_export(request: HttpRequest, month: Month) -> HttpResponse:
    from .exports import ranking_response

    _require_rates(request)
    return ranking_response(_month(month))


# ---------------------------------------------------------------------------------------------------
# reference data, notifications, import


@router.get("/categories", response=list[CategoryOut], summary="诉求分类（三级）")
def categories(request: HttpRequest, active_only: bool = True) -> list[Category]:
    qs = Category.objects.all()
    return list(qs.filter(active=True) if active_only else qs)


@router.get("/reply-templates", response=list[TemplateOut], summary="答复模板")
def reply_templates(request: HttpRequest) -> list[ReplyTemplate]:
    return list(ReplyTemplate.objects.filter(active=True))


# Notifications moved to core (/api/core/notifications); these addresses stay for existing clients.
@router.get("/notifications", response=list[core_api.NotificationOut], summary="我的通知（已移至 /api/core/notifications）",
            include_in_schema=False)
def notifications(request: HttpRequest, unread_only: bool = False, limit: Limit = DEFAULT_LIMIT) -> list[Any]:
    return core_api.notifications(request, unread_only=unread_only, limit=limit)


@router.post("/notifications/{notification_id}/read", response=OkOut, include_in_schema=False,
             summary="标记通知已读（已移至 /api/core/notifications/{id}/read）")
def read_notification(request: HttpRequest, notification_id: Id) -> dict[str, Any]:
    return core_api.read_notification(request, notification_id)


@router.post("/imports/12345", response=ImportOut, summary="导入12345工单（Excel，全部校验通过才导入）")
def import_work_orders(request: HttpRequest, file: UploadedFile = File(...)) -> dict[str, Any]:  # noqa: B008
    from .imports import import_work_orders as run_import

    appeals = run_import(file, acting_user=_user(request))
    # The 12345 system (an API key) gets the codes to pass on to the residents; staff see them masked.
    whole = getattr(request, "api_key", None) is not None
    return {"created": len(appeals), "tracking_codes": [a.tracking_code if whole else a.masked_code for a in appeals]}


@router.get("/imports/12345/template", summary="下载12345工单导入模板")
def import_template(request: HttpRequest) -> HttpResponse:
    from .imports import template_response

    return template_response()


__all__ = ["router", "datetime"]
