"""Excel files in and out, safely: every export writes its cells through `append_row`, every importer opens
its upload with `open_workbook`.

Out: a text cell that Excel would read as a formula (it starts with = + - @, a tab or a carriage return,
e.g. a resident's appeal titled `=HYPERLINK("http://…")`) is written as a string cell with Excel's quote
prefix, so it shows as the text it is and never runs. The text itself is kept, so an export imports again.

In: before openpyxl reads a file, its zip directory is checked: the declared uncompressed size of all parts
(Python's zipfile never inflates a part beyond its declared size, so a "zip bomb" cannot lie its way past)
and the cells each sheet declares (`<dimension ref="A1:H5000">`); while rows are read the cells are counted
again (`iter_rows`). XML is parsed by defusedxml (openpyxl uses it when it is installed; a DTD's entities,
the "billion laughs", are refused). Errors are `ActionError`s in Chinese saying what to fix.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import openpyxl
from django.conf import settings
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from .errors import ActionError

# What Excel, LibreOffice and Google Sheets take as the start of a formula (or of a DDE payload).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def as_text_cell(cell: Any) -> Any:
    """Make `cell` (holding a string) a plain string cell with Excel's quote prefix."""
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def safe_row(ws: Any, values: Iterable[Any]) -> list[Any]:
    """The row for a write-only sheet: formula-like strings become text cells, everything else is unchanged."""
    return [as_text_cell(WriteOnlyCell(ws, value=v)) if is_formula_like(v) else v for v in values]


def append_row(ws: Any, values: Iterable[Any]) -> None:
    """Append one row to a sheet (write-only or not) so that no text in it is ever a formula."""
    values = list(values)
    if isinstance(ws, WriteOnlyWorksheet):
        ws.append(safe_row(ws, values))
        return
    ws.append(values)
    row = ws._current_row  # the row append() just wrote
    for index, value in enumerate(values, start=1):
        if is_formula_like(value):
            cell = ws.cell(row=row, column=index)
            cell.value = value
            as_text_cell(cell)


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|\s]+')


def export_filename(*parts: Any, day: Any) -> str:
    """The name of an exported file: what it is and when, in Chinese, e.g. 诉求工单-待派单-2026-12-01.xlsx
    (empty parts left out; characters that file systems refuse become "_")."""
    words = [_NOT_IN_NAMES.sub("_", str(p)).strip("_") for p in parts if p not in (None, "")]
    return "-".join([*[w for w in words if w], day.isoformat()]) + ".xlsx"


def attachment(filename: str) -> str:
    """The Content-Disposition of a download (RFC 6266 with the RFC 5987 `filename*` for Chinese names)."""
    return content_disposition_header(True, filename) or "attachment"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx download (FileResponse(as_attachment=True, filename=...) writes the same header)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment(filename)
    return response


# ---------------------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class Limits:
    uncompressed_bytes: int
    cells: int
    parts: int = 10_000

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(uncompressed_bytes=settings.XLSX_MAX_UNCOMPRESSED_BYTES, cells=settings.XLSX_MAX_CELLS)


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Za-z]{1,3}[0-9]{1,7}(?::[A-Za-z]{1,3}[0-9]{1,7})?)\"")
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")


def _not_xlsx() -> ActionError:
    return ActionError(
        _("The file is not a valid Excel workbook (.xlsx). Please download the template and save the file as .xlsx."),
        field="file",
    )


def _too_large(limits: Limits) -> ActionError:
    return ActionError(
        _("The workbook unpacks to more than %(limit)s MB. Delete unused sheets, pictures and empty formatted "
          "rows, or split the data into several files.") % {"limit": f"{limits.uncompressed_bytes / 1048576:.0f}"},
        field="file",
    )


def _too_many_cells(limits: Limits) -> ActionError:
    return ActionError(
        _("The workbook has more than %(limit)s cells. Delete empty rows and columns (select them, right-click, "
          "Delete) or split the data into several files.") % {"limit": f"{limits.cells:,}"},
        field="file",
    )


def _unsafe_xml() -> ActionError:
    return ActionError(
        _("The workbook contains XML that is not allowed (entity declarations). Please open it in Excel, save it "
          "as a new .xlsx file and upload that."),
        field="file",
    )


def _dimension_cells(head: bytes) -> int | None:
    match = _DIMENSION.search(head)
    if match is None:
        return None
    ref = match.group(1).decode("ascii").upper()
    if ":" not in ref:
        return 1
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    if None in (min_col, min_row, max_col, max_row):
        return None
    return (max_col - min_col + 1) * (max_row - min_row + 1)  # type: ignore[operator]


def check_package(source: Any, limits: Limits | None = None) -> None:
    """Refuse a file before openpyxl loads it: not a zip, too many parts, too large unpacked, too many cells."""
    limits = limits or Limits.from_settings()
    position = source.tell() if hasattr(source, "tell") else None
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            if len(infos) > limits.parts:
                raise _too_large(limits)
            if sum(info.file_size for info in infos) > limits.uncompressed_bytes:
                raise _too_large(limits)
            for info in infos:
                if not info.filename.endswith((".xml", ".rels")):
                    continue
                with archive.open(info) as part:
                    head = part.read(8192)
                if b"<!ENTITY" in head or b"<!DOCTYPE" in head:
                    raise _unsafe_xml()
                if not _SHEET_PART.match(info.filename):
                    continue
                cells = _dimension_cells(head)
                if cells is not None and cells > limits.cells:
                    raise _too_many_cells(limits)
    except ActionError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError, EOFError, NotImplementedError):
        raise _not_xlsx() from None
    finally:
        if position is not None:
            source.seek(position)


def _is_unsafe_xml_error(exc: BaseException) -> bool:
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - defusedxml is a pinned dependency
        return False
    seen: BaseException | None = exc
    for _depth in range(10):  # openpyxl wraps parse errors in a ValueError ("could not read worksheets")
        if seen is None:
            return False
        if isinstance(seen, DefusedXmlException):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def open_workbook(source: Any, limits: Limits | None = None) -> Any:
    """Open an uploaded .xlsx read-only (values, not formulas) after `check_package`; ActionError if refused."""
    if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a pinned dependency
        raise RuntimeError("defusedxml must be installed so that openpyxl parses uploads safely")
    limits = limits or Limits.from_settings()
    check_package(source, limits)
    try:
        return load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        if _is_unsafe_xml_error(exc):
            raise _unsafe_xml() from None
        raise _not_xlsx() from None


def iter_rows(ws: Any, limits: Limits | None = None) -> Iterator[tuple[Any, ...]]:
    """The rows of a read-only sheet as value tuples, refusing the file once it has read too many cells
    (a sheet may declare no dimension, or a false one). XML refused by defusedxml becomes an ActionError."""
    limits = limits or Limits.from_settings()
    seen = 0
    rows = ws.iter_rows(values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except ActionError:
            raise
        except Exception as exc:
            if _is_unsafe_xml_error(exc):
                raise _unsafe_xml() from None
            raise _not_xlsx() from None
        seen += max(len(row), 1)
        if seen > limits.cells:
            raise _too_many_cells(limits)
        yield row

