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
bad or neither) and up to three `Example`s linking to the records (a project's public page, a resolution, a meeting,
a duty report, a whistle, a case, a service activity; a title never shows a mobile or ID number). The template
`evaluation/_evidence.html` shows it (on the rating page and on the result page); `evidence_payload` gives it as
plain data for the API.

How a fact reads (the tone): bad when something was missed — a project overdue (or, for a member unit that is not a
department, nothing claimed or finished), a resolution late, a duty report missed, more meetings missed than
attended (or none attended), a whistle late or unanswered, a case overdue or a rate below 70%, residents'
satisfaction below 70%; good when there is something done and nothing missed (rates and satisfaction at 90% or
more, service hours recorded); otherwise neither."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appeals import queries as appeal_queries
from gongzhi.core.models import Area, CommitteeMembership, Unit
from gongzhi.lists import project_queries
from gongzhi.lists.notice import public_text
from gongzhi.meetings import queries as meeting_queries
from gongzhi.service import queries_members as service_queries

from .models import Ratee


@dataclass
class Example:
    text: str
    url: str = ""

    def __post_init__(self) -> None:
        # Resident representatives rate too: a title typed by staff or a resident never shows a mobile or ID number.
        self.text = public_text(str(self.text))


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
    """What `unit` did at these communities over [start, end] (dates, both included). Eleven queries, none per
    record."""
    ids = _ids(community_ids)
    paths = list(Area.objects.filter(pk__in=ids).values_list("path", flat=True)) if ids else []
    return _unit_record(unit, ids, paths, Period(start, end))


def _unit_record(unit: Unit, ids: list[int], paths: list[str], period: Period) -> UnitRecord:
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
    included): the meetings they were invited to by name, and their unit's projects and duty reports there. Three
    queries (one more when `membership.party_org.area` is not loaded)."""
    period = Period(start, end)
    ids = [membership_community(membership).pk]
    record = MembershipRecord(**_member_meetings(membership, ids, period))
    if membership.unit_id is not None:
        projects = project_queries.unit_project_figures(membership.unit_id, community_ids=ids, **period.days())
        duty = meeting_queries.unit_duty_figures(membership.unit_id, community_ids=ids, **period.instants())
        record.projects_claimed, record.projects_finished = projects["claimed"], projects["finished"]
        record.duty_reports_due, record.duty_reports_filed = duty["due"], duty["filed"]
        record.duty_reports_missed = duty["missed"]
    return record


def _member_invitations(membership: CommitteeMembership) -> Any:
    return meeting_queries.member_invitations(membership.unit_id, membership.person_name)


def _member_meetings(membership: CommitteeMembership, ids: list[int], period: Period) -> dict[str, int]:
    row = meeting_queries.attendance_figures(_member_invitations(membership), community_ids=ids,
                                             **period.instants())
    return {"meetings_invited": row["invited"], "meetings_attended": row["attended"],
            "meetings_missed": row["missed"]}


def evidence_payload(evidence: Evidence) -> dict[str, Any]:
    """The evidence as plain JSON-ready data (labels as text), for the API."""
    return {"name": evidence.name, "period_start": evidence.period_start.isoformat(),
            "period_end": evidence.period_end.isoformat(),
            "items": [{"key": i.key, "label": str(i.label), "value": str(i.value), "tone": i.tone,
                       "examples": [{"text": e.text, "url": e.url} for e in i.examples]} for i in evidence.items]}


# --- the evidence beside a rating ----------------------------------------------------------------------------

GOOD, BAD, PLAIN = "good", "bad", ""
# The three rates and the residents' satisfaction: at or above GOOD_RATE reads good, below POOR_RATE bad.
GOOD_RATE, POOR_RATE = 0.9, 0.7
EXAMPLES = 3


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def day(value: datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d}"


def project_url(project: Any) -> str:
    """A project's public page (公示) when it is shown there (every rater may open it), else its staff page."""
    if project.public and project.status != "cancelled":
        return reverse("lists:public_project", args=[project.area_id, project.pk])
    return reverse("lists:project", args=[project.pk])


def meeting_url(meeting: Any) -> str:
    return reverse("meetings:meeting", args=[meeting.pk])


