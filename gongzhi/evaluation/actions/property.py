"""Property companies (物业履约评价) and the estates' profiles (三率): every write of the property part.

Each function is one transaction with a policy check (`gongzhi.evaluation.permissions`) and an audit row
("evaluation.contract.*", "evaluation.inspection.*", "evaluation.grade.*", "evaluation.rectification.*",
"evaluation.estate_profile.update", named in reg_property.py). System jobs (the overdue check, the demo's fixed rows)
pass acting_user=None. Photos are decoded and written again (`gongzhi.lib.images`) before the transaction opens.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event, snapshot
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Area, AuditEvent, Role, Unit, User
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import MANAGE_ROLES
from gongzhi.core.policy import covers, users_with_roles_at
from gongzhi.lib.images import reencode_image
from gongzhi.lib.validators import clean_text as _text
from gongzhi.lists.queries import survey_area_id

from .. import grading, permissions
from ..models import (
    EstateProfile,
    Inspection,
    InspectionPhoto,
    InspectionScore,
    PropertyContract,
    PropertyGrade,
    RectificationNotice,
    ServiceItem,
)

CONTRACT_FIELDS = ["estate", "company", "starts_on", "ends_on", "note"]
GRADE_FIELDS = ["year", "quarter", "survey_id", "inspection_score", "satisfaction_score", "appeals_score", "score",
                "level"]
NOTICE_FIELDS = ["status", "deadline", "items", "reply", "closing_note"]
PROFILE_FIELDS = ["owners_committee", "management_committee", "party_instructor"]
MAX_ITEMS = 20
MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_NOTICE_DAYS = 180
OVERDUE_VERB = "evaluation.rectification.overdue"

# The items offered when a contract is created (保洁 / 秩序维护 / 绿化养护 / 维修养护 / 共用设施设备 / 投诉处理), their
# points adding up to 100.
DEFAULT_ITEMS: list[dict[str, Any]] = [
    {"kind": "cleaning", "name": "保洁", "points": 20,
     "standard": "公共区域每日清扫，楼道、电梯轿厢每日保洁；垃圾日产日清，分类投放点整洁无异味。"},
    {"kind": "security", "name": "秩序维护（安保）", "points": 20,
     "standard": "出入口 24 小时值守，外来人员和车辆登记；每日巡逻不少于 4 次并记录；消防通道畅通无占用。"},
    {"kind": "greening", "name": "绿化养护", "points": 15,
     "standard": "绿地按季修剪、浇灌、施肥，无大面积枯死和黄土裸露，病虫害及时防治。"},
    {"kind": "repairs", "name": "维修养护", "points": 15,
     "standard": "报修 30 分钟内响应，一般维修 24 小时内完成；房屋共用部位每月巡查并记录。"},
    {"kind": "facilities", "name": "共用设施设备", "points": 15,
     "standard": "电梯、消防、供水、照明等设施设备按规定维保，运行正常，维保记录齐全。"},
    {"kind": "complaints", "name": "投诉处理", "points": 15,
     "standard": "投诉 24 小时内回复，处理结果回访；投诉台账按月整理，可查可追溯。"},
]


# --- helpers ---------------------------------------------------------------------------------------------------


def _require_estate(estate: Area | None) -> Area:
    if estate is None or estate.level != Area.Level.ESTATE:
        raise ActionError(_("Please choose the estate."), field="estate")
    return estate


def _require_manage_property(user: User | None, estate: Area) -> None:
    if user is not None and not permissions.area_policy.can(user, "manage_property", estate):
        raise PermissionDenied(_("Only the community's workers over this estate may do this."))


def community_of(estate: Area) -> Area | None:
    return estate.ancestor_of_level(Area.Level.COMMUNITY)


def community_workers(estate: Area) -> list[User]:
    """Whom the community side of a notice tells: the community workers over the estate."""
    return list(users_with_roles_at({Role.COMMUNITY_WORKER}, estate))


def company_liaisons(company: Unit) -> list[User]:
    return list(User.objects.filter(is_active=True, grants__role=Role.UNIT_LIAISON, grants__unit=company).distinct())


def _in_force_q(day: date) -> Q:
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


def _clean_items(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    if not items:
        raise ActionError(_("A contract needs at least one service item with its standard."), field="items")
    if len(items) > MAX_ITEMS:
        raise ActionError(_("A contract has at most %(n)d service items.") % {"n": MAX_ITEMS}, field="items")
    cleaned: list[dict[str, Any]] = []
    names: set[str] = set()
    for i, raw in enumerate(items):
        name = _text(raw.get("name"), field="items", limit=100,
                     empty=_("Please name service item %(n)d.") % {"n": i + 1})
        if name in names:
            raise ActionError(_("The service item %(name)s is listed twice.") % {"name": name}, field="items")
        names.add(name)
        kind = str(raw.get("kind") or ServiceItem.Kind.OTHER)
        if kind not in ServiceItem.Kind.values:
            raise ActionError(_("Unknown kind of service item: %(kind)s.") % {"kind": kind}, field="items")
        standard = _text(raw.get("standard"), field="items", limit=2000,
                         empty=_("Please write the standard of %(name)s.") % {"name": name})
        try:
            points = int(raw.get("points"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            points = 0
        if not 1 <= points <= 100:
            raise ActionError(_("The points of %(name)s must be a whole number from 1 to 100.") % {"name": name},
                              field="items")
        item_id = raw.get("id")
        cleaned.append({"id": int(item_id) if item_id else None, "kind": kind, "name": name, "standard": standard,
                        "points": points, "order": i})
    return cleaned


def _clean_dates(starts_on: date | None, ends_on: date | None) -> tuple[date, date | None]:
    if starts_on is None:
        raise ActionError(_("Please enter when the contract starts."), field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise ActionError(_("A contract cannot end before it starts."), field="ends_on")
    return starts_on, ends_on


def _refuse_overlap(estate: Area, starts_on: date, ends_on: date | None, *, exclude: int | None = None) -> None:
    qs = PropertyContract.objects.filter(estate=estate).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if ends_on is not None:
        qs = qs.filter(starts_on__lte=ends_on)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    other = qs.select_related("company").first()
    if other is not None:
        raise ActionError(_("This estate already has a contract with %(company)s over those dates (from %(start)s). "
                            "End that contract first.") % {"company": other.company.name,
                                                           "start": other.starts_on.isoformat()},
                          field="starts_on")


def _require_company(company: Unit | None) -> Unit:
    if company is None or company.kind != Unit.Kind.PROPERTY_COMPANY:
        raise ActionError(_("Please choose a property management company."), field="company")
    return company


# --- contracts -----------------------------------------------------------------------------------------------


def default_items() -> list[dict[str, Any]]:
    return [dict(item) for item in DEFAULT_ITEMS]


@transaction.atomic
def do_create_contract(*, acting_user: User | None, estate: Area, company: Unit, starts_on: date,
                       ends_on: date | None = None, note: str = "",
                       items: Sequence[dict[str, Any]] | None = None) -> PropertyContract:
    """An estate's contract with a property company and its service items (the default set when none are given)."""
    estate = _require_estate(estate)
    _require_manage_property(acting_user, estate)
    company = _require_company(company)
    starts_on, ends_on = _clean_dates(starts_on, ends_on)
    note = _text(note, field="note", limit=300)
    cleaned = _clean_items(default_items() if items is None else items)
    Area.objects.select_for_update().filter(pk=estate.pk).first()  # one contract at a time per estate
    _refuse_overlap(estate, starts_on, ends_on)
    contract = PropertyContract.objects.create(estate=estate, company=company, starts_on=starts_on, ends_on=ends_on,
                                               note=note, created_by=acting_user)
    ServiceItem.objects.bulk_create([ServiceItem(contract=contract, kind=i["kind"], name=i["name"],
                                                 standard=i["standard"], points=i["points"], order=i["order"])
                                     for i in cleaned])
    log_event(acting_user, "evaluation.contract.create", contract, area=estate,
              after={**snapshot(contract, CONTRACT_FIELDS), "items": [i["name"] for i in cleaned]})
    return contract


