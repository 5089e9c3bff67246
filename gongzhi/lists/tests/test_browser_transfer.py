"""On a phone (390 px) the community worker downloads the demand list's template, uploads a file with a wrong row
(nothing is imported; the row, the column and what to fix are listed in Chinese), then the corrected file
(the demands are added); exporting and uploading the export again changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from gongzhi.lib.spreadsheets import append_row
from gongzhi.lists.models import Demand
from gongzhi.test import PHONE, SHOTS, Cast, signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def with_rows(template: bytes, rows: list[dict[str, Any]], path: Any) -> str:
    header = [str(c.value) for c in load_workbook(io.BytesIO(template)).worksheets[0][1]]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "需求清单"
    append_row(ws, header)
    for row in rows:
        append_row(ws, [row.get(h) for h in header])
    wb.save(path)
    return str(path)


def test_a_worker_fixes_a_wrong_row_and_imports_on_a_phone(browser: Any, live_server: Any, cast: Cast,
                                                          tmp_path: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = signed_in(browser, live_server, cast.worker_a, **PHONE)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/lists/transfer/")
    fits(page)
    card = page.get_by_test_id("transfer-demands")
    with page.expect_download() as download_info:
        card.get_by_test_id("template-demands").click()
    download = download_info.value
    assert download.suggested_filename == "需求清单导入模板.xlsx"
    template = (tmp_path / "template.xlsx")
    download.save_as(template)
    content = template.read_bytes()

    good = {"标题": "和平小区1号楼楼道加装扶手", "区域": "和平里社区", "受益人数": 12, "紧急程度": "高"}
    wrong = with_rows(content, [good, {"标题": "和平小区健身器材更新", "区域": "和平里"}], tmp_path / "wrong.xlsx")
    card.locator("input[type=file]").set_input_files(wrong)
    card.get_by_test_id("import-demands").click()
    table = page.get_by_test_id("row-errors")
    table.wait_for()
    text = page.get_by_test_id("import-errors").inner_text()
    assert "1 行有错误，没有导入任何数据" in text
    assert "第 3 行" in text and "区域" in text and "找不到社区“和平里”，请填写系统中的社区名称（是不是“和平里社区”？）" in text
    fits(page)
    page.screenshot(path=str(SHOTS / "lists-import-errors-390.png"), full_page=True)
    assert Demand.objects.count() == 0

    fixed = with_rows(content, [good, {"标题": "和平小区健身器材更新", "区域": "和平里社区"}], tmp_path / "fixed.xlsx")
    page.get_by_test_id("transfer-demands").locator("input[type=file]").set_input_files(fixed)
    page.get_by_test_id("import-demands").click()
    result = page.get_by_test_id("import-result")
    result.wait_for()
    assert "新增 2 条，修改 0 条，未变 0 条" in result.inner_text()
    fits(page)
    page.screenshot(path=str(SHOTS / "lists-import-done-390.png"), full_page=True)
    assert sorted(Demand.objects.values_list("title", flat=True)) == ["和平小区1号楼楼道加装扶手", "和平小区健身器材更新"]

    # Export and upload the export again: nothing changes.
    page.goto(f"{live_server.url}/lists/transfer/")
    with page.expect_download() as download_info:
        page.get_by_test_id("export-demands").click()
    exported = tmp_path / "export.xlsx"
    download_info.value.save_as(exported)
    assert download_info.value.suggested_filename.startswith("需求清单-")
    page.get_by_test_id("transfer-demands").locator("input[type=file]").set_input_files(str(exported))
    page.get_by_test_id("import-demands").click()
    page.get_by_test_id("import-result").wait_for()
    assert "新增 0 条，修改 0 条，未变 2 条" in page.get_by_test_id("import-result").inner_text()
    assert errors == []
