"""On a phone: the unit liaison opens its prefilled duty report from the home page (the task), sees the resolution
assigned at the last meeting, adds progress, marks it done and submits; the organizer sees the reports side by side
on the meeting page (the unit that did not report marked 未述职 once the meeting has started), writes and signs off
the minutes of the last meeting and downloads the .docx, which holds the resolution and its responsible unit."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from docx import Document

from gongzhi.meetings.actions import reports
from gongzhi.meetings.models import DutyReport, Meeting
from gongzhi.test import PHONE, SHOTS, signed_in

from .test_duty_scene import invite, other_unit, two_meetings

pytestmark = pytest.mark.django_db(transaction=True)


def _section_fits(page: Any, testid: str) -> None:
    """A section of the meeting page (the schedule part's page) stays inside a 390 px phone."""
    right = page.get_by_test_id(testid).evaluate(
        "e => Math.max(e.getBoundingClientRect().right, ...[...e.querySelectorAll('*')].map(c => "
        "c.getBoundingClientRect().right))")
    assert right <= 390, f"{testid} reaches {right} px on a 390 px phone"


def _fits(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"


def test_the_liaison_reports_and_the_organizer_sees_it_and_downloads_the_minutes(
        browser: Any, live_server: Any, cast: Any) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    m1, m2, resolution = two_meetings(cast)
    school = other_unit(cast)
    invite(m2, school)
    reports.do_prepare_duty_reports(m2, acting_user=cast.worker_a)
    errors: list[str] = []

    liaison = signed_in(browser, live_server, cast.liaison, **PHONE)
    liaison.on("pageerror", lambda error: errors.append(str(error)))
    liaison.on("dialog", lambda dialog: dialog.accept())
    liaison.goto(live_server.url + "/")
    task = liaison.locator("[data-task='meetings.duty_reports']")
    expect(task).to_contain_text("待提交述职报告")
    task.click()
    expect(liaison.get_by_test_id("report-title")).to_have_text("和平物业服务有限公司述职报告")
    item = liaison.locator("[data-testid='report-item'][data-kind='resolution']")
    expect(item).to_contain_text("修复 3 号楼漏水屋面")
    expect(item.get_by_test_id("item-summary")).to_contain_text("推进中")
    _fits(liaison)
    item.get_by_label("进展与说明").fill("屋面防水层已全部铺设，业主验收通过")
    item.get_by_label("已完成").check()
    liaison.get_by_label("向会议说明的情况").fill("下季度继续巡查")
    liaison.screenshot(path=str(SHOTS / "meetings-duty-report-phone.png"), full_page=True)
    liaison.get_by_test_id("submit-report").click()
    expect(liaison.get_by_test_id("report-status")).to_have_text("已提交")
    expect(liaison.get_by_test_id("item-progress")).to_contain_text("屋面防水层已全部铺设")
    report = DutyReport.objects.get(meeting=m2, unit=cast.member_unit)
    assert report.status == "submitted" and report.items.get(kind="resolution").done
    resolution.refresh_from_db()
    assert resolution.status == "done"  # completed through the resolutions part, the note as evidence

    # The meeting starts: the school, which did not report, is marked.
    started = timezone.now() - timedelta(minutes=5)
    Meeting.objects.filter(pk=m2.pk).update(starts_at=started, ends_at=started + timedelta(hours=2))
    DutyReport.objects.filter(pk=report.pk).update(submitted_at=started - timedelta(hours=1))  # reported before
    organizer = signed_in(browser, live_server, cast.worker_a, **PHONE)
    organizer.on("pageerror", lambda error: errors.append(str(error)))
    organizer.on("dialog", lambda dialog: dialog.accept())
    organizer.goto(f"{live_server.url}/meetings/{m2.pk}/")
    section = organizer.get_by_test_id("section-duty-reports")
    mine = section.locator("[data-testid='duty-column'][data-unit='和平物业服务有限公司']")
    expect(mine.get_by_test_id("duty-status")).to_have_text("已提交")
    expect(mine.get_by_test_id("duty-progress")).to_contain_text("屋面防水层已全部铺设")
    expect(section.locator("[data-testid='duty-column'][data-unit='和平里小学']")
           .get_by_test_id("duty-missing")).to_have_text("未述职")
    _section_fits(organizer, "section-duty-reports")
    organizer.goto(f"{live_server.url}/meetings/{m2.pk}/reports/")
    _fits(organizer)
    organizer.screenshot(path=str(SHOTS / "meetings-duty-reports-side-by-side-phone.png"), full_page=True)

    # The minutes of the last meeting: written, signed off, downloaded.
    organizer.goto(f"{live_server.url}/meetings/{m1.pk}/")
    expect(organizer.get_by_test_id("section-minutes").get_by_test_id("start-minutes")).to_be_visible()
    organizer.goto(f"{live_server.url}/meetings/{m1.pk}/minutes/")  # the section alone (the attendance's forms
    minutes = organizer.get_by_test_id("section-minutes")             # overlap it on the meeting page for now)
    minutes.get_by_test_id("start-minutes").click()
    minutes = organizer.get_by_test_id("section-minutes")
    minutes.get_by_label("概览").fill("会议研究了 3 号楼屋面漏水问题。")
    minutes.get_by_label("议题 1 讨论情况：3 号楼屋面漏水").fill("物业同意出资维修。")
    minutes.get_by_test_id("save-minutes").click()
    organizer.get_by_test_id("sign-off").click()
    expect(organizer.get_by_test_id("minutes-status").first).to_have_text("已审定")
    _fits(organizer)
    with organizer.expect_download() as info:
        organizer.get_by_test_id("minutes-docx").first.click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    doc = Document(io.BytesIO(open(download.path(), "rb").read()))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert any(c.startswith(resolution.task) for c in cells) and "和平物业服务有限公司" in cells
    assert "讨论情况：物业同意出资维修。" in [p.text for p in doc.paragraphs]
    assert errors == []