def _lock_contract(contract: PropertyContract) -> PropertyContract:
    return PropertyContract.objects.select_for_update(of=("self",)).select_related("estate", "company").get(
        pk=contract.pk)


def _items_snapshot(contract: PropertyContract) -> list[dict[str, Any]]:
    return [{"name": i.name, "points": i.points, "standard": i.standard} for i in contract.items.order_by("order", "id")]


@transaction.atomic
def do_update_contract(contract: PropertyContract, *, acting_user: User | None, company: Unit | None = None,
                       starts_on: date | None = None, ends_on: date | None | bool = False, note: str | None = None,
                       items: Sequence[dict[str, Any]] | None = None) -> PropertyContract:
    """Change a contract (`ends_on=False`: keep it) and, when `items` is given, its service items: rows with an
    "id" are changed, rows without one added, the others removed — an item already scored in an inspection cannot
    be removed."""
    contract = _lock_contract(contract)
    permissions.contract_policy.require(acting_user, "manage", contract,
                                        _("Only the community's workers over this estate may do this."))
    before = {**snapshot(contract, CONTRACT_FIELDS), "items": _items_snapshot(contract)}
    new_company = _require_company(company) if company is not None else contract.company
    new_start, new_end = _clean_dates(contract.starts_on if starts_on is None else starts_on,
                                      contract.ends_on if ends_on is False else ends_on)  # type: ignore[arg-type]
    _refuse_overlap(contract.estate, new_start, new_end, exclude=contract.pk)
    if new_company.pk != contract.company_id and contract.inspections.exists():
        raise ActionError(_("This contract has inspections: record a new contract for the new company instead."),
                          field="company")
    contract.company, contract.starts_on, contract.ends_on = new_company, new_start, new_end
    if note is not None:
        contract.note = _text(note, field="note", limit=300)
    contract.save(update_fields=["company", "starts_on", "ends_on", "note"])
    if items is not None:
        _replace_items(contract, _clean_items(items))
    log_event(acting_user, "evaluation.contract.update", contract, area=contract.estate, before=before,
              after={**snapshot(contract, CONTRACT_FIELDS), "items": _items_snapshot(contract)})
    return contract


