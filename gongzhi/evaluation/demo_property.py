"""Demo step of the property part (order 73, "evaluation.property"):

- property contracts for the demo's eight property companies at estates across 锦华街道, 春熙街道 and 望江街道 (the
  `unit_liaison` account's company at three estates of 锦华社区), each with the default six service items; about a
  quarter of the estates have no contract, one an expired one;
- inspections over the last two quarters at 锦华街道 (this quarter elsewhere; the community's, the estate branch's, one by an owners' committee), each
  item scored with remarks where points were taken off, a few with photos drawn with Pillow;
- a residents' satisfaction survey at 锦华社区 (a lists survey, its first question 满意/基本满意/一般/不满意) answered
  by 24 residents, used in this quarter's grades there;
- last quarter's and this quarter's grades for every contract with inspections: one estate of the liaison's company
  below the threshold (70) with a rectification notice open, waiting for the liaison's reply; another company's
  notice of last quarter replied and closed;
- estate profiles: owners' committees (the demo's units named after estates), property management committees and
  party-building instructors, so the coverage rates are neither 0 nor 100 % (the party figure is high: the core demo
  gives every estate a party branch).

Writes go through the actions (as `sq_worker` at 锦华社区, as the system elsewhere); deterministic from ctx.seed.
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from gongzhi.core.models import Area, Grant, Role, Unit, User

from . import grading
from .actions import property as actions
from .models import PropertyContract, PropertyGrade

SUBDISTRICTS = ("锦华街道", "春熙街道", "望江街道")
# How well each company keeps its contracts (the mean share of each item's points it earns), by its order.
QUALITY = (0.90, 0.84, 0.83, 0.93, 0.81, 0.86, 0.88, 0.82)
REMARKS = {
    "cleaning": ["3号楼楼道有堆物未清", "垃圾分类点周边有散落垃圾", "电梯轿厢地面有污渍"],
    "security": ["夜间巡逻记录缺两次", "外来车辆未登记即放行", "消防通道有车辆占用"],
    "greening": ["西侧草坪有黄土裸露", "绿篱未按时修剪", "两株行道树枯死未补种"],
    "repairs": ["报修超过24小时未上门", "单元门禁损坏一周未修", "屋面渗水处理不及时"],
    "facilities": ["2号电梯维保记录缺本月", "地下车库照明多处不亮", "二次供水水箱清洗记录过期"],
    "complaints": ["投诉回访记录不全", "噪音投诉超过24小时未回复", "投诉台账未按月整理"],
}
SURVEY_TITLE = "小区物业服务满意度调查"
SURVEY_OPTIONS = ["满意", "基本满意", "一般", "不满意"]
INSTRUCTORS = ["陈建华", "刘秀兰", "王志强", "赵丽娟", "孙国平", "周晓燕"]


def _photo(rng: random.Random, label: int) -> SimpleUploadedFile:
    image = Image.new("RGB", (480, 360), (rng.randint(150, 210), rng.randint(150, 210), rng.randint(140, 200)))
    draw = ImageDraw.Draw(image)
    for _n in range(6):
        x, y = rng.randint(0, 400), rng.randint(0, 300)
        draw.rectangle((x, y, x + rng.randint(30, 80), y + rng.randint(20, 60)),
                       fill=(rng.randint(60, 120), rng.randint(60, 120), rng.randint(60, 120)))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return SimpleUploadedFile(f"inspection-{label}.jpg", out.getvalue(), content_type="image/jpeg")


def _scores(contract: PropertyContract, quality: float, rng: random.Random) -> dict[int, tuple[Any, str]]:
    scores: dict[int, tuple[Any, str]] = {}
    for item in contract.items.all():
        share = min(1.0, max(0.3, rng.gauss(quality, 0.07)))
        score = round(item.points * share * 2) / 2
        remark = "" if score >= item.points else rng.choice(REMARKS.get(item.kind, ["未达到服务标准"]))
        scores[item.pk] = (score, remark)
    return scores


def _inspection_days(year: int, quarter: int, today: date, rng: random.Random, count: int) -> list[date]:
    start, end = grading.quarter_bounds(year, quarter)
    end = min(end, today)
    span = (end - start).days
    if span < 0:
        return []
    return sorted({start + timedelta(days=rng.randint(0, span)) for _n in range(count)})


def _survey(worker: User | None, community: Area, rng: random.Random) -> int | None:
    from gongzhi.lists import actions as lists_actions
    from gongzhi.lists import phone_codes
    from gongzhi.lists.actions.surveys import clean_answers, record_response

    try:
        survey = lists_actions.do_create_survey(acting_user=worker, area=community, title=SURVEY_TITLE,
                                                intro="请为本季度小区物业服务打分，每个手机号填写一次。")
        lists_actions.do_add_question(survey, acting_user=worker, kind="single", text="您对本小区物业服务总体满意吗",
                                      options=SURVEY_OPTIONS, required=True)
        lists_actions.do_add_question(survey, acting_user=worker, kind="text", text="您对物业服务还有什么意见",
                                      options=[], required=False)
        lists_actions.do_publish_survey(survey, acting_user=worker)
    except Exception:  # noqa: BLE001 - the lists' survey rules changed: grade without the survey
        return None
    questions = list(survey.questions.prefetch_related("options").order_by("order"))
    weights = (9, 8, 4, 3)
    for i in range(24):
        answers: dict[int, Any] = {}
        for question in questions:
            if question.kind == "single":
                options = list(question.options.order_by("order", "id"))
                answers[question.pk] = [rng.choices(options, weights=weights)[0].pk]
            else:
                answers[question.pk] = ["保洁及时，希望夜间巡逻再多一些", "", "电梯维修响应慢"][i % 3]
        phone = f"137{rng.randrange(10**8):08d}"
        record_response(survey, phone_codes.phone_hash(phone), clean_answers(survey, answers))
    return survey.pk


def build(ctx: Any) -> dict[str, int]:
    rng = random.Random(ctx.seed * 73 + 1)
    today = timezone.localdate()
    worker = User.objects.filter(username="sq_worker").first()
    liaison_grant = Grant.objects.filter(user__username="unit_liaison", role=Role.UNIT_LIAISON).select_related(
        "unit", "area").first()
    subdistricts = list(Area.objects.filter(level=Area.Level.SUBDISTRICT, name__in=SUBDISTRICTS).order_by("path"))
    if worker is None or liaison_grant is None or liaison_grant.unit is None or not subdistricts:
        return {}
    home = liaison_grant.area if liaison_grant.area.level == Area.Level.COMMUNITY else (
        liaison_grant.area.ancestor_of_level(Area.Level.COMMUNITY))
    companies = list(Unit.objects.filter(kind=Unit.Kind.PROPERTY_COMPANY).order_by("pk"))
    own = liaison_grant.unit
    others = [c for c in companies if c.pk != own.pk]
    if home is None or not others:
        return {}

    estates: list[Area] = []
    for sub in subdistricts:
        estates += list(Area.objects.filter(level=Area.Level.ESTATE, path__startswith=sub.path).order_by("path"))
    home_estates = [e for e in estates if e.path.startswith(home.path)]
    rest = [e for e in estates if not e.path.startswith(home.path)]

    # Contracts: the liaison's company at three estates of its community, the others spread across the rest; about
    # a quarter of the estates without property service (one with a contract that ended last year).
    plan: list[tuple[Area, Unit, float]] = [(e, own, q) for e, q in zip(home_estates[:3], (0.91, 0.87, 0.62),
                                                                          strict=False)]
    near = subdistricts[0].path
    for i, estate in enumerate(home_estates[3:4] + rest):
        if rng.random() < (0.2 if estate.path.startswith(near) else 0.7):
            continue
        company = others[i % len(others)]
        plan.append((estate, company, QUALITY[companies.index(company) % len(QUALITY)]))
    contracts: list[tuple[PropertyContract, float]] = []
    started = date(today.year - 2, 1, 1)
    for estate, company, quality in plan:
        by = worker if estate.path.startswith(home.path) else None
        contracts.append((actions.do_create_contract(
            acting_user=by, estate=estate, company=company, starts_on=started, ends_on=date(today.year + 1, 12, 31),
            note="物业服务合同（三年期），按季度考核履约情况"), quality))
    expired = next((e for e in rest if e not in {p[0] for p in plan}), None)
    if expired is not None:
        actions.do_create_contract(acting_user=None, estate=expired, company=others[-1],
                                   starts_on=date(today.year - 4, 1, 1), ends_on=date(today.year - 1, 6, 30),
                                   note="合同到期后业主大会未续聘，目前由社区临时托管")

    # Estate profiles: owners' committees named after their estates, property management committees where there is
    # none, party-building instructors at a few estates.
    owners = {u.name.removesuffix("业主委员会"): u for u in Unit.objects.filter(kind=Unit.Kind.OWNERS_COMMITTEE)}
    profiles = 0
    for i, estate in enumerate(estates):
        committee = owners.get(estate.name)
        managed = committee is None and rng.random() < 0.45
        instructor = INSTRUCTORS[i % len(INSTRUCTORS)] if rng.random() < 0.3 else ""
        if committee is None and not managed and not instructor:
            continue
        actions.do_update_estate_profile(estate, acting_user=None, owners_committee=committee,
                                         management_committee=managed, party_instructor=instructor)
        profiles += 1

    # Inspections over the last two quarters.
    this_q = grading.quarter_of(today)
    last_q = grading.previous_quarter(*this_q)
    inspections = photos = 0
    for n, (contract, quality) in enumerate(contracts):
        at_home = contract.estate.path.startswith(home.path)
        quarters = (last_q, this_q) if contract.estate.path.startswith(near) else (this_q,)
        for year, quarter in quarters:
            for k, day in enumerate(_inspection_days(year, quarter, today, rng, 2 if at_home else 1)):
                shots = [_photo(rng, n * 10 + k)] if at_home and k == 0 and photos < 6 else []
                actions.do_record_inspection(contract, acting_user=worker if at_home else None, inspected_on=day,
                                             by="community" if k == 0 else "branch", scores=_scores(contract, quality, rng),
                                             note="例行季度检查" if k == 0 else "小区党支部联合业委会抽查",
                                             photos=shots)
                inspections += 1
                photos += len(shots)

    survey_id = _survey(worker, home, rng)
    grades = 0
    low: PropertyGrade | None = None
    closed_source: PropertyGrade | None = None
    for contract, _quality in contracts:
        at_home = contract.estate.path.startswith(home.path)
        quarters = (last_q, this_q) if contract.estate.path.startswith(near) else (this_q,)
        for year, quarter in quarters:
            try:
                g = actions.do_compute_grade(contract, year, quarter,
                                             survey_id if at_home and (year, quarter) == this_q else None,
                                             worker if at_home else None)
            except actions.ActionError:
                continue  # no inspection yet this quarter
            grades += 1
            if at_home and contract.company_id == own.pk and (year, quarter) == this_q and (
                    low is None or g.score < low.score):
                low = g
            if not at_home and (year, quarter) == last_q and (closed_source is None or g.score < closed_source.score):
                closed_source = g

    notices = 0
    if low is not None and grading.below_threshold(low.score):
        actions.do_issue_rectification(low, acting_user=worker, deadline=today + timedelta(days=20), items=[
            {"item": "保洁", "requirement": "楼道、电梯轿厢每日清扫两次，清理3号楼楼道堆物，垃圾分类点每日冲洗"},
            {"item": "维修养护", "requirement": "积压报修一周内全部上门处理，报修30分钟内响应并建立回访台账"},
            {"item": "共用设施设备", "requirement": "补齐电梯本月维保记录，修复地下车库照明"},
        ])
        notices += 1
    if closed_source is not None:
        done = actions.do_issue_rectification(closed_source, acting_user=None, deadline=today + timedelta(days=5),
                                           items=[{"item": "秩序维护（安保）", "requirement": "夜间巡逻每两小时一次并记录，清理消防通道占用车辆"}])
        liaison = actions.company_liaisons(done.contract.company)
        actions.do_reply_rectification(done, acting_user=liaison[0] if liaison else None,
                                       reply="已增加夜班保安一名，巡逻记录每日上墙公示；消防通道设置隔离桩，占用车辆已全部清走。")
        actions.do_close_rectification(done, acting_user=None, note="社区会同业委会复查，巡逻记录完整，消防通道畅通，予以销号。")
        notices += 1
    ctx.say(f"物业履约评价：{len(contracts)}份合同，{inspections}次检查（{photos}张照片），{grades}个季度评价，"
            f"{notices}份整改通知；{profiles}个小区登记了业委会、物管会或党建指导员。")
    return {"contracts": len(contracts), "inspections": inspections, "grades": grades, "notices": notices,
            "profiles": profiles}
