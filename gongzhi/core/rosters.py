"""Excel rosters: the file format of each roster, templates and reading a workbook (roster_import.py validates and writes).

An import runs in three phases: read every row, validate every row (collecting *all* errors with
their Excel row numbers), then — only if no row is bad — write everything in one transaction with one
audit event. The column headers are Chinese constants: they are the file format, so an export made
in any UI language can be imported again.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gongzhi.lib.spreadsheets import check_package, iter_rows
from gongzhi.lib.spreadsheets import open_workbook as safe_open_workbook

from .errors import ActionError
from .models import Area, ImportJob, Unit

logger = logging.getLogger("gongzhi.rosters")

Kind = ImportJob.Kind

# ---------------------------------------------------------------------------------------------
# The file format
# ---------------------------------------------------------------------------------------------

# Chinese names of area levels used in the files (the first one per level is written on export).
LEVEL_NAMES: dict[str, list[str]] = {
    "city": ["城市", "市"],
    "district": ["区", "区县", "县"],
    "subdistrict": ["街道", "乡镇", "镇", "乡"],
    "community": ["社区", "村"],
    "estate": ["小区"],
    "grid": ["网格"],
    "building": ["楼栋", "楼"],
}
UNIT_KIND_NAMES: dict[str, list[str]] = {
    "department": ["职能部门", "政府部门"],
    "enterprise": ["企业"],
    "institution": ["事业单位"],
    "school": ["学校"],
    "hospital": ["医院"],
    "property_company": ["物业服务企业", "物业公司", "物业"],
    "owners_committee": ["业主委员会", "业委会"],
    "social_org": ["社会组织"],
    "residents_committee": ["居民委员会", "居委会"],
}
GENDER_NAMES: dict[str, list[str]] = {"male": ["男"], "female": ["女"]}
YES_WORDS = {"是", "在职", "y", "yes", "true", "1"}
NO_WORDS = {"否", "不在职", "n", "no", "false", "0", ""}


def _lookup(names: dict[str, list[str]], extra: Iterable[tuple[str, Any]] = ()) -> dict[str, str]:
    table = {value: value for value in names}
    for value, words in names.items():
        for word in words:
            table[word] = value
    for value, label in extra:
        table[str(label)] = value
    return table


def level_name(level: str) -> str:
    return LEVEL_NAMES[level][0]


def unit_kind_name(kind: str) -> str:
    return UNIT_KIND_NAMES[kind][0]


def gender_name(gender: str) -> str:
    return GENDER_NAMES[gender][0] if gender in GENDER_NAMES else ""


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # Chinese: part of the file format
    required: bool
    help: Any  # lazy text for the 说明 sheet
    example: str
    width: int = 18
    text: bool = False  # keep as text in Excel (phone and ID numbers lose digits as numbers)
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class RosterSpec:
    kind: str
    title: str  # Chinese sheet title and file name stem
    columns: tuple[Column, ...]
    notes: tuple[Any, ...] = ()

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def example_row(self) -> list[str]:
        return [c.example for c in self.columns]


_PATH_HELP = gettext_lazy(
    "Area names from the city down, separated by /, e.g. 示范市/东城区/和平街道. "
    "You may also start below the import scope."
)

SPECS: dict[str, RosterSpec] = {
    Kind.AREAS: RosterSpec(
        kind=Kind.AREAS,
        title="区域名册",
        columns=(
            Column("parent_path", "上级区域路径", True, _PATH_HELP, "示范市/东城区/和平街道", width=36),
            Column("name", "名称", True, gettext_lazy("The new area's name, unique under its parent."), "和平里社区"),
            Column("level", "层级", True, gettext_lazy("One level below the parent area."), "社区",
                   choices=tuple(LEVEL_NAMES[v][0] for v in Area.Level.values)),
            Column("code", "编码", False, gettext_lazy("Optional code, e.g. the statistical division code."),
                   "110101001001", text=True),
        ),
        notes=(gettext_lazy("A row may use an area created by an earlier row of the same file as its parent."),),
    ),
    Kind.UNITS: RosterSpec(
        kind=Kind.UNITS,
        title="单位名册",
        columns=(
            Column("name", "名称", True, gettext_lazy("The unit's full name; unit names are unique."),
                   "和平里幼儿园", width=30),
            Column("kind", "类型", True, gettext_lazy("One of the allowed unit kinds."), "学校",
                   choices=tuple(UNIT_KIND_NAMES[v][0] for v in Unit.Kind.values)),
            Column("area_path", "所在区域路径", True, _PATH_HELP, "示范市/东城区/和平街道/和平里社区", width=36),
            Column("credit_code", "统一社会信用代码", False, gettext_lazy("18 characters, optional."),
                   "", text=True, width=22),
            Column("contact_name", "联系人", False, gettext_lazy("Optional."), "刘老师"),
            Column("contact_phone", "联系电话", False,
                   gettext_lazy("11-digit mobile number or landline with area code, optional."),
                   "13800001234", text=True),
            Column("address", "地址", False, gettext_lazy("Optional."), "和平里东街5号", width=30),
            Column("registration_paths", "报到社区路径", False,
                   gettext_lazy("Optional: the community where the unit registers (双报到); several separated by ;."),
                   "示范市/东城区/和平街道/和平里社区", width=36),
        ),
    ),
    Kind.PARTY_MEMBERS: RosterSpec(
        kind=Kind.PARTY_MEMBERS,
        title="党员名册",
        columns=(
            Column("name", "姓名", True, gettext_lazy("Required."), "李明"),
            Column("gender", "性别", False, gettext_lazy("男 or 女, optional."), "男", width=8, choices=("男", "女")),
            Column("phone", "手机号", False, gettext_lazy("11-digit mobile number, optional."), "13700001234",
                   text=True),
            Column("id_number", "身份证号", False,
                   gettext_lazy("18 characters with a correct check digit, optional; must not repeat."),
                   "110101198001010030", text=True, width=22),
            Column("joined_on", "入党日期", False, gettext_lazy("A date like 2001-07-01, optional."), "2001-07-01",
                   text=True),
            Column("home_path", "所在社区路径", True, gettext_lazy("The path of the community where the member lives."),
                   "示范市/东城区/和平街道/和平里社区", width=36),
            Column("in_service", "是否在职", False, gettext_lazy("是 or 否; empty means 否."), "是", width=10,
                   choices=("是", "否")),
            Column("work_unit", "工作单位", False,
                   gettext_lazy("Optional: the name of a unit already in the system."), "和平物业服务有限公司",
                   width=30),
        ),
    ),
    Kind.RESIDENTS: RosterSpec(
        kind=Kind.RESIDENTS,
        title="居民名册",
        columns=(
            Column("name", "姓名", True, gettext_lazy("Required."), "赵秀英"),
            Column("gender", "性别", False, gettext_lazy("男 or 女, optional (taken from the ID number if empty)."),
                   "女", width=8, choices=("男", "女")),
            Column("birth_year", "出生年份", False,
                   gettext_lazy("A year like 1956, optional (taken from the ID number if empty)."), "1956",
                   width=10),
            Column("phone", "手机号", False, gettext_lazy("Mobile number or landline with area code, optional."),
                   "13600001234", text=True),
            Column("id_number", "身份证号", False,
                   gettext_lazy("18 characters with a correct check digit, optional; must not repeat."),
                   "110101195601010021", text=True, width=22),
            Column("area_path", "楼栋路径", True,
                   gettext_lazy("The path down to the building (or the lowest known area)."),
                   "示范市/东城区/和平街道/和平里社区/和平小区/和平小区第一网格/1号楼", width=50),
            Column("room", "房号", False,
                   gettext_lazy("Optional room number; only when the path ends at a building."), "3单元502", width=12,
                   text=True),
            Column("address", "地址", False, gettext_lazy("Optional."), "和平小区1号楼3单元502", width=30),
        ),
    ),
}

INSTRUCTIONS_SHEET = "说明"


def get_spec(kind: str) -> RosterSpec:
    try:
        return SPECS[kind]
    except KeyError:
        raise ActionError(_("Unknown roster kind %(kind)s.") % {"kind": kind}, field="kind") from None


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FDE9D9")
_OPTIONAL_FILL = PatternFill("solid", fgColor="EEEEEE")


def build_template(kind: str) -> bytes:
    """The .xlsx template of a roster: headers, one example row, and a 说明 sheet."""
    spec = get_spec(kind)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = spec.title
    ws.append(spec.headers)
    ws.append(spec.example_row())
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        head = ws.cell(row=1, column=index)
        head.font = _HEADER_FONT
        head.fill = _REQUIRED_FILL if column.required else _OPTIONAL_FILL
        ws.column_dimensions[letter].width = column.width
        if column.text:
            for row in range(2, 502):
                ws.cell(row=row, column=index).number_format = "@"
        if column.choices:
            validation = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True)
            ws.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}10000")
    ws.freeze_panes = "A2"

    notes = wb.create_sheet(INSTRUCTIONS_SHEET)
    notes.append([_("Column"), _("Required"), _("What to fill in"), _("Allowed values")])
    for cell in notes[1]:
        cell.font = _HEADER_FONT
    for column in spec.columns:
        allowed = "、".join(column.choices)
        notes.append([column.header, _("Yes") if column.required else _("No"), str(column.help), allowed])
    notes.append([])
    general = [
        _("Fill in one row per record from row 3 on; row 2 is an example and is skipped if left unchanged."),
        _("Do not change, move or delete the header row."),
        _("If any row has an error nothing is imported; fix the rows listed and upload the whole file again."),
        *[str(n) for n in spec.notes],
    ]
    for line in general:
        notes.append([line])
    for letter, width in zip("ABCD", (18, 8, 70, 60), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Reading a file
# ---------------------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Sheet:
    """The data rows of an uploaded roster: (Excel row number, {column key: raw value})."""

    rows: list[tuple[int, dict[str, Any]]]


def _not_xlsx() -> ActionError:
    return ActionError(
        _("The file is not a valid Excel workbook (.xlsx). Please download the template and save the file as .xlsx."),
        field="file",
    )


def check_upload(name: str, size: int | None) -> None:
    """Reject files by name and size before reading them."""
    if not name.lower().endswith(".xlsx"):
        raise ActionError(
            _("Only Excel .xlsx files can be imported; %(name)s is not one. Please use the template.")
            % {"name": name},
            field="file",
        )
    limit = settings.IMPORT_MAX_BYTES
    if size is not None and size > limit:
        raise ActionError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB. Please split it into several files.")
            % {"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"},
            field="file",
        )


def open_workbook(source: str | Path | IO[bytes]) -> Any:
    """Open an uploaded roster through lib's checked loader (size unpacked, cells, safe XML)."""
    return safe_open_workbook(source)


