"""Demo step (order 40): the demand list of the first communities from every source, and surveys.

- The community worker `sq_worker`'s community: a hot issue (the category most of its recent appeals share, with
  those appeals linked), a published survey "问需于民" with about 30 residents' answers turned into a demand (the
  option most chose, with its count), a draft survey, a residents' council proposal (加装电梯), the member unit's own
  need entered by `unit_liaison` (双向需求征集), and staff entries at the community, its estates and buildings, with
  resource kinds and quantities the resources step (41) can match: funds in yuan, venue people, volunteer hours,
  services, equipment. Some are old (untouched 100+ days: stale on the quarter page), one is closed with a reason.
- `sq_worker2`'s community: a few staff entries and one unit need.

Titles follow the Macheng and Beijing texts (../shared/domain/sources/): 高层二次供水, 楼道照明, 老年助餐, 加装电梯,
停车难, 儿童托管, 适老化改造, 门禁安全. Writes go through the actions; only the times are moved back afterwards, as
the appeals step does.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appeals.queries import active_categories, recent_appeals
from gongzhi.core.models import Area, Grant, Role, Unit, User
from gongzhi.core.registry import DemoContext

from . import actions, phone_codes
from .actions.surveys import clean_answers, record_response
from .models import Demand, Survey, SurveyResponse
from .survey_results import option_respondents

STAFF_ENTRIES: list[dict[str, Any]] = [
    {"title": "高层二次供水改造", "level": "building", "category": "停水", "urgency": "urgent",
     "description": "高层住户反映18层以上水压不足，夏季用水高峰经常断水，需要改造二次供水设施（加压泵房、管网）。",
     "beneficiaries": "高层住户", "beneficiary_count": 234, "resource_kinds": ["funds", "service"],
     "cost_estimate": "2000000", "days": 20},
    {"title": "楼道照明改造", "level": "estate", "category": "楼道照明", "urgency": "high",
     "description": "多个单元楼道声控灯损坏，老人夜间上下楼不安全，需要更换节能感应灯，并请志愿者协助排查。",
     "beneficiaries": "小区老年居民", "beneficiary_count": 120, "resource_kinds": ["funds", "volunteer_hours"],
     "cost_estimate": "8000", "need_quantity": 40, "days": 12},
    {"title": "老年助餐点", "level": "community", "category": "居家养老", "urgency": "high",
     "description": "社区独居和高龄老人吃饭难，希望在社区内设一处助餐点，每天供应午餐。",
     "beneficiaries": "独居、高龄老人", "beneficiary_count": 60, "resource_kinds": ["venue", "service"],
     "cost_estimate": "30000", "days": 30},
    {"title": "儿童暑期托管", "level": "community", "category": None, "urgency": "normal",
     "description": "双职工家庭暑期孩子无人照看，希望开设暑期托管班，需要场地和志愿者辅导作业。",
     "beneficiaries": "小学生", "beneficiary_count": 35, "resource_kinds": ["venue", "volunteer_hours"],
     "need_quantity": 120, "days": 8},
    {"title": "适老化改造", "level": "estate", "category": "改造进度", "urgency": "normal",
     "description": "为行动不便的老人家中加装扶手、防滑地垫和紧急呼叫器。",
     "beneficiaries": "失能、半失能老人", "beneficiary_count": 20, "resource_kinds": ["funds", "equipment"],
     "cost_estimate": "50000", "need_quantity": 20, "days": 40},
    {"title": "单元门禁安全", "level": "building", "category": "物业服务", "urgency": "normal",
     "description": "单元门禁损坏，外来人员随意进出，需要更换门禁设备。",
     "beneficiaries": "本楼住户", "beneficiary_count": 96, "resource_kinds": ["equipment"], "need_quantity": 6,
     "days": 130, "old": True},
    {"title": "小区停车难", "level": "estate", "category": "乱停车", "urgency": "low",
     "description": "小区车位不足，晚上车辆停满消防通道，希望协调周边单位错时共享停车位。",
     "beneficiaries": "有车住户", "beneficiary_count": 150, "resource_kinds": ["venue"], "days": 160,
     "old": True},
    {"title": "楼道清洁", "level": "building", "category": "物业服务", "urgency": "low",
     "description": "楼道堆放杂物、卫生差，希望组织志愿者定期清理。",
     "beneficiaries": "本楼住户", "beneficiary_count": 80, "resource_kinds": ["volunteer_hours"], "need_quantity": 24,
     "days": 110, "old": True},
]

SECOND_COMMUNITY: list[dict[str, Any]] = [
    {"title": "社区卫生服务进楼院", "level": "community", "category": "就医问题", "urgency": "normal",
     "description": "老人看病不便，希望医院定期到社区义诊、测血压血糖。",
     "beneficiaries": "老年居民", "beneficiary_count": 200, "resource_kinds": ["service"], "need_quantity": 12,
     "days": 25},
    {"title": "加装电梯", "level": "estate", "category": "加装电梯", "urgency": "high",
     "description": "老旧多层住宅没有电梯，高层老人出行困难，需要资金支持加装电梯。",
     "beneficiaries": "多层住宅老人", "beneficiary_count": 48, "resource_kinds": ["funds"],
     "cost_estimate": "600000", "days": 105, "old": True},
]

SURVEY_TITLE = "2026年冬季问需于民：您最希望社区先办哪件事"
SURVEY_QUESTIONS: list[tuple[str, str, list[str], bool]] = [
    ("single", "您的年龄段", ["18-40岁", "41-60岁", "60岁以上"], True),
    ("multiple", "您最关心哪些问题（可多选）", ["楼道照明", "老年助餐", "停车难", "儿童托管", "加装电梯"], True),
    ("priority", "社区应先做哪件事", ["高层二次供水改造", "加装电梯", "老年助餐点", "儿童暑期托管"], True),
    ("text", "您还有什么建议", [], False),
]
TEXT_ANSWERS = [
    "楼道灯坏了很久，晚上看不见台阶", "楼道灯坏了，老人上下楼危险", "楼道声控灯不亮，希望尽快修", "希望增加停车位",
    "小区停车位太少，晚上回来没地方停", "希望社区有老年食堂", "老人吃饭不方便，希望有助餐点", "",
    "暑假孩子没人看", "", "高层水压太小，洗澡都困难", "",
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _community_of(user: User | None) -> Area | None:
    grant = Grant.objects.filter(user=user).select_related("area").order_by("pk").first() if user else None
    if grant is None:
        return None
    area = grant.area
    return area if area.level == Area.Level.COMMUNITY else area.ancestor_of_level(Area.Level.COMMUNITY)


def _place(community: Area, level: str, rng: random.Random) -> Area:
    if level == "community":
        return community
    places = list(Area.objects.filter(level=level, path__startswith=community.path).order_by("path")[:20])
    return rng.choice(places) if places else community


def _age(demand: Demand, days: int) -> None:
    """Move a demand's creation (and last change) back `days` days."""
    at = timezone.now() - timedelta(days=days, minutes=random.Random(demand.pk).randint(0, 600))
    Demand.objects.filter(pk=demand.pk).update(created_at=at, updated_at=at)


