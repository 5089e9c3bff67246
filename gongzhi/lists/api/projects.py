"""The project list (项目清单) and its two-way service agreement over JSON, mounted at /api/lists/: list (the page's
filters), detail, create, claim, partner units, budget, milestones, sub-projects, progress (multipart, with photos),
finish, cancel; the agreement, its items, terms, sending, signing and the Word download. Every call goes through
the same actions as the pages. Errors: 400 refused (a Chinese message), 403 not allowed, 404 out of scope."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.core.api_schemas import Id, OneOf, paginated
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, Unit
from gongzhi.core.permissions import visible_to as core_visible_to

from .. import actions, permissions, project_queries
from ..actions.agreements import parties, signatures_of
from ..agreement_docx import agreement_document, agreement_filename
from ..models import AgreementItem, Milestone, Project, ServiceAgreement

router = Router()

WaitingName = Annotated[str, OneOf(list(project_queries.WAITING))]


class ProjectRowOut(Schema):
    id: int
    title: str
    status: str
    status_label: str
    community_id: int
    community: str
    lead_unit_id: int | None
    lead_unit: str | None
    parent_id: int | None
    progress: int
    overdue: bool
    created_at: datetime

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return obj["status_label"] if isinstance(obj, dict) else obj.get_status_display()

    @staticmethod
    def resolve_community_id(obj: Any) -> int:
        return obj["community_id"] if isinstance(obj, dict) else obj.area_id

    @staticmethod
    def resolve_community(obj: Any) -> str:
        return obj["community"] if isinstance(obj, dict) else obj.area.name

    @staticmethod
    def resolve_lead_unit(obj: Any) -> str | None:
        if isinstance(obj, dict):
            return obj["lead_unit"]
        return obj.lead_unit.name if obj.lead_unit else None

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        if isinstance(obj, dict):
            return bool(obj["overdue"])
        return bool(getattr(obj, "is_overdue", False))


class ProjectMilestoneOut(Schema):
    id: int
    project_id: int
    title: str
    due_on: date
    done_at: datetime | None
    overdue: bool


class ProjectReservationOut(Schema):
    id: int
    resource_id: int
    resource: str
    amount: Decimal
    unit: str
    used: Decimal | None
    released_at: datetime | None


class ProjectUpdateOut(Schema):
    id: int
    project_id: int
    percent: int
    note: str
    by: str
    unit: str | None
    at: datetime
    photo_urls: list[str]


class ProjectSubprojectOut(Schema):
    id: int
    title: str
    weight: Decimal
    status: str
    progress: int
    lead_unit: str | None


class ProjectDetailOut(ProjectRowOut):
    description: str
    budget: Decimal | None
    partner_units: list[str]
    demand_ids: list[int]
    claimed_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    milestones: list[ProjectMilestoneOut]
    reservations: list[ProjectReservationOut]
    subprojects: list[ProjectSubprojectOut]
    updates: list[ProjectUpdateOut]
    agreement_status: str | None


class AgreementItemOut(Schema):
    id: int
    party_unit_id: int | None
    party: str
    text: str
    due_on: date | None


class AgreementPartyOut(Schema):
    party_unit_id: int | None
    party: str
    signed: bool
    signer: str | None
    signed_at: datetime | None


class AgreementOut(Schema):
    project_id: int
    version: int
    status: str
    status_label: str
    terms: str
    signed_at: datetime | None
    items: list[AgreementItemOut]
    parties: list[AgreementPartyOut]


class ProjectIn(Schema):
    area_id: Id
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    demand_ids: list[Id] = Field(..., min_length=1, max_length=50)
    reservations: dict[Id, Decimal] = Field(default_factory=dict, description="资源 id → 预留数量")
    budget: Decimal | None = None


class ProjectClaimIn(Schema):
    unit_id: Id | None = Field(None, description="认领单位（联络员有多个单位时）")


class ProjectUnitsIn(Schema):
    unit_ids: list[Id] = Field(..., min_length=1, max_length=20)


class ProjectBudgetIn(Schema):
    budget: Decimal | None


class ProjectMilestoneIn(Schema):
    title: str = Field(..., max_length=200)
    due_on: date


class ProjectSubprojectIn(Schema):
    title: str = Field(..., max_length=200)
    weight: Decimal = Field(Decimal(1), gt=0)
    lead_unit_id: Id | None = None


class ProjectFinishIn(Schema):
    used: dict[Id, Decimal] = Field(default_factory=dict, description="预留 id → 实际使用数量（未列出的视为全部用完）")


class ProjectCancelIn(Schema):
    reason: str = Field(..., max_length=300)


class AgreementItemIn(Schema):
    party_unit_id: Id | None = Field(None, description="责任方单位；空为社区（甲方）")
    text: str = Field(..., max_length=300)
    due_on: date | None = None


class AgreementTermsIn(Schema):
    terms: str = Field("", max_length=5000)


class AgreementSignIn(Schema):
    party_unit_id: Id | None = Field(None, description="代表签署的单位；空为社区（甲方）")


class ProjectDoneOut(Schema):
    ok: bool
    id: int
    status: str


def _row(p: Project) -> dict[str, Any]:
    return {"id": p.pk, "title": p.title, "status": p.status, "status_label": p.get_status_display(),
            "community_id": p.area_id, "community": p.area.name, "lead_unit_id": p.lead_unit_id,
            "lead_unit": p.lead_unit.name if p.lead_unit else None, "parent_id": p.parent_id,
            "progress": p.progress, "overdue": bool(getattr(p, "is_overdue", False)), "created_at": p.created_at}


def _project(request: HttpRequest, project_id: int) -> Project:
    return permissions.get_project_for_user(request.user, project_id)


def _done(project: Project) -> dict[str, Any]:
    project.refresh_from_db(fields=["status"])
    return {"ok": True, "id": project.pk, "status": project.status}


@router.get("/projects", response=list[ProjectRowOut], summary="项目清单（筛选：状态、社区、牵头单位、逾期、待办）")
@paginated
def list_projects(request: HttpRequest, status: Annotated[str, OneOf(Project.Status)] | None = None,
                  community_id: Id | None = None, lead_unit_id: Id | None = None, overdue: bool = False,
                  waiting: WaitingName | None = None, **kwargs: Any) -> Any:
    permissions.project_policy.require_somewhere(request.user, "browse")
    community = get_object_or_404(core_visible_to(request.user, Area), pk=community_id) if community_id else None
    lead = get_object_or_404(Unit, pk=lead_unit_id) if lead_unit_id else None
    qs = project_queries.project_list(request.user, status=status or "", community=community, lead_unit=lead,
                                      overdue=overdue, waiting=waiting or "")
    return qs


@router.get("/projects/{project_id}", response=ProjectDetailOut, summary="项目详情")
def get_project(request: HttpRequest, project_id: Id) -> dict[str, Any]:
    project = _project(request, project_id)
    ctx = project_queries.project_detail(project)
    out = _row(project)
    out["overdue"] = ctx["overdue"]
    agreement = ctx["agreement"]
    out.update({
        "description": project.description, "budget": project.budget,
        "partner_units": [u.name for u in ctx["partners"]], "demand_ids": [d.pk for d in ctx["demands"]],
        "claimed_at": project.claimed_at, "started_at": project.started_at, "finished_at": project.finished_at,
        "milestones": [{"id": m.pk, "project_id": m.project_id, "title": m.title, "due_on": m.due_on,
                        "done_at": m.done_at, "overdue": m.is_overdue}
                       for m in ctx["milestones"] + ctx["child_milestones"]],
        "reservations": [{"id": r.pk, "resource_id": r.resource_id, "resource": r.resource.title, "amount": r.amount,
                          "unit": r.resource.get_capacity_unit_display(), "used": r.used,
                          "released_at": r.released_at} for r in ctx["reservations"]],
        "subprojects": [{"id": c.pk, "title": c.title, "weight": c.weight, "status": c.status,
                         "progress": c.progress, "lead_unit": c.lead_unit.name if c.lead_unit else None}
                        for c in ctx["children"]],
        "updates": [{"id": u.pk, "project_id": u.project_id, "percent": u.percent, "note": u.note,
                     "by": str(u.by or ""), "unit": u.unit.name if u.unit else None, "at": u.at,
                     "photo_urls": [f"/lists/projects/photos/{ph.pk}/" for ph in u.photos.all()]}
                    for u in ctx["updates"]],
        "agreement_status": agreement.status if agreement else None,
    })
    return out


@router.post("/projects", response={201: ProjectDoneOut}, summary="由需求和资源新建项目（预留资源容量）")
def create_project(request: HttpRequest, payload: ProjectIn) -> Status:
    area = get_object_or_404(core_visible_to(request.user, Area), pk=payload.area_id)
    project = actions.do_create_project(
        acting_user=request.user, area=area, title=payload.title, description=payload.description,  # type: ignore[arg-type]
        demand_ids=payload.demand_ids,
        reservations=[actions.Reservation(int(k), v) for k, v in payload.reservations.items()],
        budget=payload.budget)
    return Status(201, {"ok": True, "id": project.pk, "status": project.status})


@router.post("/projects/{project_id}/claim", response=ProjectDoneOut, summary="认领项目（驻区单位联络员）")
def claim_project(request: HttpRequest, project_id: Id, payload: ProjectClaimIn) -> dict[str, Any]:
    project = _project(request, project_id)
    unit = get_object_or_404(Unit, pk=payload.unit_id) if payload.unit_id else None
    actions.do_claim_project(project, acting_user=request.user, unit=unit)  # type: ignore[arg-type]
    return _done(project)


@router.post("/projects/{project_id}/partners", response=ProjectDoneOut, summary="添加协作单位")
def add_partners(request: HttpRequest, project_id: Id, payload: ProjectUnitsIn) -> dict[str, Any]:
    project = _project(request, project_id)
    units = list(Unit.objects.filter(pk__in=payload.unit_ids))
    if len(units) != len(set(payload.unit_ids)):
        raise ActionError(_("Some of these units do not exist."), field="unit_ids")
    actions.do_add_partner_units(project, acting_user=request.user, units=units)  # type: ignore[arg-type]
    return _done(project)


@router.post("/projects/{project_id}/budget", response=ProjectDoneOut, summary="设置项目预算（元）")
def set_budget(request: HttpRequest, project_id: Id, payload: ProjectBudgetIn) -> dict[str, Any]:
    project = _project(request, project_id)
    actions.do_set_project_budget(project, acting_user=request.user, budget=payload.budget)  # type: ignore[arg-type]
    return _done(project)


@router.post("/projects/{project_id}/milestones", response={201: ProjectMilestoneOut}, summary="添加节点")
def add_milestone(request: HttpRequest, project_id: Id, payload: ProjectMilestoneIn) -> Status:
    project = _project(request, project_id)
    m = actions.do_add_milestone(project, acting_user=request.user, title=payload.title, due_on=payload.due_on)  # type: ignore[arg-type]
    return Status(201, {"id": m.pk, "project_id": m.project_id, "title": m.title, "due_on": m.due_on,
                        "done_at": m.done_at, "overdue": False})


@router.post("/projects/{project_id}/milestones/{milestone_id}/done", response=ProjectDoneOut, summary="节点完成")
def complete_milestone(request: HttpRequest, project_id: Id, milestone_id: Id) -> dict[str, Any]:
    project = _project(request, project_id)
    milestone = get_object_or_404(Milestone, pk=milestone_id, project=project)
    actions.do_complete_milestone(milestone, acting_user=request.user)  # type: ignore[arg-type]
    return _done(project)


@router.post("/projects/{project_id}/subprojects", response={201: ProjectDoneOut}, summary="添加子项目（按权重计算总进度）")
def add_subproject(request: HttpRequest, project_id: Id, payload: ProjectSubprojectIn) -> Status:
    project = _project(request, project_id)
    lead = get_object_or_404(Unit, pk=payload.lead_unit_id) if payload.lead_unit_id else None
    child = actions.do_add_subproject(project, acting_user=request.user, title=payload.title,  # type: ignore[arg-type]
                                      weight=payload.weight, lead_unit=lead)
    return Status(201, {"ok": True, "id": child.pk, "status": child.status})


@router.post("/projects/{project_id}/progress", response={201: ProjectDoneOut},
             summary="填报进度（multipart 表单：percent、note，最多 5 张 JPEG/PNG/WebP 照片 photos，每张不超过 5 MB）")
def post_progress(request: HttpRequest, project_id: Id, percent: int = Form(...), note: str = Form(""),  # noqa: B008
                  photos: list[UploadedFile] = File(None)) -> Status:  # noqa: B008
    project = _project(request, project_id)
    update = actions.do_post_progress(project, acting_user=request.user, percent=percent, note=note,  # type: ignore[arg-type]
                                      photos=photos or [])
    project.refresh_from_db(fields=["status"])
    return Status(201, {"ok": True, "id": update.pk, "status": project.status})


@router.post("/projects/{project_id}/finish", response=ProjectDoneOut, summary="项目完成（需求标为已满足，释放未用资源）")
def finish_project(request: HttpRequest, project_id: Id, payload: ProjectFinishIn) -> dict[str, Any]:
    project = _project(request, project_id)
    actions.do_finish_project(project, acting_user=request.user, used=dict(payload.used))  # type: ignore[arg-type]
    return _done(project)


@router.post("/projects/{project_id}/cancel", response=ProjectDoneOut, summary="取消项目（释放全部资源，需求重新开放）")
def cancel_project(request: HttpRequest, project_id: Id, payload: ProjectCancelIn) -> dict[str, Any]:
    project = _project(request, project_id)
    actions.do_cancel_project(project, acting_user=request.user, reason=payload.reason)  # type: ignore[arg-type]
    return _done(project)


# --- the agreement ------------------------------------------------------------------------------------------


def _agreement(project: Project) -> ServiceAgreement:
    agreement = ServiceAgreement.objects.filter(project=project).first()
    if agreement is None:
        raise ActionError(_("The agreement is drawn up once a member unit has claimed the project."))
    return agreement


def _agreement_out(project: Project) -> dict[str, Any]:
    agreement = _agreement(project)
    signed = signatures_of(agreement)
    community = _("The community")
    return {
        "project_id": project.pk, "version": agreement.version, "status": agreement.status,
        "status_label": agreement.get_status_display(), "terms": agreement.terms, "signed_at": agreement.signed_at,
        "items": [{"id": i.pk, "party_unit_id": i.unit_id, "party": i.unit.name if i.unit else community,
                   "text": i.text, "due_on": i.due_on} for i in agreement.items.select_related("unit")],
        "parties": [{"party_unit_id": u.pk if u else None, "party": u.name if u else community,
                     "signed": (u.pk if u else None) in signed,
                     "signer": s.signer_name if (s := signed.get(u.pk if u else None)) else None,
                     "signed_at": s.signed_at if s else None} for u in parties(project)],
    }


def _party(project: Project, unit_id: int | None) -> Unit | None:
    if unit_id is None:
        return None
    unit = next((u for u in parties(project) if u is not None and u.pk == unit_id), None)
    if unit is None:
        raise ActionError(_("This unit is not a party to this project: add it as a partner unit first."),
                          field="party_unit_id")
    return unit


@router.get("/projects/{project_id}/agreement", response=AgreementOut, summary="双向服务协议")
def get_agreement(request: HttpRequest, project_id: Id) -> dict[str, Any]:
    return _agreement_out(_project(request, project_id))


@router.post("/projects/{project_id}/agreement/items", response={201: AgreementOut}, summary="添加协议事项")
def add_item(request: HttpRequest, project_id: Id, payload: AgreementItemIn) -> Status:
    project = _project(request, project_id)
    actions.do_add_agreement_item(project, acting_user=request.user, unit=_party(project, payload.party_unit_id),  # type: ignore[arg-type]
                                  text=payload.text, due_on=payload.due_on)
    return Status(201, _agreement_out(project))


@router.put("/projects/{project_id}/agreement/items/{item_id}", response=AgreementOut, summary="修改协议事项")
def edit_item(request: HttpRequest, project_id: Id, item_id: Id, payload: AgreementItemIn) -> dict[str, Any]:
    project = _project(request, project_id)
    item = get_object_or_404(AgreementItem, pk=item_id, agreement__project=project)
    actions.do_edit_agreement_item(item, acting_user=request.user, unit=_party(project, payload.party_unit_id),  # type: ignore[arg-type]
                                   text=payload.text, due_on=payload.due_on)
    return _agreement_out(project)


@router.delete("/projects/{project_id}/agreement/items/{item_id}", response=AgreementOut, summary="删除协议事项")
def remove_item(request: HttpRequest, project_id: Id, item_id: Id) -> dict[str, Any]:
    project = _project(request, project_id)
    item = get_object_or_404(AgreementItem, pk=item_id, agreement__project=project)
    actions.do_remove_agreement_item(item, acting_user=request.user)  # type: ignore[arg-type]
    return _agreement_out(project)


@router.put("/projects/{project_id}/agreement/terms", response=AgreementOut, summary="修改其他约定")
def set_terms(request: HttpRequest, project_id: Id, payload: AgreementTermsIn) -> dict[str, Any]:
    project = _project(request, project_id)
    actions.do_set_agreement_terms(project, acting_user=request.user, terms=payload.terms)  # type: ignore[arg-type]
    return _agreement_out(project)


@router.post("/projects/{project_id}/agreement/send", response=AgreementOut, summary="发起签署")
def send_agreement(request: HttpRequest, project_id: Id) -> dict[str, Any]:
    project = _project(request, project_id)
    actions.do_send_agreement(project, acting_user=request.user)  # type: ignore[arg-type]
    return _agreement_out(project)


@router.post("/projects/{project_id}/agreement/sign", response=AgreementOut, summary="签署协议（社区或本单位）")
def sign_agreement(request: HttpRequest, project_id: Id, payload: AgreementSignIn) -> dict[str, Any]:
    project = _project(request, project_id)
    actions.do_sign_agreement(project, acting_user=request.user, unit=_party(project, payload.party_unit_id))  # type: ignore[arg-type]
    return _agreement_out(project)


@router.get("/projects/{project_id}/agreement.docx", summary="下载协议（Word 文档）",
            response={200: None})
def download_agreement(request: HttpRequest, project_id: Id) -> HttpResponse:
    project = _project(request, project_id)
    agreement = _agreement(project)
    response = HttpResponse(
        agreement_document(project, agreement),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = content_disposition_header(True, agreement_filename(project, agreement)) or ""
    return response
