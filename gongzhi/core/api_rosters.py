"""JSON API for Excel rosters: templates, imports (background jobs) and exports. Mounted at /api/rosters/."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from .errors import ActionError
from .exports import export_roster, get_export_area_for_user
from .models import ImportJob, User
from .permissions import get_area_for_user, get_import_job_for_user
from .roster_import import do_create_import_job
from .rosters import XLSX_CONTENT_TYPE, build_template, get_spec
from .tasks import run_import_job

router = Router()


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportJobOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    original_name: str
    scope_area_id: int
    total_rows: int
    processed_rows: int
    created_rows: int
    progress_percent: int
    message: str
    errors: list[RowErrorOut]
    created_at: datetime
    finished_at: datetime | None


def _job_out(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.pk, "kind": job.kind, "kind_label": str(job.get_kind_display()), "status": job.status,
        "status_label": str(job.get_status_display()), "original_name": job.original_name,
        "scope_area_id": job.scope_area_id, "total_rows": job.total_rows, "processed_rows": job.processed_rows,
        "created_rows": job.created_rows, "progress_percent": job.progress_percent, "message": job.message,
        "errors": job.errors, "created_at": job.created_at, "finished_at": job.finished_at,
    }


def _kind(kind: str) -> str:
    if kind not in ImportJob.Kind.values:
        raise Http404
    return kind


@router.get("/{kind}/template", summary="下载名册模板 (.xlsx)")
def template(request: HttpRequest, kind: str) -> FileResponse:
    spec = get_spec(_kind(kind))
    return FileResponse(io.BytesIO(build_template(kind)), as_attachment=True, filename=f"{spec.title}模板.xlsx",
                        content_type=XLSX_CONTENT_TYPE)


@router.post("/{kind}/imports", response={201: ImportJobOut}, summary="上传名册并开始导入")
def create_import(
    request: HttpRequest, kind: str, scope_area_id: Form[int], file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    user: User = request.user  # type: ignore[assignment]
    _kind(kind)
    scope = get_area_for_user(user, scope_area_id)
    if file is None:
        raise ActionError(_("Please choose the Excel file to upload."), field="file")
    job = do_create_import_job(acting_user=user, kind=kind, scope_area=scope, upload=file, name=file.name or "",
                               size=file.size)
    run_import_job.enqueue(job.pk)
    job.refresh_from_db()
    return Status(201, _job_out(job))


@router.get("/imports/{job_id}", response=ImportJobOut, summary="导入进度与错误")
def get_import(request: HttpRequest, job_id: int) -> dict[str, Any]:
    return _job_out(get_import_job_for_user(request.user, job_id))


@router.get("/{kind}/export", summary="导出名册 (.xlsx)，个人信息默认脱敏")
def export(request: HttpRequest, kind: str, area_id: int | None = None, full: int = 0) -> FileResponse:
    user: User = request.user  # type: ignore[assignment]
    area = get_export_area_for_user(user, area_id)
    result = export_roster(user, _kind(kind), area=area, full=full == 1)
    return FileResponse(result.file, as_attachment=True, filename=result.filename, content_type=XLSX_CONTENT_TYPE)
