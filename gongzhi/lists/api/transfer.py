"""Excel import and export of the three lists over the API (/api/lists/transfer/...): the template, an export (the
list page's filters as query parameters), and an upload that imports every row or none; a file with wrong rows
answers 400 with each error (row, column, message, and the sentence 第 5 行「服务范围」：…)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.lib.spreadsheets import xlsx_response

from .. import actions, transfer
from ..views.transfer import _kind

router = Router()

ListKind = Literal["demands", "resources", "projects"]


class ListRowErrorOut(Schema):
    row: int
    column: str
    message: str
    text: str


class ListImportErrorsOut(Schema):
    detail: str
    field: str | None = "file"
    errors: list[ListRowErrorOut] = []


class ListImportOut(Schema):
    rows: int
    created: list[int]
    updated: list[int]
    unchanged: int
    changes: int


@router.get("/transfer/{kind}/template", summary="下载清单导入模板（需求、资源或项目清单）")
def template(request: HttpRequest, kind: ListKind) -> HttpResponse:
    spec = _kind(request.user, kind)
    return xlsx_response(transfer.template_bytes(kind, request.user), f"{spec.title}导入模板.xlsx")


@router.get("/transfer/{kind}/export", summary="导出清单（Excel，列与导入模板相同；可按状态、类型筛选）")
def export(request: HttpRequest, kind: ListKind, status: str = "", resource_kind: str = "") -> HttpResponse:
    _kind(request.user, kind)
    params = {"status": status, "kind": resource_kind}
    result = transfer.export_list(kind, request.user, params)
    return xlsx_response(result.content, result.filename)


@router.post("/transfer/{kind}/import", response={200: ListImportOut, 400: ListImportErrorsOut},
             summary="导入清单（Excel；全部行校验通过才写入，否则返回逐行错误）")
def import_list(request: HttpRequest, kind: ListKind, file: File[UploadedFile]) -> Any:
    _kind(request.user, kind)
    plan = transfer.read_plan(kind, file, request.user, name=file.name or "", size=file.size)
    try:
        result = actions.do_import_list(plan, acting_user=request.user)  # type: ignore[arg-type]
    except actions.ImportRefused as exc:
        return Status(400, {"detail": exc.message, "field": "file", "errors": transfer.errors_as_dicts(exc.errors)})
    return {"rows": result.rows, "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
            "changes": result.changes}
