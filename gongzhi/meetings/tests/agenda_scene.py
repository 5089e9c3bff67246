"""A community with something waiting in every source of the agenda proposals (for the agenda and resolution
tests): an overdue case, a case reopened twice, a top demand, an earlier meeting's overdue resolution, a project
with a milestone past due, and raised items from the member unit and a resident."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from gongzhi.appeals.models import Case
from gongzhi.core.models import Area, User
from gongzhi.lists.models import Demand, Milestone, Project
from gongzhi.meetings.models import Meeting, MeetingKind, RaisedItem, Resolution
from gongzhi.test import Cast


def meeting(cast: Cast, *, area: Area | None = None, days: int = 7, title: str = "第四季度联席会议",
            status: str = Meeting.Status.SCHEDULED, organizer: User | None = None,
            kind: str = MeetingKind.COMMITTEE) -> Meeting:
    starts = timezone.now() + timedelta(days=days)
    return Meeting.objects.create(kind=kind, title=title, area=area or cast.community_a, starts_at=starts,
                                  ends_at=starts + timedelta(hours=2), status=status,
                                  organizer=organizer or cast.worker_a, checkin_token=secrets.token_hex(16),
                                  checkin_code=f"{secrets.randbelow(10 ** 6):06d}")


def case(cast: Cast, title: str, *, area: Area | None = None, overdue_days: int = 0, reopens: int = 0,
         status: str = "in_progress") -> Case:
    area = area or cast.building_a
    now = timezone.now()
    due = now - timedelta(days=overdue_days, hours=1) if overdue_days else now + timedelta(days=5)
    return Case.objects.create(title=title, status=status, area=area, area_path=area.path, lead_unit=cast.department,
                               due_at=due, dispatched_at=now - timedelta(days=20), reopen_count=reopens,
                               created_at=now - timedelta(days=20))


def resolution(cast: Cast, earlier: Meeting, *, task: str = "修复和平小区路灯", due_on: date | None = None,
               status: str = Resolution.Status.OPEN) -> Resolution:
    r = Resolution.objects.create(meeting=earlier, area=earlier.area, approach="物业排查线路，更换灯具", task=task,
                                  due_on=due_on or timezone.localdate() - timedelta(days=5), status=status)
    r.units.set([cast.member_unit])
    return r


@dataclass
class Scene:
    meeting: Meeting
    earlier: Meeting
    overdue_case: Case
    reopened_case: Case
    top_demand: Demand
    small_demand: Demand
    resolution: Resolution
    project: Project
    unit_item: RaisedItem
    resident_item: RaisedItem
    other_case: Case


def build(cast: Cast, *, now: datetime | None = None) -> Scene:
    today = timezone.localdate(now)
    earlier = meeting(cast, days=-90, title="第三季度联席会议", status=Meeting.Status.HELD)
    upcoming = meeting(cast)
    overdue_case = case(cast, "和平小区3号楼下水道堵塞", overdue_days=12)
    reopened = case(cast, "和平小区噪音扰民", reopens=3, status="replied")
    other = case(cast, "安定小区路面塌陷", area=cast.building_b, overdue_days=20)
    top = Demand.objects.create(title="老年助餐点", area=cast.community_a, beneficiary_count=32)
    small = Demand.objects.create(title="儿童托管", area=cast.community_a, beneficiary_count=4)
    Demand.objects.create(title="安定门停车", area=cast.community_b, beneficiary_count=99)
    res = resolution(cast, earlier)
    project = Project.objects.create(title="楼道照明改造", area=cast.community_a, status=Project.Status.IN_PROGRESS,
                                     lead_unit=cast.member_unit)
    Milestone.objects.create(project=project, title="施工", due_on=today - timedelta(days=10))
    unit_item = RaisedItem.objects.create(area=cast.community_a, title="小区停车位不足", raised_by_unit=cast.member_unit,
                                          raised_by_user=cast.liaison, raised_by_name="物业联络员")
    resident_item = RaisedItem.objects.create(area=cast.community_a, title="希望增设健身器材", raised_by_name="张桂兰",
                                              phone_hash="x" * 64)
    return Scene(meeting=upcoming, earlier=earlier, overdue_case=overdue_case, reopened_case=reopened,
                 top_demand=top, small_demand=small, resolution=res, project=project, unit_item=unit_item,
                 resident_item=resident_item, other_case=other)
