"""Duty reports (述职): prepared for each invited unit, prefilled with what it claimed or was assigned since the last
meeting of the series (a resolution of meeting 1 shows in meeting 2's report; projects, whistles, cases and
in-service party members when there are some); the liaison fills and submits it; a submitted report is frozen; a
unit that did not report by the meeting's start is missing (未述职)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.appeals.models import Assignment, Case, Whistle, WhistleReport
from gongzhi.core import actions as core_actions
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.lists.models import Project
from gongzhi.meetings import duty
from gongzhi.meetings.actions import reports
from gongzhi.meetings.models import DutyReport, DutyReportItem, Resolution

from .test_duty_scene import invite, make_meeting, other_unit, resolution, two_meetings

pytestmark = pytest.mark.django_db


def test_it_prefills_meeting_2_with_the_resolution_assigned_at_meeting_1(cast: Any) -> None:
    m1, m2, r = two_meetings(cast)
    created = reports.do_prepare_duty_reports(m2, acting_user=cast.worker_a)
    assert [c.unit for c in created] == [cast.member_unit]
    report = created[0]
    assert report.period_start == m1.starts_at
    item = report.items.get(kind=DutyReportItem.Kind.RESOLUTION)
    assert item.source_key == f"meetings.resolution:{r.pk}"
    assert "修复 3 号楼漏水屋面" in item.title and "第一次联席会议" in item.title
    assert "推进中" in item.summary and "40%" in item.summary and f"{r.due_on:%Y-%m-%d}" in item.summary
    assert AuditEvent.objects.filter(verb="meetings.prepare_duty_reports").count() == 1
    assert Notification.objects.filter(user=cast.liaison, verb="meetings.duty_report_prepared").exists()
    # Prepared twice: nothing new.
    assert reports.do_prepare_duty_reports(m2, acting_user=cast.worker_a) == []


def test_it_leaves_out_cancelled_resolutions_and_other_units(cast: Any) -> None:
    m1, m2, r = two_meetings(cast)
    school = other_unit(cast)
    resolution(m1, [cast.member_unit], task="已取消的决议", status=Resolution.Status.CANCELLED)
    resolution(m1, [school], task="学校的决议")
    report = reports.do_prepare_duty_reports(m2, acting_user=cast.worker_a)[0]
    titles = list(report.items.values_list("title", flat=True))
    assert not any("已取消" in t or "学校" in t for t in titles)


def test_without_a_previous_meeting_the_period_is_90_days(cast: Any) -> None:
    m = make_meeting(cast, starts_at=timezone.now() + timedelta(days=3), title="临时会议", kind="ad_hoc")
    invite(m, cast.member_unit)
    report = reports.do_prepare_duty_reports(m, acting_user=cast.worker_a)[0]
    assert report.period_start == m.starts_at - timedelta(days=90)


def test_it_prefills_projects_whistles_cases_and_party_members(cast: Any) -> None:
    _m1, m2, _r = two_meetings(cast)
    now = timezone.now()
    Project.objects.create(title="楼道照明改造", area=cast.community_a, lead_unit=cast.member_unit,
                           status=Project.Status.IN_PROGRESS, progress=60)
    Project.objects.create(title="别社区的项目", area=cast.community_b, lead_unit=cast.member_unit,
                           status=Project.Status.IN_PROGRESS)
    whistle = Whistle.objects.create(title="占道经营整治", area=cast.community_a, whistler=cast.worker_a,
                                     whistler_area=cast.community_a, report_deadline=now + timedelta(days=1))
    WhistleReport.objects.create(whistle=whistle, unit=cast.member_unit, reported_at=now - timedelta(days=3),
                                 done_at=now - timedelta(days=2), rating=WhistleReport.Rating.EXCELLENT)
    case = Case.objects.create(title="楼顶水箱漏水", area=cast.building_a, area_path=cast.building_a.path,
                               status=Case.Status.IN_PROGRESS)
    Assignment.objects.create(case=case, unit=cast.member_unit, status=Assignment.Status.ACCEPTED,
                              created_at=now - timedelta(days=10))
    core_actions.do_register_party_member(cast.party_member_a, community=cast.community_a, acting_user=None)

    report = reports.do_prepare_duty_reports(m2, acting_user=cast.worker_a)[0]
    by_kind = {i.kind: i for i in report.items.all()}
    assert by_kind["project"].title == "楼道照明改造" and "牵头" in by_kind["project"].summary
    assert not report.items.filter(title="别社区的项目").exists()
    assert by_kind["whistle"].title == "占道经营整治" and "已完成" in by_kind["whistle"].summary
    assert by_kind["case"].title == "楼顶水箱漏水"
    assert "1 名" in by_kind["service"].summary
    assert [i.kind for i in report.items.order_by("order")] == ["resolution", "project", "whistle", "case",
                                                                 "service"]


def test_the_liaison_fills_and_submits_then_it_is_frozen(cast: Any) -> None:
    _m1, m2, _r = two_meetings(cast)
    report = reports.do_prepare_duty_reports(m2, acting_user=cast.worker_a)[0]
    item = report.items.get(kind="resolution")
    reports.do_update_duty_report_item(item, acting_user=cast.liaison, progress_note="已完成防水层铺设", done=True)
    reports.do_add_duty_report_item(report, acting_user=cast.liaison, title="组织楼道清理", progress_note="两次")
    reports.do_set_duty_report_notes(report, acting_user=cast.liaison, notes="下季度继续跟进")
    reports.do_submit_duty_report(report, acting_user=cast.liaison)
    report.refresh_from_db()
    item.refresh_from_db()
    assert report.status == DutyReport.Status.SUBMITTED and report.submitted_by == cast.liaison
    assert item.done and item.progress_note == "已完成防水层铺设"
    assert report.items.filter(kind="other", title="组织楼道清理").exists()
    assert Notification.objects.filter(user=cast.worker_a, verb="meetings.duty_report_submitted").exists()
    # The resolution marked done is completed, the item's note as its evidence (the resolutions part's action).
    done = Resolution.objects.get(pk=_r.pk)
    assert done.status == Resolution.Status.DONE and done.evidence == "已完成防水层铺设"
    assert done.updates.filter(completes=True, by=cast.liaison).exists()

    with pytest.raises(reports.InvalidTransition, match="已提交"):
        reports.do_update_duty_report_item(item, acting_user=cast.liaison, progress_note="改")
    with pytest.raises(reports.InvalidTransition):
        reports.do_submit_duty_report(report, acting_user=cast.liaison)
    with pytest.raises(reports.InvalidTransition):
        reports.do_set_duty_report_notes(report, acting_user=cast.liaison, notes="改")
    item.refresh_from_db()
    assert item.progress_note == "已完成防水层铺设"


def test_a_resolution_not_marked_done_stays_open(cast: Any) -> None:
    _m1, m2, r = two_meetings(cast)
    report = reports.do_prepare_duty_reports(m2, acting_user=cast.worker_a)[0]
    reports.do_save_duty_report(report, acting_user=cast.liaison, items={}, notes="", submit=True)
    assert Resolution.objects.get(pk=r.pk).status == Resolution.Status.IN_PROGRESS


def test_others_may_not_fill_it(cast: Any) -> None:
    _m1, m2, _r = two_meetings(cast)
    report = reports.do_prepare_duty_reports(m2, acting_user=cast.worker_a)[0]
    for user in (cast.worker_b, cast.grid_worker_a, cast.party_member_user):
        with pytest.raises(PermissionDenied):
            reports.do_submit_duty_report(report, acting_user=user)
    with pytest.raises(PermissionDenied):
        reports.do_prepare_duty_reports(m2, acting_user=cast.liaison)
    with pytest.raises(reports.ActionError):
        reports.do_add_duty_report_item(report, acting_user=cast.liaison, title="  ")
    assert DutyReport.objects.get(pk=report.pk).status == DutyReport.Status.DRAFT


def test_units_that_did_not_report_by_the_start_are_missing(cast: Any) -> None:
    _m1, m2, _r = two_meetings(cast)
    school = other_unit(cast)
    absent_unit = other_unit(cast, "和平里卫生服务站")
    invite(m2, school)
    invite(m2, absent_unit)
    prepared = {r.unit_id: r for r in reports.do_prepare_duty_reports(m2, acting_user=cast.worker_a)}
    DutyReport.objects.filter(unit=absent_unit).delete()  # a unit without a report at all
    reports.do_submit_duty_report(prepared[cast.member_unit.pk], acting_user=cast.liaison)

    assert reports.do_mark_missing_duty_reports(timezone.now()) == 0  # not started yet
    later = m2.starts_at + timedelta(minutes=5)
    columns = duty.side_by_side(m2, DutyReport.objects.all(), now=later)
    assert [(c.unit.name, c.missing) for c in columns] == [
        ("和平物业服务有限公司", False), ("和平里卫生服务站", True), ("和平里小学", True)]
    assert reports.do_mark_missing_duty_reports(later) == 2
    assert reports.do_mark_missing_duty_reports(later + timedelta(hours=1)) == 0  # once
    assert AuditEvent.objects.filter(verb=reports.MISSING_VERB).count() == 2
    note = Notification.objects.get(user=cast.worker_a, verb=reports.MISSING_VERB)
    assert "和平里小学" in note.text and "和平里卫生服务站" in note.text


def test_the_scheduled_check_prepares_upcoming_meetings(cast: Any) -> None:
    _m1, m2, _r = two_meetings(cast)
    far = make_meeting(cast, starts_at=timezone.now() + timedelta(days=40), title="远期会议")
    invite(far, cast.member_unit)
    assert reports.do_prepare_upcoming_duty_reports() == 1
    assert DutyReport.objects.filter(meeting=m2).count() == 1
    assert not DutyReport.objects.filter(meeting=far).exists()


def test_the_api_prepares_fills_submits_and_runs_the_minutes(cast: Any) -> None:
    import io
    import json

    from django.test import Client
    from docx import Document

    m1, m2, r = two_meetings(cast)
    staff, unit, other = Client(), Client(), Client()
    staff.force_login(cast.worker_a)
    unit.force_login(cast.liaison)
    other.force_login(cast.worker_b)

    def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
        return client.post(url, json.dumps(body or {}), content_type="application/json")

    assert post(unit, f"/api/meetings/{m2.pk}/duty-reports/prepare").status_code == 403
    created = post(staff, f"/api/meetings/{m2.pk}/duty-reports/prepare")
    assert created.status_code == 201
    report = created.json()[0]
    item = next(i for i in report["items"] if i["kind"] == "resolution")
    assert other.get(f"/api/meetings/duty-reports/{report['id']}").status_code == 404
    saved = post(unit, f"/api/meetings/duty-reports/{report['id']}",
                 {"items": [{"id": item["id"], "progress_note": "已完工", "done": True}], "notes": "说明"})
    assert saved.status_code == 200 and saved.json()["items"][0]["done"] is True
    assert post(unit, f"/api/meetings/duty-reports/{report['id']}/submit").json()["status"] == "submitted"
    refused = post(unit, f"/api/meetings/duty-reports/{report['id']}", {"notes": "改"})
    assert refused.status_code == 400 and "已提交" in refused.json()["detail"]
    columns = staff.get(f"/api/meetings/{m2.pk}/duty-reports").json()
    assert [(c["unit"], c["missing"]) for c in columns] == [("和平物业服务有限公司", False)]

    minutes = post(staff, f"/api/meetings/{m1.pk}/minutes").json()
    assert post(unit, f"/api/meetings/minutes/{minutes['id']}/sign-off").status_code == 403
    post(staff, f"/api/meetings/minutes/{minutes['id']}", {"summary": "概要"})
    signed = post(staff, f"/api/meetings/minutes/{minutes['id']}/sign-off").json()
    assert signed["status"] == "signed_off" and signed["content"]["resolutions"][0]["task"] == r.task
    v2 = post(staff, f"/api/meetings/minutes/{minutes['id']}/correct", {"note": "更正参会人员"})
    assert v2.status_code == 201 and v2.json()["version"] == 2
    assert [v["version"] for v in unit.get(f"/api/meetings/{m1.pk}/minutes").json()] == [2, 1]
    docx = unit.get(f"/api/meetings/minutes/{minutes['id']}/docx")
    assert docx.status_code == 200
    cells = [c.text for t in Document(io.BytesIO(docx.content)).tables for row in t.rows for c in row.cells]
    assert r.task in " ".join(cells) and "和平物业服务有限公司" in cells


def test_the_demo_step(cast: Any) -> None:
    from gongzhi.core.models import Area, User
    from gongzhi.core.registry import DemoContext
    from gongzhi.meetings.demo_reports import build_demo_reports
    from gongzhi.meetings.models import Minutes

    assert build_demo_reports(DemoContext(seed=1)) is None  # no 锦华社区
    Area.objects.filter(pk=cast.community_a.pk).update(name="锦华社区")
    User.objects.filter(pk=cast.liaison.pk).update(username="unit_liaison")
    assert build_demo_reports(DemoContext(seed=1)) is None  # no meetings
    m1, m2, _r = two_meetings(cast)
    school, clinic = other_unit(cast), other_unit(cast, "和平里卫生服务站")
    invite(m1, school)
    for unit in (school, clinic):
        invite(m2, unit)
    ad_hoc = make_meeting(cast, starts_at=timezone.now() - timedelta(days=5), title="临时协调会", kind="ad_hoc")
    invite(ad_hoc, school)
    build_demo_reports(DemoContext(seed=1))

    assert set(DutyReport.objects.filter(meeting=m1).values_list("status", flat=True)) == {"submitted"}
    assert [c.missing for c in duty.side_by_side(m1, DutyReport.objects.all())] == [False, False]
    assert list(Minutes.objects.filter(meeting=m1).values_list("version", "status")) == [
        (2, "signed_off"), (1, "signed_off")]
    upcoming = {r.unit_id: r.status for r in DutyReport.objects.filter(meeting=m2)}
    assert upcoming[cast.member_unit.pk] == "draft" and len(upcoming) == 2 and "submitted" in upcoming.values()
    assert DutyReport.objects.get(meeting=m2, unit=cast.member_unit).items.filter(kind="resolution").exists()
    draft = Minutes.objects.get(meeting=ad_hoc)
    assert draft.status == "draft" and draft.reminded_at is not None
    assert [c.missing for c in duty.side_by_side(ad_hoc, DutyReport.objects.all())] == [True]


def test_the_meeting_page_shows_the_reports_side_by_side_and_the_minutes(cast: Any) -> None:
    from django.test import Client
    from django.urls import reverse

    _m1, m2, _r = two_meetings(cast)
    school = other_unit(cast)
    invite(m2, school)
    reports.do_prepare_duty_reports(m2, acting_user=cast.worker_a)
    DutyReport.objects.filter(unit=school).delete()
    staff, unit = Client(), Client()
    staff.force_login(cast.worker_a)
    unit.force_login(cast.liaison)
    page = staff.get(reverse("meetings:meeting", args=[m2.pk])).content.decode()
    assert 'data-testid="section-duty-reports"' in page and 'data-testid="section-minutes"' in page
    assert page.count('data-testid="duty-column"') == 2 and "尚未准备" in page and "开始编写会议纪要" in page
    started = timezone.now() - timedelta(minutes=1)
    type(m2).objects.filter(pk=m2.pk).update(starts_at=started, ends_at=started + timedelta(hours=1))
    late = staff.get(reverse("meetings:meeting", args=[m2.pk])).content.decode()
    assert late.count('data-testid="duty-missing"') == 2
    mine = unit.get(reverse("meetings:meeting", args=[m2.pk])).content.decode()
    assert mine.count('data-testid="duty-column"') == 1 and "填写述职报告" in mine and "开始编写" not in mine



def test_the_demo_step_makes_a_past_ad_hoc_meeting_when_the_schedule_has_none(cast: Any) -> None:
    from gongzhi.core.models import Area
    from gongzhi.core.registry import DemoContext
    from gongzhi.meetings.demo_reports import build_demo_reports
    from gongzhi.meetings.models import Meeting, Minutes

    Area.objects.filter(pk=cast.community_a.pk).update(name="锦华社区")
    two_meetings(cast)
    build_demo_reports(DemoContext(seed=1))
    ad_hoc = Meeting.objects.get(kind="ad_hoc")
    assert ad_hoc.status == "held" and ad_hoc.ends_at < timezone.now() - timedelta(days=3)
    assert ad_hoc.invitations.filter(unit=cast.member_unit).exists()
    draft = Minutes.objects.get(meeting=ad_hoc)
    assert draft.status == "draft" and draft.reminded_at is not None
    assert Notification.objects.filter(user=cast.worker_a, verb="meetings.remind_minutes").exists()
