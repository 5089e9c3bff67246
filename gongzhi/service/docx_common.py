"""Small python-docx helpers the members part's documents share (宋体 throughout, as the other documents)."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

FONT = "宋体"


def new_document() -> Any:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT  # type: ignore[attr-defined]
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)  # type: ignore[attr-defined]
    return doc


def font(run: Any, size: float | None = None, bold: bool = False) -> None:
    run.font.name = FONT
    run._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold


def para(doc: Any, text: str, *, size: float = 12, bold: bool = False, center: bool = False,
         right: bool = False) -> None:
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif right:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    font(p.add_run(text), size, bold)


def cell(c: Any, text: str, *, bold: bool = False) -> None:
    c.text = ""
    font(c.paragraphs[0].add_run(text), 10.5, bold)


def table(doc: Any, heads: list[str]) -> Any:
    t = doc.add_table(rows=1, cols=len(heads))
    t.style = "Table Grid"
    for c, head in zip(t.rows[0].cells, heads, strict=True):
        cell(c, head, bold=True)
    return t


def row(t: Any, values: list[str]) -> None:
    cells = t.add_row().cells
    for c, value in zip(cells, values, strict=True):
        cell(c, value)


def to_bytes(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def day(value: Any) -> str:
    return f"{value.year}年{value.month}月{value.day}日"
