"""The routing intelligence walked through the pages in Debian's Chromium.

A community worker opens a new appeal on a phone: the classifier's suggestions (with confidence and the
routing rule's lead unit) and an earlier appeal about the same leak are shown; the worker merges the new
appeal into the earlier case and dispatches that case with one click on the top suggestion. On a desktop,
the worker opens the hot issues, turns one into a demand and finds it on the demand list.
Screenshots go to GONGZHI_SHOTS_DIR (/tmp/gongzhi-shots/).
"""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.appeals import actions as appeals_actions
from gongzhi.appeals.models import Appeal, Case, Category
from gongzhi.intelligence.tests.test_autodispatch import train_model
from gongzhi.lists.models import Demand
from gongzhi.test import DESKTOP, PHONE, SHOTS, signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def submit(cast: Any, title: str, body: str, area: Any, phone: str = "13800138000") -> Appeal:
    return appeals_actions.do_submit_appeal(acting_user=None, title=title, body=body, callback_phone=phone,
                                            area=area, system=True)


def flash(page: Any) -> str:
    return str(page.locator(".messages").inner_text()) if page.locator(".messages").count() else ""


def test_a_dispatcher_merges_a_duplicate_and_adopts_a_suggestion(browser: Any, live_server: Any, cast: Any) -> None:
    train_model()  # the synthetic history: 垃圾 → 城乡建设 → 城市管理
    appeals_actions.do_create_routing_rule(acting_user=None, lead_unit=cast.department,
                                           category=Category.objects.get(name="城市管理", level=1))
    first = submit(cast, "小区垃圾三天没清运", "和平小区1号楼楼下垃圾堆放发臭，垃圾清运不及时，请尽快处理。",
                   cast.building_a)
    second = submit(cast, "楼下垃圾没人清运", "和平小区1号楼楼下垃圾堆放发臭，三天没清运了，请尽快处理。",
                    cast.building_a, phone="13900139000")
    SHOTS.mkdir(parents=True, exist_ok=True)

    page = signed_in(browser, live_server, cast.worker_a, **PHONE)
    page.goto(f"{live_server.url}/appeals/cases/{second.case_id}/")
    suggestions = page.locator("[data-testid=suggestion]")
    assert suggestions.count() >= 1
    top = suggestions.first.inner_text()
    assert "城市管理" in top and "置信度" in top and cast.department.name in top
    duplicate = page.locator("[data-testid=duplicate]")
    assert duplicate.count() == 1
    assert first.masked_code in duplicate.inner_text() and "同一楼栋" in duplicate.inner_text()
    page.screenshot(path=str(SHOTS / "suggestions-duplicate-phone.png"), full_page=True)

    duplicate.locator("button[data-action=merge-there]").click()
    page.wait_for_url(f"{live_server.url}/appeals/cases/{first.case_id}/")
    assert f"已合并到工单 #{first.case_id}" in flash(page)
    second.refresh_from_db()
    assert second.case_id == first.case_id

    page.locator("[data-testid=suggestion]").first.locator("button[data-action=adopt]").click()
    assert "工单已派出" in flash(page)
    case = Case.objects.get(pk=first.case_id or 0)
    assert case.status == Case.Status.DISPATCHED and case.lead_unit_id == cast.department.pk
    # The leaf of 城市管理 that shares words with the text (suggestions.py), as the suggestion showed it.
    assert case.category is not None and case.category.name == "垃圾清运" and "垃圾清运" in top
    page.screenshot(path=str(SHOTS / "adopted-phone.png"), full_page=True)