class _Builder:
    """The items of one ratee's evidence, reading the examples only where there is something to show."""

    def __init__(self, unit: Unit | None, ids: list[int], paths: list[str], period: Period) -> None:
        self.unit, self.ids, self.paths, self.period = unit, ids, paths, period
        self.items: list[EvidenceItem] = []

    def add(self, key: str, label: Any, value: str, tone: str = PLAIN, examples: list[Example] | None = None,
            prefix: bool = False) -> None:
        if prefix:
            label = _("Unit · %(label)s") % {"label": label}
        self.items.append(EvidenceItem(key=key, label=label, value=value, tone=tone, examples=examples or []))

    # --- a unit's facts

    def projects(self, r: UnitRecord, *, prefix: bool = False, examples: bool = True) -> None:
        assert self.unit is not None
        found: dict[str, list[Any]] = {}
        kinds = tuple(k for k, n in (("overdue", r.projects_overdue), ("finished", r.projects_finished)) if n)
        if examples and kinds:
            found = project_queries.unit_project_examples(self.unit.pk, community_ids=self.ids, kinds=kinds,
                                                          limit=EXAMPLES, **self.period.days())
        shown = [Example(_("Overdue: %(title)s") % {"title": p.title}, project_url(p))
                 for p in found.get("overdue", [])]
        shown += [Example(_("Finished: %(title)s") % {"title": p.title}, project_url(p))
                  for p in found.get("finished", [])]
        # Claiming nothing reads badly for a member unit; a department is summoned rather than claims.
        idle = not (r.projects_claimed or r.projects_finished) and self.unit.kind != Unit.Kind.DEPARTMENT
        tone = BAD if r.projects_overdue or idle else (GOOD if r.projects_finished else PLAIN)
        self.add("projects", _("Projects claimed"),
                 _("claimed %(claimed)d, finished %(finished)d, overdue %(overdue)d") % {
                     "claimed": r.projects_claimed, "finished": r.projects_finished, "overdue": r.projects_overdue},
                 tone, shown[:EXAMPLES], prefix)

    def resolutions(self, r: UnitRecord, *, prefix: bool = False, examples: bool = True) -> None:
        assert self.unit is not None
        found: dict[str, list[Any]] = {}
        kinds = tuple(k for k, n in (("late", r.resolutions_late), ("done", r.resolutions_done)) if n)
        if examples and kinds:
            found = meeting_queries.unit_resolution_examples(self.unit.pk, community_ids=self.ids, kinds=kinds,
                                                             limit=EXAMPLES, **self.period.days())
        shown = [Example(_("Late: %(task)s (deadline %(due)s)") % {"task": x.task, "due": f"{x.due_on:%Y-%m-%d}"},
                         reverse("meetings:resolution", args=[x.pk])) for x in found.get("late", [])]
        shown += [Example(_("Done: %(task)s") % {"task": x.task}, reverse("meetings:resolution", args=[x.pk]))
                  for x in found.get("done", [])]
        tone = BAD if r.resolutions_late else (GOOD if r.resolutions_done else PLAIN)
        self.add("resolutions", _("Resolutions assigned"),
                 _("assigned %(assigned)d, done %(done)d, late %(late)d") % {
                     "assigned": r.resolutions_assigned, "done": r.resolutions_done, "late": r.resolutions_late},
                 tone, shown[:EXAMPLES], prefix)

    def duty(self, r: UnitRecord, *, prefix: bool = False, examples: bool = True) -> None:
        assert self.unit is not None
        found: dict[str, list[Any]] = {}
        kinds = tuple(k for k, n in (("missed", r.duty_reports_missed), ("filed", r.duty_reports_filed)) if n)
        if examples and kinds:
            found = meeting_queries.unit_duty_examples(self.unit.pk, community_ids=self.ids, kinds=kinds,
                                                       limit=EXAMPLES, **self.period.instants())
        shown = [Example(_("Not reported: %(meeting)s (%(date)s)") % {"meeting": m.title, "date": day(m.starts_at)},
                         meeting_url(m) + "#duty-reports") for m in found.get("missed", [])]
        shown += [Example(_("Reported: %(meeting)s (%(date)s)") % {
            "meeting": x.meeting.title, "date": day(x.meeting.starts_at)}, reverse("meetings:report", args=[x.pk]))
            for x in found.get("filed", [])]
        tone = BAD if r.duty_reports_missed else (GOOD if r.duty_reports_filed else PLAIN)
        self.add("duty_reports", _("Duty reports filed"),
                 _("due %(due)d, filed %(filed)d, missed %(missed)d") % {
                     "due": r.duty_reports_due, "filed": r.duty_reports_filed, "missed": r.duty_reports_missed},
                 tone, shown[:EXAMPLES], prefix)

    def meetings(self, key: str, label: Any, invited: int, attended: int, missed: int, invitations: Any, *,
                 prefix: bool = False, examples: bool = True) -> None:
        found: dict[str, list[Any]] = {}
        kinds = tuple(k for k, n in (("missed", missed), ("attended", attended)) if n)
        if examples and kinds:
            found = meeting_queries.attendance_examples(invitations, community_ids=self.ids, kinds=kinds,
                                                        limit=EXAMPLES, **self.period.instants())
        shown = [Example(_("Absent: %(meeting)s (%(date)s)") % {"meeting": m.title, "date": day(m.starts_at)},
                         meeting_url(m)) for m in found.get("missed", [])]
        shown += [Example(_("Present: %(meeting)s (%(date)s)") % {"meeting": m.title, "date": day(m.starts_at)},
                          meeting_url(m)) for m in found.get("attended", [])]
        tone = BAD if missed > attended or (invited and not attended) else (
            GOOD if attended and not missed else PLAIN)
        self.add(key, label, _("invited %(invited)d, attended %(attended)d, missed %(missed)d") % {
            "invited": invited, "attended": attended, "missed": missed}, tone, shown[:EXAMPLES], prefix)

    def whistles(self, r: UnitRecord, *, prefix: bool = False, examples: bool = True) -> None:
        assert self.unit is not None
        if not r.handles_whistles:
            self.add("whistles", _("Whistles answered"), _("Not applicable (only departments are summoned)"),
                     PLAIN, None, prefix)
            return
        shown: list[Example] = []
        if examples and r.whistles_summoned:
            for w in appeal_queries.unit_whistle_examples(self.unit.pk, paths=self.paths, limit=EXAMPLES,
                                                          **self.period.instants()):
                url = reverse("appeals:whistle", args=[w.whistle_id])
                if w.reported_at is None:
                    shown.append(Example(_("%(title)s: not answered") % {"title": w.whistle.title}, url))
                    continue
                took = hours((w.reported_at - w.whistle.created_at).total_seconds() / 3600)
                text = (_("%(title)s: answered late, in %(hours)s hours") if w.reported_at > w.whistle.report_deadline
                        else _("%(title)s: answered in %(hours)s hours"))
                shown.append(Example(text % {"title": w.whistle.title, "hours": took}, url))
        value = _("summoned %(summoned)d, answered %(answered)d, late %(late)d") % {
            "summoned": r.whistles_summoned, "answered": r.whistles_answered, "late": r.whistles_late}
        if r.whistle_hours is not None:
            value += _(", answered in %(hours)s hours on average") % {"hours": hours(r.whistle_hours)}
        tone = BAD if r.whistles_late or r.whistles_answered < r.whistles_summoned else (
            GOOD if r.whistles_answered else PLAIN)
        self.add("whistles", _("Whistles answered"), value, tone, shown, prefix)

    def cases(self, r: UnitRecord, *, prefix: bool = False, examples: bool = True) -> None:
        assert self.unit is not None
        shown: list[Example] = []
        if examples and r.cases_handled:
            shown = [Example(_("Case %(title)s (%(status)s)") % {"title": c.title,
                                                                "status": c.get_status_display()},
                             reverse("appeals:case", args=[c.pk]))
                     for c in appeal_queries.unit_case_examples(self.unit.pk, paths=self.paths, limit=EXAMPLES,
                                                                **self.period.instants())]
        value = _("handled %(handled)d, overdue %(overdue)d") % {"handled": r.cases_handled,
                                                                  "overdue": r.cases_overdue}
        value += "；" + rates_text(r.cases_followed_up, r.response_rate, r.resolution_rate, r.satisfaction_rate)
        self.add("cases", _("Cases handled"), value, rates_tone(r.cases_overdue, r.response_rate,
                                                                  r.resolution_rate, r.satisfaction_rate),
                 shown, prefix)

    def service(self, r: UnitRecord, *, prefix: bool = False, examples: bool = True) -> None:
        assert self.unit is not None
        shown: list[Example] = []
        if examples and r.service_minutes:
            shown = [Example(_("%(title)s (%(date)s): %(hours)s hours") % {
                "title": a.title, "date": day(a.starts_at), "hours": hours((a.minutes or 0) / 60)},
                reverse("service:activity", args=[a.pk]))
                for a in service_queries.unit_service_examples(self.unit.pk, community_ids=self.ids,
                                                               limit=EXAMPLES, **self.period.instants())]
        if r.service_minutes:
            value = _("%(members)d in-service party members served %(hours)s hours") % {
                "members": r.service_members, "hours": hours(r.service_minutes / 60)}
        else:
            value = _("no confirmed service hours")
        self.add("service", _("Service by in-service party members"), value, GOOD if r.service_minutes else PLAIN,
                 shown, prefix)

    def ratings(self, r: UnitRecord, *, prefix: bool = False) -> None:
        if not r.ratings_total:
            self.add("ratings", _("Residents' ratings of its projects"), _("no ratings in the period"), PLAIN, None,
                     prefix)
            return
        rate = r.ratings_rate
        tone = GOOD if rate is not None and rate >= GOOD_RATE else (
            BAD if rate is not None and rate < POOR_RATE else PLAIN)
        self.add("ratings", _("Residents' ratings of its projects"),
                 _("%(total)d ratings: %(satisfied)d satisfied, %(basically)d basically satisfied, "
                   "%(unsatisfied)d unsatisfied; satisfaction %(rate)s") % {
                     "total": r.ratings_total, "satisfied": r.ratings_satisfied, "basically": r.ratings_basically,
                     "unsatisfied": r.ratings_unsatisfied, "rate": percent(rate)}, tone, None, prefix)

    def unit_items(self, r: UnitRecord, *, prefix: bool = False, examples: tuple[str, ...] | None = None) -> None:
        """Every fact of a unit's record; examples for the keys in `examples` (None: all)."""
        def ex(key: str) -> bool:
            return examples is None or key in examples

        assert self.unit is not None
        self.projects(r, prefix=prefix, examples=ex("projects"))
        self.resolutions(r, prefix=prefix, examples=ex("resolutions"))
        self.duty(r, prefix=prefix, examples=ex("duty_reports"))
        self.meetings("meetings", _("Meetings attended"), r.meetings_invited, r.meetings_attended,
                      r.meetings_missed, meeting_queries.unit_invitations(self.unit.pk), prefix=prefix,
                      examples=ex("meetings"))
        self.whistles(r, prefix=prefix, examples=ex("whistles"))
        self.cases(r, prefix=prefix, examples=ex("cases"))
        self.service(r, prefix=prefix, examples=ex("service"))
        self.ratings(r, prefix=prefix)


