"""On a phone: the unit liaison opens the project waiting for its unit from the home page and claims it; the community
worker sends the agreement and signs for the community; the liaison signs for the unit and downloads the .docx (it
holds the items); the liaison posts progress with a photo; the worker finishes the project (the demand is met)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from gongzhi.lists.models import Demand, Project, ServiceAgreement
from gongzhi.test import PHONE, SHOTS, signed_in

from .project_scene import jpeg, proposed

pytestmark = pytest.mark.django_db(transaction=True)


def _fits(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"


def test_a_project_is_claimed_agreed_carried_out_and_finished_on_a_phone(
        browser: Any, live_server: Any, cast: Any, settings: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    SHOTS.mkdir(parents=True, exist_ok=True)
    project = proposed(cast, title="楼道照明改造")
    errors: list[str] = []

    liaison = signed_in(browser, live_server, cast.liaison, **PHONE)
    liaison.on("pageerror", lambda error: errors.append(str(error)))
    liaison.goto(live_server.url + "/")
    task = liaison.locator("[data-task='lists.projects_claim']")
    expect(task).to_contain_text("待认领项目")
    task.click()
    expect(liaison.locator("h1")).to_have_text("楼道照明改造")
    _fits(liaison)
    liaison.on("dialog", lambda dialog: dialog.accept())
    liaison.get_by_role("button", name="认领该项目").click()
    expect(liaison.get_by_test_id("project-status")).to_have_text("已认领")

    worker = signed_in(browser, live_server, cast.worker_a, **PHONE)
    worker.on("pageerror", lambda error: errors.append(str(error)))
    worker.on("dialog", lambda dialog: dialog.accept())
    worker.goto(f"{live_server.url}/lists/projects/{project.pk}/agreement/")
    worker.get_by_text("添加事项").click()
    form = worker.get_by_test_id("add-item")
    form.get_by_label("责任方").select_option(str(cast.member_unit.pk))
    form.get_by_label("事项").fill("更换 3 号楼全部楼道灯具")
    form.get_by_label("完成时限").fill("2027-01-31")
    form.get_by_role("button", name="添加").click()
    worker.get_by_test_id("send").click()
    expect(worker.get_by_test_id("agreement-status")).to_have_text("待签署")
    worker.get_by_role("button", name="代表社区签署").click()
    expect(worker.get_by_test_id("parties")).to_contain_text("和平里社工")
    _fits(worker)
    worker.screenshot(path=str(SHOTS / "project-agreement-worker-390.png"), full_page=True)

    liaison.goto(f"{live_server.url}/lists/projects/{project.pk}/agreement/")
    liaison.get_by_role("button", name="代表和平物业服务有限公司签署").click()
    expect(liaison.get_by_test_id("agreement-status")).to_have_text("已签署")
    with liaison.expect_download() as download_info:
        liaison.get_by_test_id("docx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    doc = Document(io.BytesIO(Path(download.path()).read_bytes()))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "更换 3 号楼全部楼道灯具" in cells and "物业联络员" in cells

    liaison.goto(f"{live_server.url}/lists/projects/{project.pk}/")
    expect(liaison.get_by_test_id("project-status")).to_have_text("协议已签署")
    form = liaison.get_by_test_id("progress-form")
    form.get_by_label("进度（%）").fill("60")
    form.get_by_label("处置情况").fill("已更换 3 号楼 1-3 单元灯具")
    photo = tmp_path / "site.jpg"
    photo.write_bytes(jpeg((320, 240)).read())
    form.locator("input[type=file]").set_input_files(str(photo))
    form.get_by_role("button", name="提交").click()
    expect(liaison.get_by_test_id("progress")).to_have_text("60%")
    expect(liaison.locator(".photos img")).to_have_count(1)
    _fits(liaison)
    liaison.screenshot(path=str(SHOTS / "project-detail-liaison-390.png"), full_page=True)

    worker.goto(f"{live_server.url}/lists/projects/{project.pk}/")
    worker.get_by_text("项目办结", exact=True).click()
    worker.get_by_test_id("finish-form").get_by_role("button", name="办结").click()
    expect(worker.get_by_test_id("project-status")).to_have_text("已完成")
    assert Project.objects.get(pk=project.pk).status == Project.Status.FINISHED
    assert Demand.objects.get(projects=project).status == Demand.Status.MET
    assert ServiceAgreement.objects.get(project=project).signatures.count() == 2
    worker.goto(f"{live_server.url}/lists/projects/")
    _fits(worker)
    worker.screenshot(path=str(SHOTS / "project-list-worker-390.png"), full_page=True)
    assert errors == []
