"""Demo steps of the commitments part, at `sq_worker`'s community (锦华社区):

- order 61 ("service.commitments"): the posts (楼栋长 of two buildings, 政策宣传员, 矛盾调解员, 文明引导员,
  环境监督员), held for this year by the community's party members, the `party_member` account among them (楼栋长);
  one term of last year left early; this year's pledges (open, the member may still edit them) and last year's,
  assessed kept, partly kept and not kept with evidence; the community's star rules.
- order 64 ("service.stars"): after the activities step (62) has written and confirmed hours, this year's and last
  year's stars are computed, and one rating adjusted by the community with a reason.

Everything goes through the actions, as the worker (`sq_worker`); last year's pledges are written as the system
(a member pledges only for this year).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from gongzhi.core.models import Area, Grant, PartyMember, User

from . import stars
from .actions import commitments as actions
from .models import Pledge, Post, StarRating

POSTS = [
    ("楼栋长", "联系本楼栋住户，收集社情民意；协助网格员做好楼栋安全、卫生和邻里互助；每月走访独居老人。", 1, "building"),
    ("楼栋长", "联系本楼栋住户，收集社情民意；协助网格员做好楼栋安全、卫生和邻里互助；每月走访独居老人。", 1, "building"),
    ("政策宣传员", "在楼栋群和宣传栏宣讲惠民政策、垃圾分类、反诈知识；每季度组织一次政策宣讲。", 2, ""),
    ("矛盾调解员", "参与邻里纠纷调解，协助物业和居委会化解停车、噪音、漏水等矛盾，做好调解记录。", 2, ""),
    ("文明引导员", "在小区出入口和广场引导文明养犬、车辆有序停放，劝导不文明行为。", 3, ""),
    ("环境监督员", "监督垃圾分类投放和楼道堆物清理，发现问题及时报网格员。", 2, ""),
]
PLEDGES_THIS_YEAR = [
    "每月走访楼栋独居老人至少一次，帮助代购生活用品",
    "每季度参加一次主题党日志愿服务",
    "带头做好垃圾分类，每月在分类点值守两次",
    "为楼栋居民讲解一次防范电信诈骗知识",
    "每月参加一次小区环境清洁行动",
    "协助社区做好老旧小区改造意见征集",
    "结对帮扶一户困难家庭，每季度上门一次",
    "周末为小区儿童开展一次课业辅导",
]
LAST_YEAR = [
    ("每月走访楼栋独居老人至少一次", "kept", "全年走访 14 次，有走访记录和老人签字。"),
    ("每季度参加一次主题党日志愿服务", "kept", ""),
    ("带头做好垃圾分类，每月值守两次", "partly", "上半年按月值守，下半年因单位派驻外地仅值守 3 次。"),
    ("为楼栋居民讲解一次防范电信诈骗知识", "kept", "9 月在 3 号楼组织宣讲，21 户参加。"),
    ("结对帮扶一户困难家庭", "not_kept", "结对家庭搬离社区后未重新结对，社区已提醒。"),
    ("协助社区开展一次政策宣讲", "partly", "参与筹备，因临时出差未到场宣讲。"),
]
ADJUST_REASON = "疫情防控期间连续两周在卡口值守，群众来信表扬，社区党委研究决定上调一星"


def _worker_and_community() -> tuple[User | None, Area | None]:
    worker = User.objects.filter(username="sq_worker").first()
    grant = Grant.objects.filter(user=worker).select_related("area").order_by("pk").first() if worker else None
    if grant is None:
        return worker, None
    area = grant.area
    community = area if area.level == Area.Level.COMMUNITY else area.ancestor_of_level(Area.Level.COMMUNITY)
    return worker, community


def _members(community: Area) -> list[PartyMember]:
    """The community's party members, the demo party-member account's first."""
    members = list(stars.members_of(community).order_by("pk")[:40])
    account = User.objects.filter(username="party_member").first()
    own = next((m for m in members if account is not None and m.user_id == account.pk), None)
    if own is None and account is not None:
        own = PartyMember.objects.filter(user=account).first()
        if own is not None and not actions.is_member_at(own, community):
            own = None
    rest = [m for m in members if own is None or m.pk != own.pk]
    return ([own] if own is not None else []) + rest


def build_demo_commitments(ctx: Any) -> dict[str, int]:
    worker, community = _worker_and_community()
    if worker is None or community is None:
        return {}
    members = _members(community)
    if not members:
        return {}
    counts: Counter[str] = Counter()
    today = timezone.localdate()
    year = today.year
    buildings = list(Area.objects.filter(path__startswith=community.path, level=Area.Level.BUILDING)
                     .order_by("path")[:2])
    posts: list[Post] = []
    b = 0
    for name, duties, seats, where in POSTS:
        area = None
        if where == "building":
            if b >= len(buildings):
                continue
            area, b = buildings[b], b + 1
        posts.append(actions.do_create_post(acting_user=worker, community=community, name=name, duties=duties,
                                            seats=seats, area=area))
        counts["posts"] += 1

    start, end = date(year, 1, 1), date(year, 12, 31)
    holders = iter(members)
    for post in posts:
        for _seat in range(post.seats if post.seats < 3 else 2):
            member = next(holders, None)
            if member is None:
                break
            actions.do_assign_post_term(post, acting_user=worker, party_member=member, starts_on=start, ends_on=end)
            counts["terms"] += 1
    # Last year: a 文明引导员 who left early (moved away for work), and the 楼栋长 who held it all year.
    last_start, last_end = date(year - 1, 1, 1), date(year - 1, 12, 31)
    if len(members) > 1:
        early = actions.do_assign_post_term(posts[-2], acting_user=worker, party_member=members[-1],
                                            starts_on=last_start, ends_on=last_end)
        actions.do_end_post_term(early, acting_user=worker, ended_on=date(year - 1, 8, 31))
        actions.do_assign_post_term(posts[0], acting_user=worker, party_member=members[0], starts_on=last_start,
                                    ends_on=last_end)
        counts["terms"] += 2

    pledgers = members[:8]
    for n, member in enumerate(pledgers):
        for k in range(2 if n == 0 else 1):
            text = PLEDGES_THIS_YEAR[(n + k * 3) % len(PLEDGES_THIS_YEAR)]
            actions.do_create_pledge(acting_user=None, party_member=member, community=community, year=year,
                                     text=text)
            counts["pledges"] += 1
    for n, (text, status, evidence) in enumerate(LAST_YEAR):
        member = pledgers[n % len(pledgers)] if n < 3 else pledgers[(n + 1) % len(pledgers)]
        pledge = actions.do_create_pledge(acting_user=None, party_member=member, community=community,
                                          year=year - 1, text=text)
        actions.do_assess_pledge(pledge, acting_user=worker, status=status, evidence=evidence)
        tz = timezone.get_current_timezone()
        Pledge.objects.filter(pk=pledge.pk).update(created_at=datetime(year - 1, 1, 15, 9, tzinfo=tz),
                                                   assessed_at=min(timezone.now(), datetime(year, 1, 10, 10, tzinfo=tz)))
        counts["pledges_assessed"] += 1

    actions.do_update_star_rule(community, acting_user=worker, points_per_hour=2, points_per_party_day=10,
                                points_per_pledge_kept=10, points_per_post=10, points_per_feedback=5,
                                two_stars=15, three_stars=30, four_stars=50, five_stars=70)
    return dict(counts)


def build_demo_stars(ctx: Any) -> dict[str, int]:
    worker, community = _worker_and_community()
    if worker is None or community is None:
        return {}
    year = timezone.localdate().year
    counts = {"ratings": actions.do_recompute_star_ratings(community, acting_user=worker, year=year - 1)}
    counts["ratings"] += actions.do_recompute_star_ratings(community, acting_user=worker, year=year)
    account = User.objects.filter(username="party_member").first()
    rating = (StarRating.objects.filter(community=community, year=year - 1).exclude(party_member__user=account)
              .order_by("-points", "pk").first())
    if rating is not None:
        actions.do_adjust_star_rating(rating, acting_user=worker, stars_given=min(5, rating.computed_stars + 1),
                                      reason=ADJUST_REASON)
        counts["adjusted"] = 1
    return counts