def rates_text(followed_up: int, response: float | None, resolution: float | None,
               satisfaction: float | None) -> str:
    if not followed_up:
        return str(_("no follow-up in the period"))
    return _("response %(response)s, resolution %(resolution)s, satisfaction %(satisfaction)s "
             "(%(n)d followed up)") % {"response": percent(response), "resolution": percent(resolution),
                                       "satisfaction": percent(satisfaction), "n": followed_up}


def rates_tone(overdue: int, *rates: float | None) -> str:
    known = [r for r in rates if r is not None]
    if overdue or any(r < POOR_RATE for r in known):
        return BAD
    return GOOD if known and all(r >= GOOD_RATE for r in known) else PLAIN


def evidence_for(ratee: Ratee) -> Evidence:
    """The evidence for a ratee over its campaign's period, at the community it is rated in: a unit's record; a
    part-time member's own attendance and their unit's record there (the member's duties first); a community's
    record as the units see it (its projects, meetings and resolutions, appeals and their three rates, service
    activities). At most about two dozen queries, whatever the records."""
    campaign = ratee.campaign
    evidence = Evidence(name=ratee.name, period_start=campaign.period_start, period_end=campaign.period_end)
    period = Period(campaign.period_start, campaign.period_end)
    community = ratee.community
    ids, paths = [community.pk], [community.path]
    if ratee.kind == Ratee.Kind.UNIT and ratee.unit is not None:
        b = _Builder(ratee.unit, ids, paths, period)
        b.unit_items(_unit_record(ratee.unit, ids, paths, period))
    elif ratee.kind == Ratee.Kind.MEMBER and ratee.membership is not None:
        membership = ratee.membership
        unit = membership.unit
        b = _Builder(unit, ids, paths, period)
        own = _member_meetings(membership, ids, period)
        b.meetings("member_meetings", _("Meetings attended in person"), own["meetings_invited"],
                   own["meetings_attended"], own["meetings_missed"], _member_invitations(membership))
        if unit is not None:
            b.unit_items(_unit_record(unit, ids, paths, period), prefix=True,
                         examples=("projects", "duty_reports", "resolutions"))
    elif ratee.kind == Ratee.Kind.COMMUNITY:
        b = _Builder(None, ids, paths, period)
        community_items(b)
    else:
        return evidence
    evidence.items = b.items
    return evidence


