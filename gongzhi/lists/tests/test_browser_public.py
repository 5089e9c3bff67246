"""A resident on a phone (390 px), without an account: chooses the community on the public notice, opens a finished
project, asks for a code, reads it from the text message and rates the project; the counts change; a second
rating from the same phone is refused in Chinese. Screenshots go to the shots directory."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from gongzhi.core.notifications import MemorySmsBackend
from gongzhi.lists.models import Demand, Project, ProjectRating
from gongzhi.test import PHONE, SHOTS, Cast, signed_in

from .public_fixtures import add_milestone, add_update, make_demand, make_project

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(cast: Cast, settings: Any, tmp_path: Any) -> Project:
    settings.SMS_BACKEND = "memory"
    settings.MEDIA_ROOT = tmp_path / "media"
    MemorySmsBackend.outbox.clear()
    cache.clear()
    SHOTS.mkdir(parents=True, exist_ok=True)
    demand = make_demand(cast.community_a, "楼道灯经常不亮", status=Demand.Status.MET, beneficiaries=96)
    project = make_project(cast.community_a, "和平小区楼道照明改造", status=Project.Status.FINISHED,
                           lead=cast.member_unit, demands=(demand,), description="更换 6 栋楼的楼道声控灯。")
    add_milestone(project, "灯具采购", timezone.localdate(), done=True)
    add_update(project, 100, "全部灯具更换完成，已验收。", unit=cast.member_unit, photo=True)
    make_project(cast.community_a, "1号楼加装电梯", lead=cast.member_unit, progress=35)
    return project


def fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_resident_rates_a_finished_project_on_a_phone(browser: Any, live_server: Any, cast: Cast,
                                                       scene: Project) -> None:
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{live_server.url}/lists/public/")
    fits(page)
    page.click(f"text={cast.community_a.name}")
    page.wait_for_selector("[data-testid=notice-project]")
    assert page.locator("[data-testid=notice-project]").count() == 2
    fits(page)
    page.screenshot(path=str(SHOTS / "lists-public-community.png"), full_page=True)
    page.click("text=和平小区楼道照明改造")
    page.wait_for_selector("[data-testid=public-project]")
    assert "已完成" in page.inner_text("[data-testid=project-status]")
    assert page.locator(".photos img").count() == 1
    assert page.evaluate("document.querySelector('.photos img').naturalWidth") > 0  # the photo is served
    fits(page)

    page.check("input[name=satisfaction][value=satisfied]")
    page.fill("#id_phone", "13812345678")
    page.click("[data-testid=send-code]")
    page.wait_for_selector("[data-testid=code-sent]")
    assert "138****5678" in page.inner_text("[data-testid=code-sent]")
    phone, text = MemorySmsBackend.outbox[-1]
    assert phone == "13812345678"
    code = re.search(r"\d{6}", text).group()  # type: ignore[union-attr]
    assert page.is_checked("input[name=satisfaction][value=satisfied]")  # kept across the code step
    page.fill("#id_code", code)
    page.screenshot(path=str(SHOTS / "lists-public-rating.png"), full_page=True)
    page.click("[data-testid=send-rating]")
    page.wait_for_selector(".messages")
    assert "评价已记录" in page.inner_text(".messages")
    assert page.inner_text("[data-testid=satisfaction-rate]") == "100.0%"
    assert ProjectRating.objects.filter(project=scene).count() == 1

    # The same phone again: a new code, and a clear refusal.
    page.check("input[name=satisfaction][value=unsatisfied]")
    page.fill("#id_phone", "13812345678")
    page.click("[data-testid=send-code]")
    page.wait_for_selector("[data-testid=code-sent]")
    code = re.search(r"\d{6}", MemorySmsBackend.outbox[-1][1]).group()  # type: ignore[union-attr]
    page.fill("#id_code", code)
    page.click("[data-testid=send-rating]")
    page.wait_for_selector(".errorlist")
    assert "已经评价过" in page.inner_text(".rating-form")
    fits(page)
    assert ProjectRating.objects.filter(project=scene).count() == 1
    page.screenshot(path=str(SHOTS / "lists-public-rated-twice.png"), full_page=True)


def test_a_community_worker_closes_the_quarter_and_compares_on_a_phone(browser: Any, live_server: Any, cast: Cast,
                                                                      scene: Project) -> None:
    make_demand(cast.community_a, "楼顶防水", beneficiaries=30)
    page = signed_in(browser, live_server, cast.worker_a, **PHONE)
    page.goto(f"{live_server.url}/lists/quarters/")
    page.wait_for_selector("[data-testid=quarter-demands]")
    assert "本季度进行中" in page.inner_text("[data-testid=quarter-state]")
    fits(page)
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.click("[data-testid=close-quarter] button")
    page.wait_for_selector(".messages")
    assert "已关闭" in page.inner_text(".messages") and "只能关闭一次" in asked[0]
    assert page.locator("[data-testid=close-quarter]").count() == 0
    page.screenshot(path=str(SHOTS / "lists-quarter-closed.png"), full_page=True)
    page.click("text=与上季度对比")
    page.wait_for_selector("[data-testid=compare-projects]")
    assert "和平小区楼道照明改造" in page.inner_text("[data-testid=changes-projects]")
    fits(page)
    page.screenshot(path=str(SHOTS / "lists-quarter-compare.png"), full_page=True)
