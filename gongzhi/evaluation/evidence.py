"""The evidence beside every rating, drawn from what the platform recorded for the period.

`unit_record(unit, community_ids, start, end)` → a `UnitRecord`: plain counts of what a member unit did at these
communities over the period [start, end] (dates, both included); `membership_record(membership, start, end)` → a
`MembershipRecord`: what a part-time committee member (兼职委员) did at their committee's community (the
title-only check reads it). Each count is one aggregate query in the app that owns the records, through its
queries module (the evaluation imports no other app's models):

- projects (gongzhi.lists.project_queries): claimed, finished, overdue — the top-level projects the unit leads;
  residents' ratings of them given in the period (the public notice);
- resolutions, duty reports, meetings (gongzhi.meetings.queries: what each count means is in its docstring);
- whistles and cases (gongzhi.appeals.queries): whistles that summoned the unit, answered, late, how fast; cases
  dispatched to it and its three rates over the cases it led, followed up in the period;
- service (gongzhi.service.queries_members): confirmed minutes of the unit's in-service party members.

`evidence_for(ratee)` → an `Evidence`: one `EvidenceItem` per fact, with a Chinese label and value, a tone (good,
bad or neither) and a few `Example`s linking to the records. The template `evaluation/_evidence.html` shows it (on
the rating page and on the result page)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from gongzhi.appeals import queries as appeal_queries
from gongzhi.core.models import Area, CommitteeMembership, Unit
from gongzhi.lists import project_queries
from gongzhi.meetings import queries as meeting_queries
from gongzhi.service import queries_members as service_queries


@dataclass
class Example:
    text: str
    url: str = ""


@dataclass
class EvidenceItem:
    key: str
    label: Any
    value: str
    # "good", "bad" or "" (how the fact reads for the ratee; the template colours it)
    tone: str = ""
    examples: list[Example] = field(default_factory=list)


@dataclass
class Evidence:
    name: str
    period_start: date
    period_end: date
    items: list[EvidenceItem] = field(default_factory=list)


# --- the records ---------------------------------------------------------------------------------------------


@dataclass
class UnitRecord:
    """What a unit did at some communities over a period: plain counts (see the module's docstring and the
    queries each comes from)."""

    # Projects it leads (top-level): claimed in the period, finished in it, with a milestone in it missed.
    projects_claimed: int = 0
    projects_finished: int = 0
    projects_overdue: int = 0
    # Resolutions (决议) it is responsible for, made or due in the period: done by its end; late (deadline passed
    # before done).
    resolutions_assigned: int = 0
    resolutions_done: int = 0
    resolutions_late: int = 0
    # Duty reports (述职) due for the meetings it was invited to that have started; filed before the meeting; missed.
    duty_reports_due: int = 0
    duty_reports_filed: int = 0
    duty_reports_missed: int = 0
    # Meetings it was invited to (as a unit); attended (marked present); missed (ended, not present).
    meetings_invited: int = 0
    meetings_attended: int = 0
    meetings_missed: int = 0
    # Whistles (吹哨) that summoned it: answered (报到), late, and the average hours to answer.
    handles_whistles: bool = False  # a department (only departments are summoned)
    whistles_summoned: int = 0
    whistles_answered: int = 0
    whistles_late: int = 0
    whistle_hours: float | None = None
    # Cases (工单) dispatched to it in the period (lead or assisting), overdue among them, and the three rates over the
    # cases it led that were followed up in the period (None: nothing to divide by).
    cases_handled: int = 0
    cases_overdue: int = 0
    cases_followed_up: int = 0
    response_rate: float | None = None
    resolution_rate: float | None = None
    satisfaction_rate: float | None = None
    # Its in-service party members' confirmed service at the communities' activities.
    service_members: int = 0
    service_minutes: int = 0
    # Residents' ratings, given in the period, of the projects it leads.
    ratings_satisfied: int = 0
    ratings_basically: int = 0
    ratings_unsatisfied: int = 0

    @property
    def service_hours(self) -> float:
        return round(self.service_minutes / 60, 1)

    @property
    def ratings_total(self) -> int:
        return self.ratings_satisfied + self.ratings_basically + self.ratings_unsatisfied

    @property
    def ratings_rate(self) -> float | None:
        """(满意 + 0.9 × 基本满意) / all, as the public notice counts it; None without ratings."""
        total = self.ratings_total
        return (self.ratings_satisfied + 0.9 * self.ratings_basically) / total if total else None


@dataclass
class MembershipRecord:
    """What a part-time committee member did at their committee's community over a period."""

    # Meetings of the community the member was invited to (as a part-time member, by name), attended, missed.
    meetings_invited: int = 0
    meetings_attended: int = 0
    meetings_missed: int = 0
    # Projects their unit claimed at the community, and finished.
    projects_claimed: int = 0
    projects_finished: int = 0
    # Their unit's duty reports for the community's meetings: due, filed, missed.
    duty_reports_due: int = 0
    duty_reports_filed: int = 0
    duty_reports_missed: int = 0

    @property
    def did_nothing(self) -> bool:
        """Attended no meeting, claimed nothing and filed no duty report: possibly title-only (空挂)."""
        return not (self.meetings_attended or self.projects_claimed or self.duty_reports_filed)


