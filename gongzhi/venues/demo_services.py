"""The services part's demo (order 82, after the rooms part's venues at order 80), in the alliance 枫溪—新塘:

- 健康小屋免费体检 at 枫溪's station (党群服务站), provided by 枫溪社区 for the alliance's residents: two past sessions
  (people from both sides of the border checked in, most of them rated it) and two upcoming ones with places booked
  by 新塘 and 枫溪 residents — xt_resident among them, signed in; the others booked on the public page by phone.
- 社区长者食堂 at the same station, for 枫溪's own residents: lunch sittings in the coming days.
- 创业就业指导 by 新塘社区 at 新塘's station, open to the alliance: 枫溪 residents booked too.

Everything goes through the part's actions (the residents without an account through the demo's variant without
the SMS round). Venues are looked up by level and community; when the rooms part made none, one station per
community is created here so the services have a place."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.models import Area, User

from .actions import services as actions
from .models import ServiceSession, SharedService, Venue

FENGXI, XINTANG = "枫溪社区", "新塘社区"
HEALTH = "健康小屋免费体检"
DINING = "社区长者食堂"
BUSINESS = "创业就业指导"

# Residents without an account who booked on the public page: (name, phone, community).
PHONE_RESIDENTS = [
    ("王秀英", "13905710231", FENGXI), ("李建国", "13905710452", FENGXI), ("张玉兰", "13905710673", FENGXI),
    ("陈德明", "13705860214", XINTANG), ("刘桂芳", "13705860435", XINTANG), ("周志强", "13705860656", XINTANG),
    ("吴淑珍", "13905710894", FENGXI), ("赵国平", "13705860877", XINTANG),
]
COMMENTS = ["量血压、测血糖都很仔细，医生还讲了降压药怎么吃", "过河就到，不用跑县医院排队，方便", "",
            "工作人员很耐心，下次还来", "希望多开几场，名额有点紧"]


def _at(day: Any, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _venue(community: Area) -> Venue:
    found = (Venue.objects.filter(level=Venue.Level.STATION, area=community, active=True).order_by("pk").first()
             or Venue.objects.filter(area__path__startswith=community.path, active=True).order_by("level", "pk")
             .first())
    if found is not None:
        return found
    return Venue.objects.create(name=f"{community.name}党群服务站", level=Venue.Level.STATION, area=community,
                                address=f"{community.name}社区服务中心一楼")


def _session(service: SharedService, day: Any, start: tuple[int, int], end: tuple[int, int],
             capacity: int) -> ServiceSession:
    return actions.do_create_session(service, acting_user=None, starts_at=_at(day, *start), ends_at=_at(day, *end),
                                     capacity=capacity)


def build(ctx: Any) -> dict[str, int] | None:
    fengxi = Area.objects.filter(name=FENGXI, level=Area.Level.COMMUNITY).first()
    xintang = Area.objects.filter(name=XINTANG, level=Area.Level.COMMUNITY).first()
    fx_worker = User.objects.filter(username="fx_worker").first()
    xt_worker = User.objects.filter(username="xt_worker").first()
    xt_resident = User.objects.filter(username="xt_resident").first()
    if fengxi is None or xintang is None or fx_worker is None or xt_worker is None:
        return None
    communities = {FENGXI: fengxi, XINTANG: xintang}
    today = timezone.localdate()
    fx_station, xt_station = _venue(fengxi), _venue(xintang)

    health = actions.do_create_service(
        acting_user=fx_worker, venue=fx_station, title=HEALTH, kind=SharedService.Kind.HEALTH,
        who_may_use=SharedService.WhoMayUse.ALLIANCE, provider_community=fengxi,
        description="枫溪社区卫生服务站的医生每周在健康小屋坐诊：量血压、测血糖、测血氧、中医体质辨识，"
                    "建立健康档案。枫溪、新塘两个社区的居民都可预约，免费。请带上身份证和以往的检查单。")
    places = 0
    # Two past sessions: booked, checked in, most rated.
    for weeks, n in ((2, 6), (1, 5)):
        day = today - timedelta(days=7 * weeks)
        session = _session(health, day, (9, 0), (11, 30), 20)
        booked_at = _at(day - timedelta(days=3), 19)
        taken = []
        if xt_resident is not None:
            taken.append(actions.do_take_place(session, acting_user=xt_resident, at=booked_at))
        for name, phone, where in PHONE_RESIDENTS[:n]:
            taken.append(actions.do_take_place_for_demo(session, phone=phone, name=name,
                                                        community=communities[where], at=booked_at))
        places += len(taken)
        for i, place in enumerate(taken):
            if i == len(taken) - 1:
                continue  # one did not come
            actions.do_check_in_place(place, acting_user=fx_worker, at=_at(day, 9, 5 + 4 * i))
            comment = COMMENTS[i % len(COMMENTS)]
            if place.user_id is not None:
                actions.do_rate_place(place, acting_user=xt_resident, score=5, comment=COMMENTS[0],
                                      at=_at(day, 15))
            elif i % 3 != 2:
                actions.do_rate_place_for_demo(place, score=5 if i % 2 else 4, comment=comment, at=_at(day, 16))
    # Two upcoming sessions with places booked from both sides of the border.
    for days, n in ((2, 4), (9, 2)):
        day = today + timedelta(days=days)
        session = _session(health, day, (9, 0), (11, 30), 20)
        if xt_resident is not None and days == 2:
            actions.do_take_place(session, acting_user=xt_resident)
            places += 1
        for name, phone, where in PHONE_RESIDENTS[-n:]:
            actions.do_take_place_for_demo(session, phone=phone, name=name, community=communities[where])
            places += 1

    dining = actions.do_create_service(
        acting_user=fx_worker, venue=fx_station, title=DINING, kind=SharedService.Kind.DINING,
        who_may_use=SharedService.WhoMayUse.COMMUNITY, provider_community=fengxi,
        description="为社区60岁以上老人提供午餐，两荤一素一汤，老人每餐10元，80岁以上8元。请提前一天预约，"
                    "行动不便的可由网格员代为登记。")
    for days in (1, 2, 3):
        session = _session(dining, today + timedelta(days=days), (11, 0), (12, 30), 40)
        for name, phone, where in PHONE_RESIDENTS[:3]:
            actions.do_take_place_for_demo(session, phone=phone, name=name, community=communities[where])
            places += 1

    business = actions.do_create_service(
        acting_user=xt_worker, venue=xt_station, title=BUSINESS, kind=SharedService.Kind.BUSINESS,
        who_may_use=SharedService.WhoMayUse.ALLIANCE, provider_community=xintang,
        description="新塘镇人社所和产业园的导师每月两次驻点：个体工商户登记、创业担保贷款、灵活就业社保、"
                    "园区招聘岗位推荐。枫溪的居民过桥即到，同样可以预约。")
    for days in (5, 19):
        session = _session(business, today + timedelta(days=days), (14, 0), (16, 30), 12)
        for name, phone, where in (PHONE_RESIDENTS[1], PHONE_RESIDENTS[3]):
            actions.do_take_place_for_demo(session, phone=phone, name=name, community=communities[where])
            places += 1

    ctx.say(f"  共享服务：{HEALTH}（{fx_station.name}）、{DINING}、{BUSINESS}（{xt_station.name}），"
            f"{places} 个预约名额")
    return {"services": 3, "places": places}