def _replace_items(contract: PropertyContract, cleaned: list[dict[str, Any]]) -> None:
    existing = {i.pk: i for i in contract.items.all()}
    keep = {i["id"] for i in cleaned if i["id"] is not None}
    unknown = keep - set(existing)
    if unknown:
        raise ActionError(_("A service item does not belong to this contract."), field="items")
    removed = [existing[pk] for pk in set(existing) - keep]
    scored = set(InspectionScore.objects.filter(item__in=removed).values_list("item_id", flat=True))
    if scored:
        names = "、".join(existing[pk].name for pk in sorted(scored))
        raise ActionError(_("%(names)s already carries inspection scores and cannot be removed; change its standard "
                            "instead.") % {"names": names}, field="items")
    ServiceItem.objects.filter(pk__in=[i.pk for i in removed]).delete()
    for row in cleaned:
        if row["id"] is not None:
            item = existing[row["id"]]
            item.kind, item.name, item.standard, item.points, item.order = (row["kind"], row["name"], row["standard"],
                                                                           row["points"], row["order"])
            item.save(update_fields=["kind", "name", "standard", "points", "order"])
        else:
            ServiceItem.objects.create(contract=contract, kind=row["kind"], name=row["name"],
                                       standard=row["standard"], points=row["points"], order=row["order"])


# --- inspections ---------------------------------------------------------------------------------------------


class CheckedPhoto(ContentFile[bytes]):
    """A re-encoded photo, named by us (a random name with the type we wrote)."""

    def __init__(self, content: bytes, extension: str) -> None:
        super().__init__(content, name=f"{uuid4().hex}.{extension}")


def validate_photos(photos: Sequence[Any]) -> list[CheckedPhoto]:
    """Count, size and type checked, each decoded and written again by Pillow (`lib.images`: no EXIF, only JPEG,
    PNG or WebP). Call it before the transaction opens: decoding is slow."""
    if len(photos) > MAX_PHOTOS:
        raise ActionError(_("You can attach at most %(max)d photos.") % {"max": MAX_PHOTOS}, field="photos")
    checked: list[CheckedPhoto] = []
    for photo in photos:
        if isinstance(photo, CheckedPhoto):
            checked.append(photo)
            continue
        name = Path(str(getattr(photo, "name", "") or "")).name[:80] or _("photo")
        if (getattr(photo, "size", 0) or 0) > MAX_PHOTO_BYTES:
            raise ActionError(_("The photo %(name)s is larger than 5 MB.") % {"name": name}, field="photos")
        clean = reencode_image(photo, name=name, max_pixels=settings.IMAGE_MAX_PIXELS)
        checked.append(CheckedPhoto(clean.content, clean.extension))
    return checked


