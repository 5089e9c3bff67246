"""The property part of the evaluation API (/api/evaluation/). Every call goes through the same actions as the pages.
Errors: 400 refused or a state that does not allow it (a Chinese message), 403 not allowed, 404 out of scope.

- contracts: list (the ones the user sees, by estate), create (with the default service items when none are given),
  get, update (dates, note and the items);
- inspections: list a contract's, record one (multipart: the scores as JSON, photos);
- grades: compute a quarter's, list; the company ranking of a quarter;
- rectification notices: issue (on a grade), list, get, reply (the company), close or send back (the community);
- coverage (三率) of an area; an estate's profile, get and update.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from annotated_types import Interval
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.core.api_schemas import Id, OneOf
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, Unit

from .. import coverage, grading, permissions
from .. import queries_property as queries
from ..actions import property as actions
from ..models import (
    EstateProfile,
    Inspection,
    PropertyContract,
    PropertyGrade,
    RectificationNotice,
    ServiceItem,
)
from ..views.coverage import get_coverage_area_for_user
from ..views.property import get_estate_for_user

router = Router()
Year = Annotated[int, Interval(ge=2000, le=2100)]
Quarter = Annotated[int, Interval(ge=1, le=4)]
MANAGE = queries.MANAGE_MESSAGE


class EvaluationServiceItemIn(Schema):
    id: Id | None = Field(None, description="修改已有项目时填其 id；不填为新增")
    kind: Annotated[str, OneOf(ServiceItem.Kind)] = "other"
    name: str = Field(..., max_length=100, description="如 保洁、秩序维护（安保）、绿化养护")
    standard: str = Field(..., max_length=2000)
    points: int = Field(..., ge=1, le=100, description="该项目在一次检查中的分值")


class EvaluationServiceItemOut(Schema):
    id: int
    kind: str
    name: str
    standard: str
    points: int


class EvaluationContractIn(Schema):
    estate_id: Id
    company_id: Id = Field(..., description="物业服务企业（类别为 property_company 的单位）")
    starts_on: date
    ends_on: date | None = None
    note: str = Field("", max_length=300)
    items: list[EvaluationServiceItemIn] | None = Field(
        None, description="服务项目；不填则使用默认六项（保洁、秩序维护、绿化养护、维修养护、共用设施设备、投诉处理）")


class EvaluationContractPatch(Schema):
    company_id: Id | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    open_ended: bool = Field(False, description="改为长期合同（清除截止日期）")
    note: str | None = Field(None, max_length=300)
    items: list[EvaluationServiceItemIn] | None = Field(None, description="给出时整体替换：带 id 的修改，不带的新增，"
                                                                          "未列出的删除（已有检查评分的项目不能删除）")


class EvaluationContractOut(Schema):
    id: int
    estate_id: int
    estate_name: str
    company_id: int
    company_name: str
    starts_on: date
    ends_on: date | None
    note: str
    in_force: bool
    items: list[EvaluationServiceItemOut]


class EvaluationScoreIn(Schema):
    item_id: Id
    score: Decimal = Field(..., ge=0, le=100)
    remark: str = Field("", max_length=300)


class EvaluationScoreOut(Schema):
    item_id: int
    item_name: str
    points: int
    score: Decimal
    remark: str


class EvaluationInspectionOut(Schema):
    id: int
    contract_id: int
    inspected_on: date
    by: str
    inspector_id: int | None
    note: str
    score: Decimal = Field(..., description="百分制得分（各项得分之和 / 满分）")
    scores: list[EvaluationScoreOut]
    photo_urls: list[str]


class EvaluationGradeIn(Schema):
    year: Year
    quarter: Quarter
    survey_id: Id | None = Field(None, description="居民满意度问卷（三张清单的问卷，取其第一个单选题）")


class EvaluationGradeOut(Schema):
    id: int
    contract_id: int
    estate_id: int
    estate_name: str
    company_id: int
    company_name: str
    year: int
    quarter: int
    survey_id: int | None
    inspection_score: Decimal | None
    satisfaction_score: Decimal | None
    appeals_score: Decimal | None
    score: Decimal
    level: str
    below_threshold: bool
    details: dict[str, Any]
    computed_at: datetime


class EvaluationRankingRowOut(Schema):
    rank: int
    company_id: int
    company_name: str
    mean: Decimal
    estates: int
    lowest_estate_id: int
    lowest_estate_name: str
    lowest_score: Decimal
    below_threshold: int


class EvaluationRankingOut(Schema):
    year: int | None
    quarter: int | None
    threshold: int
    rows: list[EvaluationRankingRowOut]


class EvaluationNoticeItem(Schema):
    item: str = Field(..., max_length=100, description="服务项目")
    requirement: str = Field(..., max_length=1000, description="整改要求")


class EvaluationNoticeIn(Schema):
    items: list[EvaluationNoticeItem] = Field(..., min_length=1, max_length=actions.MAX_ITEMS)
    deadline: date


class EvaluationNoticeOut(Schema):
    id: int
    contract_id: int
    estate_id: int
    estate_name: str
    company_id: int
    company_name: str
    grade_id: int | None
    items: list[EvaluationNoticeItem]
    deadline: date
    status: str
    overdue: bool
    issued_at: datetime
    reply: str
    replied_at: datetime | None
    closing_note: str
    closed_at: datetime | None


class EvaluationReplyIn(Schema):
    reply: str = Field(..., max_length=2000)


class EvaluationCloseIn(Schema):
    accept: bool = Field(True, description="true：整改到位，销号；false：退回继续整改（须填 note）")
    note: str = Field("", max_length=2000)


class EvaluationCoverageFigureOut(Schema):
    key: str
    label: str
    count: int
    rate: float | None = Field(..., description="百分比，一位小数；无小区时为空")


class EvaluationCoverageEstateOut(Schema):
    estate_id: int
    estate_name: str
    committee: bool
    service: bool
    party: bool
    lacks: list[str]


class EvaluationCoverageChildOut(Schema):
    area_id: int
    area_name: str
    estates: int
    figures: list[EvaluationCoverageFigureOut]


class EvaluationCoverageOut(Schema):
    area_id: int
    area_name: str
    level: str
    estates: int
    figures: list[EvaluationCoverageFigureOut]
    children: list[EvaluationCoverageChildOut]
    estate_rows: list[EvaluationCoverageEstateOut]


class EvaluationEstateProfileOut(Schema):
    estate_id: int
    owners_committee_id: int | None
    owners_committee_name: str
    management_committee: bool
    party_instructor: str


class EvaluationEstateProfileIn(Schema):
    owners_committee_id: Id | None = Field(None, description="业主委员会（类别为 owners_committee 的单位）；空为无")
    management_committee: bool = False
    party_instructor: str = Field("", max_length=50)


# --- helpers ---------------------------------------------------------------------------------------------------


def _contract_out(c: PropertyContract) -> dict[str, Any]:
    today = timezone.localdate()
    return {"id": c.pk, "estate_id": c.estate_id, "estate_name": c.estate.name, "company_id": c.company_id,
            "company_name": c.company.name, "starts_on": c.starts_on, "ends_on": c.ends_on, "note": c.note,
            "in_force": c.starts_on <= today and (c.ends_on is None or c.ends_on >= today),
            "items": [{"id": i.pk, "kind": i.kind, "name": i.name, "standard": i.standard, "points": i.points}
                      for i in c.items.order_by("order", "id")]}


def _inspection_out(i: Inspection) -> dict[str, Any]:
    from django.urls import reverse

    return {"id": i.pk, "contract_id": i.contract_id, "inspected_on": i.inspected_on, "by": i.by,
            "inspector_id": i.inspector_id, "note": i.note, "score": i.score,
            "scores": [{"item_id": s.item_id, "item_name": s.item.name, "points": s.item.points, "score": s.score,
                        "remark": s.remark} for s in i.scores.select_related("item").order_by("item__order", "id")],
            "photo_urls": [reverse("evaluation:property_inspection_photo", args=[p.pk]) for p in i.photos.all()]}


def _grade_out(g: PropertyGrade) -> dict[str, Any]:
    c = g.contract
    return {"id": g.pk, "contract_id": c.pk, "estate_id": c.estate_id, "estate_name": c.estate.name,
            "company_id": c.company_id, "company_name": c.company.name, "year": g.year, "quarter": g.quarter,
            "survey_id": g.survey_id, "inspection_score": g.inspection_score,
            "satisfaction_score": g.satisfaction_score, "appeals_score": g.appeals_score, "score": g.score,
            "level": g.level, "below_threshold": grading.below_threshold(g.score), "details": g.details or {},
            "computed_at": g.computed_at}


def _notice_out(n: RectificationNotice) -> dict[str, Any]:
    c = n.contract
    return {"id": n.pk, "contract_id": c.pk, "estate_id": c.estate_id, "estate_name": c.estate.name,
            "company_id": c.company_id, "company_name": c.company.name, "grade_id": n.grade_id, "items": n.items,
            "deadline": n.deadline, "status": n.status, "overdue": n.overdue, "issued_at": n.issued_at,
            "reply": n.reply, "replied_at": n.replied_at, "closing_note": n.closing_note, "closed_at": n.closed_at}


def _items(payload: list[EvaluationServiceItemIn] | None) -> list[dict[str, Any]] | None:
    return None if payload is None else [i.dict() for i in payload]


def _company(company_id: int) -> Unit:
    company = Unit.objects.filter(pk=company_id, kind=Unit.Kind.PROPERTY_COMPANY).first()
    if company is None:
        raise ActionError(_("Please choose a property management company."), field="company_id")
    return company


def _contract(request: HttpRequest, contract_id: int, action: str = "") -> PropertyContract:
    return queries.contract_for(request.user, contract_id, action)


# --- contracts -------------------------------------------------------------------------------------------------


@router.get("/property/contracts", response=list[EvaluationContractOut], summary="物业服务合同（可按小区、关键词筛选）")
def list_contracts(request: HttpRequest, estate_id: Id | None = None, q: str = "") -> list[dict[str, Any]]:
    qs = queries.contract_list(request.user, q=q[:50]).prefetch_related("items")
    if estate_id is not None:
        qs = qs.filter(estate_id=estate_id)
    return [_contract_out(c) for c in qs[:300]]


@router.post("/property/contracts", response={201: EvaluationContractOut},
             summary="登记小区物业服务合同及服务项目（社区工作者及以上）")
def create_contract(request: HttpRequest, payload: EvaluationContractIn) -> Status:
    estate = get_estate_for_user(request.user, payload.estate_id)
    if not permissions.area_policy.can(request.user, "manage_property", estate):
        raise PermissionDenied(_(MANAGE))
    contract = actions.do_create_contract(acting_user=request.user, estate=estate,  # type: ignore[arg-type]
                                          company=_company(payload.company_id), starts_on=payload.starts_on,
                                          ends_on=payload.ends_on, note=payload.note, items=_items(payload.items))
    return Status(201, _contract_out(contract))


@router.get("/property/contracts/{contract_id}", response=EvaluationContractOut, summary="一份物业服务合同")
def get_contract(request: HttpRequest, contract_id: Id) -> dict[str, Any]:
    return _contract_out(_contract(request, contract_id))


@router.patch("/property/contracts/{contract_id}", response=EvaluationContractOut,
              summary="修改合同：物业企业、期限、备注、服务项目")
def update_contract(request: HttpRequest, contract_id: Id, payload: EvaluationContractPatch) -> dict[str, Any]:
    contract = _contract(request, contract_id, "manage")
    ends_on: Any = None if payload.open_ended else (payload.ends_on if payload.ends_on is not None else False)
    contract = actions.do_update_contract(
        contract, acting_user=request.user,  # type: ignore[arg-type]
        company=_company(payload.company_id) if payload.company_id else None, starts_on=payload.starts_on,
        ends_on=ends_on, note=payload.note, items=_items(payload.items))
    return _contract_out(contract)


# --- inspections -----------------------------------------------------------------------------------------------


@router.get("/property/contracts/{contract_id}/inspections", response=list[EvaluationInspectionOut],
            summary="合同的检查记录（最近 100 次）")
def list_inspections(request: HttpRequest, contract_id: Id) -> list[dict[str, Any]]:
    contract = _contract(request, contract_id)
    return [_inspection_out(i) for i in contract.inspections.prefetch_related("photos").order_by(
        "-inspected_on", "-id")[:100]]


@router.post("/property/contracts/{contract_id}/inspections", response={201: EvaluationInspectionOut},
             summary="录入一次检查（multipart 表单：inspected_on、by、scores 为 JSON 数组 "
                     "[{item_id, score, remark}]、note，最多 5 张 JPEG/PNG/WebP 照片 photos，每张不超过 5 MB）")
def record_inspection(request: HttpRequest, contract_id: Id, inspected_on: date = Form(...),  # noqa: B008
                      by: str = Form(..., description="community、branch 或 owners"),  # noqa: B008
                      scores: str = Form(..., description='JSON：[{"item_id": 1, "score": 18, "remark": "…"}]'),  # noqa: B008
                      note: str = Form(""),  # noqa: B008
                      photos: list[UploadedFile] = File(None)) -> Status:  # noqa: B008
    contract = _contract(request, contract_id, "inspect")
    try:
        rows = [EvaluationScoreIn(**row) for row in json.loads(scores)]
    except (ValueError, TypeError) as exc:
        raise ActionError(_("The scores must be a JSON list of item_id, score and remark."), field="scores") from exc
    values = {int(r.item_id): (r.score, r.remark) for r in rows}
    inspection = actions.do_record_inspection(contract, acting_user=request.user,  # type: ignore[arg-type]
                                              inspected_on=inspected_on, by=by, scores=values, note=note,
                                              photos=photos or [])
    return Status(201, _inspection_out(inspection))


# --- grades and the ranking ------------------------------------------------------------------------------------


@router.post("/property/contracts/{contract_id}/grades", response={201: EvaluationGradeOut},
             summary="计算季度评价（同一季度重新计算则替换）")
def compute_grade(request: HttpRequest, contract_id: Id, payload: EvaluationGradeIn) -> Status:
    contract = _contract(request, contract_id, "manage")
    grade = actions.do_compute_grade(contract, payload.year, payload.quarter, payload.survey_id,
                                     request.user)  # type: ignore[arg-type]
    return Status(201, _grade_out(grade))


@router.get("/property/grades", response=list[EvaluationGradeOut], summary="季度评价（可按年度、季度、合同、小区筛选）")
def list_grades(request: HttpRequest, year: Year | None = None, quarter: Quarter | None = None,
                contract_id: Id | None = None, estate_id: Id | None = None) -> list[dict[str, Any]]:
    qs = permissions.visible_to(request.user, PropertyGrade).select_related("contract__estate", "contract__company")
    if year is not None:
        qs = qs.filter(year=year)
    if quarter is not None:
        qs = qs.filter(quarter=quarter)
    if contract_id is not None:
        qs = qs.filter(contract_id=contract_id)
    if estate_id is not None:
        qs = qs.filter(contract__estate_id=estate_id)
    return [_grade_out(g) for g in qs.order_by("-year", "-quarter", "-score", "id")[:500]]


@router.get("/property/grades/{grade_id}", response=EvaluationGradeOut, summary="一个季度评价及其计算依据")
def get_grade(request: HttpRequest, grade_id: Id) -> dict[str, Any]:
    return _grade_out(permissions.get_grade_for_user(request.user, grade_id))


@router.get("/property/ranking", response=EvaluationRankingOut,
            summary="物业企业排名：某季度各企业所服务小区的平均分（默认最近有评价的季度）")
def ranking(request: HttpRequest, year: Year | None = None, quarter: Quarter | None = None) -> dict[str, Any]:
    if year is None or quarter is None:
        quarters = queries.graded_quarters(request.user)
        year, quarter = quarters[0] if quarters else (None, None)
    rows = queries.ranking(request.user, year, quarter) if year and quarter else []
    return {"year": year, "quarter": quarter, "threshold": int(grading.threshold()),
            "rows": [{"rank": r.rank, "company_id": r.company.pk, "company_name": r.company.name, "mean": r.mean,
                      "estates": r.estates, "lowest_estate_id": r.lowest_estate.pk,
                      "lowest_estate_name": r.lowest_estate.name, "lowest_score": r.lowest_score,
                      "below_threshold": r.below_threshold} for r in rows]}


# --- rectification notices ---------------------------------------------------------------------------------------


@router.post("/property/grades/{grade_id}/rectifications", response={201: EvaluationNoticeOut},
             summary="下发整改通知（整改事项、期限），通知物业企业联络员")
def issue_rectification(request: HttpRequest, grade_id: Id, payload: EvaluationNoticeIn) -> Status:
    grade = permissions.get_grade_for_user(request.user, grade_id)
    permissions.require(request.user, "rectify", grade, _(MANAGE))
    notice = actions.do_issue_rectification(grade, acting_user=request.user,  # type: ignore[arg-type]
                                            items=[i.dict() for i in payload.items], deadline=payload.deadline)
    return Status(201, _notice_out(notice))


@router.get("/property/rectifications", response=list[EvaluationNoticeOut],
            summary="整改通知（超期、整改中在前；status 可为 open、replied、closed、overdue、active）")
def list_rectifications(request: HttpRequest, status: Annotated[str, OneOf(
        ["", "open", "replied", "closed", "overdue", "active"])] = "") -> list[dict[str, Any]]:
    return [_notice_out(n) for n in queries.notice_list(request.user, status=status)[:300]]


@router.get("/property/rectifications/{notice_id}", response=EvaluationNoticeOut, summary="一份整改通知")
def get_rectification(request: HttpRequest, notice_id: Id) -> dict[str, Any]:
    return _notice_out(permissions.get_rectification_for_user(request.user, notice_id))


@router.post("/property/rectifications/{notice_id}/reply", response=EvaluationNoticeOut,
             summary="物业企业联络员回复整改情况")
def reply_rectification(request: HttpRequest, notice_id: Id, payload: EvaluationReplyIn) -> dict[str, Any]:
    notice = permissions.get_rectification_for_user(request.user, notice_id)
    notice = actions.do_reply_rectification(notice, acting_user=request.user,  # type: ignore[arg-type]
                                            reply=payload.reply)
    return _notice_out(notice)


@router.post("/property/rectifications/{notice_id}/close", response=EvaluationNoticeOut,
             summary="社区复查：销号，或退回继续整改（accept=false，须填 note）")
def close_rectification(request: HttpRequest, notice_id: Id, payload: EvaluationCloseIn) -> dict[str, Any]:
    notice = permissions.get_rectification_for_user(request.user, notice_id)
    notice = actions.do_close_rectification(notice, acting_user=request.user,  # type: ignore[arg-type]
                                            accept=payload.accept, note=payload.note)
    return _notice_out(notice)


# --- coverage and estate profiles -----------------------------------------------------------------------------


def _figures(rates: coverage.Rates) -> list[dict[str, Any]]:
    return [{"key": f["key"], "label": str(f["label"]), "count": f["count"], "rate": f["rate"]}
            for f in rates.figures()]


@router.get("/coverage/{area_id}", response=EvaluationCoverageOut,
            summary="三率：业委会/物管会组建率、物业服务覆盖率、党组织和工作覆盖率（社区、街道、区、全市）")
def area_coverage(request: HttpRequest, area_id: Id) -> dict[str, Any]:
    area = get_coverage_area_for_user(request.user, area_id)
    total, children = coverage.area_coverage(area)
    return {"area_id": area.pk, "area_name": area.name, "level": area.level, "estates": total.estates,
            "figures": _figures(total),
            "children": [{"area_id": c.area.pk, "area_name": c.area.name, "estates": c.estates,
                          "figures": _figures(c)} for c in children],
            "estate_rows": [{"estate_id": r.estate.pk, "estate_name": r.estate.name, "committee": r.committee,
                             "service": r.service, "party": r.party, "lacks": [str(x) for x in r.lacks]}
                            for r in total.rows]}


def _profile_out(estate: Area) -> dict[str, Any]:
    profile = EstateProfile.objects.filter(estate=estate).select_related("owners_committee").first()
    return {"estate_id": estate.pk,
            "owners_committee_id": profile.owners_committee_id if profile else None,
            "owners_committee_name": profile.owners_committee.name if profile and profile.owners_committee else "",
            "management_committee": profile.management_committee if profile else False,
            "party_instructor": profile.party_instructor if profile else ""}


def _profile_estate(request: HttpRequest, estate_id: int) -> Area:
    estate = Area.objects.filter(pk=estate_id, level=Area.Level.ESTATE).first()
    if estate is None or not permissions.covers(request.user, estate, permissions.STAFF_ROLES):
        raise Http404(_("Not found, or outside your area."))
    return estate


@router.get("/estates/{estate_id}/profile", response=EvaluationEstateProfileOut,
            summary="小区基本情况：业委会、物管会、党建指导员")
def get_estate_profile(request: HttpRequest, estate_id: Id) -> dict[str, Any]:
    return _profile_out(_profile_estate(request, estate_id))


@router.put("/estates/{estate_id}/profile", response=EvaluationEstateProfileOut,
            summary="修改小区基本情况（社区工作者及以上）")
def update_estate_profile(request: HttpRequest, estate_id: Id, payload: EvaluationEstateProfileIn) -> dict[str, Any]:
    estate = _profile_estate(request, estate_id)
    owners = get_object_or_404(Unit, pk=payload.owners_committee_id) if payload.owners_committee_id else None
    actions.do_update_estate_profile(estate, acting_user=request.user,  # type: ignore[arg-type]
                                     owners_committee=owners, management_committee=payload.management_committee,
                                     party_instructor=payload.party_instructor)
    return _profile_out(estate)
