"""On a phone: the organizer opens the meeting, proposes the agenda and sees why each item is there (an overdue case,
a top demand), records a resolution that gives the member unit a task with a deadline; the unit's liaison finds it
from the home page, posts progress and marks it done with evidence."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.meetings.models import Resolution
from gongzhi.test import PHONE, SHOTS, signed_in

from . import agenda_scene

pytestmark = pytest.mark.django_db(transaction=True)


def _fits(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"


def test_an_agenda_is_proposed_and_a_resolution_carried_out_on_a_phone(
        browser: Any, live_server: Any, cast: Any, settings: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    SHOTS.mkdir(parents=True, exist_ok=True)
    scene = agenda_scene.build(cast)
    errors: list[str] = []

    worker = signed_in(browser, live_server, cast.worker_a, **PHONE)
    worker.on("pageerror", lambda error: errors.append(str(error)))
    worker.on("dialog", lambda dialog: dialog.accept())
    worker.goto(f"{live_server.url}/meetings/{scene.meeting.pk}/")
    worker.get_by_test_id("agenda-edit").click()
    proposals = worker.get_by_test_id("proposals")
    expect(proposals.get_by_test_id("proposal").filter(has_text="和平小区3号楼下水道堵塞")).to_contain_text("超期 12 天")
    expect(proposals.get_by_test_id("proposal").filter(has_text="老年助餐点")).to_contain_text("32 位居民反映")
    _fits(worker)
    worker.screenshot(path=str(SHOTS / "meeting-agenda-proposals-390.png"), full_page=True)
    worker.get_by_test_id("propose").click()
    items = worker.get_by_test_id("agenda-items")
    expect(items.get_by_test_id("agenda-item").filter(has_text="和平小区3号楼下水道堵塞")).to_contain_text("超期 12 天")
    expect(items.get_by_test_id("agenda-item").filter(has_text="老年助餐点")).to_contain_text("32 位居民反映")
    items.get_by_test_id("agenda-item").filter(has_text="和平小区3号楼下水道堵塞").get_by_test_id("item-resolution").click()

    form = worker.get_by_test_id("resolution-form")
    form.get_by_label("解决办法").fill("物业与住建委联合疏通，社区监督")
    form.get_by_label("任务").fill("疏通3号楼下水道")
    form.get_by_label("和平物业服务有限公司").check()
    due = timezone.localdate() + timedelta(days=30)
    form.get_by_label("完成时限").fill(due.isoformat())
    _fits(worker)
    form.get_by_role("button", name="保存决议").click()
    expect(worker.locator("h1")).to_have_text("疏通3号楼下水道")
    expect(worker.get_by_test_id("units")).to_have_text("和平物业服务有限公司")
    expect(worker.get_by_test_id("due")).to_have_text(due.isoformat())
    resolution = Resolution.objects.get(task="疏通3号楼下水道")
    assert resolution.case_id == scene.overdue_case.pk

    liaison = signed_in(browser, live_server, cast.liaison, **PHONE)
    liaison.on("pageerror", lambda error: errors.append(str(error)))
    liaison.goto(live_server.url + "/")
    task = liaison.locator("[data-task='meetings.my_resolutions']")
    expect(task).to_contain_text("本单位负责的决议")
    task.click()
    liaison.get_by_role("link", name="疏通3号楼下水道").click()
    update = liaison.get_by_test_id("update-form")
    update.locator("[name=percent]").fill("40")
    update.locator("[name=note]").fill("已进场，疏通了主管道")
    update.get_by_role("button", name="提交").or_(update.locator("button[type=submit]")).first.click()
    expect(liaison.get_by_test_id("progress")).to_have_text("40%")
    expect(liaison.get_by_test_id("updates")).to_contain_text("已进场，疏通了主管道")
    liaison.get_by_text("标记完成", exact=True).first.click()
    complete = liaison.get_by_test_id("complete-form")
    complete.locator("[name=evidence]").fill("下水道已全部疏通，居民代表验收签字")
    complete.locator("button[type=submit]").click()
    expect(liaison.get_by_test_id("evidence")).to_contain_text("居民代表验收签字")
    expect(liaison.get_by_test_id("progress")).to_have_text("100%")
    _fits(liaison)
    liaison.screenshot(path=str(SHOTS / "meeting-resolution-done-390.png"), full_page=True)
    resolution.refresh_from_db()
    assert resolution.status == Resolution.Status.DONE and "验收" in resolution.evidence
    assert errors == []