def _staff_entries(worker: User, community: Area, specs: list[dict[str, Any]], rng: random.Random,
                   categories: dict[str, Any]) -> list[Demand]:
    made = []
    for spec in specs:
        category = categories.get(spec["category"]) if spec["category"] else None
        demand = actions.do_create_demand(
            acting_user=worker, title=spec["title"], area=_place(community, spec["level"], rng),
            description=spec["description"], category=category, beneficiaries=spec["beneficiaries"],
            beneficiary_count=spec["beneficiary_count"], urgency=spec["urgency"],
            resource_kinds=spec["resource_kinds"], cost_estimate=spec.get("cost_estimate"),
            need_quantity=spec.get("need_quantity"),
        )
        _age(demand, spec["days"])
        made.append(demand)
    return made


def _hot_issue(worker: User, community: Area, categories: dict[str, Any]) -> Demand | None:
    """The category most of the community's recent appeals share, as a hot issue turned into a demand."""
    appeals = [a for a in recent_appeals(worker, since=timezone.now() - timedelta(days=90), area=community, limit=400)
               if a.category_id]
    counts = Counter(a.category_id for a in appeals)
    if not counts:
        return None
    category_id, _n = counts.most_common(1)[0]
    members = sorted((a for a in appeals if a.category_id == category_id), key=lambda a: a.created_at)[-8:]
    first = members[-1]
    residents = len({a.callback_phone or a.pk for a in members})
    demand = actions.do_create_demand(
        acting_user=worker, title=f"{first.title}（集中反映）"[:200], area=community, source=Demand.Source.HOT_ISSUE,
        source_ref=first.title, appeal_ids=[a.pk for a in members], category=category_id,
        description=f"近90天{len(members)}件诉求反映同一问题：{first.title}。", beneficiaries="反映问题的居民及周边住户",
        beneficiary_count=residents, urgency="high", resource_kinds=["service"],
    )
    return demand


