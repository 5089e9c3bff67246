"""Read side of the meetings for the apps above them (the evaluation's evidence): what a unit, or a part-time
committee member, did over a period at some communities — resolutions assigned, done and late; duty reports
filed and missed; meetings invited to, attended and missed — as counts (one aggregate query each) and a few of the
records behind them.

Dates and times: `start`/`end` are the aware instants [start, end) of the period; `start_day`/`end_day` the same
period as dates (both included), for the date fields (a resolution's deadline).

- A resolution is *assigned* to a unit when the unit is one of its responsible units, it is not cancelled, and it
  was made or falls due in the period; *done* when it was completed by the end of the period; *late* when its
  deadline (in the period) has passed and it was not completed by then (completed later, or still open).
- A duty report (述职) is *due* from a unit for each meeting in the period that has started (not skipped or
  cancelled) to which the unit was invited as a unit (or for which it has a report); it was *filed* when submitted
  before the meeting started, otherwise *missed* (未述职, as the meeting page marks it: `duty.is_missing`).
- A unit is *invited* to each meeting in the period (not skipped or cancelled) with an invitation for it as a
  unit; it *attended* when that invitation is marked present; it *missed* a meeting that has ended without being
  marked present. A part-time committee member is counted the same way over the invitations naming them (role
  part-time member, their unit and name), at the meetings of their committee's community.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import DutyReport, Invitation, Meeting, Resolution

OFF = (Meeting.Status.SKIPPED, Meeting.Status.CANCELLED)


def _ints(row: dict[str, Any]) -> dict[str, int]:
    return {key: int(value or 0) for key, value in row.items()}


# --- resolutions -----------------------------------------------------------------------------------------------


def _assigned_resolutions(unit_id: int, community_ids: list[int], start: datetime, end: datetime,
                          start_day: date, end_day: date) -> QuerySet[Resolution]:
    in_period = Q(created_at__gte=start, created_at__lt=end) | Q(due_on__gte=start_day, due_on__lte=end_day)
    ids = Resolution.units.through.objects.filter(unit_id=unit_id).values("resolution_id")
    return (Resolution.objects.filter(area_id__in=community_ids, pk__in=ids).filter(in_period)
            .exclude(status=Resolution.Status.CANCELLED))


def _late_q(end_day: date) -> Q:
    on = timezone.localdate()
    past = Q(due_on__lte=end_day, due_on__lt=on)
    return past & (Q(completed_at__isnull=True) | Q(completed_at__date__gt=F("due_on")))


def unit_resolution_figures(unit_id: int, *, community_ids: list[int], start: datetime, end: datetime,
                            start_day: date, end_day: date) -> dict[str, int]:
    """`assigned`, `done` and `late` resolutions (决议) of a unit at these communities over the period (see the
    module's docstring; one query)."""
    qs = _assigned_resolutions(unit_id, community_ids, start, end, start_day, end_day)
    return _ints(qs.aggregate(
        assigned=Count("pk"),
        done=Count("pk", filter=Q(status=Resolution.Status.DONE, completed_at__lt=end)),
        late=Count("pk", filter=_late_q(end_day)),
    ))


def unit_resolution_examples(unit_id: int, *, community_ids: list[int], start: datetime, end: datetime,
                             start_day: date, end_day: date, kinds: tuple[str, ...] = ("done", "late"),
                             limit: int = 3) -> dict[str, list[Resolution]]:
    """A few resolutions behind `unit_resolution_figures`, for each of `kinds`: "done" (latest first) and "late"
    (earliest deadline first); one query per kind asked."""
    qs = _assigned_resolutions(unit_id, community_ids, start, end, start_day, end_day)
    out: dict[str, list[Resolution]] = {}
    if "done" in kinds:
        out["done"] = list(qs.filter(status=Resolution.Status.DONE, completed_at__lt=end)
                           .order_by("-completed_at", "-pk")[:limit])
    if "late" in kinds:
        out["late"] = list(qs.filter(_late_q(end_day)).order_by("due_on", "pk")[:limit])
    return out


# --- duty reports ------------------------------------------------------------------------------------------------


def _meetings(community_ids: list[int], start: datetime, end: datetime) -> QuerySet[Meeting]:
    return (Meeting.objects.filter(area_id__in=community_ids, starts_at__gte=start, starts_at__lt=end)
            .exclude(status__in=OFF))


def _duty_meetings(unit_id: int, community_ids: list[int], start: datetime,
                   end: datetime) -> tuple[QuerySet[Meeting], Exists]:
    now = timezone.now()
    invited = Invitation.objects.filter(meeting=OuterRef("pk"), unit_id=unit_id, role=Invitation.Role.UNIT)
    report = DutyReport.objects.filter(meeting=OuterRef("pk"), unit_id=unit_id)
    filed = Exists(report.filter(status=DutyReport.Status.SUBMITTED, submitted_at__lte=OuterRef("starts_at")))
    qs = _meetings(community_ids, start, end).filter(starts_at__lte=now).filter(Q(Exists(invited))
                                                                                  | Q(Exists(report)))
    return qs, filed


def unit_duty_figures(unit_id: int, *, community_ids: list[int], start: datetime, end: datetime) -> dict[str, int]:
    """Duty reports (述职) `due` from a unit at these communities' meetings in the period, `filed` on time and
    `missed` (see the module's docstring; one query)."""
    qs, filed = _duty_meetings(unit_id, community_ids, start, end)
    row = _ints(qs.aggregate(due=Count("pk"), filed=Count("pk", filter=Q(filed))))
    row["missed"] = row["due"] - row["filed"]
    return row


def unit_duty_examples(unit_id: int, *, community_ids: list[int], start: datetime, end: datetime,
                       kinds: tuple[str, ...] = ("filed", "missed"), limit: int = 3) -> dict[str, list[Any]]:
    """A few of the records behind `unit_duty_figures`, for each of `kinds`: "filed" (the reports submitted in
    time, latest meeting first) and "missed" (the meetings, latest first); one query per kind asked."""
    qs, filed = _duty_meetings(unit_id, community_ids, start, end)
    out: dict[str, list[Any]] = {}
    if "missed" in kinds:
        out["missed"] = list(qs.filter(~Q(filed)).order_by("-starts_at", "-pk")[:limit])
    if "filed" in kinds:
        out["filed"] = list(DutyReport.objects.filter(meeting__in=qs.filter(filed), unit_id=unit_id)
                            .select_related("meeting").order_by("-meeting__starts_at", "-pk")[:limit])
    return out


# --- attendance --------------------------------------------------------------------------------------------------


def _attendance(invitations: QuerySet[Invitation], community_ids: list[int], start: datetime,
                end: datetime) -> tuple[QuerySet[Meeting], Q, Q]:
    now = timezone.now()
    mine = invitations.filter(meeting=OuterRef("pk"))
    present = Q(Exists(mine.filter(attendance=Invitation.Attendance.PRESENT)))
    qs = _meetings(community_ids, start, end).filter(Exists(mine))
    return qs, present, Q(ends_at__lt=now) & ~present


def _figures(qs: QuerySet[Meeting], present: Q, missed: Q) -> dict[str, int]:
    return _ints(qs.aggregate(invited=Count("pk"), attended=Count("pk", filter=present),
                              missed=Count("pk", filter=missed)))


def unit_invitations(unit_id: int) -> QuerySet[Invitation]:
    """A unit's own invitations (as a unit, not its part-time members')."""
    return Invitation.objects.filter(unit_id=unit_id, role=Invitation.Role.UNIT)


def member_invitations(unit_id: int | None, person_name: str) -> QuerySet[Invitation]:
    """A part-time committee member's invitations: as a part-time member, for their unit, under their name."""
    unit = Q(unit__isnull=True) if unit_id is None else Q(unit_id=unit_id)
    return Invitation.objects.filter(unit, role=Invitation.Role.PART_TIME_MEMBER, name=person_name)


def attendance_figures(invitations: QuerySet[Invitation], *, community_ids: list[int], start: datetime,
                       end: datetime) -> dict[str, int]:
    """Meetings at these communities in the period the invitations were for: `invited`, `attended` (marked
    present) and `missed` (ended, not present); one query. `invitations`: `unit_invitations(...)` or
    `member_invitations(...)`."""
    return _figures(*_attendance(invitations, community_ids, start, end))


def attendance_examples(invitations: QuerySet[Invitation], *, community_ids: list[int], start: datetime,
                        end: datetime, kinds: tuple[str, ...] = ("attended", "missed"),
                        limit: int = 3) -> dict[str, list[Meeting]]:
    """A few meetings behind `attendance_figures`, for each of `kinds`: "attended" and "missed", latest first (one
    query per kind asked)."""
    qs, present, missed = _attendance(invitations, community_ids, start, end)
    out: dict[str, list[Meeting]] = {}
    if "attended" in kinds:
        out["attended"] = list(qs.filter(present).order_by("-starts_at", "-pk")[:limit])
    if "missed" in kinds:
        out["missed"] = list(qs.filter(missed).order_by("-starts_at", "-pk")[:limit])
    return out


# --- a community's meetings (the units rate the community) ------------------------------------------------------


def community_meeting_figures(community_ids: list[int], *, start: datetime, end: datetime) -> dict[str, int]:
    """A community's meetings and follow-up over the period (two queries): `held` (meetings that took place:
    marked held, or started and not skipped or cancelled), `skipped` (skipped or cancelled), `resolutions` (made
    in the period, not cancelled), `resolutions_done` (of those, completed) and `resolutions_late` (their deadline
    passed before they were completed)."""
    now = timezone.now()
    meetings = Meeting.objects.filter(area_id__in=community_ids, starts_at__gte=start, starts_at__lt=end)
    row = _ints(meetings.aggregate(
        held=Count("pk", filter=Q(status=Meeting.Status.HELD) | (Q(starts_at__lte=now) & ~Q(status__in=OFF))),
        skipped=Count("pk", filter=Q(status__in=OFF)),
    ))
    made = (Resolution.objects.filter(area_id__in=community_ids, created_at__gte=start, created_at__lt=end)
            .exclude(status=Resolution.Status.CANCELLED))
    resolutions = _ints(made.aggregate(
        n=Count("pk"), done=Count("pk", filter=Q(status=Resolution.Status.DONE)),
        late=Count("pk", filter=_late_q(date.max))))
    row.update(resolutions=resolutions["n"], resolutions_done=resolutions["done"],
               resolutions_late=resolutions["late"])
    return row


def community_late_resolutions(community_ids: list[int], *, start: datetime, end: datetime,
                               limit: int = 3) -> list[Resolution]:
    """A few resolutions of these communities made in [start, end) whose deadline passed before they were
    completed, earliest deadline first (one query)."""
    return list(Resolution.objects.filter(area_id__in=community_ids, created_at__gte=start, created_at__lt=end)
                .exclude(status=Resolution.Status.CANCELLED).filter(_late_q(date.max)).order_by("due_on", "pk")[:limit])


def community_held_meetings(community_ids: list[int], *, start: datetime, end: datetime,
                            limit: int = 3) -> list[Meeting]:
    """A few meetings of these communities that took place in [start, end), latest first (one query)."""
    now = timezone.now()
    return list(Meeting.objects.filter(area_id__in=community_ids, starts_at__gte=start, starts_at__lt=end)
                .filter(Q(status=Meeting.Status.HELD) | (Q(starts_at__lte=now) & ~Q(status__in=OFF)))
                .order_by("-starts_at", "-pk")[:limit])
