"""Shared set-ups of the property tests (no tests here): a contract at each cast estate (the liaison's company at
estate A), an inspection, a grade, a notice, a survey with answers, property appeals followed up."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.core import actions as core_actions
from gongzhi.core.models import Unit
from gongzhi.evaluation import grading
from gongzhi.evaluation.actions import property as actions
from gongzhi.evaluation.models import Inspection, PropertyContract, PropertyGrade, RectificationNotice
from gongzhi.test import Cast

TODAY = timezone.localdate()
YEAR, QUARTER = grading.quarter_of(TODAY)


def company_b(cast: Cast) -> Unit:
    unit = Unit.objects.filter(name="安定物业服务有限公司").first()
    return unit or core_actions.do_create_unit(acting_user=None, area=cast.community_b, name="安定物业服务有限公司",
                                               kind=Unit.Kind.PROPERTY_COMPANY)


def contract(cast: Cast, *, estate: Any = None, company: Unit | None = None, items: Any = None) -> PropertyContract:
    estate = estate or cast.estate_a
    if company is None:
        company = cast.member_unit if estate == cast.estate_a else company_b(cast)
    return actions.do_create_contract(acting_user=None, estate=estate, company=company,
                                      starts_on=date(YEAR - 1, 1, 1), note="三年期物业服务合同", items=items)


def full_scores(c: PropertyContract, off: int = 0) -> dict[int, tuple[Any, str]]:
    """Every item at its full points, minus `off` points on each (with a remark)."""
    return {i.pk: (i.points - off, "楼道有垃圾未清" if off else "") for i in c.items.all()}


def inspect(cast: Cast, c: PropertyContract, *, off: int = 0, on: date | None = None, user: Any = None,
            photos: Any = ()) -> Inspection:
    return actions.do_record_inspection(c, acting_user=user, inspected_on=on or TODAY, by="community",
                                        scores=full_scores(c, off), note="", photos=photos)


def png(name: str = "photo.png", size: tuple[int, int] = (64, 48)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (40, 140, 60)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def grade(cast: Cast, c: PropertyContract, *, off: int = 10) -> PropertyGrade:
    """A grade for this quarter from one inspection (each item `off` points below its full points)."""
    inspect(cast, c, off=off)
    return actions.do_compute_grade(c, YEAR, QUARTER, None, None)


def notice(cast: Cast, c: PropertyContract, g: PropertyGrade | None = None) -> RectificationNotice:
    g = g or grade(cast, c)
    return actions.do_issue_rectification(g, acting_user=None, items=[{"item": "保洁", "requirement": "每日清扫楼道"}],
                                          deadline=TODAY + timedelta(days=14))


def survey(cast: Cast, answers: list[int], options: int = 3, community: Any = None) -> int:
    """A published survey at community A whose first single-choice question has `options` options; `answers` lists
    the option index each respondent chose."""
    from gongzhi.lists.models import Survey, SurveyAnswer, SurveyOption, SurveyQuestion, SurveyResponse

    s = Survey.objects.create(area=community or cast.community_a, title="物业服务满意度调查", token=f"t{Survey.objects.count()}",
                              status=Survey.Status.PUBLISHED)
    SurveyQuestion.objects.create(survey=s, order=0, kind=SurveyQuestion.Kind.TEXT, text="意见")
    q = SurveyQuestion.objects.create(survey=s, order=1, kind=SurveyQuestion.Kind.SINGLE, text="您对物业服务满意吗")
    opts = [SurveyOption.objects.create(question=q, order=i, text=f"选项{i}") for i in range(options)]
    for n, index in enumerate(answers):
        r = SurveyResponse.objects.create(survey=s, phone_hash=f"h{n}")
        SurveyAnswer.objects.create(response=r, question=q, option=opts[index])
    return s.pk


def property_cases(cast: Cast, *, contacted: int, solved: int, satisfied: int, total: int,
                   area: Any = None) -> None:
    """`total` cases at estate A's building in 物业管理 › 物业服务, followed up this quarter."""
    from gongzhi.appeals.models import Case, Category

    root, _ = Category.objects.get_or_create(name="物业管理", parent=None, defaults={"level": 1})
    leaf, _ = Category.objects.get_or_create(name="物业服务", parent=root, defaults={"level": 2})
    where = area or cast.building_a
    for i in range(total):
        Case.objects.create(title=f"物业问题{i}", category=leaf, area=where, area_path=where.path,
                            followed_up_at=timezone.now(), contacted=i < contacted, solved=i < solved,
                            satisfaction="satisfied" if i < satisfied else ("unsatisfied" if i < contacted else ""))


def percent(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
