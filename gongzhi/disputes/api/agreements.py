"""The API of the agreements part: mediation agreements (人民调解协议书, Word), follow-up visits, statistics.

- GET/PUT /api/disputes/{id}/agreement — the agreement (those who see the dispute's content; each read is audited
  "disputes.agreement.view"); PUT writes it (the mediators; until signed; `signed_on` signs it);
- GET /api/disputes/{id}/agreement.docx — the Word document with the parties' full particulars (audited);
- GET /api/disputes/{id}/follow-ups, POST (add a visit); POST /api/disputes/follow-ups/{id}/record, /reschedule;
  POST /api/disputes/{id}/reopen (the agreement did not hold);
- GET /api/disputes/follow-ups — the visits due (within 7 days or overdue) of the disputes the user sees;
- GET /api/disputes/stats — the figures of a scope (aggregates only).

Errors: 400 refused (a Chinese message), 403 not allowed, 404 out of scope."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gongzhi.core.api_schemas import Id
from gongzhi.core.audit import log_event

from .. import stats
from ..actions import agreements as actions
from ..agreement_docx import agreement_response, numbered_terms
from ..models import Agreement, Dispute, FollowUp
from ..permissions import dispute_policy, get_dispute_for_user
from ..views.agreements import due_follow_ups

router = Router()


class DisputeAgreementIn(Schema):
    facts: str = Field(..., max_length=actions.MAX_FACTS, description="纠纷主要事实、争议事项（必填）")
    terms: str = Field(..., max_length=actions.MAX_TERMS, description="协议内容，一行一项（必填）")
    performance: str = Field("", max_length=actions.MAX_PERFORMANCE, description="履行方式、时限（签署时必填）")
    signed_on: date | None = Field(None, description="签署日期；给出即签署，签署后不能再修改")


class DisputeEarlierAgreementOut(Schema):
    id: int = Field(..., description="协议编号，下载时作 agreement_id")
    signed_on: date


class DisputeAgreementOut(Schema):
    dispute_id: int
    reference: str
    facts: str
    terms: str
    numbered_terms: list[str]
    performance: str
    signed_on: date | None
    signed: bool
    dispute_status: str
    earlier: list[DisputeEarlierAgreementOut] = Field(
        default_factory=list, description="此前签署、回访发现未履行后重新调解的协议（最近的在前）")


class DisputeFollowUpIn(Schema):
    due_on: date = Field(..., description="回访日期")


class DisputeFollowUpRecordIn(Schema):
    visited_at: datetime | None = Field(None, description="回访时间（不填为现在）")
    holds: bool = Field(..., description="协议是否履行（true 履行；false 未履行，可重新调解）")
    note: str = Field("", max_length=actions.MAX_NOTE, description="回访情况（未履行时必填）")


class DisputeFollowUpOut(Schema):
    id: int
    dispute_id: int
    reference: str
    due_on: date
    done_at: datetime | None
    holds: bool | None = Field(None, description="只对看得到纠纷内容的人给出")
    note: str = Field("", description="只对看得到纠纷内容的人给出")


class DisputeStatsCountOut(Schema):
    key: str
    label: str
    count: int


class DisputeStatsCommunityOut(Schema):
    community: str
    total: int
    agreed: int
    open: int


class DisputeStatsOut(Schema):
    scope: str = Field(..., description="area:<id> 或 alliance:<id>")
    scope_kind: str
    scope_name: str
    total: int
    by_kind: list[DisputeStatsCountOut]
    by_outcome: list[DisputeStatsCountOut]
    resolved: int
    median_days: float | None
    mean_days: float | None
    agreements_signed: int
    visits_done: int
    visits_held: int
    visits_not_held: int
    held_rate: float | None = Field(None, description="回访中协议履行的比例（%）")
    cross_community: int
    by_community: list[DisputeStatsCommunityOut]


class DisputeStateOut(Schema):
    id: int
    reference: str
    status: str
    status_label: str


def _content(request: HttpRequest, dispute_id: int) -> Dispute:
    dispute: Dispute = get_dispute_for_user(request.user, dispute_id)
    dispute_policy.require(request.user, "view_content", dispute,
                           _("Only the dispute's mediators, their committee's head and the supervising subdistrict "
                             "see its agreement."))
    return dispute


def _agreement(dispute: Dispute, agreement: Agreement) -> dict[str, Any]:
    return {"dispute_id": dispute.pk, "reference": dispute.reference, "facts": agreement.facts,
            "terms": agreement.terms, "numbered_terms": numbered_terms(agreement.terms),
            "performance": agreement.performance, "signed_on": agreement.signed_on,
            "signed": agreement.signed_on is not None, "dispute_status": dispute.status,
            "earlier": [{"id": a.pk, "signed_on": a.signed_on} for a in actions.earlier_agreements(dispute)]}


def _in_hand(dispute: Dispute) -> Agreement:
    agreement = actions.agreement_in_hand(dispute)
    if agreement is None:
        raise Http404(_("This dispute has no agreement in hand."))
    return agreement


def _follow_up(f: FollowUp, content: bool) -> dict[str, Any]:
    return {"id": f.pk, "dispute_id": f.dispute_id, "reference": f.dispute.reference, "due_on": f.due_on,
            "done_at": f.done_at, "holds": f.holds if content else None, "note": f.note if content else ""}


@router.get("/{dispute_id}/agreement", response=DisputeAgreementOut,
            summary="纠纷的人民调解协议书（看得到纠纷内容的人；每次查看留痕）")
def get_agreement(request: HttpRequest, dispute_id: Id) -> dict[str, Any]:
    dispute = _content(request, dispute_id)
    agreement = _in_hand(dispute)
    log_event(request.user, "disputes.agreement.view", agreement,  # type: ignore[arg-type]
              area=dispute.community, after={"dispute": dispute.reference})
    return _agreement(dispute, agreement)


@router.put("/{dispute_id}/agreement", response=DisputeAgreementOut,
            summary="撰写或修改人民调解协议书（调解员；签署前可改；给出签署日期即签署并安排回访）")
def put_agreement(request: HttpRequest, dispute_id: Id, payload: DisputeAgreementIn) -> dict[str, Any]:
    dispute = _content(request, dispute_id)
    agreement = actions.do_record_agreement(dispute, facts=payload.facts, terms=payload.terms,
                                            performance=payload.performance, signed_on=payload.signed_on,
                                            acting_user=request.user)  # type: ignore[arg-type]
    dispute.refresh_from_db(fields=["status"])
    return _agreement(dispute, agreement)


@router.get("/{dispute_id}/agreement.docx", response={200: None},
            summary="人民调解协议书 Word 下载（含当事人完整信息；看得到纠纷内容的人；下载留痕）")
def agreement_docx(request: HttpRequest, dispute_id: Id, agreement_id: int | None = None) -> HttpResponse:
    dispute = _content(request, dispute_id)
    agreement = actions.agreement_to_download(dispute, agreement_id)  # by id: an earlier agreement of this dispute
    if agreement is None:
        raise Http404(_("This dispute has no agreement in hand."))
    return agreement_response(request.user, agreement)


@router.get("/follow-ups", response=list[DisputeFollowUpOut],
            summary="回访：7天内到期及逾期（due）、全部未回访（open）、已回访（done）；只给纠纷编号与日期")
def list_due_follow_ups(request: HttpRequest, when: Literal["due", "open", "done"] = "due"
                        ) -> list[dict[str, Any]]:
    rows = list(due_follow_ups(request.user, when)[:200])
    return [_follow_up(f, False) for f in rows]


@router.get("/{dispute_id}/follow-ups", response=list[DisputeFollowUpOut],
            summary="一件纠纷的回访（看得到纠纷内容的人）")
def dispute_follow_ups(request: HttpRequest, dispute_id: Id) -> list[dict[str, Any]]:
    dispute = _content(request, dispute_id)
    return [_follow_up(f, True) for f in FollowUp.objects.filter(dispute=dispute).select_related("dispute")]


@router.post("/{dispute_id}/follow-ups", response={201: DisputeFollowUpOut},
             summary="增加一次回访（调解员与本社区工作者；协议签署后）")
def add_follow_up(request: HttpRequest, dispute_id: Id, payload: DisputeFollowUpIn) -> Status:
    dispute = get_dispute_for_user(request.user, dispute_id)
    follow_up = actions.do_schedule_follow_up(dispute, due_on=payload.due_on,
                                              acting_user=request.user)  # type: ignore[arg-type]
    return Status(201, _follow_up(follow_up, dispute_policy.can(request.user, "view_content", dispute)))


def _visit(request: HttpRequest, follow_up_id: int, *, content: bool = True) -> FollowUp:
    follow_up = get_object_or_404(FollowUp.objects.select_related("dispute"), pk=follow_up_id)
    if content:
        _content(request, follow_up.dispute_id)
    else:
        get_dispute_for_user(request.user, follow_up.dispute_id)
    return follow_up


@router.post("/follow-ups/{follow_up_id}/reschedule", response=DisputeFollowUpOut,
             summary="改回访日期（调解员与社区工作者；未回访的）")
def reschedule_follow_up(request: HttpRequest, follow_up_id: Id, payload: DisputeFollowUpIn) -> dict[str, Any]:
    follow_up = actions.do_reschedule_follow_up(_visit(request, follow_up_id, content=False), due_on=payload.due_on,
                                                acting_user=request.user)  # type: ignore[arg-type]
    return _follow_up(follow_up, dispute_policy.can(request.user, "view_content", follow_up.dispute))


@router.post("/follow-ups/{follow_up_id}/record", response=DisputeFollowUpOut,
             summary="记录回访：时间、协议是否履行、情况（调解员）")
def record_follow_up(request: HttpRequest, follow_up_id: Id, payload: DisputeFollowUpRecordIn) -> dict[str, Any]:
    follow_up = actions.do_record_follow_up(_visit(request, follow_up_id), visited_at=payload.visited_at,
                                            holds=payload.holds, note=payload.note,
                                            acting_user=request.user)  # type: ignore[arg-type]
    return _follow_up(follow_up, True)


@router.post("/{dispute_id}/reopen", response=DisputeStateOut,
             summary="回访发现协议未履行时重新调解（调解员）")
def reopen(request: HttpRequest, dispute_id: Id) -> dict[str, Any]:
    dispute = actions.do_reopen_mediation(_content(request, dispute_id),
                                          acting_user=request.user)  # type: ignore[arg-type]
    return {"id": dispute.pk, "reference": dispute.reference, "status": dispute.status,
            "status_label": dispute.get_status_display()}


@router.get("/stats", response=DisputeStatsOut,
            summary="纠纷统计（按类型、结果，化解用时，协议履行，跨社区）；scope=area:<id> 或 alliance:<id>，默认本人范围；只有汇总数字")
def dispute_stats(request: HttpRequest, scope: str = "") -> dict[str, Any]:
    if not stats.can_see_stats(request.user):
        raise PermissionDenied(_("Dispute statistics are for area staff."))
    return stats.compute(stats.get_scope_for_user(request.user, scope or None)).as_dict()
