"""Appeals history for the demo city: routing rules and a few months of cases in every state.

Built through the real actions (so timelines, audit rows and the three rates are genuine), then
each case's timestamps are moved back by a random number of days so the history spans months.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import models, transaction
from django.db.models import F

from gongzhi.core.models import Area, Unit
from gongzhi.core.registry import DemoContext

from . import actions
from .models import Appeal, Assignment, Case, CaseEvent, Category, FollowUp, Reply, RoutingRule, Whistle
from .routing import find_rule

# Second-level category → department (by the end of its name) that leads such cases.
ROUTES = {
    "市容环境": "综合行政执法局", "违法建设": "综合行政执法局", "占道经营": "综合行政执法局",
    "物业管理": "住房和城乡建设局", "房屋安全": "住房和城乡建设局", "老旧小区改造": "住房和城乡建设局",
    "供水": "水务局", "排水": "水务局", "供电": "供电公司",
    "道路设施": "交通运输局", "停车管理": "交通运输局", "公共交通": "交通运输局",
    "社会救助": "民政局", "养老服务": "民政局", "就业": "人力资源和社会保障局",
    "医疗服务": "卫生健康局", "公共卫生": "卫生健康局", "入学": "教育局", "校外培训": "教育局",
    "食品安全": "市场监督管理局", "消费维权": "市场监督管理局",
    "噪声污染": "生态环境局", "大气污染": "生态环境局", "水污染": "生态环境局",
    "社会治安": "政法委员会",
}

PROBLEMS = {
    "市容环境": ("{estate}门口垃圾堆积", "{estate}东门外的垃圾已经堆了三天没人清运，气味很大，请尽快处理。"),
    "占道经营": ("{estate}外流动摊贩占道", "每天傍晚{estate}外人行道被摊贩占满，老人孩子只能走机动车道。"),
    "物业管理": ("{building}电梯经常停运", "{estate}{building}电梯这个月坏了四次，物业维修很慢，楼上老人出行困难。"),
    "房屋安全": ("{building}外墙瓷砖脱落", "{estate}{building}外墙瓷砖掉落，差点砸到人，请安排检查维修。"),
    "供水": ("{estate}停水未通知", "今天早上{estate}突然停水，没有任何通知，请问什么时候恢复供水？"),
    "排水": ("{estate}雨后积水严重", "每次下雨{estate}主干道积水没过脚踝，下水道可能堵塞，请疏通。"),
    "供电": ("{building}楼道灯不亮", "{estate}{building}楼道灯坏了一个多月，晚上上下楼很危险。"),
    "道路设施": ("{estate}附近路面塌陷", "{estate}南侧道路出现坑洞，电动车经过很危险，请尽快修补。"),
    "停车管理": ("{estate}周边乱停车", "{estate}出入口经常被车辆堵住，消防通道也被占用，请加强管理。"),
    "养老服务": ("咨询社区老年助餐", "家里老人八十岁，想了解{estate}附近有没有老年助餐点，怎么申请？"),
    "就业": ("咨询灵活就业社保补贴", "我在{estate}居住，失业后打零工，想咨询灵活就业人员社保补贴怎么申请。"),
    "入学": ("孩子入学学区咨询", "我家住{estate}，孩子明年上小学，想咨询划片学校和报名时间。"),
    "食品安全": ("小区门口餐馆卫生差", "{estate}门口一家餐馆后厨卫生很差，污水直接排到路边。"),
    "噪声污染": ("夜间施工噪音扰民", "{estate}旁边工地晚上十一点以后还在施工，噪音很大，影响休息。"),
    "社会治安": ("{estate}电动车被盗", "最近{estate}连续发生电动车被盗，希望加强巡逻和监控。"),
}

# One hot issue for the demo's community worker (锦华社区): six residents of one estate report the same
# night-time building-site noise over the last six days; the cases wait for dispatch, so the hot-issue page,
# the duplicate offer on the dispatch screen and the category suggestion all have something real to show.
HOT_COMMUNITY = "锦华社区"
HOT_CLUSTER = (
    ("{estate}西侧工地夜间施工噪音扰民", "{estate}西侧工地每天晚上十一点以后还在打桩施工，噪音很大，老人孩子都睡不好，请尽快处理。"),
    ("工地半夜打桩噪音太大", "我住{estate}{building}，西侧工地半夜还在打桩施工，噪音扰民已经好几天了，希望有关部门管一管。"),
    ("{estate}旁边工地夜间施工", "{estate}西侧工地夜间施工噪音很大，晚上十一点后还在打桩，严重影响休息，请尽快处理。"),
    ("投诉{estate}西侧工地噪音", "{estate}西侧工地连续多个晚上施工打桩到凌晨，噪音扰民，请相关部门查处夜间施工。"),
    ("夜间施工噪音影响休息", "{estate}{building}住户反映：西侧工地夜间打桩施工噪音很大，已经持续一周，请尽快处理。"),
    # A neighbour sends the first message again, as residents do from a shared chat: the duplicate to merge.
    ("{estate}西侧工地夜间施工噪音扰民", "{estate}西侧工地每天晚上十一点以后还在打桩施工，噪音太大，老人孩子都睡不好，请尽快处理！"),
)

REPLY = "您好，您反映的“{title}”问题已由{unit}处理：工作人员已到现场核实并完成整改，后续将加强巡查。感谢您对我们工作的支持。"


def _department(suffix: str, area: Area) -> Unit | None:
    district = area.ancestor_of_level(Area.Level.DISTRICT)
    units = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, name__endswith=suffix)
    local = units.filter(area=district).first() if district else None
    return local or units.filter(area__level=Area.Level.CITY).first()


def _shift(case: Case, delta: timedelta) -> None:
    """Move every timestamp of a case (and of what hangs on it) back by `delta`."""

    def shift(qs: models.QuerySet, model: type[models.Model]) -> None:
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)]
        qs.update(**{name: F(name) - delta for name in fields})

    for model in (Appeal, Assignment, CaseEvent, FollowUp, Reply):
        shift(model.objects.filter(case=case), model)
    shift(Case.objects.filter(pk=case.pk), Case)


@transaction.atomic
def build_demo_appeals(seed: int = 2026, count: int = 240) -> dict[str, int]:
    rng = random.Random(seed)
    categories = {c.name: c for c in Category.objects.filter(level=3).select_related("parent")}
    # Rules: each second-level problem goes to its department (district one first, else city one).
    rules = 0
    for district in Area.objects.filter(level=Area.Level.DISTRICT, parent__province="东川省"):
        for mid in Category.objects.filter(level=2, name__in=ROUTES):
            unit = _department(ROUTES[mid.name], district)
            if unit is not None and not RoutingRule.objects.filter(category=mid, area=district).exists():
                actions.do_create_routing_rule(category=mid, area=district, lead_unit=unit, acting_user=None)
                rules += 1
    buildings = list(
        Area.objects.filter(level=Area.Level.BUILDING, path__startswith=Area.objects.get(level="city", province="东川省").path)
        .select_related("parent__parent")
        .order_by("path")
    )
    problems = list(PROBLEMS.items())
    counts = {"rules": rules, "appeals": 0, "closed": 0, "open": 0}
    for _ in range(count):
        building = rng.choice(buildings)
        estate = building.parent.parent if building.parent else None
        mid_name, (title, body) = rng.choice(problems)
        words = {"estate": estate.name if estate else "", "building": building.name}
        leaf = next((c for c in categories.values() if c.parent and c.parent.name == mid_name), None)
        appeal = actions.do_submit_appeal(
            acting_user=None, system=True, title=title.format(**words), body=body.format(**words),
            callback_phone=f"100{rng.randrange(10**8):08d}", callback_name=rng.choice("张王李赵刘陈杨黄") + "先生",
            channel=rng.choice([Appeal.Channel.WEB, Appeal.Channel.HOTLINE, Appeal.Channel.HOTLINE]),
            appeal_type=rng.choice([Appeal.Type.HELP, Appeal.Type.COMPLAINT, Appeal.Type.CONSULT]), area=building,
        )
        case = appeal.case
        assert case is not None
        counts["appeals"] += 1
        days_ago = rng.randint(0, 95)
        stage = rng.random() if days_ago > 10 else rng.random() * 0.6
        # Only problems a department answers for here are dispatched; the rest wait for a dispatcher.
        rule = find_rule(leaf, building) if leaf is not None else None
        if stage > 0.12 and rule is not None:
            route = rule
            if route.lead_unit is not None:
                actions.do_dispatch_case(case, acting_user=None, lead_unit=route.lead_unit, category=leaf)
                assignment = case.assignments.get(role=Assignment.Role.LEAD)
                if stage > 0.3:
                    actions.do_accept_assignment(assignment, acting_user=None)
                if stage > 0.5:
                    actions.do_reply_case(case, acting_user=None,
                                          body=REPLY.format(title=case.title, unit=route.lead_unit.name))
                if stage > 0.62:
                    satisfaction = rng.choices(
                        [Case.Satisfaction.SATISFIED, Case.Satisfaction.BASICALLY_SATISFIED,
                         Case.Satisfaction.UNSATISFIED], weights=[70, 20, 10])[0]
                    contacted = rng.random() > 0.04
                    actions.do_follow_up_case(case, acting_user=None, contacted=contacted,
                                              solved=contacted and satisfaction != Case.Satisfaction.UNSATISFIED,
                                              satisfaction=satisfaction if contacted else "")
                    if satisfaction != Case.Satisfaction.UNSATISFIED or not contacted:
                        actions.do_close_case(case, acting_user=None)
                        counts["closed"] += 1
        if days_ago:
            _shift(case, timedelta(days=days_ago, minutes=rng.randint(0, 600)))
    counts["appeals"] += _hot_cluster(rng)
    counts["open"] = Case.objects.open().count()
    counts["whistles"] = Whistle.objects.count()
    return counts


def _hot_cluster(rng: random.Random) -> int:
    """HOT_CLUSTER's appeals, one a day over the last days, by different residents (phones)."""
    community = Area.objects.filter(level=Area.Level.COMMUNITY, name=HOT_COMMUNITY).order_by("path").first()
    estate = (Area.objects.filter(level=Area.Level.ESTATE, parent=community).order_by("path").first()
              if community else None)
    if estate is None:
        return 0
    buildings = list(Area.objects.filter(level=Area.Level.BUILDING, path__startswith=estate.path).order_by("path"))
    for i, (title, body) in enumerate(HOT_CLUSTER):
        building = buildings[i % len(buildings)]
        words = {"estate": estate.name, "building": building.name}
        appeal = actions.do_submit_appeal(
            acting_user=None, system=True, title=title.format(**words), body=body.format(**words),
            callback_phone=f"100{rng.randrange(10**8):08d}", callback_name=rng.choice("张王李赵刘陈杨黄") + "女士",
            channel=Appeal.Channel.HOTLINE if i % 2 else Appeal.Channel.WEB, appeal_type=Appeal.Type.COMPLAINT,
            area=building,
        )
        assert appeal.case is not None
        _shift(appeal.case, timedelta(days=len(HOT_CLUSTER) - i, minutes=rng.randint(0, 600)))
    return len(HOT_CLUSTER)


def build_demo(context: DemoContext) -> dict[str, int]:
    """The appeals step of `gongzhi demo`: every subdistrict's office, then a few months of appeals."""
    actions.do_open_subdistrict_offices(Area.objects.filter(level=Area.Level.SUBDISTRICT).order_by("path"),
                                        acting_user=None)
    return build_demo_appeals(context.seed)