def inspector_kinds(user: User | None, contract: PropertyContract) -> list[str]:
    """Who the user inspects for: the community's workers for the community or the estate's party branch (and on
    the owners' committee's behalf); the owners' committee's liaison only for the owners' committee."""
    if user is None or covers(user, contract.estate, MANAGE_ROLES):
        return list(Inspection.By.values)
    if contract.estate_id in permissions.owners_committee_estate_ids(user):
        return [Inspection.By.OWNERS]
    return []


def _score(value: Any, item: ServiceItem) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        score = Decimal(-1)
    if value is None or str(value).strip() == "" or not score.is_finite() or not 0 <= score <= item.points:
        raise ActionError(_("Please give %(name)s a score from 0 to %(points)d.") % {"name": item.name,
                                                                                   "points": item.points},
                          field=f"score_{item.pk}")
    if score != score.quantize(Decimal("0.1")):
        raise ActionError(_("Scores take at most one decimal: %(name)s.") % {"name": item.name},
                          field=f"score_{item.pk}")
    return score


def do_record_inspection(contract: PropertyContract, *, acting_user: User | None, inspected_on: date | None,
                         by: str, scores: dict[int, tuple[Any, str]], note: str = "",
                         photos: Sequence[Any] = ()) -> Inspection:
    """An inspection of the contract's service items: a score from 0 to the item's points for every item (a remark
    saying what fell short wherever points are taken off), a note and up to five photos; its percent score (of the
    items' full points) is kept on it."""
    checked = validate_photos(photos)  # outside the transaction
    return _record_inspection(contract, acting_user=acting_user, inspected_on=inspected_on, by=by, scores=scores,
                              note=note, photos=checked)


@transaction.atomic
def _record_inspection(contract: PropertyContract, *, acting_user: User | None, inspected_on: date | None, by: str,
                       scores: dict[int, tuple[Any, str]], note: str, photos: list[CheckedPhoto]) -> Inspection:
    contract = _lock_contract(contract)
    permissions.contract_policy.require(acting_user, "inspect", contract,
                                        _("Only the community, the estate's party branch and its owners' committee "
                                          "inspect this contract."))
    if by not in inspector_kinds(acting_user, contract):
        raise ActionError(_("Please choose who inspects: the owners' committee's liaison inspects for the owners' "
                            "committee."), field="by")
    today = timezone.localdate()
    if inspected_on is None:
        raise ActionError(_("Please enter the day of the inspection."), field="inspected_on")
    if inspected_on > today:
        raise ActionError(_("An inspection cannot be dated in the future."), field="inspected_on")
    if inspected_on < contract.starts_on or (contract.ends_on is not None and inspected_on > contract.ends_on):
        raise ActionError(_("The contract is not in force on that day (%(start)s to %(end)s).") % {
            "start": contract.starts_on.isoformat(), "end": contract.ends_on.isoformat() if contract.ends_on else "—"},
            field="inspected_on")
    items = list(contract.items.order_by("order", "id"))
    if not items:
        raise ActionError(_("This contract has no service items to score."), field="items")
    rows: list[tuple[ServiceItem, Decimal, str]] = []
    for item in items:
        value, remark = scores.get(item.pk, (None, ""))
        score = _score(value, item)
        remark = _text(remark, field=f"remark_{item.pk}", limit=300)
        if score < item.points and not remark:
            raise ActionError(_("Please say what fell short of the standard for %(name)s.") % {"name": item.name},
                              field=f"remark_{item.pk}")
        rows.append((item, score, remark))
    extra = set(scores) - {i.pk for i in items}
    if extra:
        raise ActionError(_("A score is for an item that is not on this contract."), field="scores")
    full = sum(i.points for i in items)
    percent = (sum((s for _i, s, _r in rows), Decimal(0)) * 100 / full).quantize(Decimal("0.01"))
    inspection = Inspection.objects.create(contract=contract, inspected_on=inspected_on, by=by,
                                           inspector=acting_user, note=_text(note, field="note", limit=2000),
                                           score=percent)
    InspectionScore.objects.bulk_create([InspectionScore(inspection=inspection, item=item, score=score, remark=remark)
                                         for item, score, remark in rows])
    for photo in photos:
        InspectionPhoto.objects.create(inspection=inspection, image=photo)
    log_event(acting_user, "evaluation.inspection.record", inspection, area=contract.estate,
              after={"inspected_on": inspected_on.isoformat(), "by": by, "score": str(percent),
                     "scores": {item.name: str(score) for item, score, _r in rows}, "photos": len(photos)})
    return inspection


