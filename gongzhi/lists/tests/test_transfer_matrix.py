"""The permission matrix of the lists' Excel import: every cast user × each kind of row (change a record, add one)
on community A's side and on community B's. A row the importer may not see is refused as not found (404: "没有编号为 …
的…" or "找不到…"), one it sees but may not write as not allowed (403: "无权…" / "不能…"); nothing is written then."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from gongzhi.core.models import Unit
from gongzhi.lib.spreadsheets import append_row
from gongzhi.lists import actions
from gongzhi.lists.models import Demand, Project, Resource
from gongzhi.lists.transfer import Context, get_spec, read_plan
from gongzhi.test import matrix_users, parse_matrix

MATRIX = """
                     update_demand  create_demand  update_resource  create_resource  update_project
superuser            ok/ok          ok/ok          ok/ok            ok/ok            ok/ok
city_admin           ok/ok          ok/ok          ok/ok            ok/ok            ok/ok
district_admin       ok/ok          ok/ok          ok/ok            ok/ok            ok/ok
subdistrict_staff_a  ok/404         ok/404         ok/404           ok/404           ok/404
worker_a             ok/404         ok/404         ok/404           ok/404           ok/404
worker_b             404/ok         404/ok         404/ok           404/ok           404/ok
grid_worker_a        403/404        403/404        403/404          403/404          404/404
handler              404/404        404/404        404/404          404/404          404/404
liaison              403/404        ok/404         ok/404           ok/404           403/404
party_member_user    404/404        404/404        404/404          404/404          404/404
volunteer            404/404        404/404        404/404          404/404          404/404
resident_user        404/404        404/404        404/404          404/404          404/404
"""


def _file(kind: str, row: dict[str, Any]) -> io.BytesIO:
    spec = get_spec(kind)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = spec.title
    append_row(ws, spec.headers)
    append_row(ws, [row.get(h) for h in spec.headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = f"{kind}.xlsx"
    return buffer


def _exported(kind: str, obj: Any, superuser: Any, **changes: Any) -> dict[str, Any]:
    """The record's row as an export writes it (read afresh), with some cells changed."""
    spec = get_spec(kind)
    obj = type(obj).objects.get(pk=obj.pk)
    ctx = Context(superuser)
    row = {c.header: c.text(obj, ctx) for c in spec.columns}
    row.update(changes)
    return row


def outcome(errors: list[Any]) -> str:
    if not errors:
        return "ok"
    text = " ".join(e.message for e in errors)
    if "没有编号" in text or "找不到" in text:
        return "404"
    if "无权" in text or "不能" in text or "只能" in text:
        return "403"
    return "error: " + text


@pytest.fixture
def records(cast):  # type: ignore[no-untyped-def]
    demand_a = Demand.objects.create(title="楼道扶手", area=cast.building_a, beneficiary_count=3)
    demand_b = Demand.objects.create(title="停车难", area=cast.community_b, beneficiary_count=3)
    resource_a = Resource.objects.create(kind="venue", title="物业活动室", area=cast.community_a,
                                         provider_unit=cast.member_unit, capacity_unit="people", capacity=Decimal(40))
    resource_b = Resource.objects.create(kind="venue", title="安定门活动室", area=cast.community_b,
                                         capacity_unit="people", capacity=Decimal(30))
    project_a = Project.objects.create(title="扶手安装", area=cast.community_a, lead_unit=cast.member_unit,
                                       status=Project.Status.CLAIMED)
    project_b = Project.objects.create(title="停车改造", area=cast.community_b)
    unit_b = Unit.objects.create(name="安定门超市", kind=Unit.Kind.ENTERPRISE, area=cast.community_b)
    return {"unit": (cast.member_unit, unit_b), "demand": (demand_a, demand_b), "resource": (resource_a, resource_b), "project": (project_a, project_b)}


def test_the_import_permission_matrix(cast, records) -> None:  # type: ignore[no-untyped-def]
    matrix = parse_matrix(MATRIX)
    users = matrix_users(cast)
    communities = {"A": ("和平里社区", cast.community_a), "B": ("安定门社区", cast.community_b)}
    wrong = []
    checked = 0
    for (name, action), expected in matrix.cells.items():
        for index, side in enumerate("AB"):
            place = communities[side][0]
            if action == "update_demand":
                kind, row = "demands", _exported("demands", records["demand"][index], cast.superuser, 受益人数=10 + checked)
            elif action == "create_demand":
                kind, row = "demands", {"标题": "新需求", "区域": place, "来源": "单位需求",
                                        "提出单位": records["unit"][index].name}
            elif action == "update_resource":
                kind, row = "resources", _exported("resources", records["resource"][index], cast.superuser, 名称=f"改名{checked}")
            elif action == "create_resource":
                kind, row = "resources", {"类型": "场地", "名称": "新场地", "提供单位": cast.member_unit.name, "服务范围": place,
                                          "容量单位": "人", "容量": 10}
            else:
                kind, row = "projects", _exported("projects", records["project"][index], cast.superuser, **{"预算（元）": 500 + checked})
            user = type(users[name]).objects.get(pk=users[name].pk)
            plan = read_plan(kind, _file(kind, row), user)
            errors = plan.errors
            if not errors:
                try:
                    actions.do_import_list(plan, acting_user=user)  # the write checks again
                except actions.ImportRefused as refused:
                    errors = refused.errors
            got = outcome(errors)
            checked += 1
            if got != expected[index]:
                wrong.append(f"{name:<20} {action:<16} {side}: expected {expected[index]}, got {got}")
    assert not wrong, "import permission matrix mismatches:\n" + "\n".join(wrong)
    assert checked == 120
    # The allowed rows were written: the last allowed writer's values are there.
    assert Project.objects.get(pk=records["project"][1].pk).budget == Decimal(500 + 59)  # worker_b's row (the 60th asked)
