"""The evidence queries against fixed data: `unit_record` and `membership_record` count exactly what the member unit
(和平物业) and its part-time committee member did at 和平里社区 over a year two years back — and nothing from before or after
the period, nor from 安定门社区, nor another unit's.

The scene is written with the ORM (dates set by hand: the actions stamp "now") and shared with the other evidence
tests (`build_scene`)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.appeals.models import Assignment, Case, Whistle, WhistleReport
from gongzhi.core.models import CommitteeMembership, Unit
from gongzhi.evaluation.evidence import MembershipRecord, UnitRecord, membership_record, unit_record
from gongzhi.lists.models import Milestone, Project, ProjectRating
from gongzhi.meetings.models import DutyReport, Invitation, Meeting, Resolution
from gongzhi.service.models import Activity, SignUp
from gongzhi.test import Cast

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@dataclass
class Scene:
    start: date
    end: date
    unit: Unit
    membership: CommitteeMembership
    records: dict[str, Any]


def _meeting(cast: Cast, day: date, *, community: Any = None, status: str = Meeting.Status.HELD,
             title: str = "社区大党委联席会议") -> Meeting:
    n = next(_serial)
    starts = at(day, 9)
    return Meeting.objects.create(kind="committee", title=title, area=community or cast.community_a,
                                  starts_at=starts, ends_at=starts + timedelta(hours=2), status=status,
                                  checkin_token=f"tok{n:08d}", checkin_code=f"{n:06d}")


def _invite(meeting: Meeting, unit: Unit, attendance: str, *, role: str = Invitation.Role.UNIT,
            name: str = "") -> Invitation:
    return Invitation.objects.create(meeting=meeting, unit=unit, role=role, name=name or unit.name,
                                     attendance=attendance)


def _project(cast: Cast, title: str, *, unit: Unit, claimed: datetime, status: str = Project.Status.IN_PROGRESS,
             finished: datetime | None = None, community: Any = None) -> Project:
    return Project.objects.create(title=title, area=community or cast.community_a, lead_unit=unit,
                                  status=status, claimed_at=claimed, finished_at=finished,
                                  created_at=claimed - timedelta(days=5))


def _resolution(meeting: Meeting, task: str, unit: Unit, due: date, *, status: str = Resolution.Status.OPEN,
                completed: datetime | None = None, community: Any = None) -> Resolution:
    r = Resolution.objects.create(meeting=meeting, area=community or meeting.area, approach="协调解决", task=task,
                                  due_on=due, status=status, completed_at=completed,
                                  created_at=meeting.starts_at)
    r.units.add(unit)
    return r


def _case(cast: Cast, title: str, unit: Unit, *, when: datetime, solved: bool, satisfaction: str,
          area: Any = None) -> Case:
    area = area or cast.estate_a
    case = Case.objects.create(title=title, area=area, area_path=area.path, lead_unit=unit, status="closed",
                               created_at=when, dispatched_at=when, due_at=when + timedelta(days=3),
                               replied_at=when + timedelta(days=1), closed_at=when + timedelta(days=2),
                               followed_up_at=when + timedelta(days=2), contacted=True, solved=solved,
                               satisfaction=satisfaction)
    Assignment.objects.create(case=case, unit=unit, status=Assignment.Status.DONE, created_at=when,
                              done_at=when + timedelta(days=1))
    return case


def _activity(cast: Cast, day: date, *, community: Any = None, title: str = "楼道清洁志愿服务") -> Activity:
    n = next(_serial)
    starts = at(day, 14)
    return Activity.objects.create(community=community or cast.community_a, title=title, place="和平小区",
                                   starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=10,
                                   status=Activity.Status.CLOSED, checkin_secret=f"s{n}", public_code=f"c{n:08d}")


def _served(activity: Activity, user: Any, minutes: int) -> SignUp:
    return SignUp.objects.create(activity=activity, user=user, status=SignUp.Status.CONFIRMED, minutes=minutes,
                                 checked_in_at=activity.starts_at, checked_out_at=activity.ends_at,
                                 hours_confirmed_at=activity.ends_at)


def build_scene(cast: Cast) -> Scene:
    """A year (two years back) at 和平里社区 for 和平物业 (cast.member_unit) and its part-time member 李明:

    - projects: 楼道照明改造 claimed and finished, 小区绿化提升 claimed with a milestone missed; one claimed the year
      before, one at 安定门社区 (neither counts);
    - two ratings of the finished project in the period (one at its very first minute), one this year;
    - meetings at 和平里: one attended (report filed on time, 李明 present), one missed (no report, 李明 not
      present); one at 安定门, one the year before, one skipped (none count);
    - resolutions of the attended meeting: one done on time, one late (still open); one cancelled, one at 安定门;
    - cases: two dispatched and followed up in the period (one solved and satisfied, one unsolved and unsatisfied),
      one this year;
    - service: 王红 (in service at the unit) served 90 minutes in the period; 30 this year, 45 at 安定门;
    - whistles (for the department): two at 和平小区 in the period, one answered in 2 hours, one never answered.
    """
    # Two years back: nothing stamped "now" (or a few days ago) can fall in it, whatever today's date.
    year = timezone.localdate().year - 2
    start, end = date(year, 1, 1), date(year, 12, 31)
    unit = cast.member_unit
    other_unit = Unit.objects.create(name="安定物业公司", kind=Unit.Kind.PROPERTY_COMPANY, area=cast.community_b)
    mid = date(year, 6, 10)
    r: dict[str, Any] = {}

    # Projects
    r["finished"] = _project(cast, "楼道照明改造", unit=unit, claimed=at(date(year, 3, 1)),
                             status=Project.Status.FINISHED, finished=at(date(year, 9, 1)))
    r["late_project"] = _project(cast, "小区绿化提升", unit=unit, claimed=at(end, 23, 30))
    Milestone.objects.create(project=r["late_project"], title="完成第一阶段", due_on=date(year, 12, 31))
    done_ms = _project(cast, "健身器材更新", unit=unit, claimed=at(date(year - 1, 11, 1)))
    Milestone.objects.create(project=done_ms, title="采购", due_on=date(year, 2, 1), done_at=at(date(year, 1, 20)))
    _project(cast, "安定门适老化改造", unit=unit, claimed=at(mid), community=cast.community_b)
    _project(cast, "他人项目", unit=other_unit, claimed=at(mid))
    for n, (when, how) in enumerate([(at(start, 0, 0), "satisfied"), (at(mid), "basically_satisfied"),
                                     (at(start, 0, 0) - timedelta(minutes=1), "unsatisfied"),
                                     (timezone.now(), "unsatisfied")]):
        ProjectRating.objects.create(project=r["finished"], phone_hash=f"h{n}", satisfaction=how, created_at=when)

    # Meetings, attendance and duty reports
    r["attended"] = _meeting(cast, date(year, 4, 8), title="第二季度联席会议")
    r["missed"] = _meeting(cast, date(year, 10, 8), title="第四季度联席会议")
    elsewhere = _meeting(cast, mid, community=cast.community_b, title="安定门联席会议")
    before = _meeting(cast, date(year - 1, 12, 8), title="上年联席会议")
    skipped = _meeting(cast, mid, status=Meeting.Status.SKIPPED, title="取消的会议")
    _invite(r["attended"], unit, Invitation.Attendance.PRESENT)
    _invite(r["missed"], unit, Invitation.Attendance.ABSENT)
    for m in (elsewhere, before, skipped):
        _invite(m, unit, Invitation.Attendance.PRESENT)
    r["report"] = DutyReport.objects.create(meeting=r["attended"], unit=unit, status=DutyReport.Status.SUBMITTED,
                                            period_start=at(date(year, 1, 8)),
                                            submitted_at=r["attended"].starts_at - timedelta(days=1))
    DutyReport.objects.create(meeting=elsewhere, unit=unit, status=DutyReport.Status.DRAFT,
                              period_start=at(date(year, 3, 1)))
    membership = CommitteeMembership.objects.create(party_org=cast.committee_a, unit=unit, person_name="李明")
    member = Invitation.Role.PART_TIME_MEMBER
    _invite(r["attended"], unit, Invitation.Attendance.PRESENT, role=member, name="李明")
    _invite(r["missed"], unit, Invitation.Attendance.INVITED, role=member, name="李明")
    _invite(elsewhere, unit, Invitation.Attendance.PRESENT, role=member, name="李明")
    _invite(before, unit, Invitation.Attendance.PRESENT, role=member, name="李明")
    _invite(r["missed"], unit, Invitation.Attendance.PRESENT, role=member, name="张伟")  # another member

    # Resolutions
    r["done_resolution"] = _resolution(r["attended"], "修复小区路灯", unit, date(year, 5, 31),
                                       status=Resolution.Status.DONE, completed=at(date(year, 5, 20)))
    r["late_resolution"] = _resolution(r["attended"], "清理楼道堆物", unit, date(year, 6, 30))
    _resolution(r["attended"], "已取消的决议", unit, date(year, 6, 30), status=Resolution.Status.CANCELLED)
    _resolution(elsewhere, "安定门的决议", unit, date(year, 7, 30))
    _resolution(r["attended"], "他人的决议", other_unit, date(year, 7, 30))

    # Cases and their three rates
    r["case_good"] = _case(cast, "楼道灯不亮", unit, when=at(date(year, 5, 1)), solved=True, satisfaction="satisfied")
    r["case_bad"] = _case(cast, "电梯异响", unit, when=at(date(year, 8, 1)), solved=False,
                          satisfaction="unsatisfied")
    _case(cast, "今年的工单", unit, when=timezone.now() - timedelta(days=3), solved=True, satisfaction="satisfied")
    _case(cast, "安定门的工单", unit, when=at(mid), solved=True, satisfaction="satisfied", area=cast.estate_b)

    # Service by the unit's in-service party members (王红 works at the unit)
    r["activity"] = _activity(cast, mid)
    _served(r["activity"], cast.party_member_user, 90)
    _served(_activity(cast, timezone.localdate() - timedelta(days=2)), cast.party_member_user, 30)
    _served(_activity(cast, mid, community=cast.community_b), cast.party_member_user, 45)
    _served(_activity(cast, mid, title="社区义诊"), cast.volunteer, 120)  # not the unit's member

    # Whistles that summoned the department
    def whistle(title: str, when: datetime, reported: datetime | None, area: Any = None) -> WhistleReport:
        w = Whistle.objects.create(title=title, area=area or cast.estate_a, whistler=cast.worker_a,
                                   whistler_area=cast.community_a, whistler_area_path=cast.community_a.path,
                                   report_deadline=when + timedelta(hours=24), created_at=when)
        return WhistleReport.objects.create(whistle=w, unit=cast.department, reported_at=reported)

    r["whistle_answered"] = whistle("占道经营", at(mid, 8), at(mid, 10))
    r["whistle_missed"] = whistle("违建拆除", at(date(year, 7, 1)), None)
    whistle("安定门的哨", at(mid), at(mid, 11), area=cast.estate_b)
    whistle("今年的哨", timezone.now() - timedelta(days=1), None)
    return Scene(start=start, end=end, unit=unit, membership=membership, records=r)


def test_it_counts_what_the_unit_did_in_the_period_at_the_community(cast: Cast) -> None:
    scene = build_scene(cast)
    record = unit_record(scene.unit, [cast.community_a.pk], scene.start, scene.end)
    assert record == UnitRecord(
        projects_claimed=2, projects_finished=1, projects_overdue=1,
        resolutions_assigned=2, resolutions_done=1, resolutions_late=1,
        duty_reports_due=2, duty_reports_filed=1, duty_reports_missed=1,
        meetings_invited=2, meetings_attended=1, meetings_missed=1,
        handles_whistles=False, whistles_summoned=0, whistles_answered=0, whistles_late=0, whistle_hours=None,
        cases_handled=2, cases_overdue=0, cases_followed_up=2,
        response_rate=1.0, resolution_rate=0.5, satisfaction_rate=0.5,
        service_members=1, service_minutes=90,
        ratings_satisfied=1, ratings_basically=1, ratings_unsatisfied=0,
    )
    assert record.service_hours == 1.5
    assert record.ratings_total == 2
    assert record.ratings_rate == pytest.approx(0.95)


def test_it_counts_the_departments_whistles(cast: Cast) -> None:
    scene = build_scene(cast)
    record = unit_record(cast.department, [cast.community_a], scene.start, scene.end)
    assert (record.handles_whistles, record.whistles_summoned, record.whistles_answered, record.whistles_late) == (
        True, 2, 1, 1)
    assert record.whistle_hours == pytest.approx(2.0)
    assert record.projects_claimed == record.meetings_invited == record.cases_handled == 0


def test_it_counts_the_other_community_only_when_asked(cast: Cast) -> None:
    scene = build_scene(cast)
    record = unit_record(scene.unit, [cast.community_b.pk], scene.start, scene.end)
    assert (record.projects_claimed, record.meetings_invited, record.meetings_attended) == (1, 1, 1)
    assert (record.duty_reports_due, record.duty_reports_filed, record.duty_reports_missed) == (1, 0, 1)
    assert (record.resolutions_assigned, record.resolutions_late) == (1, 1)
    assert (record.cases_handled, record.service_minutes) == (1, 45)
    both = unit_record(scene.unit, [cast.community_a.pk, cast.community_b.pk], scene.start, scene.end)
    assert both.projects_claimed == 3 and both.meetings_invited == 3 and both.service_minutes == 135


def test_it_counts_nothing_outside_the_period(cast: Cast) -> None:
    scene = build_scene(cast)
    record = unit_record(scene.unit, [cast.community_a.pk], date(scene.end.year + 1, 1, 1), timezone.localdate())
    assert (record.projects_claimed, record.projects_finished, record.meetings_invited) == (0, 0, 0)
    assert (record.resolutions_assigned, record.duty_reports_due) == (0, 0)
    assert (record.cases_handled, record.cases_followed_up, record.response_rate) == (1, 1, 1.0)
    assert (record.service_minutes, record.ratings_total, record.ratings_unsatisfied) == (30, 1, 1)


def test_it_counts_nothing_for_no_community(cast: Cast) -> None:
    scene = build_scene(cast)
    assert unit_record(scene.unit, [], scene.start, scene.end) == UnitRecord()


def test_it_counts_the_part_time_members_meetings_and_their_units_work(cast: Cast) -> None:
    scene = build_scene(cast)
    record = membership_record(scene.membership, scene.start, scene.end)
    assert record == MembershipRecord(meetings_invited=2, meetings_attended=1, meetings_missed=1,
                                      projects_claimed=2, projects_finished=1,
                                      duty_reports_due=2, duty_reports_filed=1, duty_reports_missed=1)
    assert not record.did_nothing


def test_it_finds_a_member_who_did_nothing(cast: Cast) -> None:
    scene = build_scene(cast)
    idle_unit = Unit.objects.create(name="空挂单位", kind=Unit.Kind.ENTERPRISE, area=cast.community_a)
    idle = CommitteeMembership.objects.create(party_org=cast.committee_a, unit=idle_unit, person_name="赵强")
    _invite(scene.records["missed"], idle_unit, Invitation.Attendance.ABSENT, role=Invitation.Role.PART_TIME_MEMBER,
            name="赵强")
    record = membership_record(idle, scene.start, scene.end)
    assert record == MembershipRecord(meetings_invited=1, meetings_missed=1)
    assert record.did_nothing
    no_unit = CommitteeMembership.objects.create(party_org=cast.committee_a, unit=None, person_name="钱七")
    assert membership_record(no_unit, scene.start, scene.end) == MembershipRecord()


def test_it_takes_a_fixed_number_of_queries(cast: Cast, django_assert_max_num_queries: Any) -> None:
    scene = build_scene(cast)
    with django_assert_max_num_queries(12):
        unit_record(scene.unit, [cast.community_a.pk], scene.start, scene.end)
    membership = CommitteeMembership.objects.select_related("party_org__area").get(pk=scene.membership.pk)
    with django_assert_max_num_queries(3):
        membership_record(membership, scene.start, scene.end)
