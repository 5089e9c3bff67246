"""The members part of the evaluation API (/api/evaluation/): the title-only flags (空挂), their review (keep with
a note; remove with a reason and the end date) and the removal letter; the subdistrict runs the check now.
Errors: 400 refused (a Chinese message), 403 not allowed, 404 out of scope, 409 already reviewed by someone else."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from gongzhi.core.api_schemas import Id
from gongzhi.core.models import Area

from .. import queries_members as queries
from ..actions import members as actions
from ..letter_docx import letter_response
from ..models import TitleOnlyFlag
from ..permissions import flag_policy, get_flag_for_user

router = Router()


class EvaluationFlagFactsOut(Schema):
    meetings_invited: int = 0
    meetings_attended: int = 0
    projects_claimed: int = 0
    duty_reports_filed: int = 0
    never_invited: bool = False
    campaign: str = ""
    outcome: str = ""
    ended_on: date | None = None


class EvaluationFlagOut(Schema):
    id: int
    status: str
    status_label: str
    membership_id: int
    person_name: str
    unit_id: int | None
    unit: str
    party_org_id: int
    party_org: str
    community_id: int
    community: str
    period_start: date
    period_end: date
    reasons: list[str] = Field(..., description="no_meeting / no_claim / no_report / unqualified")
    reason_labels: list[str]
    facts: EvaluationFlagFactsOut
    flagged_at: datetime
    reviewed_by: str
    reviewed_at: datetime | None
    review_note: str
    membership_active: bool
    ended_on: date | None
    end_reason: str
    letter_url: str = Field("", description="免职通知（Word）的下载地址；仅已免去时")


class EvaluationKeepIn(Schema):
    note: str = Field(..., max_length=200, description="保留的理由（必填）")


class EvaluationRemoveIn(Schema):
    reason: str = Field(..., max_length=200, description="免去的理由（必填，单位可见）")
    ended_on: date | None = Field(None, description="免去日期；不填为今天，不能晚于今天")


class EvaluationCheckIn(Schema):
    area_id: Id = Field(..., description="街道（或区、市）")


class EvaluationCheckOut(Schema):
    checked: int
    flagged: int
    updated: int
    skipped: int
    clear: int


def _flag(f: TitleOnlyFlag) -> dict[str, Any]:
    m = f.membership
    facts = dict(f.facts or {})
    removed = f.status == TitleOnlyFlag.Status.REMOVED
    return {
        "id": f.pk, "status": f.status, "status_label": f.get_status_display(), "membership_id": m.pk,
        "person_name": m.person_name, "unit_id": m.unit_id, "unit": m.unit.name if m.unit else "",
        "party_org_id": m.party_org_id, "party_org": m.party_org.name, "community_id": f.community_id,
        "community": f.community.name, "period_start": f.period_start, "period_end": f.period_end,
        "reasons": list(f.reasons or []), "reason_labels": queries.reason_labels(list(f.reasons or [])),
        "facts": {k: v for k, v in facts.items() if k in EvaluationFlagFactsOut.model_fields and v is not None},
        "flagged_at": f.flagged_at,
        "reviewed_by": (f.reviewed_by.display_name or f.reviewed_by.username) if f.reviewed_by else "",
        "reviewed_at": f.reviewed_at, "review_note": f.review_note, "membership_active": m.active,
        "ended_on": m.ended_on, "end_reason": m.end_reason,
        "letter_url": f"/api/evaluation/flags/{f.pk}/letter" if removed else "",
    }


def _reloaded(user: Any, pk: int) -> dict[str, Any]:
    return _flag(get_flag_for_user(user, pk))


@router.get("/flags", response=list[EvaluationFlagOut],
            summary="兼职委员“空挂”标记（待审核在前；可按状态、社区筛选）")
def list_flags(request: HttpRequest, status: str = "", community_id: Id | None = None) -> list[dict[str, Any]]:
    flag_policy.require_somewhere(request.user, "browse")
    return [_flag(f) for f in queries.flag_list(request.user, status=status, community=community_id)[:500]]


@router.post("/flags/check", response=EvaluationCheckOut,
             summary="街道立即运行“空挂”检查（每天也自动运行）")
def run_check(request: HttpRequest, payload: EvaluationCheckIn) -> dict[str, int]:
    flag_policy.require_somewhere(request.user, "review")
    area = get_object_or_404(Area, pk=payload.area_id)
    return actions.do_run_check(acting_user=request.user, area=area)  # type: ignore[arg-type]


@router.get("/flags/{flag_id}", response=EvaluationFlagOut, summary="一条“空挂”标记：理由、期间履职记录、审核结果")
def get_flag(request: HttpRequest, flag_id: Id) -> dict[str, Any]:
    return _reloaded(request.user, flag_id)


@router.post("/flags/{flag_id}/keep", response=EvaluationFlagOut,
             summary="街道审核：保留该兼职委员（须说明理由；他人已审核时返回 409）")
def keep(request: HttpRequest, flag_id: Id, payload: EvaluationKeepIn) -> dict[str, Any]:
    flag = get_flag_for_user(request.user, flag_id)
    actions.do_keep_member(flag, acting_user=request.user, note=payload.note)  # type: ignore[arg-type]
    return _reloaded(request.user, flag_id)


@router.post("/flags/{flag_id}/remove", response=EvaluationFlagOut,
             summary="街道审核：免去兼职委员（结束委员任职、通知所在单位、生成免职通知；他人已审核时返回 409）")
def remove(request: HttpRequest, flag_id: Id, payload: EvaluationRemoveIn) -> dict[str, Any]:
    flag = get_flag_for_user(request.user, flag_id)
    actions.do_remove_member(flag, acting_user=request.user, reason=payload.reason,  # type: ignore[arg-type]
                             ended_on=payload.ended_on)
    return _reloaded(request.user, flag_id)


@router.get("/flags/{flag_id}/letter", summary="下载免职通知（Word）：街道、社区和该单位联络员可下载",
            response={200: None})
def letter(request: HttpRequest, flag_id: Id) -> HttpResponse:
    return letter_response(request.user, get_flag_for_user(request.user, flag_id))
