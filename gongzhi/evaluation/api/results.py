"""The results part of the evaluation API (/api/evaluation/): a campaign's results (the organizer), one ratee's
result (its side during the notice and once final, with the same anonymity as the page: per-group aggregates only,
the resident representatives' only over at least three ratings), closing the rating, objections and their answers,
making the results final, and the Excel and Word downloads. Every call goes through the same actions as the pages.
Errors: 400 refused (a Chinese message), 403 not allowed, 404 out of scope, 409 already done by someone else."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from gongzhi.core.api_schemas import Id

from .. import permissions, queries
from ..actions import results as actions
from ..exports import results_workbook_response
from ..models import Campaign, Objection, Ratee
from ..report_docx import report_response

router = Router()


class EvaluationGroupResultOut(Schema):
    kind: str
    label: str
    weight: int
    share: float | None = Field(None, description="计入时按计入主体重新归一后的权重（%）")
    status: str = Field(..., description="counted 计入；none 无评议；too_few 居民代表不足3人，不计入")
    status_label: str
    count: int
    mean: float | None = Field(None, description="计入时的平均分（不足3名居民代表时不给出）")
    distribution: dict[str, int] = Field(default_factory=dict, description="各等次份数（只在计入时给出）")
    individual: list[EvaluationIndividualOut] = Field(
        default_factory=list, description="只对组织方：各组织评议人的评议（居民代表的从不给出）")


class EvaluationIndividualOut(Schema):
    rater: str
    grade: str


class EvaluationAdjustmentOut(Schema):
    objection: int | None
    before: str
    after: str
    reason: str


class EvaluationRateeResultOut(Schema):
    id: int
    campaign_id: int
    campaign: str
    campaign_status: str
    kind: str
    kind_label: str
    name: str
    community_id: int
    community: str
    score: float | None
    outcome: str
    outcome_label: str
    rank: int | None
    computed_at: datetime | None
    groups: list[EvaluationGroupResultOut]
    adjustments: list[EvaluationAdjustmentOut]


EvaluationGroupResultOut.model_rebuild()


class EvaluationResultRowOut(Schema):
    id: int
    kind: str
    name: str
    community: str
    score: float | None
    outcome: str
    outcome_label: str
    rank: int | None
    objections: int
    open_objections: int
    groups: list[EvaluationGroupResultOut]


class EvaluationCampaignResultsOut(Schema):
    campaign_id: int
    title: str
    status: str
    status_label: str
    notice_starts_at: datetime | None
    notice_ends_at: datetime | None
    finalized_at: datetime | None
    ratees: list[EvaluationResultRowOut]


class EvaluationCampaignStateOut(Schema):
    id: int
    status: str
    status_label: str
    notice_starts_at: datetime | None
    notice_ends_at: datetime | None
    finalized_at: datetime | None


class EvaluationObjectionIn(Schema):
    reason: str = Field(..., max_length=actions.MAX_REASON, description="异议理由（必填）")


class EvaluationAnswerIn(Schema):
    upheld: bool = Field(..., description="true 异议成立；false 异议不成立")
    answer: str = Field(..., max_length=actions.MAX_ANSWER, description="答复（必填）")
    new_outcome: str | None = Field(None, description="异议成立时可调整等次：excellent / qualified / unqualified")


class EvaluationObjectionOut(Schema):
    id: int
    ratee_id: int
    ratee: str
    reason: str
    raised_by: str
    raised_at: datetime
    status: str
    status_label: str
    answer: str
    outcome_before: str
    outcome_after: str
    answered_at: datetime | None


def _groups(ratee: Ratee, *, individual: bool = False) -> list[dict[str, Any]]:
    return [{"kind": g.kind, "label": str(g.label), "weight": g.weight, "share": g.share, "status": g.status,
             "status_label": str(g.status_label), "count": g.count, "mean": g.mean,
             "distribution": {grade: n for grade, _label, n in g.distribution},
             "individual": [{"rater": name, "grade": str(grade)} for name, grade in g.individual]}
            for g in queries.result_groups(ratee, individual=individual)]


def _state(c: Campaign) -> dict[str, Any]:
    return {"id": c.pk, "status": c.status, "status_label": c.get_status_display(),
            "notice_starts_at": c.notice_starts_at, "notice_ends_at": c.notice_ends_at,
            "finalized_at": c.finalized_at}


def _objection(o: Objection) -> dict[str, Any]:
    return {"id": o.pk, "ratee_id": o.ratee_id, "ratee": o.ratee.name, "reason": o.reason,
            "raised_by": o.raised_by.display_name or o.raised_by.username, "raised_at": o.raised_at,
            "status": o.status, "status_label": o.get_status_display(), "answer": o.answer,
            "outcome_before": o.outcome_before, "outcome_after": o.outcome_after, "answered_at": o.answered_at}


def _organized(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign = permissions.get_campaign_for_user(request.user, campaign_id)
    permissions.require(request.user, "manage", campaign, _("Only the campaign's organizer sees all results."))
    return campaign


@router.get("/campaigns/{campaign_id}/results", response=EvaluationCampaignResultsOut,
            summary="评议活动的结果（组织方）：各类对象的排名、得分、等次、各评议主体情况、异议数")
def campaign_results(request: HttpRequest, campaign_id: Id) -> dict[str, Any]:
    campaign = _organized(request, campaign_id)
    ratees = queries.campaign_ratees(campaign) if campaign.status in permissions.RESULT_STATUSES else []
    return {"campaign_id": campaign.pk, "title": campaign.title, "status": campaign.status,
            "status_label": campaign.get_status_display(), "notice_starts_at": campaign.notice_starts_at,
            "notice_ends_at": campaign.notice_ends_at, "finalized_at": campaign.finalized_at,
            "ratees": [{"id": r.pk, "kind": r.kind, "name": r.name, "community": r.community.name,
                        "score": float(r.score) if r.score is not None else None, "outcome": r.outcome,
                        "outcome_label": r.get_outcome_display(), "rank": r.rank,
                        "objections": r.objection_count, "open_objections": r.open_objections,  # type: ignore[attr-defined]
                        "groups": _groups(r)} for r in ratees]}


@router.get("/ratees/{ratee_id}/result", response=EvaluationRateeResultOut,
            summary="一个评议对象的结果（被评议方在公示期间及结果确定后可见；不显示任何个人评议，居民代表满3人才给出汇总）")
def ratee_result(request: HttpRequest, ratee_id: Id) -> dict[str, Any]:
    ratee = permissions.get_ratee_for_user(request.user, ratee_id)
    permissions.require(request.user, "see_result", ratee,
                        _("The result is shown to the rated side once the public notice starts."))
    organizer = permissions.can(request.user, "manage", ratee.campaign)
    return {"id": ratee.pk, "campaign_id": ratee.campaign_id, "campaign": ratee.campaign.title,
            "campaign_status": ratee.campaign.status, "kind": ratee.kind, "kind_label": ratee.get_kind_display(),
            "name": ratee.name, "community_id": ratee.community_id, "community": ratee.community.name,
            "score": float(ratee.score) if ratee.score is not None else None, "outcome": ratee.outcome,
            "outcome_label": ratee.get_outcome_display(), "rank": ratee.rank, "computed_at": ratee.computed_at,
            "groups": _groups(ratee, individual=organizer),
            "adjustments": [{"objection": a.get("objection"), "before": a.get("before", ""),
                             "after": a.get("after", ""), "reason": a.get("reason", "")}
                            for a in queries.adjustments(ratee)]}


@router.post("/campaigns/{campaign_id}/close", response=EvaluationCampaignStateOut,
             summary="结束评议：计算结果并进入公示，通知各被评议方（已结束时返回 409）")
def close_rating(request: HttpRequest, campaign_id: Id) -> dict[str, Any]:
    campaign = permissions.get_campaign_for_user(request.user, campaign_id)
    return _state(actions.do_close_rating(campaign, acting_user=request.user))  # type: ignore[arg-type]


@router.post("/campaigns/{campaign_id}/finalize", response=EvaluationCampaignStateOut,
             summary="确定最终结果：公示期结束且异议均已答复后（已确定时返回 409）")
def finalize(request: HttpRequest, campaign_id: Id) -> dict[str, Any]:
    campaign = permissions.get_campaign_for_user(request.user, campaign_id)
    return _state(actions.do_finalize_campaign(campaign, acting_user=request.user))  # type: ignore[arg-type]


@router.get("/campaigns/{campaign_id}/objections", response=list[EvaluationObjectionOut],
            summary="评议活动的异议（组织方；待答复在前）")
def list_objections(request: HttpRequest, campaign_id: Id) -> list[dict[str, Any]]:
    campaign = _organized(request, campaign_id)
    rows = sorted(queries.campaign_objections(campaign),
                  key=lambda o: (o.status != Objection.Status.OPEN, -o.raised_at.timestamp(), -o.pk))
    return [_objection(o) for o in rows]


@router.get("/ratees/{ratee_id}/objections", response=list[EvaluationObjectionOut],
            summary="对一个评议对象结果的异议及答复（被评议方与组织方）")
def ratee_objections(request: HttpRequest, ratee_id: Id) -> list[dict[str, Any]]:
    ratee = permissions.get_ratee_for_user(request.user, ratee_id)
    permissions.require(request.user, "see_result", ratee)
    return [_objection(o) for o in ratee.objections.select_related("ratee", "raised_by").order_by("-raised_at")]


@router.post("/ratees/{ratee_id}/objections", response={201: EvaluationObjectionOut},
             summary="公示期间被评议方提出异议（须填理由；已有待答复的异议时返回 409）")
def create_objection(request: HttpRequest, ratee_id: Id, payload: EvaluationObjectionIn) -> Status:
    ratee = permissions.get_ratee_for_user(request.user, ratee_id)
    objection = actions.do_object(ratee, reason=payload.reason, acting_user=request.user)  # type: ignore[arg-type]
    return Status(201, _objection(objection))


@router.post("/objections/{objection_id}/answer", response=EvaluationObjectionOut,
             summary="组织方答复异议（须填答复；异议成立时可调整等次；已答复时返回 409）")
def answer_objection(request: HttpRequest, objection_id: Id, payload: EvaluationAnswerIn) -> dict[str, Any]:
    objection = permissions.get_objection_for_user(request.user, objection_id)
    if objection.status != Objection.Status.OPEN:
        raise HttpError(409, _("This objection has already been answered."))
    answered = actions.do_answer_objection(objection, upheld=payload.upheld, answer=payload.answer,
                                           new_outcome=payload.new_outcome,
                                           acting_user=request.user)  # type: ignore[arg-type]
    return _objection(answered)


@router.get("/campaigns/{campaign_id}/results.xlsx", response={200: None},
            summary="评议结果 Excel 下载（组织方；公示期间及结果确定后）")
def results_xlsx(request: HttpRequest, campaign_id: Id) -> HttpResponse:
    campaign = _organized(request, campaign_id)
    if campaign.status not in permissions.RESULT_STATUSES:
        raise HttpError(400, _("The results are downloaded once the rating is closed."))
    return results_workbook_response(campaign)


@router.get("/campaigns/{campaign_id}/report.docx", response={200: None},
            summary="报市委党建办的评议结果 Word 报告（组织方；结果确定后）")
def results_docx(request: HttpRequest, campaign_id: Id) -> HttpResponse:
    campaign = _organized(request, campaign_id)
    if campaign.status != Campaign.Status.FINAL:
        raise HttpError(400, _("The Word report is available once the results are final."))
    return report_response(campaign)
