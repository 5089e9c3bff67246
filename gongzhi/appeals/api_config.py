"""Settings of 接诉即办 over JSON (city and district admins): category import and routing answers.

Meant to be mounted at /api/appeals/config/ in gongzhi/api.py. Same authentication as the appeals
API (session or X-API-Key); non-admins get 403 (PermissionDenied), rules outside the caller's area 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.core.api_schemas import Id
from gongzhi.core.models import Area, User

from . import category_import, permissions
from .api import AUTH
from .models import Category
from .views.config import answer_sample, config_areas

router = Router(auth=AUTH)


def _admin(request: HttpRequest) -> User:
    user = request.user
    if not permissions.can_configure(user):
        raise PermissionDenied(_("Only city or district administrators can change this."))
    assert isinstance(user, User)
    return user


class ImportSummaryOut(Schema):
    rows: int
    created: int
    reused: int
    updated: int
    reactivated: int


class ImportErrorsOut(Schema):
    detail: str
    errors: list[str] = []


class RoutingAnswerOut(Schema):
    rule_id: int | None
    lead_unit_id: int | None
    lead_unit: str | None
    assist_units: list[str]
    fallback: str


@router.post(
    "/categories/import",
    response={200: ImportSummaryOut, 400: ImportErrorsOut},
    summary="导入诉求分类（Excel，全部校验通过才导入）",
)
def import_categories(request: HttpRequest, file: UploadedFile = File(...)) -> Any:  # noqa: B008
    user = _admin(request)
    try:
        return category_import.import_categories(file, acting_user=user, source_name=file.name or "")
    except category_import.CategoryImportError as exc:
        return Status(400, {"detail": exc.message, "errors": exc.errors})


@router.get("/categories/import/template", summary="下载诉求分类导入模板")
def import_template(request: HttpRequest) -> HttpResponse:
    _admin(request)
    return category_import.template_response()


@router.get("/routing/suggest", response=RoutingAnswerOut, summary="某分类、某区域的工单派给谁（哪条规则生效）")
def routing_suggest(request: HttpRequest, category_id: Id, area_id: Id) -> dict[str, Any]:
    user = _admin(request)
    category = get_object_or_404(Category, pk=category_id)
    area: Area = get_object_or_404(config_areas(user), pk=area_id)
    answer = answer_sample(category, area)
    return {
        "rule_id": answer.rule.pk if answer.rule else None,
        "lead_unit_id": answer.lead.pk if answer.lead else None,
        "lead_unit": answer.lead.name if answer.lead else None,
        "assist_units": [u.name for u in answer.assists],
        "fallback": answer.fallback,
    }
