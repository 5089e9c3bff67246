"""Appeals history for the demo city: routing rules and a few months of cases in every state.

Built through the real actions (so timelines, audit rows and the three rates are genuine), then
each case's timestamps are moved back by a random number of days so the history spans months.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import models, transaction
from django.db.models import F

from gongzhi.core.models import Area, Grant, Unit, User
from gongzhi.core.registry import DemoContext

from . import actions
from .models import (
    Appeal,
    Assignment,
    Case,
    CaseEvent,
    Category,
    FollowUp,
    Reply,
    RoutingRule,
    Whistle,
    WhistleReport,
)
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
                        case.refresh_from_db()
                        if case.status == Case.Status.REPLIED:  # unless the follow-up closed it by the rule
                            actions.do_close_case(case, acting_user=None)
                        counts["closed"] += 1
        if days_ago:
            _shift(case, timedelta(days=days_ago, minutes=rng.randint(0, 600)))
    counts["appeals"] += _hot_cluster(rng)
    counts["appeals"] += _whole_loop(rng)
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


# --- the whole loop, around the demo accounts ---------------------------------------------------------------
# Whistles in every state, extension requests, reopened cases and cases closed with each rating, placed so
# every staff demo account finds something waiting: the dispatchers (jd_staff, sq_worker, sq_worker2 and the
# admins above them) cases to dispatch and extensions to decide, the department handler cases to accept and
# whistles to report, the grid worker an overdue case in the grid, the follow-up caller answers to follow up.

LOOP_APPEALS = 15  # the appeals `_whole_loop` submits
LOOP_ACCOUNTS = ("jd_staff", "sq_worker", "sq_worker2", "grid_worker", "dept_handler", "follow_up_caller")


def _grant(user: User | None) -> Grant | None:
    return Grant.objects.filter(user=user).select_related("area", "unit").order_by("pk").first() if user else None


def _shift_whistle(whistle: Whistle, delta: timedelta) -> None:
    Whistle.objects.filter(pk=whistle.pk).update(
        created_at=F("created_at") - delta, report_deadline=F("report_deadline") - delta,
        closed_at=F("closed_at") - delta)
    WhistleReport.objects.filter(whistle=whistle).update(
        reported_at=F("reported_at") - delta, done_at=F("done_at") - delta, rated_at=F("rated_at") - delta)


class _Loop:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.appeals = 0
        self.leaves = {c.parent.name: c for c in Category.objects.filter(level=3, parent__name__in=PROBLEMS)
                       .select_related("parent").order_by("sort_order", "id") if c.parent}

    def case(self, under: Area, problem: str, *, lead: Unit | None = None, accept: bool = True,
             by: User | None = None) -> Case:
        buildings = list(Area.objects.filter(level=Area.Level.BUILDING, path__startswith=under.path)
                         .select_related("parent__parent").order_by("path")[:40])
        building = self.rng.choice(buildings)
        estate = building.ancestor_of_level(Area.Level.ESTATE)
        words = {"estate": estate.name if estate else "", "building": building.name}
        title, body = PROBLEMS[problem]
        appeal = actions.do_submit_appeal(
            acting_user=None, system=True, title=title.format(**words), body=body.format(**words),
            callback_phone=f"100{self.rng.randrange(10**8):08d}", callback_name=self.rng.choice("张王李赵刘陈杨黄") + "女士",
            channel=Appeal.Channel.HOTLINE, appeal_type=Appeal.Type.HELP, area=building,
        )
        self.appeals += 1
        case = appeal.case
        assert case is not None
        if lead is not None:
            actions.do_dispatch_case(case, acting_user=by, lead_unit=lead, category=self.leaves.get(problem))
            if accept:
                actions.do_accept_assignment(case.assignments.get(role=Assignment.Role.LEAD), acting_user=None)
        case.refresh_from_db()
        return case

    def answer(self, case: Case, unit: Unit) -> None:
        actions.do_reply_case(case, acting_user=None, body=REPLY.format(title=case.title, unit=unit.name))

    def follow_up(self, case: Case, caller: User | None, satisfaction: str) -> None:
        actions.do_follow_up_case(case, acting_user=caller, contacted=True,
                                  solved=satisfaction != Case.Satisfaction.UNSATISFIED, satisfaction=satisfaction)

    def close(self, case: Case, by: User) -> None:
        case.refresh_from_db()
        if case.status == Case.Status.REPLIED:  # unless the follow-up closed it by the configured rule
            actions.do_close_case(case, acting_user=by)


def _whole_loop(rng: random.Random) -> int:
    users = {u.username: u for u in User.objects.filter(username__in=LOOP_ACCOUNTS)}
    grants = {name: _grant(users.get(name)) for name in LOOP_ACCOUNTS}
    if any(g is None for g in grants.values()):
        return 0  # not the demo city's accounts: nothing to place around them
    g = {name: grant for name, grant in grants.items() if grant is not None}
    housing = g["dept_handler"].unit
    district = g["dept_handler"].area
    if housing is None:
        return 0
    others = list(Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, area=district).exclude(pk=housing.pk).order_by("name"))
    if len(others) < 2:
        return 0
    enforcement, civil = others[0], others[1]
    handler, caller = users["dept_handler"], users["follow_up_caller"]
    jd, sq, sq2 = users["jd_staff"], users["sq_worker"], users["sq_worker2"]  # dispatch and whistle as themselves
    jinhua, chunxi, grid = g["sq_worker"].area, g["sq_worker2"].area, g["grid_worker"].area
    loop = _Loop(rng)
    now_due = timedelta(days=3)

    # Whistles. Waiting for every report: the subdistrict summons housing and enforcement.
    w = actions.do_whistle(acting_user=jd, title="锦华社区老旧小区屋面漏水联合整治", area=jinhua,
                           units=[housing, enforcement], description="多栋楼顶层住户反映屋面漏水，需住建、执法联合现场处置。")
    # Reported: on a case, housing has reported in and is still at work; civil affairs finished.
    case = loop.case(jinhua, "物业管理", lead=housing, by=sq)
    w = actions.do_whistle(acting_user=sq, title="电梯长期停运联合督办", area=jinhua, units=[housing, civil], case=case)
    reports = {r.unit_id: r for r in w.reports.all()}
    actions.do_report_whistle(reports[housing.pk], acting_user=handler)
    actions.do_report_whistle(reports[civil.pk], acting_user=None)
    actions.do_complete_whistle_report(reports[civil.pk], acting_user=None, action_taken="已走访楼内独居老人，安排志愿者送餐上门。")
    # Late: the deadline passed three hours ago; enforcement reported late, housing not at all.
    w = actions.do_whistle(acting_user=sq2, title="春熙社区占道经营集中整治", area=chunxi, units=[housing, enforcement],
                           urgent=True)
    _shift_whistle(w, timedelta(hours=3))
    reports = {r.unit_id: r for r in w.reports.all()}
    actions.do_report_whistle(reports[enforcement.pk], acting_user=None)
    # Rated: both departments finished last week and the community rated them.
    w = actions.do_whistle(acting_user=sq, title="锦华社区雨后积水联合疏通", area=jinhua, units=[enforcement, civil])
    for report, rating in zip(w.reports.order_by("unit__name"),
                              (WhistleReport.Rating.EXCELLENT, WhistleReport.Rating.QUALIFIED), strict=True):
        actions.do_report_whistle(report, acting_user=None)
        actions.do_complete_whistle_report(report, acting_user=None, action_taken="已现场疏通雨水管网并清理淤泥。")
        actions.do_rate_whistle_report(report, acting_user=sq, rating=rating, note="响应及时，处置到位。")
    _shift_whistle(w, timedelta(days=6))

    # Extension requests by the housing department: two waiting (one per community), one approved, one refused.
    for area, decide in ((jinhua, None), (chunxi, None), (jinhua, (jd, True)), (chunxi, (sq2, False))):
        case = loop.case(area, "房屋安全", lead=housing, by=sq if area == jinhua else sq2)
        assert case.due_at is not None
        ext = actions.do_request_extension(case, acting_user=handler, new_due_at=case.due_at + now_due,
                                           reason="需等待专业检测机构出具房屋安全鉴定报告。")
        if decide is not None:
            actions.do_decide_extension(ext, acting_user=decide[0], approve=decide[1],
                                        note="同意延期，请按期办结。" if decide[1] else "情况紧急，请按原期限办结。")

    # Reopened: unsatisfied, back with housing; reopened then closed satisfied; reopened then closed unsatisfied.
    for then in (None, Case.Satisfaction.SATISFIED, Case.Satisfaction.UNSATISFIED):
        case = loop.case(jinhua, "物业管理", lead=housing, by=sq)
        loop.answer(case, housing)
        loop.follow_up(case, caller, Case.Satisfaction.UNSATISFIED)
        actions.do_reopen_case(case, acting_user=sq, note="居民对答复不满意，退回重办。")
        if then is not None:
            loop.answer(case, housing)
            loop.follow_up(case, caller, then)
            loop.close(case, sq)
        _shift(case, timedelta(days=2))
    # Closed with each rating, and answers waiting for the follow-up caller.
    for satisfaction in Case.Satisfaction.values:
        case = loop.case(chunxi, "物业管理", lead=housing, by=sq2)
        loop.answer(case, housing)
        loop.follow_up(case, caller, satisfaction)
        loop.close(case, sq2)
        _shift(case, timedelta(days=1))
    loop.answer(loop.case(chunxi, "物业管理", lead=housing, by=sq2), housing)

    # Waiting: a case for the housing department to accept, one for 春熙社区 to dispatch, an overdue one in the grid.
    loop.case(jinhua, "物业管理", lead=housing, by=sq, accept=False)
    loop.case(chunxi, "养老服务")
    _shift(loop.case(grid, "物业管理", lead=housing), timedelta(days=12))
    return loop.appeals


def build_demo(context: DemoContext) -> dict[str, int]:
    """The appeals step of `gongzhi demo`: every subdistrict's office, then a few months of appeals."""
    actions.do_open_subdistrict_offices(Area.objects.filter(level=Area.Level.SUBDISTRICT).order_by("path"),
                                        acting_user=None)
    return build_demo_appeals(context.seed)
