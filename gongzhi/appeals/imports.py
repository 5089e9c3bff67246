"""Excel import of 12345 work orders: a template, and all-or-nothing validation with row numbers.

Columns: 工单编号 标题 诉求内容 诉求类型 紧急程度 一级分类 二级分类 三级分类 联系人 联系电话 社区 地址.
Every row is checked first; if any row is wrong nothing is imported and the error lists each row.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, User
from gongzhi.core.permissions import covers
from gongzhi.lib.spreadsheets import iter_rows, open_workbook, xlsx_response

from . import actions, permissions
from .models import Appeal, Category, Urgency

COLUMNS = ["工单编号", "标题", "诉求内容", "诉求类型", "紧急程度", "一级分类", "二级分类", "三级分类",
           "联系人", "联系电话", "社区", "地址"]
TYPES = {"咨询": "consult", "求助": "help", "投诉": "complaint", "建议": "suggestion", "举报": "report"}
URGENCIES = {"": Urgency.NORMAL, "一般": Urgency.NORMAL, "紧急": Urgency.URGENT, "特急": Urgency.EMERGENCY}
MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024


def template_bytes() -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "12345工单"
    ws.append(COLUMNS)
    ws.append(["BJ20260301000001", "小区垃圾未清运", "和平小区门口垃圾三天未清运", "投诉", "一般", "城市管理", "市容环境",
               "垃圾清运", "张先生", "13800138000", "和平里社区", "和平小区1号楼"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_response() -> HttpResponse:
    return xlsx_response(template_bytes(), "12345工单导入模板.xlsx")


def _category(names: list[str]) -> Category | None:
    parent: Category | None = None
    for name in [n for n in names if n]:
        node = Category.objects.filter(parent=parent, name=name, active=True).first()
        if node is None:
            return None
        parent = node
    return parent


def parse_rows(file: Any, acting_user: User | None) -> tuple[list[dict[str, Any]], list[str]]:
    """Read and check every row; returns (clean rows, errors)."""
    if getattr(file, "size", 0) and file.size > MAX_BYTES:
        return [], [_("The file is larger than 10 MB.")]
    try:
        wb = open_workbook(file)
        try:
            all_rows = list(iter_rows(wb.worksheets[0]))
        finally:
            wb.close()
    except ActionError as exc:
        return [], [exc.message]
    except IndexError:
        return [], [_("The file is not an Excel workbook (.xlsx).")]
    rows = iter(all_rows)
    header = [str(c or "").strip() for c in next(rows, ())]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [_("The header is missing the columns: %(cols)s.") % {"cols": "、".join(missing)}]
    index = {name: header.index(name) for name in COLUMNS}
    clean: list[dict[str, Any]] = []
    errors: list[str] = []
    seen_refs: set[str] = set()
    communities = {a.name: a for a in Area.objects.filter(level=Area.Level.COMMUNITY)}
    for number, row in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            errors.append(_("At most %(max)d rows can be imported at once.") % {"max": MAX_ROWS})
            break
        cell = {name: str(row[i] if i < len(row) and row[i] is not None else "").strip() for name, i in index.items()}
        if not any(cell.values()):
            continue
        problems: list[str] = []
        ref = cell["工单编号"]
        if not ref:
            problems.append(_("the work order number is missing"))
        elif ref in seen_refs or Appeal.objects.filter(source_ref=ref).exists():
            problems.append(_("work order %(ref)s has already been imported") % {"ref": ref})
        seen_refs.add(ref)
        if not cell["诉求内容"]:
            problems.append(_("the content is missing"))
        appeal_type = TYPES.get(cell["诉求类型"] or "求助")
        if appeal_type is None:
            problems.append(_("unknown appeal type %(value)s") % {"value": cell["诉求类型"]})
        urgency = URGENCIES.get(cell["紧急程度"])
        if urgency is None:
            problems.append(_("unknown urgency %(value)s") % {"value": cell["紧急程度"]})
        category = None
        if cell["一级分类"]:
            category = _category([cell["一级分类"], cell["二级分类"], cell["三级分类"]])
            if category is None:
                problems.append(_("unknown category"))
        area = communities.get(cell["社区"]) if cell["社区"] else None
        if cell["社区"] and area is None:
            problems.append(_("unknown community %(value)s") % {"value": cell["社区"]})
        if area is not None and acting_user is not None and not covers(acting_user, area, permissions.DISPATCH_ROLES):
            problems.append(_("community %(value)s is outside your area") % {"value": cell["社区"]})
        if area is None and not cell["地址"]:
            problems.append(_("give a community or an address"))
        if not cell["联系电话"]:
            problems.append(_("the phone number is missing"))
        if problems:
            errors.append(_("Row %(row)d: %(problems)s.") % {"row": number, "problems": "；".join(problems)})
            continue
        clean.append({"source_ref": ref, "title": cell["标题"], "body": cell["诉求内容"], "appeal_type": appeal_type,
                      "urgency": urgency, "category": category, "callback_name": cell["联系人"],
                      "callback_phone": cell["联系电话"], "area": area, "address": cell["地址"], "row": number})
    return clean, errors


@transaction.atomic
def import_work_orders(file: Any, *, acting_user: User | None) -> list[Appeal]:
    """Import every row or none; ActionError lists the wrong rows."""
    if acting_user is not None and not permissions.can_take_hotline(acting_user):
        raise PermissionDenied(_("Only dispatch staff can import 12345 work orders."))
    rows, errors = parse_rows(file, acting_user)
    if not errors and not rows:
        errors.append(_("The file has no rows to import."))
    created: list[Appeal] = []
    if not errors:
        for row in rows:
            number = row.pop("row")
            try:
                created.append(actions.do_submit_appeal(acting_user=acting_user, channel=Appeal.Channel.IMPORT_12345,
                                                        system=True, **row))
            except ActionError as exc:
                errors.append(_("Row %(row)d: %(problems)s.") % {"row": number, "problems": exc.message})
    if errors:
        transaction.set_rollback(True)
        raise ActionError(" ".join(errors[:50]), field="file")
    return created
