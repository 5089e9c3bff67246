"""Routing intelligence over JSON (mounted at /api/intelligence/): category suggestions (for a text, or for a case
with the category dispatch would use and its lead unit), duplicate candidates, classifier versions, trainings and
the auto-dispatch threshold. The suggestions also appear in the appeals' case JSON (`case_suggestions_extra`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.appeals import queries as appeals_queries
from gongzhi.core.api_keys import API_AUTH
from gongzhi.core.api_schemas import ErrorOut, Id

from . import actions
from .duplicates import duplicate_rows, duplicates_for_case
from .models import AutoDispatchConfig, ClassifierVersion, TrainingJob
from .permissions import (
    classifier_version_policy,
    get_classifier_version_for_user,
    get_training_job_for_user,
    require_manage_classifier,
)
from .suggestions import suggestion_rows
from .tasks import run_training_job

if TYPE_CHECKING:
    from gongzhi.appeals.models import Case

router = Router()
# What moved here from the appeals API (a case's suggestions and duplicates, the auto-dispatch setting) keeps
# accepting integrations' API keys, as it did there; the rest of this router is for signed-in staff.


class SuggestIn(Schema):
    title: str = Field("", max_length=200)
    body: str = Field("", max_length=20000)
    top_k: int = Field(3, ge=1, le=10)


class SuggestionOut(Schema):
    label: str
    confidence: float


class SuggestOut(Schema):
    version: int | None
    suggestions: list[SuggestionOut]


class CaseSuggestionOut(Schema):
    label: str
    confidence: float
    path: list[str] = Field(default_factory=list, description="建议分类从一级到所建议层级的名称，如 住房 / 物业管理 / 楼道照明")
    level: int | None = Field(None, description="建议分类的层级（1–3）；按历史办结工单学到的末级分类为 2 或 3")
    category_id: int | None
    category_name: str | None
    dispatch_category_id: int | None
    dispatch_category_name: str | None
    lead_unit_id: int | None
    lead_unit_name: str | None
    assist_unit_ids: list[int]


class DuplicateOut(Schema):
    case_id: int
    case_status: str
    case_status_label: str
    appeal_id: int
    tracking_code: str
    title: str
    similarity: float
    place: str
    days: int
    reason: str
    submitted_at: datetime


class AutoDispatchIn(Schema):
    threshold: float | None = Field(None, description="首选分类置信度阈值，0.5 到 1；为空即关闭自动派单")


class AutoDispatchOut(Schema):
    threshold: float | None
    updated_at: datetime | None


class CategoryFiguresOut(Schema):
    label: str
    precision: float
    recall: float
    f1: float
    support: int


class VersionOut(Schema):
    id: int
    number: int
    created_at: datetime
    source: str
    source_label: str
    training_size: int
    cv_macro_f1: float | None
    cv_accuracy: float | None
    cv_per_class: list[CategoryFiguresOut]
    labels: list[str]
    is_active: bool


def _version_out(v: ClassifierVersion) -> VersionOut:
    return VersionOut(id=v.pk, number=v.number, created_at=v.created_at, source=v.source,
                      source_label=str(v.get_source_display()), training_size=v.training_size,
                      cv_macro_f1=v.cv_macro_f1, cv_accuracy=v.cv_accuracy,
                      cv_per_class=[CategoryFiguresOut(**row) for row in v.cv_per_class], labels=list(v.labels),
                      is_active=v.is_active)


@router.post("/suggest", response=SuggestOut, summary="按标题和内容推荐诉求分类（附置信度）")
def suggest(request: HttpRequest, payload: SuggestIn) -> SuggestOut:
    classifier_version_policy.require_somewhere(
        request.user, "suggest", _("You may not request category suggestions."))
    version = actions.active_version()
    pairs = actions.suggest(payload.title, payload.body, top_k=payload.top_k) if version else []
    return SuggestOut(version=version.number if version else None,
                      suggestions=[SuggestionOut(label=label, confidence=conf) for label, conf in pairs])


def _dispatchable_case(request: HttpRequest, case_id: Id) -> Case:
    case = appeals_queries.get_case_for_user(request.user, case_id)
    if not appeals_queries.can(request.user, "dispatch", case):
        raise PermissionDenied
    return case


@router.get("/cases/{case_id}/suggestions", response=list[CaseSuggestionOut], auth=API_AUTH, summary="工单的分类建议（前三）与建议主办单位")
def case_suggestions(request: HttpRequest, case_id: Id) -> list[dict[str, Any]]:
    return suggestion_rows(_dispatchable_case(request, case_id))


@router.get("/cases/{case_id}/duplicates", response=list[DuplicateOut], auth=API_AUTH, summary="疑似重复诉求（同一地点、内容相似、未办结）")
def case_duplicates(request: HttpRequest, case_id: Id) -> list[dict[str, Any]]:
    case = _dispatchable_case(request, case_id)
    return duplicate_rows(duplicates_for_case(case, user=request.user))


def case_suggestions_extra(request: HttpRequest, case: Case) -> list[dict[str, Any]]:
    """"suggestions" in GET /api/appeals/cases/{id} (`registry.api_extra`): for those who may dispatch the case,
    while it waits for dispatch; else []."""
    if not appeals_queries.waits_for_dispatch(case) or not appeals_queries.can(request.user, "dispatch", case):
        return []
    return [CaseSuggestionOut(**row).model_dump() for row in suggestion_rows(case)]


@router.get("/config/auto-dispatch", response=AutoDispatchOut, auth=API_AUTH, summary="自动派单设置")
def auto_dispatch_config(request: HttpRequest) -> AutoDispatchConfig:
    if not appeals_queries.can_configure(request.user):
        raise PermissionDenied
    return AutoDispatchConfig.current()


@router.post("/config/auto-dispatch", response=AutoDispatchOut, auth=API_AUTH, summary="设置自动派单置信度阈值（为空即关闭）")
def set_auto_dispatch_config(request: HttpRequest, payload: AutoDispatchIn) -> AutoDispatchConfig:
    return actions.do_configure_auto_dispatch(acting_user=request.user,  # type: ignore[arg-type]
                                              threshold=payload.threshold)


@router.get("/versions", response=list[VersionOut], summary="分类模型版本列表")
def versions(request: HttpRequest) -> list[VersionOut]:
    classifier_version_policy.require_somewhere(request.user, "suggest", _("You may not view classifier versions."))
    return [_version_out(v) for v in classifier_version_policy.visible_to(request.user).order_by("-number")]


@router.post("/versions/{version_id}/activate", response=VersionOut, summary="启用某个模型版本（回滚）")
def activate(request: HttpRequest, version_id: Id) -> VersionOut:
    require_manage_classifier(request.user)
    version = get_classifier_version_for_user(request.user, version_id)
    version = actions.do_activate_classifier_version(version, request.user)  # type: ignore[arg-type]
    return _version_out(version)


class TrainingJobOut(Schema):
    id: int
    source: str
    status: str
    status_label: str
    file_name: str
    message: str
    version: int | None
    created_at: datetime
    finished_at: datetime | None


def _job_out(job: TrainingJob) -> TrainingJobOut:
    return TrainingJobOut(id=job.pk, source=job.source, status=job.status, status_label=str(job.get_status_display()),
                          file_name=job.original_name, message=job.message,
                          version=job.version.number if job.version is not None else None,
                          created_at=job.created_at, finished_at=job.finished_at)


def _queue(request: HttpRequest, source: str, upload: UploadedFile | None = None) -> Status[TrainingJobOut]:
    name, content, size = actions.read_upload(upload) if upload is not None else ("", b"", 0)
    job = actions.do_request_training(request.user, source=source, name=name, content=content,  # type: ignore[arg-type]
                                      size=size)
    run_training_job.enqueue(job.pk)
    job = TrainingJob.objects.select_related("version").get(pk=job.pk)
    return Status(202, _job_out(job))


@router.post("/trainings/history", response={202: TrainingJobOut, 409: ErrorOut}, summary="用已办结工单重新训练（后台运行）")
def train_from_history(request: HttpRequest) -> Status[TrainingJobOut]:
    require_manage_classifier(request.user)
    return _queue(request, ClassifierVersion.Source.HISTORY)


@router.post("/trainings/file", response={202: TrainingJobOut, 409: ErrorOut}, summary="用标注CSV文件训练（后台运行）")
def train_from_file(request: HttpRequest, file: File[UploadedFile]) -> Status[TrainingJobOut]:
    require_manage_classifier(request.user)
    return _queue(request, ClassifierVersion.Source.FILE, file)


@router.get("/trainings/{job_id}", response=TrainingJobOut, summary="训练任务的状态与结果")
def training(request: HttpRequest, job_id: Id) -> TrainingJobOut:
    require_manage_classifier(request.user)
    return _job_out(get_training_job_for_user(request.user, job_id))