# --- grades ----------------------------------------------------------------------------------------------------


def _check_quarter(year: Any, quarter: Any) -> tuple[int, int]:
    try:
        year, quarter = int(year), int(quarter)
    except (TypeError, ValueError):
        raise ActionError(_("Please choose the quarter."), field="quarter") from None
    if not 1 <= quarter <= 4 or not 2000 <= year <= 2100:
        raise ActionError(_("Please choose the quarter."), field="quarter")
    start, _end = grading.quarter_bounds(year, quarter)
    if start > timezone.localdate():
        raise ActionError(_("That quarter has not started yet."), field="quarter")
    return year, quarter


@transaction.atomic
def do_compute_grade(contract: PropertyContract, year: int, quarter: int, survey_id: int | None,
                     acting_user: User | None) -> PropertyGrade:
    """The contract's grade for the quarter from its inspections, the residents' survey (when chosen) and the
    estate's property appeals; computing again replaces the quarter's grade (one per quarter)."""
    contract = _lock_contract(contract)
    permissions.contract_policy.require(acting_user, "manage", contract,
                                        _("Only the community's workers over this estate may do this."))
    year, quarter = _check_quarter(year, quarter)
    if survey_id:
        community = community_of(contract.estate)
        if community is None or survey_area_id(int(survey_id)) != community.pk:
            raise ActionError(_("Choose a survey of the estate's community."), field="survey_id")
    inputs = grading.gather(contract, year, quarter, int(survey_id) if survey_id else None)
    combined = inputs.pop("combined")
    if combined is None:
        raise ActionError(_("Nothing to grade in that quarter: record an inspection, choose a residents' survey with "
                            "answers, or wait for property appeals to be followed up."), field="quarter")
    values = {"survey_id": int(survey_id) if survey_id else None,
              "inspection_score": inputs.pop("inspection_score"),
              "satisfaction_score": inputs.pop("satisfaction_score"),
              "appeals_score": inputs.pop("appeals_score"), "score": combined.score, "level": combined.level,
              "details": inputs, "computed_at": timezone.now(), "computed_by": acting_user}
    grade = PropertyGrade.objects.filter(contract=contract, year=year, quarter=quarter).first()
    before = snapshot(grade, GRADE_FIELDS) if grade is not None else None
    if grade is None:
        grade = PropertyGrade.objects.create(contract=contract, year=year, quarter=quarter, **values)
    else:
        for key, value in values.items():
            setattr(grade, key, value)
        grade.save(update_fields=list(values))
    log_event(acting_user, "evaluation.grade.compute", grade, area=contract.estate, before=before,
              after=snapshot(grade, GRADE_FIELDS))
    notify(company_liaisons(contract.company), "evaluation.grade.compute",
           _("%(estate)s, %(quarter)s: the property service scored %(score)s (%(level)s).") % {
               "estate": contract.estate.name, "quarter": grading.quarter_label(year, quarter),
               "score": grade.score, "level": grade.get_level_display()},
           reverse("evaluation:property_grade", args=[grade.pk]))
    return grade


# --- rectification notices (整改通知) ---------------------------------------------------------------------------


