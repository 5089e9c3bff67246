"""Rows for the duty report and minutes tests, made directly (the schedule and agenda parts have their own actions):
a committee series of community A with two meetings, the member unit invited to both, a resolution of meeting 1
assigned to the member unit."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.core.models import Area, Unit
from gongzhi.meetings.models import AgendaItem, Invitation, Meeting, MeetingSeries, Resolution


def make_meeting(cast: Any, *, starts_at: datetime, area: Area | None = None, series: MeetingSeries | None = None,
                 title: str = "和平里社区联席会议", number: int = 1, kind: str = "committee",
                 status: str = Meeting.Status.SCHEDULED) -> Meeting:
    return Meeting.objects.create(
        series=series, number=number, kind=kind, title=title, area=area or cast.community_a, starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90), place="社区党群服务中心三楼会议室", host_name="李书记",
        recorder_name="王干事", status=status, organizer=cast.worker_a, checkin_token=secrets.token_hex(16),
        checkin_code=secrets.token_hex(3))


def invite(meeting: Meeting, unit: Unit, **extra: Any) -> Invitation:
    return Invitation.objects.create(meeting=meeting, role=Invitation.Role.UNIT, unit=unit, name=unit.name, **extra)


def other_unit(cast: Any, name: str = "和平里小学") -> Unit:
    unit = core_actions.do_create_unit(acting_user=None, area=cast.community_a, name=name, kind=Unit.Kind.SCHOOL)
    core_actions.do_register_unit(unit, community=cast.community_a, acting_user=None)
    return unit


def series_of(cast: Any, first: datetime) -> MeetingSeries:
    return MeetingSeries.objects.create(kind="committee", title="和平里社区联席会议", area=cast.community_a,
                                        every_months=3, first_starts_at=first)


def resolution(meeting: Meeting, units: list[Unit], *, task: str = "修复 3 号楼漏水屋面", item: AgendaItem | None = None,
               due_in_days: int = 30, status: str = Resolution.Status.OPEN, progress: int = 0) -> Resolution:
    r = Resolution.objects.create(meeting=meeting, agenda_item=item, area=meeting.area, approach="物业出资、社区协调",
                                  task=task, due_on=timezone.localdate() + timedelta(days=due_in_days),
                                  status=status, progress=progress, created_at=meeting.ends_at)
    r.units.set(units)
    return r


def two_meetings(cast: Any) -> tuple[Meeting, Meeting, Resolution]:
    """Meeting 1 (held 60 days ago: a resolution for the member unit) and meeting 2 (in 5 days), both of a series,
    the member unit invited to both."""
    now = timezone.now()
    series = series_of(cast, now - timedelta(days=60))
    m1 = make_meeting(cast, starts_at=now - timedelta(days=60), series=series, number=1, title="第一次联席会议",
                      status=Meeting.Status.HELD)
    m2 = make_meeting(cast, starts_at=now + timedelta(days=5), series=series, number=2, title="第二次联席会议")
    invite(m1, cast.member_unit, attendance=Invitation.Attendance.PRESENT)
    invite(m2, cast.member_unit)
    item = AgendaItem.objects.create(meeting=m1, order=1, title="3 号楼屋面漏水", reason="12 位居民反映")
    r = resolution(m1, [cast.member_unit], item=item, progress=40, status=Resolution.Status.IN_PROGRESS)
    return m1, m2, r
