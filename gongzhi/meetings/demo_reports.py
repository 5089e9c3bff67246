"""The demo's duty reports (述职) and minutes (会议纪要), order 52, on the schedule part's demo meetings at 锦华社区
(nothing when there are none):

- the past committee meeting: every invited unit's duty report submitted before the meeting; minutes signed off
  (version 1) and a correction (version 2, signed off too);
- the upcoming committee meeting: the reports prepared; one unit's submitted, `unit_liaison`'s unit's waiting
  (prefilled), and one unit without a report (it shows as missing once the meeting starts);
- a past ad hoc meeting (made here through the schedule part's actions when the schedule step has none: a
  coordination meeting eight days ago): minutes not signed off, its organizer reminded (the draft carries `reminded_at`); its
  units' reports prepared and not submitted, so the meeting page marks them 未述职.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.models import Area, Grant, Role, User

from .actions import minutes as minutes_actions
from .actions import reports as report_actions
from .actions import schedule as schedule_actions
from .models import DutyReport, Meeting, MeetingKind, Minutes

COMMUNITY = "锦华社区"
CLOSED = (Meeting.Status.SKIPPED, Meeting.Status.CANCELLED)


def _liaison(unit_id: int) -> User | None:
    grant = Grant.objects.select_related("user").filter(unit_id=unit_id, role=Role.UNIT_LIAISON).order_by("pk").first()
    return grant.user if grant else None


def _organizer(meeting: Meeting) -> User | None:
    if meeting.organizer is not None:
        return meeting.organizer
    grant = (Grant.objects.select_related("user").filter(area=meeting.area, role=Role.COMMUNITY_WORKER)
             .order_by("pk").first())
    return grant.user if grant else None


def _fill(report: DutyReport, *, submit: bool, before: Any = None) -> None:
    items = {i.pk: {"progress_note": "已按决议推进，详见附件照片。" if i.kind == "resolution" else "按期推进。",
                    "done": i.kind != "resolution"} for i in report.items.all()}
    report_actions.do_save_duty_report(report, acting_user=_liaison(report.unit_id), items=items,
                                       notes="本期按时参加社区活动，下期继续跟进。", submit=submit)
    if submit and before is not None:
        DutyReport.objects.filter(pk=report.pk).update(submitted_at=before, updated_at=before)


def _minutes(meeting: Meeting, organizer: User, *, sign: bool) -> Minutes:
    minutes = Minutes.objects.filter(meeting=meeting).order_by("-version").first() or \
        minutes_actions.do_start_minutes(meeting, acting_user=organizer)
    if minutes.status == Minutes.Status.DRAFT:
        items = {a.pk: "与会单位充分讨论，同意按决议分工落实。" for a in meeting.agenda_items.all()}
        minutes_actions.do_edit_minutes(minutes, acting_user=organizer, summary="会议听取了成员单位述职，研究了议题并形成决议。",
                                        discussions=items)
        if sign:
            return minutes_actions.do_sign_off_minutes(minutes, acting_user=organizer)
    return minutes


def _past_ad_hoc(community: Area, organizer: User, now: Any) -> Meeting:
    start = (now - timedelta(days=8)).replace(hour=14, minute=30, second=0, microsecond=0)
    meeting = schedule_actions.do_create_meeting(
        acting_user=organizer, area=community, kind=MeetingKind.AD_HOC, title="楼道堆物清理专题协调会",
        starts_at=start, ends_at=start + timedelta(minutes=90), place=f"{community.name}党群服务中心一楼议事厅",
        host_name="社区党委书记", recorder_name="社区居委会委员")
    schedule_actions.do_invite_registered_units(meeting, acting_user=organizer)
    schedule_actions.do_mark_held(meeting, acting_user=organizer)
    return Meeting.objects.select_related("area", "organizer").get(pk=meeting.pk)


def build_demo_reports(ctx: Any) -> dict[str, int] | None:
    community = Area.objects.filter(name=COMMUNITY, level=Area.Level.COMMUNITY).first()
    if community is None:
        return None
    now = timezone.now()
    meetings = Meeting.objects.filter(area=community).exclude(status__in=CLOSED).select_related("area", "organizer")
    past = meetings.filter(kind=MeetingKind.COMMITTEE, ends_at__lt=now).order_by("-starts_at").first()
    upcoming = meetings.filter(kind=MeetingKind.COMMITTEE, starts_at__gt=now).order_by("starts_at").first()
    ad_hoc = meetings.filter(kind=MeetingKind.AD_HOC, ends_at__lt=now).order_by("-starts_at").first()
    if past is None and upcoming is None and ad_hoc is None:
        return None
    if ad_hoc is None and (organizer := _organizer(past or upcoming)) is not None:  # type: ignore[arg-type]
        ad_hoc = _past_ad_hoc(community, organizer, now)
    counts = {"duty_reports": 0, "minutes": 0}
    liaison_grant = Grant.objects.filter(user__username="unit_liaison", role=Role.UNIT_LIAISON).first()
    liaison_unit = liaison_grant.unit_id if liaison_grant else None

    if past is not None and (organizer := _organizer(past)) is not None:
        for report in report_actions.do_prepare_duty_reports(past, acting_user=None):
            _fill(report, submit=True, before=past.starts_at - timedelta(days=1))
            counts["duty_reports"] += 1
        v1 = _minutes(past, organizer, sign=True)
        if v1.status == Minutes.Status.SIGNED_OFF and not Minutes.objects.filter(meeting=past, version=2).exists():
            minutes_actions.do_correct_minutes(v1, acting_user=organizer, note="补充缺席单位的请假原因")
            _minutes(past, organizer, sign=True)
            counts["minutes"] += 2

    if upcoming is not None:
        reports = report_actions.do_prepare_duty_reports(upcoming, acting_user=None)
        counts["duty_reports"] += len(reports)
        others = [r for r in reports if r.unit_id != liaison_unit]
        if others:
            _fill(others[0], submit=True)
        if len(others) > 1:
            others[-1].delete()  # this unit has not got a report: it shows as missing once the meeting starts

    if ad_hoc is not None and (organizer := _organizer(ad_hoc)) is not None:
        counts["duty_reports"] += len(report_actions.do_prepare_duty_reports(ad_hoc, acting_user=None))
        _minutes(ad_hoc, organizer, sign=False)
        if ad_hoc.organizer_id is None:
            Meeting.objects.filter(pk=ad_hoc.pk).update(organizer=organizer)
            ad_hoc.organizer = organizer
        minutes_actions.remind_minutes_of(ad_hoc, now)
        report_actions.do_mark_missing_duty_reports(now)
        counts["minutes"] += 1
    ctx.say(f"  duty reports: {counts['duty_reports']}, minutes: {counts['minutes']}\n")
    return counts