def _survey(worker: User, community: Area, rng: random.Random, responses: int) -> Survey:
    survey = actions.do_create_survey(acting_user=worker, area=community, title=SURVEY_TITLE,
                                      intro="为了把钱花在居民最需要的地方，请用两分钟告诉我们您的需求。每个手机号填写一次。")
    for kind, text, options, required in SURVEY_QUESTIONS:
        actions.do_add_question(survey, acting_user=worker, kind=kind, text=text, options=options, required=required)
    actions.do_publish_survey(survey, acting_user=worker)
    questions = list(survey.questions.prefetch_related("options").order_by("order"))
    weights = {"楼道照明": 5, "老年助餐": 4, "停车难": 3, "儿童托管": 2, "加装电梯": 2,
               "高层二次供水改造": 5, "老年助餐点": 3, "儿童暑期托管": 1}
    for i in range(responses):
        answers: dict[int, Any] = {}
        for question in questions:
            choices = list(question.options.all())
            if question.kind == "single":
                answers[question.pk] = [rng.choice(choices).pk]
            elif question.kind == "multiple":
                picked = [o for o in choices if rng.random() < weights.get(o.text, 1) / 7]
                answers[question.pk] = [o.pk for o in (picked or choices[:1])]
            elif question.kind == "priority":
                order = sorted(choices, key=lambda o: -weights.get(o.text, 1) * rng.random())
                answers[question.pk] = [o.pk for o in order[: rng.randint(1, 3)]]
            else:
                answers[question.pk] = TEXT_ANSWERS[i % len(TEXT_ANSWERS)]
        phone = f"139{rng.randrange(10**8):08d}"
        response = record_response(survey, phone_codes.phone_hash(phone), clean_answers(survey, answers))
        SurveyResponse.objects.filter(pk=response.pk).update(
            created_at=timezone.now() - timedelta(days=rng.randint(1, 14), minutes=rng.randint(0, 900)))
    return survey


def _survey_demand(worker: User, survey: Survey, community: Area, categories: dict[str, Any]) -> Demand:
    """The option of the multiple-choice question most residents chose, as a demand with their count."""
    question = survey.questions.get(kind="multiple")
    best = max(question.options.all(), key=lambda o: (option_respondents(survey, o.pk), -o.pk))
    count = option_respondents(survey, best.pk)
    return actions.do_create_demand(
        acting_user=worker, title=f"{best.text}问题（问卷）", area=community, source=Demand.Source.SURVEY,
        source_survey=survey, source_ref=survey.title, category=categories.get(best.text),
        description=f"在问卷《{survey.title}》中，有{count}位居民在“{question.text}”一题选择了“{best.text}”。",
        beneficiaries="填写问卷的居民", beneficiary_count=count, urgency="high",
        resource_kinds=["funds", "volunteer_hours"], cost_estimate="12000", need_quantity=30,
    )