def _clean_notice_items(items: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    cleaned = []
    for raw in items:
        item = str(raw.get("item") or "").strip()
        requirement = str(raw.get("requirement") or "").strip()
        if not item and not requirement:
            continue
        if not item:
            raise ActionError(_("Please say which service item each requirement is about."), field="items")
        if not requirement:
            raise ActionError(_("Please say what must be fixed for %(item)s.") % {"item": item}, field="items")
        if len(item) > 100 or len(requirement) > 1000:
            raise ActionError(_("Too long: at most %(limit)d characters.") % {"limit": 1000}, field="items")
        cleaned.append({"item": item, "requirement": requirement})
    if not cleaned:
        raise ActionError(_("Please list at least one item to fix and what must be done."), field="items")
    if len(cleaned) > MAX_ITEMS:
        raise ActionError(_("A notice lists at most %(n)d items.") % {"n": MAX_ITEMS}, field="items")
    return cleaned


@transaction.atomic
def do_issue_rectification(grade: PropertyGrade, *, acting_user: User | None, items: Iterable[dict[str, Any]],
                           deadline: date | None) -> RectificationNotice:
    """The community tells the company what to fix (which service items, what must be done) by a deadline; the
    company's liaisons are notified. One notice per grade at a time."""
    grade = PropertyGrade.objects.select_for_update(of=("self",)).select_related(
        "contract", "contract__estate", "contract__company").get(pk=grade.pk)
    permissions.grade_policy.require(acting_user, "rectify", grade,
                                     _("Only the community's workers over this estate may do this."))
    cleaned = _clean_notice_items(items)
    today = timezone.localdate()
    if deadline is None:
        raise ActionError(_("Please set the deadline for the rectification."), field="deadline")
    if deadline <= today:
        raise ActionError(_("The deadline must be after today."), field="deadline")
    if deadline > today + timedelta(days=MAX_NOTICE_DAYS):
        raise ActionError(_("The deadline can be at most %(n)d days away.") % {"n": MAX_NOTICE_DAYS},
                          field="deadline")
    if RectificationNotice.objects.filter(grade=grade).exclude(status=RectificationNotice.Status.CLOSED).exists():
        raise InvalidTransition(_("A rectification notice for this grade is still open."))
    contract = grade.contract
    notice = RectificationNotice.objects.create(contract=contract, grade=grade, items=cleaned, deadline=deadline,
                                                issued_by=acting_user)
    log_event(acting_user, "evaluation.rectification.issue", notice, area=contract.estate,
              after=snapshot(notice, NOTICE_FIELDS))
    notify(company_liaisons(contract.company), "evaluation.rectification.issue",
           _("Rectification notice for %(estate)s: %(n)d items to fix by %(deadline)s.") % {
               "estate": contract.estate.name, "n": len(cleaned), "deadline": deadline.isoformat()},
           reverse("evaluation:property_notice", args=[notice.pk]))
    return notice


def _lock_notice(notice: RectificationNotice) -> RectificationNotice:
    return RectificationNotice.objects.select_for_update(of=("self",)).select_related(
        "contract", "contract__estate", "contract__company", "issued_by").get(pk=notice.pk)


@transaction.atomic
def do_reply_rectification(notice: RectificationNotice, *, acting_user: User | None, reply: str
                           ) -> RectificationNotice:
    """The company's liaison reports what was done; the community is told."""
    notice = _lock_notice(notice)
    if notice.status != RectificationNotice.Status.OPEN:
        raise InvalidTransition(_("This notice is not waiting for the company's reply."))
    permissions.rectification_policy.require(acting_user, "reply", notice,
                                             _("Only the property company's liaison replies to this notice."))
    reply = _text(reply, field="reply", limit=2000, empty=_("Please describe what was done for each item."))
    before = snapshot(notice, NOTICE_FIELDS)
    notice.status, notice.reply = RectificationNotice.Status.REPLIED, reply
    notice.replied_by, notice.replied_at = acting_user, timezone.now()
    notice.save(update_fields=["status", "reply", "replied_by", "replied_at"])
    log_event(acting_user, "evaluation.rectification.reply", notice, area=notice.contract.estate, before=before,
              after=snapshot(notice, NOTICE_FIELDS))
    people = community_workers(notice.contract.estate)
    if notice.issued_by is not None:
        people.append(notice.issued_by)
    notify(people, "evaluation.rectification.reply",
           _("%(company)s reported the rectification at %(estate)s done: please check and close it.") % {
               "company": notice.contract.company.name, "estate": notice.contract.estate.name},
           reverse("evaluation:property_notice", args=[notice.pk]))
    return notice


@transaction.atomic
def do_close_rectification(notice: RectificationNotice, *, acting_user: User | None, accept: bool = True,
                           note: str = "") -> RectificationNotice:
    """The community closes the notice (the rectification is done), or sends a reply back open with a note saying
    what is still missing; the company's liaisons are told either way."""
    notice = _lock_notice(notice)
    if notice.status == RectificationNotice.Status.CLOSED:
        raise InvalidTransition(_("This notice is already closed."))
    permissions.rectification_policy.require(acting_user, "close", notice,
                                             _("Only the community's workers over this estate may do this."))
    note = _text(note, field="note", limit=2000)
    before = snapshot(notice, NOTICE_FIELDS)
    if accept:
        notice.status, notice.closing_note = RectificationNotice.Status.CLOSED, note
        notice.closed_by, notice.closed_at = acting_user, timezone.now()
        notice.save(update_fields=["status", "closing_note", "closed_by", "closed_at"])
        verb, text = "evaluation.rectification.close", _("The rectification notice for %(estate)s is closed.")
    else:
        if notice.status != RectificationNotice.Status.REPLIED:
            raise InvalidTransition(_("Only a reply can be sent back; this notice is still waiting for one."))
        if not note:
            raise ActionError(_("Please say what is still missing."), field="note")
        notice.status, notice.closing_note = RectificationNotice.Status.OPEN, note
        notice.save(update_fields=["status", "closing_note"])
        verb, text = "evaluation.rectification.reopen", _(
            "The community sent the rectification at %(estate)s back: it is not done yet.")
    log_event(acting_user, verb, notice, area=notice.contract.estate, before=before,
              after=snapshot(notice, NOTICE_FIELDS))
    notify(company_liaisons(notice.contract.company), verb, text % {"estate": notice.contract.estate.name},
           reverse("evaluation:property_notice", args=[notice.pk]))
    return notice


def do_flag_overdue_rectifications(today: date | None = None) -> int:
    """The scheduled check: each notice past its deadline and not closed is flagged once (an audit row) and the
    community's workers over the estate are told. Returns how many were flagged."""
    today = today or timezone.localdate()
    overdue = list(RectificationNotice.objects.filter(deadline__lt=today).exclude(
        status=RectificationNotice.Status.CLOSED).select_related("contract", "contract__estate",
                                                                  "contract__company")[:500])
    if not overdue:
        return 0
    flagged = set(AuditEvent.objects.filter(verb=OVERDUE_VERB, object_type=RectificationNotice._meta.label_lower,
                                            object_id__in=[str(n.pk) for n in overdue])
                  .values_list("object_id", flat=True))
    count = 0
    for notice in overdue:
        if str(notice.pk) in flagged:
            continue
        with transaction.atomic():
            # Two workers may run the check at once: the notice's row lock serializes them, and the second finds
            # the first one's audit row and tells no one again.
            RectificationNotice.objects.select_for_update().filter(pk=notice.pk).first()
            if AuditEvent.objects.filter(verb=OVERDUE_VERB, object_type=RectificationNotice._meta.label_lower,
                                         object_id=str(notice.pk)).exists():
                continue
            log_event(None, OVERDUE_VERB, notice, area=notice.contract.estate,
                      after={"deadline": notice.deadline.isoformat(), "status": notice.status})
            notify(community_workers(notice.contract.estate), OVERDUE_VERB,
                   _("The rectification notice for %(company)s at %(estate)s is past its deadline (%(deadline)s).") % {
                       "company": notice.contract.company.name, "estate": notice.contract.estate.name,
                       "deadline": notice.deadline.isoformat()},
                   reverse("evaluation:property_notice", args=[notice.pk]))
        count += 1
    return count


# --- estate profiles (三率) -------------------------------------------------------------------------------------


@transaction.atomic
def do_update_estate_profile(estate: Area, *, acting_user: User | None, owners_committee: Unit | None,
                             management_committee: bool, party_instructor: str = "") -> EstateProfile:
    """What an estate has: its owners' committee (a unit of that kind), whether a property management committee
    (物管会) is formed, its party-building instructor (党建指导员)."""
    estate = _require_estate(estate)
    _require_manage_property(acting_user, estate)
    if owners_committee is not None and owners_committee.kind != Unit.Kind.OWNERS_COMMITTEE:
        raise ActionError(_("Please choose an owners' committee."), field="owners_committee")
    instructor = _text(party_instructor, field="party_instructor", limit=50)
    profile, _created = EstateProfile.objects.select_for_update().get_or_create(estate=estate)
    before = snapshot(profile, PROFILE_FIELDS)
    profile.owners_committee, profile.management_committee = owners_committee, bool(management_committee)
    profile.party_instructor, profile.updated_at, profile.updated_by = instructor, timezone.now(), acting_user
    profile.save(update_fields=[*PROFILE_FIELDS, "updated_at", "updated_by"])
    log_event(acting_user, "evaluation.estate_profile.update", profile, area=estate, before=before,
              after=snapshot(profile, PROFILE_FIELDS))
    return profile
