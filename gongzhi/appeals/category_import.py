"""Excel import of the three-level appeal category tree: a template, and all-or-nothing validation.

Columns: 一级分类 二级分类 三级分类 时限类型 (紧急 / 水电气热 / 一般 / 复杂; empty means 一般 for a new
leaf and "keep as is" for an existing one). Each row names one leaf (三级分类) and its path.

Every row is checked first; if any row is wrong nothing is imported and the error lists every wrong
row with its number. Categories that already exist (same name under the same parent) are reused, and
reactivated if they had been deactivated; the others are created. One audit event records the import
(`actions.do_import_categories`).
"""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from gongzhi.core.errors import ActionError
from gongzhi.core.models import User
from gongzhi.lib.spreadsheets import iter_rows, open_workbook, xlsx_response

from . import actions, permissions
from .models import TimeLimitKind

COLUMNS = ["一级分类", "二级分类", "三级分类", "时限类型"]
LEVEL_COLUMNS = COLUMNS[:3]
# The words people write in the 时限类型 column.
KIND_NAMES: dict[str, str] = {
    "紧急": TimeLimitKind.EMERGENCY,
    "水电气热": TimeLimitKind.UTILITY,
    "一般": TimeLimitKind.ORDINARY,
    "复杂": TimeLimitKind.COMPLEX,
}
KIND_WORDS = {value: word for word, value in KIND_NAMES.items()}
MAX_ROWS = 3000
MAX_BYTES = 5 * 1024 * 1024
MAX_NAME = 50
MAX_LISTED_ERRORS = 200

ImportRow = tuple[tuple[str, str, str], str | None]


class CategoryImportError(ActionError):
    """The file was refused; `errors` holds one Chinese sentence per wrong row (or per file problem)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(" ".join(errors[:50]), field="file")
        self.errors = errors


def template_bytes() -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "诉求分类"
    ws.append(COLUMNS)
    ws.append(["城市管理", "市容环境", "垃圾清运", "一般"])
    ws.append(["公共服务", "供水", "停水", "水电气热"])
    ws.append(["治安", "消防安全", "消防通道堵塞", "紧急"])
    ws.append(["住房", "老旧小区改造", "加装电梯", "复杂"])
    for column, width in zip("ABCD", (16, 18, 22, 12), strict=True):
        ws.column_dimensions[column].width = width
    choice = DataValidation(type="list", formula1='"紧急,水电气热,一般,复杂"', allow_blank=True)
    ws.add_data_validation(choice)
    choice.add(f"D2:D{MAX_ROWS + 1}")
    notes = wb.create_sheet("填写说明")
    for line in (
        ["每行填写一个三级分类及其所属的一级、二级分类；已有的分类按名称沿用，没有的新建。"],
        ["时限类型：紧急（2小时）、水电气热（24小时）、一般（7天）、复杂（15天）；不填时新分类按“一般”处理，已有分类保持不变。"],
        ["任何一行有误时整个文件都不会导入，请按提示的行号修改后重新上传。"],
    ):
        notes.append(line)
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_response() -> HttpResponse:
    return xlsx_response(template_bytes(), "诉求分类导入模板.xlsx")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").strip()


def parse_rows(file: Any) -> list[ImportRow]:
    """Read and check every row; return the clean rows or raise CategoryImportError listing every problem."""
    if getattr(file, "size", 0) and file.size > MAX_BYTES:
        raise CategoryImportError([_("The file is larger than 5 MB.")])
    try:
        wb = open_workbook(file)
    except ActionError as exc:
        raise CategoryImportError([exc.message]) from None
    try:
        try:
            rows = iter(list(iter_rows(wb.worksheets[0])))
        except ActionError as exc:
            raise CategoryImportError([exc.message]) from None
        header = [_text(c) for c in next(rows, ())]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise CategoryImportError([_("The header is missing the columns: %(cols)s.") % {"cols": "、".join(missing)}])
        index = {name: header.index(name) for name in COLUMNS}
        clean: list[ImportRow] = []
        errors: list[str] = []
        seen: dict[tuple[str, str, str], int] = {}
        for number, row in enumerate(rows, start=2):
            cell = {name: _text(row[i] if i < len(row) else None) for name, i in index.items()}
            if not any(cell.values()):
                continue
            if len(clean) + len(errors) >= MAX_ROWS:
                errors.append(_("At most %(max)d rows can be imported at once.") % {"max": MAX_ROWS})
                break
            problems = _check_row(cell)
            names = (cell["一级分类"], cell["二级分类"], cell["三级分类"])
            if not problems and names in seen:
                problems.append(_("the same category as row %(row)d") % {"row": seen[names]})
            if problems:
                errors.append(_("Row %(row)d: %(problems)s.") % {"row": number, "problems": "；".join(problems)})
                continue
            seen[names] = number
            clean.append((names, KIND_NAMES[cell["时限类型"]] if cell["时限类型"] else None))
    finally:
        wb.close()
    if errors:
        if len(errors) > MAX_LISTED_ERRORS:
            more = len(errors) - MAX_LISTED_ERRORS
            errors = [*errors[:MAX_LISTED_ERRORS], _("… and %(n)d more wrong rows.") % {"n": more}]
        raise CategoryImportError(errors)
    if not clean:
        raise CategoryImportError([_("The file has no rows to import.")])
    return clean


def _check_row(cell: dict[str, str]) -> list[str]:
    problems: list[str] = []
    missing_labels = {
        "一级分类": _("the first-level category is missing"),
        "二级分类": _("the second-level category is missing"),
        "三级分类": _("the third-level category is missing"),
    }
    for column in LEVEL_COLUMNS:
        value = cell[column]
        if not value:
            problems.append(missing_labels[column])
        elif len(value) > MAX_NAME:
            problems.append(
                _("the name %(name)s is longer than %(max)d characters") % {"name": value[:20] + "…", "max": MAX_NAME}
            )
    kind = cell["时限类型"]
    if kind and kind not in KIND_NAMES:
        problems.append(_("unknown time limit %(value)s (write 紧急, 水电气热, 一般 or 复杂)") % {"value": kind})
    return problems


def import_categories(file: Any, *, acting_user: User | None, source_name: str = "") -> dict[str, int]:
    """Import every row or none. Returns counts (rows, created, reused, updated, reactivated)."""
    if acting_user is not None and not permissions.can_configure_citywide(acting_user):
        raise PermissionDenied(_("Only city administrators can change city-wide settings."))
    rows = parse_rows(file)
    return actions.do_import_categories(rows, acting_user=acting_user, source_name=source_name)