def _liaison_need(community: Area, days: int) -> Demand | None:
    liaison = _user("unit_liaison")
    grant = Grant.objects.filter(user=liaison, role=Role.UNIT_LIAISON).select_related("unit").first() \
        if liaison else None
    if liaison is None or grant is None or grant.unit is None:
        return None
    demand = actions.do_create_demand(
        acting_user=liaison, title="单位职工子女暑期托管场地", area=community, source=Demand.Source.UNIT,
        source_unit=grant.unit, description="本单位一线职工暑期加班多，希望借用社区活动室开设职工子女托管班，单位出志愿者。",
        beneficiaries="单位职工子女", beneficiary_count=25, urgency="normal", resource_kinds=["venue"],
    )
    _age(demand, days)
    return demand


def _other_unit_need(worker: User, community: Area) -> Demand | None:
    unit = Unit.objects.filter(registrations__community=community).exclude(kind=Unit.Kind.DEPARTMENT) \
        .order_by("pk").first()
    if unit is None:
        return None
    return actions.do_create_demand(
        acting_user=worker, title="单位团建活动场地", area=community, source=Demand.Source.UNIT, source_unit=unit,
        description="单位希望借用社区场地开展党员志愿服务日活动。", beneficiaries="单位党员", beneficiary_count=40,
        urgency="low", resource_kinds=["venue"],
    )


def build_demo_demands(ctx: DemoContext) -> dict[str, int]:
    rng = random.Random(ctx.seed + 40)
    worker, worker2 = _user("sq_worker"), _user("sq_worker2")
    community, community2 = _community_of(worker), _community_of(worker2)
    counts: Counter[str] = Counter()
    if worker is None or community is None:
        return {}
    categories = {c.name: c for c in active_categories() if c.level == 3}
    hot = _hot_issue(worker, community, categories)
    counts["hot_issue"] += hot is not None
    entries = _staff_entries(worker, community, STAFF_ENTRIES, rng, categories)
    counts["manual"] += len(entries)
    survey = _survey(worker, community, rng, responses=30)
    counts["survey_responses"] += survey.responses.count()
    _survey_demand(worker, survey, community, categories)
    counts["survey"] += 1
    council = actions.do_create_demand(
        acting_user=worker, title="老旧楼加装电梯", area=_place(community, "estate", rng), source=Demand.Source.COUNCIL,
        source_ref="2026年第三季度居民议事会：加装电梯议题（全体通过）",
        description="居民议事会讨论通过：为6层老楼加装电梯，业主分摊一部分，申请驻区单位和专项资金支持。",
        category=categories.get("加装电梯"), beneficiaries="老楼住户", beneficiary_count=72, urgency="high",
        resource_kinds=["funds", "service"], cost_estimate="450000",
    )
    counts["council"] += 1
    _age(council, 45)
    counts["unit"] += _liaison_need(community, 15) is not None
    draft = actions.do_create_survey(acting_user=worker, area=community, title="社区儿童托管需求调查（草稿）",
                                     intro="了解寒假托管需求，确定开班时间和人数。")
    actions.do_add_question(draft, acting_user=worker, kind="single", text="您家孩子寒假是否需要托管",
                            options=["需要", "不需要", "看情况"])
    actions.do_add_question(draft, acting_user=worker, kind="multiple", text="希望托管时段",
                            options=["上午", "下午", "全天"])
    closed = entries[-1]  # 楼道清洁: the property company took it on
    actions.do_close_demand(closed, acting_user=worker, reason="物业公司已纳入日常保洁，每周清理两次")
    counts["closed"] += 1
    if worker2 is not None and community2 is not None:
        counts["manual"] += len(_staff_entries(worker2, community2, SECOND_COMMUNITY, rng, categories))
        counts["unit"] += _other_unit_need(worker2, community2) is not None
    counts["demands"] = Demand.objects.count()
    ctx.say(_("Demand list: %(demands)d demands; a survey with %(answers)d answers.")
            % {"demands": counts["demands"], "answers": counts["survey_responses"]})
    return dict(counts)