def check_workbook(source: IO[bytes]) -> None:
    """Can openpyxl open the file as a workbook with at least one sheet? (Checks the package as lib's loader
    does, then reads the workbook part, not the rows.)"""
    check_package(source)
    try:
        reader = ExcelReader(source, read_only=True, data_only=True)
    except Exception:
        raise _not_xlsx() from None
    try:
        reader.read_manifest()
        reader.read_workbook()
        if not list(reader.parser.find_sheets()):
            raise _not_xlsx()
    except ActionError:
        raise
    except Exception:
        raise _not_xlsx() from None
    finally:
        reader.archive.close()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat() if (value.hour, value.minute, value.second) == (0, 0, 0) else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip() if value is not None else ""


def _other_kind_for(headers: Sequence[str], kind: str) -> RosterSpec | None:
    for spec in SPECS.values():
        if spec.kind != kind and list(headers[: len(spec.headers)]) == spec.headers:
            return spec
    return None


def read_sheet(kind: str, source: str | Path | IO[bytes]) -> Sheet:
    """Read the first sheet of an uploaded roster; the header must match the template."""
    spec = get_spec(kind)
    wb = open_workbook(source)
    try:
        ws = wb.worksheets[0]
        rows = iter_rows(ws)
        header_row = next(rows, None)
        headers = [_text(_cell(v)) for v in (header_row or ())]
        while headers and not headers[-1]:
            headers.pop()
        expected = spec.headers
        if headers != expected:
            other = _other_kind_for(headers, kind)
            if other is not None:
                raise ActionError(
                    _("This file is a %(other)s, not a %(expected)s. Please choose the right roster or file.")
                    % {"other": other.title, "expected": spec.title},
                    field="file",
                )
            missing = [h for h in expected if h not in headers]
            unknown = [h for h in headers if h and h not in expected]
            if missing or unknown:
                raise ActionError(
                    _("The header row does not match the %(title)s template (missing: %(missing)s; unexpected: "
                      "%(unknown)s). Please download the template again and copy your data into it.")
                    % {"title": spec.title, "missing": "、".join(missing) or "-", "unknown": "、".join(unknown) or "-"},
                    field="file",
                )
            raise ActionError(
                _("The columns of the %(title)s template are in the wrong order. Please download the template again "
                  "and copy your data into it.") % {"title": spec.title},
                field="file",
            )
        example = spec.example_row()
        keys = [c.key for c in spec.columns]
        width = len(keys)
        data: list[tuple[int, dict[str, Any]]] = []
        for number, raw in enumerate(rows, start=2):
            values = [_cell(v) for v in raw[:width]]
            if not any(v != "" for v in values):
                continue
            values += [""] * (width - len(values))
            if number == 2 and [_text(v) for v in values] == example:
                continue
            data.append((number, dict(zip(keys, values, strict=True))))
        return Sheet(rows=data)
    finally:
        wb.close()
