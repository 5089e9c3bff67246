"""Demo step (order 41): the resource list (资源清单) of the community worker `sq_worker`'s community and two
matching rounds there, so the worker finds matching at work and the project step (42) has projects to claim.

- Resources from member units of every kind and from the community itself: the unit liaison `unit_liaison`'s
  property company enters its own (door-access equipment, repair service, a maintenance fund), a school (a
  classroom open in the holidays), a hospital (family-doctor and clinic hours), a social organization (volunteer
  hours), an enterprise (a public-welfare fund, and last winter's goods, now past their validity), a government
  department (the district housing bureau's renovation fund serving the whole subdistrict, entered by the
  subdistrict's staff) and the community's own party-and-mass service centre (a venue with opening hours).
- A matching round proposed by the worker and confirmed with two pairs removed (an old demand stays open and
  stale for the quarter page): each remaining pair becomes a project
  waiting to be claimed (the project step gives them their states) and reserves its capacity, which leaves the
  housing bureau's fund nearly exhausted.
- A second round over what is still open, left proposed for the worker to review.

Every write goes through the actions (policy checks, audit rows, capacity), as a real community would do it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, Grant, Registration, Role, Unit, User
from gongzhi.core.registry import DemoContext

from . import actions
from .actions import ResourceData
from .models import CapacityUnit, Demand, MatchPair, MatchRound, Resource, ResourceKind

# (who enters it, the provider's kind, kind, title, capacity unit, capacity, extra fields). "liaison" entries are the
# liaison's own unit; "community" has no provider unit (the community's own); "subdistrict" serves the subdistrict.
OFFERS: list[tuple[str, str | None, str, str, str, int, dict[str, Any]]] = [
    ("liaison", "own", ResourceKind.EQUIPMENT, "单元门禁设备及安装", CapacityUnit.ITEMS, 10,
     {"description": "物业公司提供可视门禁设备并负责安装调试，质保两年。"}),
    ("liaison", "own", ResourceKind.SERVICE, "电梯维保协调及楼道设施维修", CapacityUnit.HOURS, 80,
     {"description": "物业维修班组每周两个半天为小区公共设施提供维修，协调电梯维保单位到场。",
      "opening_hours": "周二、周四 14:00-17:30"}),
    ("liaison", "own", ResourceKind.FUNDS, "楼道照明维修基金", CapacityUnit.YUAN, 20000,
     {"description": "物业公司从公共收益中列支，用于楼道照明及声控灯更换。"}),
    ("worker", Unit.Kind.SCHOOL, ResourceKind.VENUE, "幼儿园活动室（寒暑假开放）", CapacityUnit.PEOPLE, 40,
     {"description": "寒暑假期间开放两间活动室，可用于儿童托管、课后辅导。", "opening_hours": "假期工作日 8:30-17:00"}),
    ("worker", Unit.Kind.HOSPITAL, ResourceKind.SERVICE, "家庭医生签约及进社区义诊", CapacityUnit.HOURS, 120,
     {"description": "医院全科医生团队每月两次到社区义诊、测血压血糖、慢病随访。"}),
    ("worker", Unit.Kind.SOCIAL_ORG, ResourceKind.VOLUNTEER_HOURS, "邻里互助志愿服务队", CapacityUnit.HOURS, 400,
     {"description": "志愿者协助垃圾分类督导、楼道排查、儿童作业辅导等。"}),
    ("worker", Unit.Kind.ENTERPRISE, ResourceKind.FUNDS, "适老化改造公益资金", CapacityUnit.YUAN, 60000,
     {"description": "企业公益基金定向支持困难老人家庭适老化改造（扶手、防滑、紧急呼叫）。"}),
    ("worker", Unit.Kind.ENTERPRISE, ResourceKind.EQUIPMENT, "2025年冬季慰问物资", CapacityUnit.ITEMS, 50,
     {"description": "米面油慰问包，已于2026年春节前发放完毕。", "expired": True}),
    ("subdistrict", Unit.Kind.DEPARTMENT, ResourceKind.FUNDS, "老旧小区改造专项资金", CapacityUnit.YUAN, 2500000,
     {"description": "区住建局老旧小区改造专项资金，用于高层住宅二次供水改造、老旧楼加装电梯等民生项目，覆盖锦华街道各社区。"}),
    ("community", None, ResourceKind.VENUE, "党群服务中心多功能厅", CapacityUnit.PEOPLE, 80,
     {"description": "社区党群服务中心一楼多功能厅，带厨房，可用于助餐、议事、培训。",
      "opening_hours": "周一至周六 9:00-20:00"}),
    ("community", None, ResourceKind.VENUE, "社区青少年活动室", CapacityUnit.PEOPLE, 30,
     {"description": "社区二楼活动室，寒暑假可供驻区单位职工子女托管使用。", "opening_hours": "周一至周五 9:00-18:00"}),
]
# Pairs removed from the first round before it is confirmed (their demands stay open for the second round).
HELD_BACK = ("单元门禁", "集中反映")


@dataclass
class Cast:
    community: Area
    worker: User
    staff: User | None  # subdistrict staff
    liaison: User
    unit: Unit


def _cast() -> Cast | None:
    worker = Grant.objects.select_related("user", "area").filter(
        user__username="sq_worker", role=Role.COMMUNITY_WORKER).first()
    liaison = Grant.objects.select_related("user", "unit").filter(
        user__username="unit_liaison", role=Role.UNIT_LIAISON).first()
    if worker is None or liaison is None or liaison.unit is None:
        return None
    staff = Grant.objects.select_related("user").filter(user__username="jd_staff").first()
    return Cast(worker.area, worker.user, staff.user if staff else None, liaison.user, liaison.unit)


def _provider(cast: Cast, kind: str) -> Unit | None:
    """A unit of `kind` registered at the community; else one of the district (an enterprise of the district
    offering a fund to the community, a department serving the subdistrict), which needs no registration here."""
    registered = Registration.objects.confirmed().filter(community=cast.community, kind=Registration.Kind.UNIT,
                                             unit__kind=kind).exclude(unit=cast.unit).select_related("unit")
    reg = registered.order_by("unit__name").first()
    if reg is not None and reg.unit is not None:
        return reg.unit
    district = cast.community.ancestor_of_level(Area.Level.DISTRICT)
    nearby = Unit.objects.filter(kind=kind)
    if district is not None:
        nearby = nearby.filter(area__path__startswith=district.path)
    if kind == Unit.Kind.DEPARTMENT:
        unit = nearby.filter(name__contains="住房和城乡建设").first() or nearby.order_by("name").first()
        return unit
    return nearby.order_by("name").first() or Unit.objects.filter(kind=kind).order_by("name").first()


def _offer(cast: Cast, spec: tuple[str, str | None, str, str, str, int, dict[str, Any]]) -> Resource | None:
    who, provider_kind, kind, title, unit_of, amount, extra = spec
    today = timezone.localdate()
    extra = dict(extra)
    expired = extra.pop("expired", False)
    actor: User | None
    if who == "liaison":
        provider: Unit | None = cast.unit
        actor, area = cast.liaison, cast.community
    elif who == "subdistrict":
        provider = _provider(cast, str(provider_kind))
        subdistrict = cast.community.ancestor_of_level(Area.Level.SUBDISTRICT)
        actor, area = cast.staff, subdistrict or cast.community
        if actor is None or provider is None:
            return None
    elif who == "community":
        provider, actor, area = None, cast.worker, cast.community
    else:
        provider = _provider(cast, str(provider_kind))
        actor, area = cast.worker, cast.community
        if provider is None:
            return None
    estates = list(Area.objects.filter(level=Area.Level.ESTATE, path__startswith=cast.community.path)
                   .order_by("path")[:3])
    place = estates[len(title) % len(estates)] if estates and provider is not None and who != "subdistrict" else None
    data = ResourceData(
        kind=kind, title=title, area=area, capacity_unit=unit_of, capacity=amount, provider_unit=provider,
        place=place, description=extra.get("description", ""), opening_hours=extra.get("opening_hours", ""),
        valid_from=today - timedelta(days=300 if expired else 30),
        valid_until=today - timedelta(days=40) if expired else today + timedelta(days=330),
        contact_name=(provider.contact_name if provider else "") or "社区党群服务中心",
        contact_phone=(provider.contact_phone if provider else "") or "")
    return actions.do_create_resource(acting_user=actor, data=data)


@transaction.atomic
def build_demo_resources(ctx: DemoContext) -> dict[str, int]:
    cast = _cast()
    if cast is None:
        return {}
    offered = [r for r in (_offer(cast, spec) for spec in OFFERS) if r is not None]
    try:
        first = actions.do_propose_match_round(acting_user=cast.worker, area=cast.community)
    except ActionError:
        return {"resources": len(offered)}
    for pair in first.pairs.select_related("demand").order_by("pk"):
        if any(word in pair.demand.title for word in HELD_BACK):
            actions.do_remove_match_pair(pair, acting_user=cast.worker)
    projects = actions.do_confirm_match_round(first, acting_user=cast.worker)
    MatchRound.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=6),
                                                  confirmed_at=timezone.now() - timedelta(days=5))
    second = None
    if Demand.objects.filter(area__path__startswith=cast.community.path, status=Demand.Status.OPEN).exists():
        try:
            second = actions.do_propose_match_round(acting_user=cast.worker, area=cast.community)
        except ActionError:
            second = None
    counts = {"resources": len(offered), "projects": len(projects),
              "proposed_pairs": MatchPair.objects.filter(round=second).count() if second else 0}
    ctx.say(f"  resources: {len(offered)} at {cast.community.name}; round {first.pk} confirmed into "
            f"{len(projects)} projects, round {second.pk if second else '-'} proposed "
            f"({counts['proposed_pairs']} pairs)")
    return counts
