"""The API of the cases part (/api/disputes/): mediation bodies; disputes (the list masked: the record for
everyone who sees it, the title only for content viewers), the detail (content only for content viewers; every
detail view audited, "disputes.view"), recording (also from an appeal), the parties (and the audited reveal of one
party's particulars), assignment, sessions, the outcome and closing.
Errors: 400 refused (a Chinese message), 403 not allowed, 404 out of scope, 409 a conflict (already done)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from gongzhi.appeals import queries as appeal_queries
from gongzhi.core.api_schemas import Id, OneOf
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Alliance, Area, Unit, User

from .. import masking, queries
from ..actions import bodies as body_actions
from ..actions import cases as actions
from ..models import Dispute, DisputeParty, MediationBody
from ..permissions import get_body_for_user, get_dispute_for_user, sees_content, shows_disputes

router = Router()


class DisputeBodyOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    community_id: int | None
    community: str
    alliance_id: int | None
    alliance: str
    head: str
    members: list[str]


class DisputeBodyIn(Schema):
    kind: Annotated[str, OneOf(MediationBody.Kind)]
    name: str = Field(..., max_length=100)
    community_id: Id | None = Field(None, description="人民调解委员会：所在社区")
    alliance_id: Id | None = Field(None, description="矛盾化解处：所属联盟")
    head_id: Id = Field(..., description="负责人（该社区或联盟社区的人员）")
    member_ids: list[Id] = Field(default_factory=list, description="调解员")


class DisputeBodyUpdateIn(Schema):
    name: str = Field(..., max_length=100)
    head_id: Id
    member_ids: list[Id] = Field(default_factory=list)


class DisputePartyIn(Schema):
    id: Id | None = Field(None, description="修改当事人时：已有当事人的编号")
    kind: Annotated[str, OneOf(DisputeParty.Kind)] = DisputeParty.Kind.RESIDENT
    side: Annotated[str, OneOf(DisputeParty.Side)]
    name: str = Field("", max_length=100, description="姓名或名称；选择居民或单位时可不填")
    resident_id: Id | None = Field(None, description="从居民库选择（须在您的范围内）")
    unit_id: Id | None = Field(None, description="从单位库选择（物业公司、单位）")
    community_id: Id | None = Field(None, description="所在社区；不填为纠纷登记社区")
    phone: str = Field("", max_length=20)
    id_number: str = Field("", max_length=18)
    address: str = Field("", max_length=200)


class DisputePartyOut(Schema):
    id: int
    kind: str
    kind_label: str
    side: str
    side_label: str
    name: str
    community: str
    phone: str = Field(..., description="已脱敏")
    id_number: str = Field(..., description="已脱敏")
    address: str = Field(..., description="已脱敏")
    has_particulars: bool


class DisputePartyRevealOut(Schema):
    phone: str
    id_number: str
    address: str


class DisputeAssignmentOut(Schema):
    mediator: str
    body_id: int | None
    body: str
    active: bool
    assigned_at: datetime


class DisputeSessionOut(Schema):
    held_at: datetime
    place: str = ""
    attendees: str = ""
    notes: str = ""


class DisputeOut(Schema):
    """The record, for everyone who sees the dispute; `title` only for those who see the content."""

    id: int
    reference: str
    kind: str
    kind_label: str
    source: str
    urgency: str
    risk: str
    status: str
    status_label: str
    community_id: int
    community: str
    alliance_id: int | None
    alliance: str
    created_at: datetime
    resolved_at: datetime | None
    sees_content: bool
    title: str = Field("", description="仅处理该纠纷的人员可见")


class DisputeDetailOut(DisputeOut):
    stakes: str = Field("", description="仅处理该纠纷的人员可见")
    parties: list[DisputePartyOut] = Field(default_factory=list, description="仅处理该纠纷的人员可见（已脱敏）")
    applicants: int
    respondents: int
    referred_to: str
    referred_unit: str
    outcome_reason: str = Field("", description="仅处理该纠纷的人员可见")
    assignments: list[DisputeAssignmentOut]
    sessions: list[DisputeSessionOut] = Field(..., description="无内容查看权限时只有日期")
    can_assign: bool
    can_mediate: bool
    can_close: bool


class DisputeIn(Schema):
    community_id: Id
    title: str = Field(..., max_length=200)
    kind: Annotated[str, OneOf(Dispute.Kind)]
    stakes: str = Field(..., max_length=4000, description="纠纷事项")
    source: Annotated[str, OneOf([v for v in Dispute.Source.values if v != "appeal"])] = Dispute.Source.WALK_IN
    urgency: Annotated[str, OneOf(Dispute.Urgency)] = Dispute.Urgency.NORMAL
    risk: Annotated[str, OneOf(Dispute.Risk)] = Dispute.Risk.LOW
    alliance_id: Id | None = Field(None, description="当事人分属联盟内不同社区时；不填则自动推定")
    parties: list[DisputePartyIn]


class DisputeFromAppealIn(Schema):
    appeal_id: Id
    community_id: Id | None = Field(None, description="不填为诉求所在社区")
    title: str | None = Field(None, max_length=200, description="不填为诉求标题")
    kind: Annotated[str, OneOf(Dispute.Kind)] = Dispute.Kind.NEIGHBOURS
    stakes: str | None = Field(None, max_length=4000, description="不填为诉求内容")
    urgency: Annotated[str, OneOf(Dispute.Urgency)] = Dispute.Urgency.NORMAL
    risk: Annotated[str, OneOf(Dispute.Risk)] = Dispute.Risk.LOW
    alliance_id: Id | None = None
    parties: list[DisputePartyIn] | None = Field(None, description="不填为诉求人（申请人）；须有申请人和被申请人")


class DisputePartiesIn(Schema):
    parties: list[DisputePartyIn]


class DisputeAssignIn(Schema):
    mediator_id: Id | None = Field(None, description="调解员（矛盾调解员岗位、本社区调委会成员）")
    body_id: Id | None = Field(None, description="调解组织（本社区人民调解委员会、联盟矛盾化解处）")


class DisputeSessionIn(Schema):
    held_at: datetime
    place: str = Field(..., max_length=200)
    attendees: str = Field(..., max_length=1000)
    notes: str = Field(..., max_length=4000)


class DisputeOutcomeIn(Schema):
    outcome: Annotated[str, OneOf(["not_agreed", "referred"])] = Field(
        ..., description="调解未成 / 已转出；调解成功请登记调解协议")
    reason: str = Field(..., max_length=4000)
    referred_to: Annotated[str, OneOf(["", *Dispute.ReferredTo.values])] = ""
    referred_unit_id: Id | None = Field(None, description="转至相关部门时：部门")


def _body(b: MediationBody) -> dict[str, Any]:
    return {"id": b.pk, "name": b.name, "kind": b.kind, "kind_label": b.get_kind_display(),
            "community_id": b.community_id, "community": b.community.name if b.community else "",
            "alliance_id": b.alliance_id, "alliance": b.alliance.name if b.alliance else "",
            "head": (b.head.display_name or b.head.username) if b.head else "",
            "members": [u.display_name or u.username for u in b.members.all()]}


def _record(d: Dispute, content: bool) -> dict[str, Any]:
    return {"id": d.pk, "reference": d.reference, "kind": d.kind, "kind_label": d.get_kind_display(),
            "source": d.source, "urgency": d.urgency, "risk": d.risk, "status": d.status,
            "status_label": d.get_status_display(), "community_id": d.community_id, "community": d.community.name,
            "alliance_id": d.alliance_id, "alliance": d.alliance.name if d.alliance else "",
            "created_at": d.created_at, "resolved_at": d.resolved_at, "sees_content": content,
            "title": d.title if content else ""}


def _name(u: User | None) -> str:
    return (u.display_name or u.username) if u is not None else ""


def _detail(user: Any, d: Dispute) -> dict[str, Any]:
    content = sees_content(user, d)
    parties = queries.parties_of(d)
    counts = masking.side_counts(parties)
    return {
        **_record(d, content), "stakes": d.stakes if content else "",
        "parties": [masking.masked_party(p).as_dict() for p in parties] if content else [],
        "applicants": counts["applicant"], "respondents": counts["respondent"],
        "referred_to": d.referred_to, "referred_unit": d.referred_unit.name if d.referred_unit else "",
        "outcome_reason": d.outcome_reason if content else "",
        "assignments": [{"mediator": _name(a.mediator), "body_id": a.body_id, "body": a.body.name if a.body else "",
                         "active": a.active, "assigned_at": a.assigned_at} for a in queries.assignments_of(d)],
        "sessions": [{"held_at": s.held_at, **({"place": s.place, "attendees": s.attendees, "notes": s.notes}
                                               if content else {})} for s in queries.sessions_of(d)],
        "can_assign": queries.can(user, "assign", d), "can_mediate": queries.can_mediate(user, d),
        "can_close": queries.can(user, "close", d),
    }


def _viewed(request: HttpRequest, pk: int) -> dict[str, Any]:
    d = get_dispute_for_user(request.user, pk)
    actions.do_record_view(d, acting_user=request.user, via="api")
    return _detail(request.user, d)


def _parties(payload: list[DisputePartyIn]) -> list[dict[str, Any]]:
    return [{"id": p.id, "kind": p.kind, "side": p.side, "name": p.name, "resident": p.resident_id,
             "unit": p.unit_id, "community": p.community_id, "phone": p.phone, "id_number": p.id_number,
             "address": p.address} for p in payload]


def _gate(request: HttpRequest) -> None:
    if not shows_disputes(request.user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("此功能不对您的角色开放。")


@router.get("/bodies", response=list[DisputeBodyOut], summary="调解组织（人民调解委员会、跨界矛盾化解处）")
def list_bodies(request: HttpRequest) -> list[dict[str, Any]]:
    _gate(request)
    return [_body(b) for b in queries.bodies_for(request.user)[:200]]


def _people(ids: list[int]) -> list[User]:
    return list(User.objects.filter(pk__in=ids, is_active=True))


@router.post("/bodies", response={201: DisputeBodyOut}, summary="设立调解组织（社区人民调解委员会、联盟矛盾化解处）")
def create_body(request: HttpRequest, payload: DisputeBodyIn) -> Status:
    community = get_object_or_404(Area, pk=payload.community_id) if payload.community_id else None
    alliance = get_object_or_404(Alliance, pk=payload.alliance_id) if payload.alliance_id else None
    body = body_actions.do_create_body(
        acting_user=request.user, kind=payload.kind, name=payload.name, community=community,  # type: ignore[arg-type]
        alliance=alliance, head=get_object_or_404(User, pk=payload.head_id, is_active=True),
        members=_people(payload.member_ids))
    return Status(201, _body(body))


@router.put("/bodies/{body_id}", response=DisputeBodyOut, summary="修改调解组织的名称、负责人和调解员")
def update_body(request: HttpRequest, body_id: Id, payload: DisputeBodyUpdateIn) -> dict[str, Any]:
    body = get_body_for_user(request.user, body_id)
    body_actions.do_update_body(body, acting_user=request.user, name=payload.name,  # type: ignore[arg-type]
                                head=get_object_or_404(User, pk=payload.head_id, is_active=True),
                                members=_people(payload.member_ids))
    return _body(get_body_for_user(request.user, body_id))


@router.get("/bodies/{body_id}", response=DisputeBodyOut, summary="一个调解组织：负责人和调解员")
def get_body(request: HttpRequest, body_id: Id) -> dict[str, Any]:
    return _body(get_body_for_user(request.user, body_id))


@router.get("/cases", response=list[DisputeOut],
            summary="矛盾纠纷（无内容查看权限时只有编号、类型、紧急程度、风险、状态、日期和社区）")
def list_disputes(request: HttpRequest, status: str = "", kind: str = "", urgency: str = "", risk: str = "",
                  community_id: Id | None = None, mine: bool = False, q: str = "") -> list[dict[str, Any]]:
    _gate(request)
    rows = list(queries.dispute_list(request.user, queries.ListFilters(
        status=status, kind=kind, urgency=urgency, risk=risk, community=community_id, mine=mine,
        q=q[:50]))[:queries.LIST_LIMIT])
    content = queries.content_ids(request.user, [d.pk for d in rows])
    return [_record(d, d.pk in content) for d in rows]


@router.post("/cases", response={201: DisputeDetailOut}, summary="登记矛盾纠纷（来访、网格上报、转介）")
def record(request: HttpRequest, payload: DisputeIn) -> Status:
    community = get_object_or_404(Area, pk=payload.community_id, level=Area.Level.COMMUNITY)
    alliance = get_object_or_404(Alliance, pk=payload.alliance_id) if payload.alliance_id else None
    d = actions.do_record_dispute(acting_user=request.user, community=community, title=payload.title,  # type: ignore[arg-type]
                                  kind=payload.kind, stakes=payload.stakes, source=payload.source,
                                  urgency=payload.urgency, risk=payload.risk, alliance=alliance,
                                  parties=_parties(payload.parties))
    return Status(201, _detail(request.user, d))


@router.post("/cases/from-appeal", response={201: DisputeDetailOut},
             summary="诉求转为矛盾纠纷调解（关联诉求，并告知诉求人）")
def from_appeal(request: HttpRequest, payload: DisputeFromAppealIn) -> Status:
    appeal = (appeal_queries.visible_appeals(request.user).select_related("area", "resident", "resident__area")
              .filter(pk=payload.appeal_id).first())
    if appeal is None:
        from django.http import Http404

        raise Http404
    community = get_object_or_404(Area, pk=payload.community_id, level=Area.Level.COMMUNITY) \
        if payload.community_id else None
    alliance = get_object_or_404(Alliance, pk=payload.alliance_id) if payload.alliance_id else None
    d = actions.do_record_from_appeal(
        appeal, acting_user=request.user, community=community, title=payload.title, kind=payload.kind,  # type: ignore[arg-type]
        stakes=payload.stakes, urgency=payload.urgency, risk=payload.risk, alliance=alliance,
        parties=_parties(payload.parties) if payload.parties is not None else None)
    return Status(201, _detail(request.user, d))


@router.get("/cases/{dispute_id}", response=DisputeDetailOut,
            summary="一件矛盾纠纷（每次查看都记入审计；内容仅处理该纠纷的人员可见）")
def get_dispute(request: HttpRequest, dispute_id: Id) -> dict[str, Any]:
    return _viewed(request, dispute_id)


@router.put("/cases/{dispute_id}/parties", response=DisputeDetailOut,
            summary="修改当事人（带编号的修改，不带的新增，未列出的删除；结案前、处理人员）")
def save_parties(request: HttpRequest, dispute_id: Id, payload: DisputePartiesIn) -> dict[str, Any]:
    d = get_dispute_for_user(request.user, dispute_id)
    actions.do_save_parties(d, acting_user=request.user, parties=_parties(payload.parties))  # type: ignore[arg-type]
    return _detail(request.user, get_dispute_for_user(request.user, dispute_id))


@router.post("/cases/{dispute_id}/parties/{party_id}/reveal", response=DisputePartyRevealOut,
             summary="查看当事人完整个人信息（记入审计）")
def reveal_party(request: HttpRequest, dispute_id: Id, party_id: Id) -> dict[str, str]:
    d = get_dispute_for_user(request.user, dispute_id)
    if not sees_content(request.user, d):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("只有处理该纠纷的人员可以查看当事人信息。")
    party = get_object_or_404(DisputeParty.objects.select_related("dispute", "dispute__community"),
                              pk=party_id, dispute=d)
    return actions.do_reveal_party(party, acting_user=request.user)  # type: ignore[arg-type]


@router.post("/cases/{dispute_id}/assign", response=DisputeDetailOut, summary="分派调解员或调解组织")
def assign(request: HttpRequest, dispute_id: Id, payload: DisputeAssignIn) -> dict[str, Any]:
    d = get_dispute_for_user(request.user, dispute_id)
    mediator = get_object_or_404(User, pk=payload.mediator_id, is_active=True) if payload.mediator_id else None
    body = get_object_or_404(MediationBody, pk=payload.body_id) if payload.body_id else None
    if mediator is None and body is None:
        raise ActionError("请选择一名调解员或一个调解组织。", field="assignee")
    actions.do_assign(d, acting_user=request.user, mediator=mediator, body=body)  # type: ignore[arg-type]
    return _detail(request.user, get_dispute_for_user(request.user, dispute_id))


@router.post("/cases/{dispute_id}/sessions", response={201: DisputeDetailOut}, summary="登记一次调解（时间、地点、参加人、记录）")
def session(request: HttpRequest, dispute_id: Id, payload: DisputeSessionIn) -> Status:
    d = get_dispute_for_user(request.user, dispute_id)
    actions.do_record_session(d, acting_user=request.user, held_at=payload.held_at, place=payload.place,  # type: ignore[arg-type]
                              attendees=payload.attendees, notes=payload.notes)
    return Status(201, _detail(request.user, get_dispute_for_user(request.user, dispute_id)))


@router.post("/cases/{dispute_id}/outcome", response=DisputeDetailOut,
             summary="登记调解结果：调解未成，或转出（人民法院、仲裁、相关部门）并说明理由")
def outcome(request: HttpRequest, dispute_id: Id, payload: DisputeOutcomeIn) -> dict[str, Any]:
    d = get_dispute_for_user(request.user, dispute_id)
    unit = get_object_or_404(Unit, pk=payload.referred_unit_id) if payload.referred_unit_id else None
    actions.do_record_outcome(d, acting_user=request.user, outcome=payload.outcome, reason=payload.reason,  # type: ignore[arg-type]
                              referred_to=payload.referred_to, referred_unit=unit)
    return _detail(request.user, get_dispute_for_user(request.user, dispute_id))


@router.post("/cases/{dispute_id}/close", response=DisputeDetailOut, summary="结案（已有调解结果时）")
def close(request: HttpRequest, dispute_id: Id) -> dict[str, Any]:
    d = get_dispute_for_user(request.user, dispute_id)
    actions.do_close(d, acting_user=request.user)  # type: ignore[arg-type]
    return _detail(request.user, get_dispute_for_user(request.user, dispute_id))
