"""Surveys over JSON (mounted at /api/lists/): list (scoped), one survey with its questions, create, add / change /
delete a question while a draft, publish, close, the results (counts per option, text answers in groups). Residents
answer on the public page, not here. Errors: 400 invalid (a Chinese message), 403 not allowed, 404 out of scope."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gongzhi.core.api_schemas import Id, OneOf
from gongzhi.core.errors import ActionError

from .. import actions, permissions
from .. import survey_results as results_q
from ..models import Survey, SurveyQuestion

router = Router()


class SurveyIn(Schema):
    area_id: Id = Field(..., description="社区 id")
    title: str = Field(..., max_length=200)
    intro: str = Field("", max_length=2000)
    closes_at: datetime | None = None


class QuestionIn(Schema):
    kind: Annotated[str, OneOf(SurveyQuestion.Kind)] = Field(..., description="single、multiple、text 或 priority")
    text: str = Field(..., max_length=300)
    required: bool = True
    options: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=20)


class OptionOut(Schema):
    id: int
    text: str


class QuestionOut(Schema):
    id: int
    order: int
    kind: str
    text: str
    required: bool
    options: list[OptionOut]


class SurveyOut(Schema):
    id: int
    area_id: int
    area_name: str
    title: str
    intro: str
    status: str
    accepting_answers: bool = Field(..., description="已发布且未过截止时间")
    closes_at: datetime | None
    published_at: datetime | None
    public_url: str | None
    respondents: int
    questions: list[QuestionOut]


class OptionResultOut(Schema):
    id: int
    text: str
    count: int
    first: int
    score: int


class ClusterOut(Schema):
    label: str
    count: int
    answer_ids: list[int]
    answers: list[str]


class QuestionResultOut(Schema):
    id: int
    text: str
    kind: str
    answered: int
    options: list[OptionResultOut]
    clusters: list[ClusterOut]


class ResultsOut(Schema):
    id: int
    respondents: int
    questions: list[QuestionResultOut]


def _survey_out(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    questions = survey.questions.prefetch_related("options").order_by("order", "id")
    return {
        "id": survey.pk, "area_id": survey.area_id, "area_name": survey.area.name, "title": survey.title,
        "intro": survey.intro, "status": survey.status,
        "accepting_answers": survey.status == Survey.Status.PUBLISHED and not survey.past_closing,
        "closes_at": survey.closes_at,
        "published_at": survey.published_at, "respondents": survey.responses.count(),
        "public_url": request.build_absolute_uri(reverse("lists:survey_public", args=[survey.token]))
        if survey.status != Survey.Status.DRAFT else None,
        "questions": [{"id": q.pk, "order": q.order, "kind": q.kind, "text": q.text, "required": q.required,
                       "options": [{"id": o.pk, "text": o.text} for o in q.options.all()]} for q in questions],
    }


def _survey(request: HttpRequest, pk: int) -> Survey:
    if not permissions.can_view_surveys(request.user):
        raise PermissionDenied(_("This page is not available to your role."))
    return permissions.get_survey_for_user(request.user, pk)


@router.get("/surveys", response=list[SurveyOut], summary="问卷列表（本人可见范围）")
def list_surveys(request: HttpRequest) -> list[dict[str, Any]]:
    if not permissions.can_view_surveys(request.user):
        raise PermissionDenied(_("This page is not available to your role."))
    qs = permissions.visible_to(request.user, Survey).select_related("area").order_by("-created_at", "-id")[:200]
    return [_survey_out(request, s) for s in qs]


@router.get("/surveys/{survey_id}", response=SurveyOut, summary="一份问卷及其题目")
def get_survey(request: HttpRequest, survey_id: Id) -> dict[str, Any]:
    return _survey_out(request, _survey(request, survey_id))


@router.post("/surveys", response={201: SurveyOut}, summary="新建问卷（草稿）")
def create_survey(request: HttpRequest, payload: SurveyIn) -> Status:
    area = get_object_or_404(permissions.community_areas(request.user, "create_survey"), pk=payload.area_id)
    survey = actions.do_create_survey(acting_user=request.user, area=area, title=payload.title,  # type: ignore[arg-type]
                                      intro=payload.intro, closes_at=payload.closes_at)
    return Status(201, _survey_out(request, survey))


@router.post("/surveys/{survey_id}/questions", response={201: SurveyOut}, summary="添加题目（仅草稿）")
def add_question(request: HttpRequest, survey_id: Id, payload: QuestionIn) -> Status:
    survey = _survey(request, survey_id)
    actions.do_add_question(survey, acting_user=request.user, kind=payload.kind, text=payload.text,  # type: ignore[arg-type]
                            required=payload.required, options=payload.options)
    return Status(201, _survey_out(request, survey))


def _question(survey: Survey, question_id: int) -> SurveyQuestion:
    question = survey.questions.filter(pk=question_id).first()
    if question is None:
        raise ActionError(_("This question is not in the survey."), field="question_id")
    return question


@router.put("/surveys/{survey_id}/questions/{question_id}", response=SurveyOut, summary="修改题目（仅草稿）")
def update_question(request: HttpRequest, survey_id: Id, question_id: Id, payload: QuestionIn) -> dict[str, Any]:
    survey = _survey(request, survey_id)
    actions.do_update_question(_question(survey, question_id), acting_user=request.user, kind=payload.kind,  # type: ignore[arg-type]
                               text=payload.text, required=payload.required, options=payload.options)
    return _survey_out(request, survey)


@router.delete("/surveys/{survey_id}/questions/{question_id}", response=SurveyOut, summary="删除题目（仅草稿）")
def delete_question(request: HttpRequest, survey_id: Id, question_id: Id) -> dict[str, Any]:
    survey = _survey(request, survey_id)
    actions.do_delete_question(_question(survey, question_id), acting_user=request.user)  # type: ignore[arg-type]
    return _survey_out(request, survey)


@router.post("/surveys/{survey_id}/publish", response=SurveyOut, summary="发布问卷")
def publish_survey(request: HttpRequest, survey_id: Id) -> dict[str, Any]:
    survey = actions.do_publish_survey(_survey(request, survey_id), acting_user=request.user)  # type: ignore[arg-type]
    return _survey_out(request, survey)


@router.post("/surveys/{survey_id}/close", response=SurveyOut, summary="结束问卷")
def close_survey(request: HttpRequest, survey_id: Id) -> dict[str, Any]:
    survey = actions.do_close_survey(_survey(request, survey_id), acting_user=request.user)  # type: ignore[arg-type]
    return _survey_out(request, survey)


@router.get("/surveys/{survey_id}/results", response=ResultsOut, summary="问卷结果：各选项人数、文字回答归类")
def survey_results(request: HttpRequest, survey_id: Id) -> dict[str, Any]:
    results = results_q.survey_results(_survey(request, survey_id))
    return {
        "id": survey_id, "respondents": results.respondents,
        "questions": [{
            "id": q.question.pk, "text": q.question.text, "kind": q.question.kind, "answered": q.answered,
            "options": [{"id": o.id, "text": o.text, "count": o.count, "first": o.first, "score": o.score}
                        for o in q.options],
            "clusters": [{"label": c.label, "count": len(c.answers), "answer_ids": [a.pk for a in c.answers],
                          "answers": [a.text for a in c.answers]} for c in q.clusters],
        } for q in results.questions],
    }
