"""The secondments part of the venues API (/api/venues/): list, propose, one secondment, agree, cancel, the report.
Errors: 400 refused (a Chinese message), 403 not allowed, 404 out of scope, 409 a conflict (already agreed, already
started, report already filed)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from gongzhi.core.api_schemas import Id, OneOf
from gongzhi.core.models import Area, User

from ..actions import secondments as actions
from ..models import Secondment
from ..permissions import get_secondment_for_user, secondment_policy, secondment_side

router = Router()


class VenuesSecondmentOut(Schema):
    id: int
    person_id: int
    person: str
    alliance_id: int
    alliance: str
    from_community_id: int
    from_community: str
    to_community_id: int
    to_community: str
    starts_on: date
    ends_on: date
    role_title: str
    work: str
    status: str
    status_label: str
    from_agreed_at: datetime | None
    to_agreed_at: datetime | None
    has_host_role: bool = Field(..., description="挂职期间是否持有接收社区的社区工作者角色")
    report_learned: str
    report_brought: str
    report_filed_at: datetime | None
    my_side: str = Field(..., description="当前用户代表哪一方：from、to、both 或空")
    can_agree: bool
    can_cancel: bool
    can_report: bool


class VenuesSecondmentIn(Schema):
    person_id: Id = Field(..., description="挂职的人（派出社区的工作人员）")
    from_community_id: Id
    to_community_id: Id
    starts_on: date
    ends_on: date
    role_title: str = Field(..., max_length=100, description="在接收社区担任的职务")
    work: str = Field("", max_length=2000, description="挂职期间的工作内容")


class VenuesSecondmentCancelIn(Schema):
    reason: str = Field(..., max_length=200)


class VenuesSecondmentReportIn(Schema):
    learned: str = Field(..., max_length=3000, description="学到了什么")
    brought: str = Field(..., max_length=3000, description="带回了什么")


def _out(s: Secondment, user: Any) -> dict[str, Any]:
    return {
        "id": s.pk, "person_id": s.person_id, "person": s.person.display_name or s.person.username,
        "alliance_id": s.alliance_id, "alliance": s.alliance.name, "from_community_id": s.from_community_id,
        "from_community": s.from_community.name, "to_community_id": s.to_community_id,
        "to_community": s.to_community.name, "starts_on": s.starts_on, "ends_on": s.ends_on,
        "role_title": s.role_title, "work": s.work, "status": s.status, "status_label": s.get_status_display(),
        "from_agreed_at": s.from_agreed_at, "to_agreed_at": s.to_agreed_at, "has_host_role": s.grant_id is not None,
        "report_learned": s.report_learned, "report_brought": s.report_brought,
        "report_filed_at": s.report_filed_at, "my_side": secondment_side(user, s),
        "can_agree": secondment_policy.can(user, "agree", s), "can_cancel": secondment_policy.can(user, "cancel", s),
        "can_report": secondment_policy.can(user, "report", s),
    }


def _reloaded(user: Any, pk: int) -> dict[str, Any]:
    return _out(get_secondment_for_user(user, pk), user)


@router.get("/secondments", response=list[VenuesSecondmentOut],
            summary="挂职：两个社区的工作人员和挂职本人可见（可按状态筛选）")
def list_secondments(request: HttpRequest,
                     status: Annotated[str, OneOf(["", *Secondment.Status.values])] = "") -> list[dict[str, Any]]:
    qs = secondment_policy.visible_to(request.user).select_related("person", "alliance", "from_community",
                                                                   "to_community")
    if status:
        qs = qs.filter(status=status)
    return [_out(s, request.user) for s in qs[:200]]


@router.post("/secondments", response=VenuesSecondmentOut,
             summary="提议挂职（任一社区的社区工作者；提议即代表本社区同意，另一社区还须同意）")
def propose(request: HttpRequest, payload: VenuesSecondmentIn) -> dict[str, Any]:
    secondment_policy.require_somewhere(request.user, "propose")
    person = get_object_or_404(User, pk=payload.person_id, is_active=True)
    secondment = actions.do_propose_secondment(
        acting_user=request.user, person=person,  # type: ignore[arg-type]
        from_community=get_object_or_404(Area, pk=payload.from_community_id),
        to_community=get_object_or_404(Area, pk=payload.to_community_id), starts_on=payload.starts_on,
        ends_on=payload.ends_on, role_title=payload.role_title, work=payload.work)
    return _reloaded(request.user, secondment.pk)


@router.get("/secondments/{secondment_id}", response=VenuesSecondmentOut, summary="一项挂职")
def get_secondment(request: HttpRequest, secondment_id: Id) -> dict[str, Any]:
    return _reloaded(request.user, secondment_id)


@router.post("/secondments/{secondment_id}/agree", response=VenuesSecondmentOut,
             summary="本社区同意（双方都同意后为“已同意”，到开始日自动开始）")
def agree(request: HttpRequest, secondment_id: Id) -> dict[str, Any]:
    secondment = get_secondment_for_user(request.user, secondment_id)
    actions.do_agree_secondment(secondment, acting_user=request.user)  # type: ignore[arg-type]
    return _reloaded(request.user, secondment_id)


@router.post("/secondments/{secondment_id}/cancel", response=VenuesSecondmentOut, summary="开始前取消挂职")
def cancel(request: HttpRequest, secondment_id: Id, payload: VenuesSecondmentCancelIn) -> dict[str, Any]:
    secondment = get_secondment_for_user(request.user, secondment_id)
    actions.do_cancel_secondment(secondment, acting_user=request.user, reason=payload.reason)  # type: ignore[arg-type]
    return _reloaded(request.user, secondment_id)


@router.post("/secondments/{secondment_id}/report", response=VenuesSecondmentOut,
             summary="挂职本人提交总结（学到了什么、带回了什么）")
def report(request: HttpRequest, secondment_id: Id, payload: VenuesSecondmentReportIn) -> dict[str, Any]:
    secondment = get_secondment_for_user(request.user, secondment_id)
    actions.do_file_secondment_report(secondment, acting_user=request.user,  # type: ignore[arg-type]
                                      learned=payload.learned, brought=payload.brought)
    return _reloaded(request.user, secondment_id)