@dataclass(frozen=True)
class Period:
    """The period as dates (both included) and as aware instants [start, end) in the current time zone."""

    start_day: date
    end_day: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start_day, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end_day + timedelta(days=1), time.min))

    def instants(self) -> dict[str, datetime]:
        return {"start": self.start, "end": self.end}

    def days(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "start_day": self.start_day, "end_day": self.end_day}


def _ids(communities: Iterable[Any]) -> list[int]:
    return sorted({c.pk if isinstance(c, Area) else int(c) for c in communities})


def unit_record(unit: Unit, community_ids: Iterable[int | Area], start: date, end: date) -> UnitRecord:
    """What `unit` did at these communities over [start, end] (dates, both included). About a dozen queries, none
    per record."""
    ids = _ids(community_ids)
    period = Period(start, end)
    paths = list(Area.objects.filter(pk__in=ids).values_list("path", flat=True)) if ids else []
    projects = project_queries.unit_project_figures(unit.pk, community_ids=ids, **period.days())
    ratings = project_queries.unit_project_ratings(unit.pk, community_ids=ids, **period.instants())
    resolutions = meeting_queries.unit_resolution_figures(unit.pk, community_ids=ids, **period.days())
    duty = meeting_queries.unit_duty_figures(unit.pk, community_ids=ids, **period.instants())
    meetings = meeting_queries.attendance_figures(meeting_queries.unit_invitations(unit.pk), community_ids=ids,
                                                  **period.instants())
    whistles = appeal_queries.unit_whistle_figures(unit.pk, paths=paths, **period.instants())
    cases = appeal_queries.unit_case_figures(unit.pk, paths=paths, **period.instants())
    service = service_queries.unit_service_figures(unit.pk, community_ids=ids, **period.instants())
    return UnitRecord(
        projects_claimed=projects["claimed"], projects_finished=projects["finished"],
        projects_overdue=projects["overdue"],
        resolutions_assigned=resolutions["assigned"], resolutions_done=resolutions["done"],
        resolutions_late=resolutions["late"],
        duty_reports_due=duty["due"], duty_reports_filed=duty["filed"], duty_reports_missed=duty["missed"],
        meetings_invited=meetings["invited"], meetings_attended=meetings["attended"],
        meetings_missed=meetings["missed"],
        handles_whistles=unit.kind == Unit.Kind.DEPARTMENT or whistles["summoned"] > 0,
        whistles_summoned=whistles["summoned"], whistles_answered=whistles["answered"],
        whistles_late=whistles["late"], whistle_hours=whistles["hours"],
        cases_handled=cases["handled"], cases_overdue=cases["overdue"], cases_followed_up=cases["followed_up"],
        response_rate=cases["response_rate"], resolution_rate=cases["resolution_rate"],
        satisfaction_rate=cases["satisfaction_rate"],
        service_members=service["members"], service_minutes=service["minutes"],
        ratings_satisfied=ratings.satisfied, ratings_basically=ratings.basically,
        ratings_unsatisfied=ratings.unsatisfied,
    )


def membership_community(membership: CommitteeMembership) -> Area:
    """The community whose committee the membership is a seat on."""
    return membership.party_org.area


def membership_record(membership: CommitteeMembership, start: date, end: date) -> MembershipRecord:
    """What a part-time committee member did at their committee's community over [start, end] (dates, both
    included): the meetings they were invited to by name, and their unit's projects and duty reports there. Five
    queries (one more when `membership.party_org` is not loaded)."""
    community = membership_community(membership)
    ids = [community.pk]
    period = Period(start, end)
    meetings = meeting_queries.attendance_figures(
        meeting_queries.member_invitations(membership.unit_id, membership.person_name), community_ids=ids,
        **period.instants())
    record = MembershipRecord(meetings_invited=meetings["invited"], meetings_attended=meetings["attended"],
                              meetings_missed=meetings["missed"])
    if membership.unit_id is not None:
        projects = project_queries.unit_project_figures(membership.unit_id, community_ids=ids, **period.days())
        duty = meeting_queries.unit_duty_figures(membership.unit_id, community_ids=ids, **period.instants())
        record.projects_claimed, record.projects_finished = projects["claimed"], projects["finished"]
        record.duty_reports_due, record.duty_reports_filed = duty["due"], duty["filed"]
        record.duty_reports_missed = duty["missed"]
    return record


def evidence_for(ratee: Any) -> Evidence:
    """The evidence for a ratee over its campaign's period (filled in by the next slice)."""
    campaign = ratee.campaign
    return Evidence(name=ratee.name, period_start=campaign.period_start, period_end=campaign.period_end)