def community_items(b: _Builder) -> None:
    """The community as the units see it (rated by the units: 双向评价)."""
    ids, at = b.ids, b.period.instants()
    projects = project_queries.community_project_figures(ids, **at)
    finished = project_queries.community_finished_projects(ids, limit=EXAMPLES, **at) if projects["finished"] else []
    b.add("community_projects", _("Projects of the community"),
          _("listed %(created)d, claimed %(claimed)d, finished %(finished)d, waiting to be claimed %(waiting)d") % {
              **projects},
          GOOD if projects["finished"] else (BAD if not projects["created"] else PLAIN),
          [Example(_("Finished: %(title)s") % {"title": p.title}, project_url(p)) for p in finished])
    meetings = meeting_queries.community_meeting_figures(ids, **at)
    held = meeting_queries.community_held_meetings(ids, limit=EXAMPLES, **at) if meetings["held"] else []
    b.add("community_meetings", _("Joint meetings"),
          _("held %(held)d, skipped or cancelled %(skipped)d") % meetings,
          BAD if not meetings["held"] or meetings["skipped"] > meetings["held"] else GOOD,
          [Example(_("Held: %(meeting)s (%(date)s)") % {"meeting": m.title, "date": day(m.starts_at)},
                   meeting_url(m)) for m in held])
    late = (meeting_queries.community_late_resolutions(ids, limit=EXAMPLES, **at)
            if meetings["resolutions_late"] else [])
    b.add("community_resolutions", _("Resolutions followed up"),
          _("made %(made)d, done %(done)d, late %(late)d") % {
              "made": meetings["resolutions"], "done": meetings["resolutions_done"],
              "late": meetings["resolutions_late"]},
          BAD if meetings["resolutions_late"] else (GOOD if meetings["resolutions_done"] else PLAIN),
          [Example(_("Late: %(task)s (deadline %(due)s)") % {"task": x.task, "due": f"{x.due_on:%Y-%m-%d}"},
                   reverse("meetings:resolution", args=[x.pk])) for x in late])
    cases = appeal_queries.area_case_figures(b.paths, **at)
    b.add("community_cases", _("Appeals and their three rates"),
          _("received %(received)d, closed %(closed)d") % cases + "；"
          + rates_text(cases["followed_up"], cases["response_rate"], cases["resolution_rate"],
                       cases["satisfaction_rate"]),
          rates_tone(0, cases["response_rate"], cases["resolution_rate"], cases["satisfaction_rate"]))
    service = service_queries.community_service_figures(ids, **at)
    b.add("community_service", _("Service activities"),
          _("%(activities)d activities, %(people)d people served %(hours)s hours") % {
              "activities": service["activities"], "people": service["people"],
              "hours": hours(service["minutes"] / 60)},
          GOOD if service["minutes"] else (BAD if not service["activities"] else PLAIN))
