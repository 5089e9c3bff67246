"""On a phone, a subdistrict dispatcher narrows the worklist to one community and a date range, then exports it:
the Excel file (a Chinese name saying what and when) holds exactly the rows the table shows."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from gongzhi.appeals import actions
from gongzhi.core import actions as core_actions
from gongzhi.test import PHONE, SHOTS, signed_in

pytestmark = pytest.mark.django_db(transaction=True)
TZ = ZoneInfo("Asia/Shanghai")


def _submit(title: str, area: Any, when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        actions.do_submit_appeal(acting_user=None, system=True, title=title, body=title + "，请尽快处理",
                                 callback_phone="13800138000", area=area)


def test_a_dispatcher_filters_by_community_and_date_and_exports_what_is_shown(
    browser: Any, live_server: Any, cast: Any, tmp_path: Any
) -> None:
    other = core_actions.do_create_area(parent=cast.subdistrict_a, name="和平东社区", level="community", acting_user=None)
    other_estate = core_actions.do_create_area(parent=other, name="东苑小区", level="estate", acting_user=None)
    _submit("楼道灯坏了", cast.building_a, datetime(2026, 11, 3, 9, 0, tzinfo=TZ))  # before the range
    _submit("垃圾没人清", cast.building_a, datetime(2026, 11, 12, 9, 0, tzinfo=TZ))
    _submit("停车位被占", cast.estate_a, datetime(2026, 11, 18, 15, 30, tzinfo=TZ))
    _submit("噪音扰民", other_estate, datetime(2026, 11, 15, 9, 0, tzinfo=TZ))  # the other community
    SHOTS.mkdir(parents=True, exist_ok=True)

    page = signed_in(browser, live_server, cast.subdistrict_staff_a, **PHONE)
    page.goto(f"{live_server.url}/appeals/worklist/pending_dispatch/")
    assert page.locator("#worklist-table tr[data-case]").count() == 4
    page.click("details.filters summary")
    page.select_option("#wf-area", str(cast.community_a.pk))
    page.fill("#wf-from", "2026-11-10")
    page.fill("#wf-to", "2026-11-30")
    page.select_option("#wf-sort", "-submitted")
    page.click("form.worklist-filters button[type=submit]")
    page.wait_for_load_state()
    assert f"area={cast.community_a.pk}" in page.url and "submitted_from=2026-11-10" in page.url
    page.screenshot(path=str(SHOTS / "worklist-filtered-phone.png"), full_page=True)

    rows = page.locator("#worklist-table tr[data-case]")
    shown = []
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td[data-col]")
        shown.append({cells.nth(j).get_attribute("data-col"): cells.nth(j).inner_text().split("\n")[0].strip()
                      for j in range(cells.count())})
    assert [row["title"] for row in shown] == ["停车位被占", "垃圾没人清"]
    assert [row["place"] for row in shown] == ["和平里社区 和平小区", "和平小区 1号楼"]
    assert [row["submitted"] for row in shown] == ["2026-11-18 15:30", "2026-11-12 09:00"]

    with page.expect_download() as info:
        page.click("[data-export]")
    download = info.value
    assert re.fullmatch(r"诉求工单-待派单-和平里社区-\d{4}-\d{2}-\d{2}\.xlsx", download.suggested_filename)
    target = tmp_path / "export.xlsx"
    download.save_as(str(target))
    ws = load_workbook(target).active
    assert ws is not None
    table = [[("" if v is None else str(v)) for v in row] for row in ws.iter_rows(values_only=True)]
    header, body = table[0], table[1:]
    assert header[:10] == ["查询码", "标题", "分类", "社区", "地点", "主办单位", "状态", "提交时间", "办理期限", "最近变更"]
    columns = ["code", "title", "category", "community", "place", "unit", "status", "submitted", "due", "changed"]
    expected = [[row[col].replace("自动", "").strip() for col in columns] for row in shown]
    assert [[cell or "—" for cell in row[:10]] for row in body] == expected
