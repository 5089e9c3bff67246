"""Duty reports (述职) and minutes (会议纪要) over JSON, mounted at /api/meetings/: a meeting's duty reports side by
side (with the units that did not report), one report, saving its items and notes, submitting; the minutes'
versions, starting, editing, signing off, correcting and the Word download. Every call goes through the same
actions as the pages. Errors: 400 refused (a Chinese message), 403 not allowed, 404 out of scope."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from gongzhi.core.api_schemas import Id

from .. import permissions
from ..actions import minutes as minutes_actions
from ..actions import reports as report_actions
from ..minutes import content_of, versions
from ..minutes_docx import minutes_document, minutes_filename
from ..models import DutyReport, Minutes
from ..sections_reports import duty_reports_context

router = Router()


class DutyItemOut(Schema):
    id: int
    kind: str
    kind_label: str
    source_key: str
    title: str
    summary: str
    progress_note: str
    done: bool


class DutyReportOut(Schema):
    id: int
    meeting_id: int
    unit_id: int
    unit: str
    status: str
    status_label: str
    period_start: datetime
    notes: str
    submitted_at: datetime | None
    missing: bool
    items: list[DutyItemOut]


class DutyColumnOut(Schema):
    unit_id: int
    unit: str
    missing: bool
    report: DutyReportOut | None


class DutyItemIn(Schema):
    id: int
    progress_note: str | None = None
    done: bool | None = None


class DutyReportIn(Schema):
    items: list[DutyItemIn] = []
    notes: str | None = None
    submit: bool = False


class DutyAddItemIn(Schema):
    title: str
    progress_note: str = ""


class MinutesOut(Schema):
    id: int
    meeting_id: int
    version: int
    status: str
    status_label: str
    correction_note: str
    signed_off_at: datetime | None
    content: dict[str, Any]


class MinutesEditIn(Schema):
    summary: str | None = None
    discussions: dict[str, str] = {}


class MinutesCorrectIn(Schema):
    note: str


def _item(i: Any) -> dict[str, Any]:
    return {"id": i.pk, "kind": i.kind, "kind_label": i.get_kind_display(), "source_key": i.source_key,
            "title": i.title, "summary": i.summary, "progress_note": i.progress_note, "done": i.done}


def _report(r: DutyReport, missing: bool | None = None) -> dict[str, Any]:
    from ..duty import is_missing

    return {"id": r.pk, "meeting_id": r.meeting_id, "unit_id": r.unit_id, "unit": r.unit.name, "status": r.status,
            "status_label": r.get_status_display(), "period_start": r.period_start, "notes": r.notes,
            "submitted_at": r.submitted_at, "missing": is_missing(r, r.meeting) if missing is None else missing,
            "items": [_item(i) for i in r.items.all()]}


def _minutes(m: Minutes) -> dict[str, Any]:
    return {"id": m.pk, "meeting_id": m.meeting_id, "version": m.version, "status": m.status,
            "status_label": m.get_status_display(), "correction_note": m.correction_note,
            "signed_off_at": m.signed_off_at, "content": content_of(m)}


# --- duty reports --------------------------------------------------------------------------------------------


@router.get("/{meeting_id}/duty-reports", response=list[DutyColumnOut], summary="会议的述职报告（并列，含未述职单位）")
def list_duty_reports(request: HttpRequest, meeting_id: Id) -> list[dict[str, Any]]:
    meeting = permissions.get_meeting_for_user(request.user, meeting_id)
    columns = duty_reports_context(request, meeting)["duty_columns"]
    return [{"unit_id": c.unit.pk, "unit": c.unit.name, "missing": c.missing,
             "report": _report(c.report, c.missing) if c.report else None} for c in columns]


@router.post("/{meeting_id}/duty-reports/prepare", response={201: list[DutyReportOut]},
             summary="为受邀成员单位生成述职报告（按上次会议以来的事项预填）")
def prepare_duty_reports(request: HttpRequest, meeting_id: Id) -> Status:
    meeting = permissions.get_meeting_for_user(request.user, meeting_id)
    created = report_actions.do_prepare_duty_reports(meeting, acting_user=request.user)  # type: ignore[arg-type]
    return Status(201, [_report(r) for r in created])


@router.get("/duty-reports/{report_id}", response=DutyReportOut, summary="述职报告")
def get_duty_report(request: HttpRequest, report_id: Id) -> dict[str, Any]:
    return _report(permissions.get_duty_report_for_user(request.user, report_id))


def _fillable(request: HttpRequest, report_id: int) -> DutyReport:
    report = permissions.get_duty_report_for_user(request.user, report_id)
    if not permissions.can(request.user, "fill", report):
        raise PermissionDenied(_("Only the unit's liaison fills in its duty report."))
    return report


@router.post("/duty-reports/{report_id}", response=DutyReportOut, summary="填写述职报告（进展、完成情况、备注；可同时提交）")
def update_duty_report(request: HttpRequest, report_id: Id, payload: DutyReportIn) -> dict[str, Any]:
    report = _fillable(request, report_id)
    report_actions.do_save_duty_report(
        report, acting_user=request.user,  # type: ignore[arg-type]
        items={i.id: {"progress_note": i.progress_note, "done": i.done} for i in payload.items},
        notes=payload.notes, submit=payload.submit)
    return _report(permissions.get_duty_report_for_user(request.user, report_id))


@router.post("/duty-reports/{report_id}/items", response={201: DutyItemOut}, summary="添加述职事项")
def add_duty_report_item(request: HttpRequest, report_id: Id, payload: DutyAddItemIn) -> Status:
    report = _fillable(request, report_id)
    item = report_actions.do_add_duty_report_item(report, acting_user=request.user, title=payload.title,  # type: ignore[arg-type]
                                                  progress_note=payload.progress_note)
    return Status(201, _item(item))


@router.post("/duty-reports/{report_id}/submit", response=DutyReportOut, summary="提交述职报告（提交后不能修改）")
def submit_duty_report(request: HttpRequest, report_id: Id) -> dict[str, Any]:
    report = _fillable(request, report_id)
    report_actions.do_submit_duty_report(report, acting_user=request.user)  # type: ignore[arg-type]
    return _report(permissions.get_duty_report_for_user(request.user, report_id))


# --- minutes -------------------------------------------------------------------------------------------------


@router.get("/{meeting_id}/minutes", response=list[MinutesOut], summary="会议纪要的各个版本（新版本在前）")
def list_minutes(request: HttpRequest, meeting_id: Id) -> list[dict[str, Any]]:
    meeting = permissions.get_meeting_for_user(request.user, meeting_id)
    return [_minutes(m) for m in versions(meeting)]


@router.post("/{meeting_id}/minutes", response={201: MinutesOut}, summary="开始编写会议纪要（第 1 版草稿）")
def start_minutes(request: HttpRequest, meeting_id: Id) -> Status:
    meeting = permissions.get_meeting_for_user(request.user, meeting_id)
    return Status(201, _minutes(minutes_actions.do_start_minutes(meeting, acting_user=request.user)))  # type: ignore[arg-type]


def _editable(request: HttpRequest, minutes_id: int) -> Minutes:
    minutes = permissions.get_minutes_for_user(request.user, minutes_id)
    permissions.require(request.user, "edit", minutes, _("Only the meeting's organizers write its minutes."))
    return minutes


@router.get("/minutes/{minutes_id}", response=MinutesOut, summary="会议纪要（一个版本）")
def get_minutes(request: HttpRequest, minutes_id: Id) -> dict[str, Any]:
    return _minutes(permissions.get_minutes_for_user(request.user, minutes_id))


@router.post("/minutes/{minutes_id}", response=MinutesOut, summary="编辑会议纪要草稿（概要、各议题讨论情况）")
def edit_minutes(request: HttpRequest, minutes_id: Id, payload: MinutesEditIn) -> dict[str, Any]:
    minutes = _editable(request, minutes_id)
    return _minutes(minutes_actions.do_edit_minutes(minutes, acting_user=request.user, summary=payload.summary,  # type: ignore[arg-type]
                                                    discussions=dict(payload.discussions)))


@router.post("/minutes/{minutes_id}/sign-off", response=MinutesOut, summary="审定会议纪要（此后该版本不再改动）")
def sign_off_minutes(request: HttpRequest, minutes_id: Id) -> dict[str, Any]:
    minutes = _editable(request, minutes_id)
    return _minutes(minutes_actions.do_sign_off_minutes(minutes, acting_user=request.user))  # type: ignore[arg-type]


@router.post("/minutes/{minutes_id}/correct", response={201: MinutesOut}, summary="更正已审定的纪要（新版本）")
def correct_minutes(request: HttpRequest, minutes_id: Id, payload: MinutesCorrectIn) -> Status:
    minutes = _editable(request, minutes_id)
    return Status(201, _minutes(minutes_actions.do_correct_minutes(minutes, acting_user=request.user,  # type: ignore[arg-type]
                                                                   note=payload.note)))


@router.get("/minutes/{minutes_id}/docx", summary="下载会议纪要（Word）")
def minutes_docx(request: HttpRequest, minutes_id: Id) -> HttpResponse:
    minutes = permissions.get_minutes_for_user(request.user, minutes_id)
    response = HttpResponse(minutes_document(minutes),
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = content_disposition_header(True, minutes_filename(minutes)) or ""
    return response
