"""Workbooks out (templates, exports) and in (reading and checking every row of an upload into a `Plan`)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gongzhi.core.errors import ActionError
from gongzhi.core.rosters import RowError, check_upload
from gongzhi.lib.spreadsheets import append_row, iter_rows, open_workbook

from ..models import ResourceKind
from .columns import (
    ABSENT,
    INSTRUCTIONS_SHEET,
    MAX_LISTED_ERRORS,
    MAX_ROWS,
    UPDATED,
    CellError,
    Column,
    Context,
    Day,
    Kinds,
    local_time,
    norm,
    zh,
)
from .specs import SPECS, ListSpec, Plan, PlannedRow, get_spec

# ---------------------------------------------------------------------------------------------------------
# Workbooks out: templates and exports


_HEADER_FONT = Font(bold=True)
_EDITABLE_FILL = PatternFill("solid", fgColor="FDE9D9")
_OPTIONAL_FILL = PatternFill("solid", fgColor="FFF7E6")
_READONLY_FILL = PatternFill("solid", fgColor="E7E6E6")


def _how(column: Column, spec: ListSpec) -> str:
    if column.key == "id":
        return _("Key")
    if column.readonly:
        return _("Read only")
    if column.create_only:
        return _("Only when adding")
    return _("Required") if column.required else _("Optional")


def build_workbook(spec: ListSpec, ctx: Context, records: Iterable[Any] | None = None) -> bytes:
    """The list's workbook: the header, then the records (an export) or one example row (a template); drop-down
    validations for the choice columns; a 填写说明 sheet describing each column."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = spec.title
    append_row(ws, spec.headers)
    count = 0
    if records is None:
        append_row(ws, [c.example for c in spec.columns])
        count = 1
    else:
        for obj in records:
            append_row(ws, [c.text(obj, ctx) for c in spec.columns])
            count += 1
    last = max(count + 1, 2) + 1000
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        head = ws.cell(row=1, column=index)
        head.font = _HEADER_FONT
        head.fill = (_READONLY_FILL if column.readonly or column.key == "id"
                     else _EDITABLE_FILL if column.required else _OPTIONAL_FILL)
        ws.column_dimensions[letter].width = column.width
        if isinstance(column, Day):
            for row in range(2, count + 2):
                ws.cell(row=row, column=index).number_format = "yyyy-mm-dd"
        if column.as_text:
            for row in range(2, count + 2):
                ws.cell(row=row, column=index).number_format = "@"
        if column.choices and not column.readonly:
            validation = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True,
                                        showErrorMessage=True, error=_("Choose one of the listed values."))
            ws.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{last}")
    ws.freeze_panes = "B2"

    notes = wb.create_sheet(INSTRUCTIONS_SHEET)
    append_row(notes, [_("Column"), _("Import"), _("What to fill in"), _("Allowed values")])
    for cell in notes[1]:
        cell.font = _HEADER_FONT
    for column in spec.columns:
        allowed = "、".join(column.choices) if not isinstance(column, Kinds) else "、".join(
            zh(label) for _v, label in ResourceKind.choices)
        append_row(notes, [column.header, _how(column, spec), str(column.help), allowed])
    append_row(notes, [])
    general = [
        _("One row per record. A row without 编号 adds a record; a row with the 编号 of an exported record changes "
          "it. Row 2 of the template is an example: change it or delete it."),
        _("Do not change the header row. Columns marked read only may be deleted; the others must stay."),
        _("If any row has an error, nothing is imported: fix the rows listed (row number, column, what to fix) and "
          "upload the whole file again."),
        _("A file exported and imported again without changes changes nothing."),
        _("At most %(max)d rows per file.") % {"max": MAX_ROWS},
        *[str(n) for n in spec.notes],
    ]
    for line in general:
        append_row(notes, [line])
    for letter, width in zip("ABCD", (16, 12, 70, 50), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def template_bytes(kind: str, user: Any) -> bytes:
    spec = get_spec(kind)
    return build_workbook(spec, Context(user))


@dataclass
class Export:
    content: bytes
    filename: str
    count: int


def export_list(kind: str, user: Any, params: Any = None) -> Export:
    """The list as the user sees it (the list page's filters applied), in the import's columns."""
    from gongzhi.lib.spreadsheets import export_filename

    spec = get_spec(kind)
    ctx = Context(user)
    records = list(spec.export_queryset(user, params))
    area_ids = {getattr(r, "area_id", None) for r in records} | {getattr(r, "place_id", None) for r in records}
    ctx.areas.ensure(i for i in area_ids if i is not None)
    content = build_workbook(spec, ctx, records)
    name = export_filename(spec.title, *spec.filter_words(params), day=timezone.localdate())
    return Export(content=content, filename=name, count=len(records))


# ---------------------------------------------------------------------------------------------------------
# Workbooks in: reading and checking every row


def _other_list(headers: set[str], spec: ListSpec) -> ListSpec | None:
    for other in SPECS.values():
        if other is not spec and {c.header for c in other.columns if not c.readonly} <= headers:
            return other
    return None


def _read_rows(spec: ListSpec, upload: Any) -> list[tuple[int, dict[str, Any]]]:
    wb = open_workbook(upload)
    try:
        ws = wb[spec.title] if spec.title in wb.sheetnames else wb.worksheets[0]
        rows = iter_rows(ws)
        header_row = next(rows, None) or ()
        headers = [norm(v) for v in header_row]
        present = {h for h in headers if h}
        needed = [c.header for c in spec.columns if not c.readonly]
        unknown = [h for h in headers if h and h not in spec.headers]
        missing = [h for h in needed if h not in present]
        if missing or unknown:
            other = _other_list(present, spec)
            if other is not None:
                raise ActionError(_("This file is a %(other)s, not a %(expected)s: import it on the %(other)s's card.")
                                  % {"other": other.title, "expected": spec.title}, field="file")
            raise ActionError(
                _("The header row does not match the %(title)s template (missing: %(missing)s; unexpected: "
                  "%(unknown)s). Download the template or an export and keep its header row.")
                % {"title": spec.title, "missing": "、".join(missing) or "-", "unknown": "、".join(unknown) or "-"},
                field="file")
        repeated = sorted({h for h in headers if h and headers.count(h) > 1})
        if repeated:
            raise ActionError(_("The header row has the column %(columns)s twice; keep one.")
                              % {"columns": "、".join(repeated)}, field="file")
        position = {h: i for i, h in enumerate(headers) if h}
        example = [norm(c.example) for c in spec.columns]
        data: list[tuple[int, dict[str, Any]]] = []
        for number, raw in enumerate(rows, start=2):
            cells: dict[str, Any] = {}
            for c in spec.columns:
                if c.header not in position:
                    cells[c.key] = ABSENT
                    continue
                value = raw[position[c.header]] if position[c.header] < len(raw) else None
                cells[c.key] = value.strip() if isinstance(value, str) else value
            if all(norm(v) == "" for v in cells.values() if v is not ABSENT):
                continue
            if number == 2 and [norm(cells[c.key]) for c in spec.columns if cells[c.key] is not ABSENT] == [
                    e for c, e in zip(spec.columns, example, strict=True) if cells[c.key] is not ABSENT]:
                continue
            if len(data) >= MAX_ROWS:
                raise ActionError(_("The file has more than %(max)d rows; split it into several files.")
                                  % {"max": MAX_ROWS}, field="file")
            data.append((number, cells))
        return data
    finally:
        wb.close()


def read_plan(kind: str, upload: Any, user: Any, *, name: str = "", size: int | None = None) -> Plan:
    """Check every row of an uploaded file; the plan holds what to write, or every error (then nothing is written).
    A file that cannot be read at all raises ActionError."""
    spec = get_spec(kind)
    check_upload(name or getattr(upload, "name", "") or "", size if size is not None else getattr(upload, "size", None))
    rows = _read_rows(spec, upload)
    if not rows:
        raise ActionError(_("The file has no rows to import (row 2 of the template is only an example)."), field="file")
    plan = Plan(kind=kind, user=user, rows=len(rows))
    ctx = Context(user)
    id_col = spec.column("id")
    ids: dict[int, int] = {}
    for number, cells in rows:
        if norm(cells["id"]) == "":
            continue
        try:
            pk = id_col.parse(cells["id"], ctx)
        except CellError as exc:
            plan.errors.append(RowError(number, id_col.header, exc.message))
            continue
        if pk in ids:
            plan.errors.append(RowError(number, id_col.header, _("The 编号 %(id)s repeats row %(first)s; keep only one "
                                                                "row per record.") % {"id": pk, "first": ids[pk]}))
            continue
        ids[pk] = number
    found = {obj.pk: obj for obj in spec.export_queryset(user).filter(pk__in=list(ids))} if ids else {}
    for number, cells in rows:
        _check_row(spec, ctx, plan, number, cells, ids, found)
    plan.errors.sort(key=lambda e: (e.row, spec.headers.index(e.column) if e.column in spec.headers else 0))
    return plan


def _check_row(spec: ListSpec, ctx: Context, plan: Plan, number: int, cells: dict[str, Any], ids: dict[int, int],
               found: dict[int, Any]) -> None:
    errors: list[RowError] = []
    obj = None
    raw_id = norm(cells["id"])
    if raw_id:
        if not raw_id.isdigit() or int(raw_id) not in ids or ids[int(raw_id)] != number:
            return  # its error is already listed
        obj = found.get(int(raw_id))
        if obj is None:
            plan.errors.append(RowError(number, "编号", _("No %(noun)s with the 编号 %(id)s is in your lists; leave the "
                                                          "编号 empty to add a new one.") % {"noun": spec.noun, "id": raw_id}))
            return
    elif not spec.can_create:
        plan.errors.append(RowError(number, "编号", _("Projects are created by confirming a match, not by import; "
                                                      "write the 编号 of an existing project.")))
        return
    values: dict[str, Any] = {}
    readonly_changed: list[Column] = []
    for column in spec.columns:
        raw = cells[column.key]
        if column.key == "id" or raw is ABSENT:
            continue
        if obj is not None and norm(raw) == norm(column.text(obj, ctx)):
            continue
        if column.readonly or (obj is not None and column.create_only):
            if obj is not None and column.key != UPDATED:
                readonly_changed.append(column)
            continue
        try:
            value = column.parse_cell(raw, ctx)
        except CellError as exc:
            errors.append(RowError(number, column.header, exc.message))
            continue
        if obj is not None and value == column.value(obj):
            continue
        values[column.key] = value
    if obj is not None:
        seen = cells.get(UPDATED)
        stale = seen is not ABSENT and norm(seen) != "" and norm(seen) != norm(local_time(obj.updated_at))
        if (values or errors or (readonly_changed and not stale)) and not spec.may_edit(ctx.user, obj):
            plan.errors.append(RowError(number, "编号", _("You may not change the %(noun)s %(id)s (“%(title)s”); "
                                                          "leave the row as exported or remove it.") % {
                "noun": spec.noun, "id": raw_id, "title": obj.title}))
            return
        if stale and (values or errors):
            plan.errors.append(RowError(number, "最后修改", _(
                "This %(noun)s was changed at %(time)s, after the file was exported; to keep that change, export again "
                "and make your changes in the new file.") % {"noun": spec.noun, "time": local_time(obj.updated_at)}))
            return
        if not stale:
            for column in readonly_changed:
                errors.append(RowError(number, column.header, _(
                    "%(column)s cannot be changed by import (it is “%(now)s”); change it back, or do it on the "
                    "record's page.") % {"column": column.header, "now": norm(column.text(obj, ctx))}))
    if errors:
        plan.errors.extend(errors)
        return
    if obj is None:
        problems = spec.check_create(ctx, values)
    elif values:
        problems = spec.check_update(ctx, obj, values)
    else:
        plan.unchanged += 1
        return
    if problems:
        plan.errors.extend(RowError(number, "", p) for p in problems)
        return
    planned = PlannedRow(row=number, obj=obj, values=values, seen_updated_at=obj.updated_at if obj else None)
    (plan.creates if obj is None else plan.updates).append(planned)


def error_text(error: RowError) -> str:
    """One error as a sentence: 第 5 行「服务范围」：…"""
    if error.column:
        return _("Row %(row)d, column “%(column)s”: %(message)s") % {
            "row": error.row, "column": error.column, "message": error.message}
    return _("Row %(row)d: %(message)s") % {"row": error.row, "message": error.message}


def errors_as_dicts(errors: Sequence[RowError]) -> list[dict[str, Any]]:
    return [{**e.as_dict(), "text": error_text(e)} for e in errors[:MAX_LISTED_ERRORS]]


def errors_summary(rows: int) -> str:
    return _("%(count)d rows have errors; nothing was imported. Fix them and upload the file again.") % {"count": rows}
