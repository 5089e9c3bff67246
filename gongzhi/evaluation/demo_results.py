"""The results part's demo (order 71): a finished campaign at 锦华街道, "2025年度锦华街道成员单位和兼职委员双向评议".

- Rater groups: 街道党工委 30% (jd_staff), 社区党组织 40% (the community workers, sq_worker at 锦华社区), 居民代表 30%
  (the `resident` account and two more representatives at 锦华社区 — three, so they count; two at 芳草社区 — fewer
  than three, so their group shows 不足3人，不计入 there).
- Ratees: the member units registered at 锦华街道's communities and the part-time members of their committees.
- Ratings for every ratee in a realistic mix; the part-time member of `unit_liaison`'s unit is rated 不合格 (the
  members part's title-only check reads final outcomes, and its demo removes that seat on 2026-01-12).
- Closed by jd_staff on 2026-01-05 (results computed by the close action, notice until 2026-01-10); two objections,
  both from `unit_liaison`: for its unit (合格 → upheld, 优秀, answered 2026-01-08) and for its part-time member
  (dismissed); final on 2026-01-11. The actions run now; their times are then set in January 2026.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from gongzhi.core.models import (
    Area,
    CommitteeMembership,
    Grant,
    Notification,
    PartyOrg,
    Registration,
    Role,
    User,
)

from .actions import results as actions
from .models import Campaign, Grade, Objection, Ratee, Rater, RaterGroup, Rating

TITLE = "2025年度锦华街道成员单位和兼职委员双向评议"
SUBDISTRICT = "锦华街道"
HOME = "锦华社区"
SHORT = "芳草社区"  # two resident representatives only: their group is not counted there
WEIGHTS = (("subdistrict", 30), ("community", 40), ("residents", 30))
CLOSED_ON, NOTICE_END, ANSWERED_ON, FINAL_ON = date(2026, 1, 5), date(2026, 1, 10), date(2026, 1, 8), \
    date(2026, 1, 11)
E, Qd, U = Grade.EXCELLENT, Grade.QUALIFIED, Grade.UNQUALIFIED
# (subdistrict, community, residents' three) per profile.
PROFILES = {
    "strong": (E, E, (E, E, Qd)),
    "good": (Qd, E, (Qd, E, Qd)),
    "fair": (Qd, Qd, (Qd, Qd, U)),
    "weak": (U, Qd, (U, Qd, U)),
    "poor": (U, U, (U, U, Qd)),
}
CYCLE = ("strong", "good", "fair", "weak", "good", "strong", "fair")
UPHELD_REASON = "我公司2025年认领并完成了锦华社区老旧小区加装电梯协调、楼道照明改造两个项目，社区评议未予体现，请予复核。"
UPHELD_ANSWER = "经核查平台记录，该单位2025年完成认领项目2个、按期办结决议事项4项，街道党工委研究决定调整为优秀。"
DISMISSED_REASON = "该委员因工作繁忙未能参加会议，但平时通过电话与社区保持联系，请求重新评定。"
DISMISSED_ANSWER = "经核查，该委员全年未参加联席会议、未认领项目、未报告履职情况，评议结果符合实际，维持不合格。"


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _rep(username: str, name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=name)
        user.set_unusable_password()
        user.save()
    return user


def build(ctx: Any) -> dict[str, int] | None:
    subdistrict = Area.objects.filter(name=SUBDISTRICT, level=Area.Level.SUBDISTRICT).first()
    staff = User.objects.filter(username="jd_staff").first()
    liaison = User.objects.filter(username="unit_liaison").first()
    if subdistrict is None or staff is None or Campaign.objects.filter(title=TITLE).exists():
        return None
    communities = list(Area.objects.filter(path__startswith=subdistrict.path, level=Area.Level.COMMUNITY)
                       .order_by("path"))
    by_name = {c.name: c for c in communities}
    campaign = Campaign.objects.create(
        title=TITLE, area=subdistrict, period=Campaign.Period.ANNUAL, period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31), deadline=_at(date(2026, 1, 4), 18), notice_days=5, status=Campaign.Status.OPEN,
        created_by=staff, created_at=_at(date(2025, 12, 10), 9), opened_at=_at(date(2025, 12, 15), 9))
    groups = {kind: RaterGroup.objects.create(campaign=campaign, kind=kind, weight=w) for kind, w in WEIGHTS}

    # Ratees: units registered at the communities, part-time members of their committees.
    ratees: list[Ratee] = []
    regs = (Registration.objects.filter(kind=Registration.Kind.UNIT, status=Registration.Status.CONFIRMED,
                                        community__in=communities)
            .select_related("unit", "community").order_by("community__path", "unit__name"))
    for reg in regs:
        if reg.unit is not None and not any(r.unit_id == reg.unit_id and r.community_id == reg.community_id
                                            for r in ratees):
            ratees.append(Ratee(campaign=campaign, kind=Ratee.Kind.UNIT, community=reg.community, unit=reg.unit,
                                name=reg.unit.name))
    seats = (CommitteeMembership.objects.filter(party_org__area__in=communities, active=True,
                                                party_org__kind=PartyOrg.Kind.COMMUNITY_COMMITTEE,
                                                role=CommitteeMembership.Role.PART_TIME_MEMBER)
             .select_related("party_org__area", "unit").order_by("party_org__area__path", "pk"))
    for seat in seats:
        unit_name = seat.unit.name if seat.unit else ""
        ratees.append(Ratee(campaign=campaign, kind=Ratee.Kind.MEMBER, community=seat.party_org.area,
                            membership=seat, name=f"{seat.person_name}（{unit_name}）" if unit_name
                            else seat.person_name))
    Ratee.objects.bulk_create(ratees)
    ratees = list(Ratee.objects.filter(campaign=campaign).select_related("membership").order_by("pk"))
    if not ratees:
        return None

    # Raters.
    raters: list[Rater] = [Rater(campaign=campaign, group=groups["subdistrict"], user=staff,
                                 added_at=_at(date(2025, 12, 12)))]
    committees = {o.area_id: o for o in PartyOrg.objects.filter(area__in=communities,
                                                                 kind=PartyOrg.Kind.COMMUNITY_COMMITTEE)}
    seen = {staff.pk}
    for g in (Grant.objects.filter(role=Role.COMMUNITY_WORKER, area__in=communities, user__is_active=True)
              .select_related("user").order_by("area__path", "user__username")):
        if g.user_id not in seen:
            seen.add(g.user_id)
            raters.append(Rater(campaign=campaign, group=groups["community"], user=g.user, community=g.area,
                                party_org=committees.get(g.area_id), added_at=_at(date(2025, 12, 12))))
    reps: list[tuple[str, str, str]] = [("jh_rep1", "居民代表 陈秀英", HOME), ("jh_rep2", "居民代表 刘志强", HOME),
                                        ("fc_rep1", "居民代表 赵桂芳", SHORT), ("fc_rep2", "居民代表 孙建华", SHORT)]
    resident = User.objects.filter(username="resident").first()
    people: list[tuple[User, str]] = [(resident, HOME)] if resident is not None else []
    people += [(_rep(u, n), where) for u, n, where in reps]
    for user, where in people:
        if user.pk not in seen and where in by_name:
            seen.add(user.pk)
            raters.append(Rater(campaign=campaign, group=groups["residents"], user=user, community=by_name[where],
                                added_at=_at(date(2025, 12, 12))))
    Rater.objects.bulk_create(raters)
    raters = list(Rater.objects.filter(campaign=campaign).select_related("group").order_by("pk"))

    # Ratings: a profile per ratee; the liaison's unit fair (合格), its part-time member poor (不合格).
    liaison_grant = Grant.objects.filter(user=liaison, role=Role.UNIT_LIAISON).first() if liaison else None
    liaison_unit = liaison_grant.unit_id if liaison_grant else None
    profile_of: dict[int, str] = {}
    n = 0
    for ratee in ratees:
        if ratee.kind == Ratee.Kind.UNIT and ratee.unit_id == liaison_unit:
            profile_of[ratee.pk] = "fair"
        elif ratee.kind == Ratee.Kind.MEMBER and ratee.membership and ratee.membership.unit_id == liaison_unit:
            profile_of[ratee.pk] = "poor"
        else:
            profile_of[ratee.pk] = CYCLE[n % len(CYCLE)]
            n += 1
    if liaison_unit is None or "poor" not in profile_of.values():
        members = [r for r in ratees if r.kind == Ratee.Kind.MEMBER]
        if members:
            profile_of[members[-1].pk] = "poor"
    ratings: list[Rating] = []
    rated_at = _at(date(2025, 12, 20))
    for ratee in ratees:
        sub, com, res = PROFILES[profile_of[ratee.pk]]
        resident_n = 0
        for rater in raters:
            if rater.community_id is not None and rater.community_id != ratee.community_id:
                continue
            if rater.group.kind == RaterGroup.Kind.SUBDISTRICT:
                grade = sub
            elif rater.group.kind == RaterGroup.Kind.COMMUNITY:
                grade = com
            else:
                grade = res[resident_n % len(res)]
                resident_n += 1
            ratings.append(Rating(campaign=campaign, rater=rater, ratee=ratee, grade=grade,
                                  created_at=rated_at + timedelta(hours=len(ratings) % 48),
                                  updated_at=rated_at + timedelta(hours=len(ratings) % 48)))
    Rating.objects.bulk_create(ratings)

    # Close, objections and answers, final — through the actions; then their times set in January 2026.
    actions.do_close_rating(campaign, acting_user=staff)
    objections = 0
    own = Ratee.objects.filter(campaign=campaign).filter(
        Q(kind=Ratee.Kind.UNIT, unit_id=liaison_unit) | Q(kind=Ratee.Kind.MEMBER, membership__unit_id=liaison_unit))
    unit_ratee = own.filter(kind=Ratee.Kind.UNIT).first() if liaison_unit else None
    member_ratee = own.filter(kind=Ratee.Kind.MEMBER).first() if liaison_unit else None
    if liaison is not None and unit_ratee is not None:
        o = actions.do_object(unit_ratee, reason=UPHELD_REASON, acting_user=liaison)
        actions.do_answer_objection(o, upheld=True, answer=UPHELD_ANSWER, new_outcome=E, acting_user=staff)
        Objection.objects.filter(pk=o.pk).update(raised_at=_at(date(2026, 1, 6), 9),
                                                 answered_at=_at(ANSWERED_ON, 16))
        objections += 1
    if liaison is not None and member_ratee is not None:
        o = actions.do_object(member_ratee, reason=DISMISSED_REASON, acting_user=liaison)
        actions.do_answer_objection(o, upheld=False, answer=DISMISSED_ANSWER, acting_user=staff)
        Objection.objects.filter(pk=o.pk).update(raised_at=_at(date(2026, 1, 7), 11),
                                                 answered_at=_at(ANSWERED_ON, 16) + timedelta(minutes=20))
        objections += 1
    Campaign.objects.filter(pk=campaign.pk).update(notice_starts_at=_at(CLOSED_ON, 9),
                                                   notice_ends_at=_at(NOTICE_END, 9))
    actions.do_finalize_campaign(campaign, acting_user=staff)
    Campaign.objects.filter(pk=campaign.pk).update(finalized_at=_at(FINAL_ON, 10))
    Ratee.objects.filter(campaign=campaign).update(computed_at=_at(CLOSED_ON, 9))
    urls = [actions.result_url(r) for r in ratees] + [actions.campaign_results_url(campaign)]
    for verb, day in (("evaluation.notice", CLOSED_ON), ("evaluation.objection", date(2026, 1, 6)),
                      ("evaluation.objection_answered", ANSWERED_ON), ("evaluation.final", FINAL_ON)):
        Notification.objects.filter(verb=verb, created_at__gte=timezone.now() - timedelta(hours=1)).filter(
            Q(url__in=urls) | Q(url__startswith="/evaluation/")).update(created_at=_at(day, 10))
    final = Ratee.objects.filter(campaign=campaign)
    counts = {g: final.filter(outcome=g).count() for g in Grade.values}
    ctx.say(f"  双向评议：{TITLE}，{len(ratees)}个对象（优秀{counts[E]}、合格{counts[Qd]}、不合格{counts[U]}），"
            f"异议{objections}条，已定档")
    return {"ratees": len(ratees), "ratings": len(ratings), "objections": objections}
