"""The members part's test scene: a part-time seat on community A's committee and what its record holds
(meetings attended, projects claimed, duty reports filed, a final campaign's outcome)."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.core.models import CommitteeMembership, Unit
from gongzhi.evaluation.models import Campaign, Ratee, TitleOnlyFlag
from gongzhi.lists.models import Project
from gongzhi.meetings.models import DutyReport, Invitation, Meeting, MeetingKind
from gongzhi.test import Cast

NAME = "赵志远"


def seat(cast: Cast, *, name: str = NAME, unit: Unit | None = None, started_days_ago: int = 400,
         started: date | None = None) -> CommitteeMembership:
    m = core_actions.do_add_committee_member(cast.committee_a, person_name=name, unit=unit or cast.member_unit,
                                             role=CommitteeMembership.Role.PART_TIME_MEMBER, acting_user=None)
    m.started_on = started or (timezone.localdate() - timedelta(days=started_days_ago))
    m.save(update_fields=["started_on"])
    return m


def meeting(cast: Cast, *, days_ago: int = 30) -> Meeting:
    starts = timezone.now() - timedelta(days=days_ago)
    return Meeting.objects.create(kind=MeetingKind.COMMITTEE, title="大党委联席会议", area=cast.community_a,
                                  starts_at=starts, ends_at=starts + timedelta(hours=2),
                                  status=Meeting.Status.HELD, organizer=cast.worker_a,
                                  checkin_token=secrets.token_hex(16),
                                  checkin_code=f"{secrets.randbelow(10 ** 6):06d}")


def invited(cast: Cast, m: CommitteeMembership, *, present: bool, days_ago: int = 30) -> Invitation:
    return Invitation.objects.create(
        meeting=meeting(cast, days_ago=days_ago), role=Invitation.Role.PART_TIME_MEMBER, unit=m.unit,
        name=m.person_name,
        attendance=Invitation.Attendance.PRESENT if present else Invitation.Attendance.ABSENT)


def claimed(cast: Cast, m: CommitteeMembership, *, days_ago: int = 20) -> Project:
    return Project.objects.create(title="楼道照明改造", area=cast.community_a, lead_unit=m.unit,
                                  status=Project.Status.CLAIMED, claimed_at=timezone.now() - timedelta(days=days_ago))


def reported(cast: Cast, m: CommitteeMembership, *, days_ago: int = 10) -> DutyReport:
    at = timezone.now() - timedelta(days=days_ago)
    return DutyReport.objects.create(meeting=meeting(cast, days_ago=days_ago), unit=m.unit,  # type: ignore[misc]
                                     status=DutyReport.Status.SUBMITTED, period_start=at - timedelta(days=90),
                                     submitted_at=at)


def active_record(cast: Cast, m: CommitteeMembership) -> None:
    invited(cast, m, present=True)
    claimed(cast, m)
    reported(cast, m)


def rated(cast: Cast, m: CommitteeMembership, outcome: str, *, status: str = Campaign.Status.FINAL) -> Ratee:
    today = timezone.localdate()
    campaign = Campaign.objects.create(title="2026年度双向评估", area=cast.subdistrict_a,
                                       period_start=today - timedelta(days=300), period_end=today - timedelta(days=5),
                                       deadline=timezone.now() - timedelta(days=3), status=status)
    return Ratee.objects.create(campaign=campaign, kind=Ratee.Kind.MEMBER, community=cast.community_a, membership=m,
                                name=m.person_name, outcome=outcome)


def open_flag(m: CommitteeMembership) -> TitleOnlyFlag:
    return TitleOnlyFlag.objects.get(membership=m, status=TitleOnlyFlag.Status.OPEN)
