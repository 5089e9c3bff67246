"""Demo step (order 50): the joint meetings' schedule, so that a newcomer sees each kind past and upcoming.

At `sq_worker`'s community (锦华社区):
- a committee joint-meeting series every quarter (社区大党委联席会议): meeting 1 held last quarter, with the registered
  member units and their part-time committee members invited, most present and one absent with a reason; meeting 2
  upcoming in about ten days, `unit_liaison`'s unit invited;
- an ad hoc meeting (专题协调会) in a few days;
- residents' council meetings (居民议事会): one held last month, one upcoming.

On the cross-province alliance (枫溪—新塘跨省毗邻社区生活圈), every two months, the host rotating 枫溪社区 → 新塘社区:
meeting 1 held at 枫溪, meeting 2 (新塘's turn) skipped with a reason, so meeting 3, upcoming, is hosted by 新塘
(the skipped meeting kept its turn).

Everything goes through the actions. The later steps (51-53: agenda and resolutions, duty reports, minutes) find
these meetings by kind and status: `Meeting.objects.filter(kind="committee", status="held")` and so on.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.demo.data import ALLIANCE_CROSS_PROVINCE
from gongzhi.core.models import Alliance, Area, Grant, Role, Unit, User

from . import scheduling
from .actions import schedule as actions
from .models import Invitation, Meeting, MeetingKind

ABSENCE_REASON = "单位负责人外出参加区里培训，已提前书面请假"
SKIP_REASON = "新塘社区换届选举，本期轮空，顺延至下期由新塘社区承办"


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _community_of(user: User | None) -> Area | None:
    grant = Grant.objects.filter(user=user).select_related("area").order_by("pk").first() if user else None
    if grant is None:
        return None
    area = grant.area
    return area if area.level == Area.Level.COMMUNITY else area.ancestor_of_level(Area.Level.COMMUNITY)


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return timezone.localtime(day).replace(hour=hour, minute=minute, second=0, microsecond=0)


def _backdate(meeting: Meeting, days_before: int = 14) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(created_at=meeting.starts_at - timedelta(days=days_before),
                                                 updated_at=meeting.ends_at)


def _hold(meeting: Meeting, worker: User | None, absent: int | None = None) -> None:
    """Attendance of a past meeting as the organizer records it after the fact, then marked held."""
    for n, invitation in enumerate(meeting.invitations.order_by("role", "id")):
        if absent is not None and n == absent:
            actions.do_record_absence(invitation, acting_user=worker, reason=ABSENCE_REASON)
        else:
            actions.do_mark_present(invitation, acting_user=worker)
    Invitation.objects.filter(meeting=meeting, attendance=Invitation.Attendance.PRESENT).update(
        checked_in_at=meeting.starts_at - timedelta(minutes=5))
    actions.do_mark_held(meeting, acting_user=worker)
    _backdate(meeting)


def _committee(worker: User, community: Area, liaison: User | None, now: datetime, counts: Counter[str]) -> None:
    first = _at(scheduling.add_months(now + timedelta(days=10), -3), 9, 30)
    series = actions.do_create_series(acting_user=worker, kind=MeetingKind.COMMITTEE, area=community,
                                      title=f"{community.name}大党委联席会议", first_starts_at=first, every_months=3,
                                      duration_minutes=120, place=f"{community.name}党群服务中心二楼会议室")
    past = actions.do_schedule_next(series, acting_user=worker)
    actions.do_update_meeting(past, acting_user=worker, host_name="社区党委书记", recorder_name="社区党委委员")
    _hold(past, worker, absent=1)
    upcoming = actions.do_schedule_next(series, acting_user=worker)
    actions.do_update_meeting(upcoming, acting_user=worker, host_name="社区党委书记", recorder_name="社区党委委员")
    unit = Grant.objects.filter(user=liaison, role=Role.UNIT_LIAISON).values_list("unit", flat=True).first() \
        if liaison else None
    if unit is not None and not upcoming.invitations.filter(unit_id=unit).exists():
        actions.do_invite(upcoming, acting_user=worker, units=[Unit.objects.get(pk=unit)])
    _backdate(upcoming, 3)
    counts["committee"] += 2


def _ad_hoc_and_council(worker: User, community: Area, now: datetime, counts: Counter[str]) -> None:
    ad_hoc = actions.do_create_meeting(
        acting_user=worker, area=community, kind=MeetingKind.AD_HOC, title="高层二次供水改造专题协调会",
        starts_at=_at(now + timedelta(days=4), 15), ends_at=_at(now + timedelta(days=4), 16, 30),
        place=f"{community.name}党群服务中心一楼议事厅", host_name="社区党委书记", recorder_name="社区居委会委员")
    actions.do_invite_registered_units(ad_hoc, acting_user=worker)
    people = [u for u in (_user("resident"), _user("party_member")) if u is not None]
    held = actions.do_create_meeting(
        acting_user=worker, area=community, kind=MeetingKind.COUNCIL, title=f"{community.name}居民议事会（上月例会）",
        starts_at=_at(now - timedelta(days=30), 19), ends_at=_at(now - timedelta(days=30), 20, 30),
        place=f"{community.name}居民议事厅", host_name="居民议事会召集人", recorder_name="社区居委会委员")
    actions.do_invite(held, acting_user=worker, users=people)
    _hold(held, worker)
    upcoming = actions.do_create_meeting(
        acting_user=worker, area=community, kind=MeetingKind.COUNCIL, title=f"{community.name}居民议事会（本月例会）",
        starts_at=_at(now + timedelta(days=6), 19), ends_at=_at(now + timedelta(days=6), 20, 30),
        place=f"{community.name}居民议事厅", host_name="居民议事会召集人")
    actions.do_invite(upcoming, acting_user=worker, users=people)
    for m in (ad_hoc, upcoming):
        _backdate(m, 5)
    counts["ad_hoc"] += 1
    counts["council"] += 2


def _alliance(now: datetime, counts: Counter[str]) -> None:
    alliance = Alliance.objects.filter(name=ALLIANCE_CROSS_PROVINCE).first()
    if alliance is None:
        return
    members = list(alliance.communities.order_by("path"))
    home = next((c for c in members if c.name == "枫溪社区"), members[0])
    rotation = [home.pk, *[c.pk for c in members if c.pk != home.pk]]
    organizer = _user("city_admin")
    first = _at(scheduling.add_months(now + timedelta(days=12), -4), 14, 30)
    series = actions.do_create_series(acting_user=organizer, kind=MeetingKind.ALLIANCE, area=home,
                                      title="枫溪—新塘党建轮值联席会议", first_starts_at=first, every_months=2,
                                      duration_minutes=150, alliance=alliance, rotation=rotation)
    held = actions.do_schedule_next(series, acting_user=organizer, place="枫溪社区党群服务中心")
    actions.do_update_meeting(held, acting_user=organizer, host_name="枫溪社区党委书记", recorder_name="枫溪社区党委委员")
    _hold(held, organizer, absent=0 if held.invitations.count() > 2 else None)
    skipped = actions.do_schedule_next(series, acting_user=organizer, place="新塘社区党群服务中心")
    actions.do_skip_meeting(skipped, acting_user=organizer, reason=SKIP_REASON)
    _backdate(skipped, 20)
    upcoming = actions.do_schedule_next(series, acting_user=organizer, place="新塘社区党群服务中心")
    actions.do_update_meeting(upcoming, acting_user=organizer, host_name="新塘社区党委书记",
                              link="https://meeting.example.cn/fengxi-xintang")
    _backdate(upcoming, 7)
    counts["alliance"] += 3


def build_demo_schedule(ctx: Any) -> dict[str, int]:
    worker = _user("sq_worker")
    community = _community_of(worker)
    if worker is None or community is None:
        return {}
    now = timezone.now()
    counts: Counter[str] = Counter()
    _committee(worker, community, _user("unit_liaison"), now, counts)
    _ad_hoc_and_council(worker, community, now, counts)
    _alliance(now, counts)
    counts["meetings"] = Meeting.objects.count()
    counts["invitations"] = Invitation.objects.count()
    ctx.say(f"  meetings: {counts['meetings']} ({counts['invitations']} invitations): committee "
            f"{counts['committee']}, alliance {counts['alliance']}, council {counts['council']}, "
            f"ad hoc {counts['ad_hoc']}")
    return dict(counts)
