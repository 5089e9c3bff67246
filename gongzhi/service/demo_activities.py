"""Demo step (order 62): service activities at `sq_worker`'s community (锦华社区, where the demo's `party_member` and
`volunteer` live), so that a newcomer sees every state.

- A quarterly party day (锦华社区党员固定主题党日), a recurring activity: no. 1 last quarter, held, everyone checked in
  and out, the hours confirmed and credited to the time bank (one no-show confirmed with none); no. 2 in ten days,
  FULL, `party_member` signed up and two more party members on the waitlist.
- A clean-up two weeks ago: checked in and out, hours confirmed, one corrected with a reason; residents' feedback.
- A visit to elderly residents three days ago: checked in and out, awaiting the organizer's confirmation.
- A volunteer event in three days (anti-fraud publicity, residents may join) with `volunteer` signed up, and a
  clean-up next month with nobody yet.

The other party members who take part are the community's own party-member records, given accounts that do not sign
in (no password), as the lists' demo does for unit liaisons. Everything goes through the actions; the past ones are
created ahead and moved back in time (`_move_to`), then checked in and out at explicit past times.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.models import Area, Grant, PartyMember, Role, User
from gongzhi.lib import rotating_codes
from gongzhi.lists import phone_codes

from .actions import activities as actions
from .models import Activity, ActivityKind, SignUp

ORGANIZER = "sq_worker"
CORRECTION_REASON = "签退时手机没电，按现场签到表核实实际服务时长"
FEEDBACK = [(5, "党员志愿者把楼道清理得很干净，还帮老人搬走了堆放的杂物。"), (4, "活动很好，希望以后每个月都搞一次。")]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _community_of(user: User) -> Area | None:
    grant = Grant.objects.filter(user=user).select_related("area").order_by("pk").first()
    if grant is None:
        return None
    area = grant.area
    return area if area.level == Area.Level.COMMUNITY else area.ancestor_of_level(Area.Level.COMMUNITY)


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return timezone.localtime(day).replace(hour=hour, minute=minute, second=0, microsecond=0)


def _party_members(community: Area, exclude: set[int], n: int) -> list[User]:
    """Users for `n` of the community's party members (their own account when they have one; otherwise one that
    does not sign in), each with a party-member grant at the community."""
    people: list[User] = []
    for member in (PartyMember.objects.filter(home_area=community).select_related("user")
                   .order_by("-in_service", "pk")[: n + len(exclude) + 5]):
        if len(people) == n:
            break
        user = member.user
        if user is None:
            user = User.objects.create(username=f"member-{member.pk}", display_name=member.name[:50], phone="")
            user.set_unusable_password()
            user.save(update_fields=["password"])
            member.user = user
            member.save(update_fields=["user"])
        if user.pk in exclude:
            continue
        if not Grant.objects.filter(user=user, role=Role.PARTY_MEMBER, area=community).exists():
            Grant.objects.create(user=user, role=Role.PARTY_MEMBER, area=community)
        people.append(user)
    return people


def _move_to(activity: Activity, starts_at: datetime) -> Activity:
    """A past activity: created ahead (sign-ups are taken until it ends), then moved back to when it was held."""
    length = activity.ends_at - activity.starts_at
    Activity.objects.filter(pk=activity.pk).update(starts_at=starts_at, ends_at=starts_at + length,
                                                   created_at=starts_at - timedelta(days=10),
                                                   reminded_at=starts_at - timedelta(days=1))
    SignUp.objects.filter(activity=activity).update(created_at=starts_at - timedelta(days=7))
    activity.refresh_from_db()
    return activity


def _serve(activity: Activity, people: list[User], *, early: int = 10, leave_early: dict[int, int] | None = None,
           absent: set[int] | None = None) -> None:
    """Everyone checks in with the QR token of the moment (a few minutes before the start) and out at the end
    (or `leave_early[i]` minutes before it); `absent` ones never come."""
    for i, user in enumerate(people):
        if absent and i in absent:
            continue
        arrive = activity.starts_at - timedelta(minutes=early - i % 5)
        token = rotating_codes.qr_token(activity.checkin_secret, arrive.timestamp())
        actions.do_check_in(activity, acting_user=user, token=token, now=arrive)
        leave = activity.ends_at + timedelta(minutes=3) - timedelta(minutes=(leave_early or {}).get(i, 0))
        code = rotating_codes.spoken_code(activity.checkin_secret, leave.timestamp())
        actions.do_check_in(activity, acting_user=user, code=code, now=leave)


def _new(worker: User, community: Area, *, title: str, kind: str, place: str, days: int, hour: int,
         minutes: int, capacity: int, residents: bool = False, party_only: bool = False, skills: str = "",
         description: str = "") -> Activity:
    starts = _at(timezone.now() + timedelta(days=days), hour)
    return actions.do_create_activity(
        acting_user=worker, community=community, title=title, kind=kind, place=place, starts_at=starts,
        ends_at=starts + timedelta(minutes=minutes), capacity=capacity, open_to_party_members=True,
        open_to_volunteers=not party_only, open_to_residents=residents, skills=skills, description=description)


def build_demo_activities(ctx: Any) -> dict[str, int]:
    worker = _user(ORGANIZER)
    member, volunteer = _user("party_member"), _user("volunteer")
    if worker is None or member is None or volunteer is None:
        return {}
    community = _community_of(worker)
    if community is None:
        return {}
    counts: Counter[str] = Counter()
    now = timezone.now()
    others = _party_members(community, {member.pk}, 9)
    centre = f"{community.name}党群服务中心"

    # The quarterly party day: no. 1 held last quarter, no. 2 upcoming and full with a waitlist.
    first = _at(actions.add_months(now + timedelta(days=10), -3), 9)
    series = actions.do_create_series(
        acting_user=worker, community=community, title=f"{community.name}党员固定主题党日", kind=ActivityKind.PARTY_DAY,
        place=f"{centre}一楼多功能厅", first_starts_at=first, every_months=3, duration_minutes=180, capacity=6,
        description="重温入党誓词，学习文件精神，随后分组入户走访、清理楼道，为居民办实事。")
    held = actions.do_create_next(series, acting_user=worker)
    actions.do_update_activity(held, acting_user=worker, starts_at=now + timedelta(days=1),
                               ends_at=now + timedelta(days=1, hours=3))
    day_people = [member, *others[:5]]
    for user in day_people:
        actions.do_sign_up(held, acting_user=user)
    held = _move_to(held, first)
    _serve(held, day_people, leave_early={3: 40}, absent={5})
    actions.do_confirm_hours(held, acting_user=worker)
    counts["activities"] += 1

    upcoming = actions.do_create_next(series, acting_user=worker)
    for user in [member, *others[:5], *others[5:7]]:
        actions.do_sign_up(upcoming, acting_user=user)
    counts["activities"] += 1
    counts["waitlisted"] += SignUp.objects.filter(activity=upcoming, status=SignUp.Status.WAITLISTED).count()

    # A clean-up two weeks ago: confirmed, one correction with its reason, residents' feedback.
    clean = _new(worker, community, title="楼道环境大扫除", kind=ActivityKind.CLEAN_UP, place=f"{community.name}3号小区",
                 days=1, hour=14, minutes=120, capacity=15, description="清理楼道堆物、小广告，整治绿化带垃圾。")
    clean_people = [volunteer, member, *others[6:9]]
    for user in clean_people:
        actions.do_sign_up(clean, acting_user=user)
    clean = _move_to(clean, _at(now - timedelta(days=14), 14))
    _serve(clean, clean_people, leave_early={2: 115})
    actions.do_confirm_hours(clean, acting_user=worker)
    corrected = SignUp.objects.get(activity=clean, user=clean_people[2])
    actions.do_correct_hours(corrected, acting_user=worker, minutes=110, reason=CORRECTION_REASON)
    for i, (score, comment) in enumerate(FEEDBACK):
        actions._create_feedback(clean, phone_codes.phone_hash(f"1380000{i:04d}"), score, comment)
    counts["activities"] += 1
    counts["feedback"] += len(FEEDBACK)

    # A visit to elderly residents three days ago: checked in and out, awaiting confirmation.
    visit = _new(worker, community, title="走访慰问独居老人", kind=ActivityKind.ELDERLY_VISIT, place=f"{centre}门口集合",
                 days=1, hour=9, minutes=150, capacity=8, skills="会讲方言、懂基本健康知识",
                 description="两人一组走访辖区独居、空巢老人，了解生活需求，检查家中燃气和用电安全。")
    visit_people = [member, volunteer, *others[:2]]
    for user in visit_people:
        actions.do_sign_up(visit, acting_user=user)
    visit = _move_to(visit, _at(now - timedelta(days=3), 9))
    _serve(visit, visit_people, leave_early={1: 30})
    counts["activities"] += 1

    # Upcoming: a volunteer event residents may join, with `volunteer` signed up; a clean-up next month.
    fraud = _new(worker, community, title="反诈宣传进小区志愿服务", kind=ActivityKind.VOLUNTEER,
                 place=f"{community.name}文化广场", days=3, hour=15, minutes=120, capacity=10, residents=True,
                 skills="能用手机演示反诈App", description="在广场设点发放反诈宣传资料，帮助居民安装国家反诈中心App。")
    actions.do_sign_up(fraud, acting_user=volunteer)
    actions.do_sign_up(fraud, acting_user=others[1])
    _new(worker, community, title="河道沿线垃圾清捡", kind=ActivityKind.CLEAN_UP, place="锦华路与滨河路交叉口集合",
         days=30, hour=9, minutes=120, capacity=20, residents=True)
    counts["activities"] += 2
    counts["signups"] = SignUp.objects.filter(activity__community=community).count()
    ctx.say(f"  service activities: {counts['activities']} at {community.name}, "
            f"{counts['waitlisted']} on a waitlist")
    return dict(counts)