def test_a_worker_turns_a_hot_issue_into_a_demand(browser: Any, live_server: Any, cast: Any) -> None:
    for i, (title, area) in enumerate([("和平小区路灯坏了", cast.building_a), ("小区路灯不亮", cast.estate_a),
                                       ("路灯坏了没人修", cast.grid_a)]):
        submit(cast, title, f"和平小区1号楼前的路灯坏了好几天，晚上很黑，请尽快修理路灯。{i}", area,
               phone=f"1380000000{i}")
    SHOTS.mkdir(parents=True, exist_ok=True)

    page = signed_in(browser, live_server, cast.worker_a, **DESKTOP)
    page.goto(f"{live_server.url}/intelligence/hot/")
    rows = page.locator("[data-testid=hot-issues] tbody tr")
    assert rows.count() == 1
    row = rows.first
    assert "路灯" in row.inner_text() and "和平小区" in row.inner_text()
    page.wait_for_function("() => document.querySelector('#hot-chart canvas') !== null")  # ECharts drew the chart
    assert page.locator("#hot-chart").bounding_box()["height"] < 120  # one bar: a short chart, not 300px
    page.wait_for_timeout(1200)  # ECharts grows the bars for a second; take the picture once they stand
    page.screenshot(path=str(SHOTS / "hot-issues-desktop.png"), full_page=True)
    phone = signed_in(browser, live_server, cast.worker_a, **PHONE)
    phone.goto(f"{live_server.url}/intelligence/hot/")
    place = phone.locator("[data-testid=hot-issues] tbody tr td[data-label='地点']").first
    assert "和平小区" in place.inner_text()
    assert place.bounding_box()["width"] > 300  # one card per hot issue on a phone, not a column squeezed to a character
    phone.screenshot(path=str(SHOTS / "hot-issues-phone.png"), full_page=True)

    row.get_by_role("button", name="转为需求").click()
    assert "/lists/demands/new/?source=hot_issue&appeals=" in page.url  # the lists' form, fed by the hot issue
    assert page.locator("#id_title").input_value() != ""
    assert "来自3件诉求" in page.inner_text(".page-head")
    page.fill("#id_title", "和平小区1号楼路灯维修")
    page.get_by_role("button", name="加入需求清单").click()
    assert "该热点已加入需求清单" in flash(page)
    demand = Demand.objects.get(title="和平小区1号楼路灯维修")
    assert demand.source == Demand.Source.HOT_ISSUE
    assert "和平小区1号楼路灯维修" in page.inner_text("main")


def test_an_administrator_trains_from_a_file_rolls_back_and_turns_on_auto_dispatch(
    browser: Any, live_server: Any, cast: Any, tmp_path: Any
) -> None:
    from gongzhi.intelligence.models import AutoDispatchConfig, ClassifierVersion
    from gongzhi.intelligence.tests.conftest import synthetic_rows, write_csv

    first = train_model()
    path = write_csv(tmp_path / "标注留言.csv", synthetic_rows())
    SHOTS.mkdir(parents=True, exist_ok=True)

    page = signed_in(browser, live_server, cast.city_admin, **DESKTOP)
    page.goto(f"{live_server.url}/")
    page.locator("nav").get_by_role("link", name="分类模型").click()
    assert "v1" in page.inner_text("[data-testid=active-version]")
    page.set_input_files("#training-file", str(path))
    page.click("button[data-action=train-file]")
    assert "版本 2 已用 36 条留言训练完成并启用" in flash(page)
    assert "标注留言.csv" in page.inner_text("[data-testid=training-jobs]")
    assert "v2" in page.inner_text("[data-testid=active-version]")
    page.locator("[data-testid=per-category] summary").click()  # the new version's CV figures per category
    categories = page.locator("[data-testid=per-category] tr[data-category]")
    assert categories.count() == len({r["label"] for r in synthetic_rows()}) and categories.first.is_visible()
    page.locator("[data-testid=active-version]").screenshot(path=str(SHOTS / "classifier-per-category.png"))

    page.once("dialog", lambda dialog: dialog.accept())  # "确定启用版本 1 推荐分类吗？"
    page.locator("[data-testid=versions] tr[data-version='1'] button[data-action=activate]").click()
    assert "版本 1 已启用" in flash(page)
    assert ClassifierVersion.objects.get(is_active=True).pk == first.pk

    page.fill("#threshold", "85")
    page.get_by_role("button", name="保存").click()
    assert "置信度不低于 85%" in flash(page)
    assert AutoDispatchConfig.current().threshold == 0.85
    page.screenshot(path=str(SHOTS / "classifier-desktop.png"), full_page=True)
    phone = signed_in(browser, live_server, cast.city_admin, **PHONE)
    phone.goto(f"{live_server.url}/intelligence/classifier/")
    size = phone.locator("[data-testid=versions] tr[data-version='2'] td[data-label='训练条数']")
    assert size.inner_text() == "36" and size.bounding_box()["width"] > 300  # versions as cards on a phone
    phone.screenshot(path=str(SHOTS / "classifier-phone.png"), full_page=True)
