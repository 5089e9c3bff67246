"""Excel import and export of the three lists: one column definition both ways (export → import changes nothing and
reports 0 changes, on every list), templates, all-or-nothing imports with row-level Chinese errors, scoping."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from gongzhi.appeals.models import Category
from gongzhi.core.models import AuditEvent, Unit
from gongzhi.lib.spreadsheets import append_row
from gongzhi.lists import capacity
from gongzhi.lists.models import Demand, Milestone, Project, Resource
from gongzhi.test import formula_cells


def xlsx(content: bytes, name: str = "list.xlsx") -> io.BytesIO:
    buffer = io.BytesIO(content)
    buffer.name = name
    return buffer


def sheet_rows(content: bytes) -> list[list[Any]]:
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in ws.iter_rows(values_only=True)]


def workbook_bytes(rows: list[list[Any]], title: str = "需求清单") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for row in rows:
        append_row(ws, row)  # as Excel keeps a text cell: "=..." stays text
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def edited(content: bytes, changes: dict[tuple[int, str], Any], extra_rows: list[dict[str, Any]] = ()) -> bytes:  # type: ignore[assignment]
    """The exported file with some cells changed ((Excel row, header) → value) and rows added ({header: value})."""
    rows = sheet_rows(content)
    header = rows[0]
    for (row, column), value in changes.items():
        rows[row - 1][header.index(column)] = value
    for extra in extra_rows:
        rows.append([extra.get(h) for h in header])
    return workbook_bytes(rows, title=load_workbook(io.BytesIO(content)).worksheets[0].title)


def shown(response: Any) -> str:
    """The page's main content as text (for assertion messages)."""
    html = response.content.decode()
    main = html[html.find("<main"):html.find("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))[:3000]


def upload(client: Any, kind: str, content: bytes, name: str = "list.xlsx") -> Any:
    return client.post(f"/lists/transfer/{kind}/import/", {"file": xlsx(content, name)})


def export(client: Any, kind: str, query: str = "") -> bytes:
    response = client.get(f"/lists/transfer/{kind}/export/{query}")
    assert response.status_code == 200, response.content[:500]
    return response.content


def state(model: Any, ids: list[int] | None = None) -> list[dict[str, Any]]:
    qs = model.objects.order_by("pk")
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return [{**model_to_dict(obj), "updated_at": obj.updated_at} for obj in qs]


@pytest.fixture
def category(db) -> Category:  # type: ignore[no-untyped-def]
    top = Category.objects.filter(name="住房", level=1).first() or Category.objects.create(name="住房", level=1)
    middle, _ = Category.objects.get_or_create(name="老旧小区改造", level=2, parent=top)
    leaf, _ = Category.objects.get_or_create(name="加装电梯", level=3, parent=middle)
    return leaf


@pytest.fixture
def demands(cast, category) -> list[Demand]:  # type: ignore[no-untyped-def]
    return [
        Demand.objects.create(title="和平小区1号楼楼道加装扶手", description="12位高龄老人\n上下楼不便", area=cast.building_a,
                              category=category, beneficiaries="高龄老人", beneficiary_count=12, urgency="high",
                              resource_kinds=["funds", "volunteer_hours"], cost_estimate=Decimal("20000.50"),
                              need_quantity=30, created_by=cast.worker_a),
        Demand.objects.create(title="=HYPERLINK(\"http://x\")", area=cast.community_a, source=Demand.Source.UNIT,
                              source_unit=cast.member_unit, source_ref="物业来函"),
        Demand.objects.create(title="安定小区停车难", area=cast.community_b, status=Demand.Status.MATCHED),
    ]


@pytest.fixture
def resources(cast) -> list[Resource]:  # type: ignore[no-untyped-def]
    return [
        Resource.objects.create(kind="venue", title="和平物业多功能活动室", description="可容纳40人", area=cast.community_a,
                                provider_unit=cast.member_unit, place=cast.estate_a, capacity_unit="people",
                                capacity=Decimal("40"), opening_hours="周一至周五 9:00-17:00",
                                valid_from=date(2026, 1, 1), valid_until=date(2027, 3, 31), contact_name="刘经理",
                                contact_phone="13800001234"),
        Resource.objects.create(kind="funds", title="街道微更新资金", area=cast.subdistrict_a, capacity_unit="yuan",
                                capacity=Decimal("200000")),
        Resource.objects.create(kind="service", title="安定门法律咨询", area=cast.community_b, capacity_unit="hours",
                                capacity=Decimal("12.5")),
    ]


@pytest.fixture
def projects(cast, demands, resources) -> list[Project]:  # type: ignore[no-untyped-def]
    project = Project.objects.create(title="1号楼扶手安装", description="安装扶手", area=cast.community_a,
                                     budget=Decimal("20000"), lead_unit=cast.member_unit,
                                     status=Project.Status.CLAIMED, claimed_at=timezone.now())
    project.demands.add(demands[0])
    Milestone.objects.create(project=project, title="完成设计", due_on=date(2026, 12, 20))
    capacity.reserve(project, Resource.objects.get(pk=resources[0].pk), Decimal("10"))
    other = Project.objects.create(title="安定小区停车改造", area=cast.community_b)
    finished = Project.objects.create(title="路灯维修", area=cast.community_a, status=Project.Status.FINISHED,
                                      finished_at=timezone.now(), progress=100)
    return [project, other, finished]


# --- the round trip: export → import changes nothing -----------------------------------------------------


def test_it_round_trips_the_demand_list(client, cast, demands) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    content = export(client, "demands")
    rows = sheet_rows(content)
    assert rows[0][:5] == ["编号", "标题", "描述", "分类", "区域"]
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {demands[0].pk, demands[1].pk}  # community B's demand is not in worker A's export
    first = dict(zip(rows[0], by_id[demands[0].pk], strict=True))
    assert first["分类"] == "住房/老旧小区改造/加装电梯" and first["区域"] == "1号楼"
    assert first["所需资源类型"] == "资金、志愿服务时长" and first["紧急程度"] == "高" and first["费用估算（元）"] == 20000.5
    assert formula_cells(io.BytesIO(content)) == []
    before = state(Demand)
    response = upload(client, "demands", content)
    assert response.status_code == 200, shown(response)
    assert "新增 0 条，修改 0 条，未变 2 条" in response.content.decode()
    assert state(Demand) == before
    assert not AuditEvent.objects.filter(verb__startswith="lists.import_").exists()


def test_it_round_trips_the_resource_list(client, cast, resources) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    content = export(client, "resources")
    rows = sheet_rows(content)
    names = {row[rows[0].index("名称")] for row in rows[1:]}
    assert names == {"和平物业多功能活动室", "街道微更新资金"}
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["服务范围"] == "和平里社区" and first["所在位置"] == "和平小区" and first["联系电话"] == "13800001234"
    before = state(Resource)
    response = upload(client, "resources", content)
    assert response.status_code == 200, shown(response)
    assert "新增 0 条，修改 0 条，未变 2 条" in response.content.decode()
    assert state(Resource) == before


def test_it_round_trips_the_project_list(client, cast, projects) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    content = export(client, "projects")
    rows = sheet_rows(content)
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["项目名称"] == "1号楼扶手安装" and first["牵头单位"] == "和平物业服务有限公司"
    assert first["里程碑"] == "2026-12-20 完成设计" and first["对应需求编号"] == str(projects[0].demands.get().pk)
    before = state(Project)
    response = upload(client, "projects", content)
    assert response.status_code == 200, shown(response)
    assert "新增 0 条，修改 0 条，未变 2 条" in response.content.decode()
    assert state(Project) == before


def test_it_round_trips_through_the_api_and_says_zero_changes(client, cast, demands, resources) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    for kind in ("demands", "resources"):
        content = client.get(f"/api/lists/transfer/{kind}/export").content
        response = client.post(f"/api/lists/transfer/{kind}/import", {"file": xlsx(content)})
        assert response.status_code == 200, response.json()
        assert response.json() == {"rows": 2, "created": [], "updated": [], "unchanged": 2, "changes": 0}


# --- changes, additions and the audit trail -----------------------------------------------------------------


def test_it_changes_and_adds_demands_with_audit_rows(client, cast, demands) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    content = export(client, "demands")
    rows = sheet_rows(content)
    row_of = {row[0]: number for number, row in enumerate(rows, start=1)}
    changed = edited(content, {(row_of[demands[0].pk], "受益人数"): 15, (row_of[demands[0].pk], "所需资源类型"): "资金"},
                     [{"标题": "和平小区加装电梯调研", "区域": "和平里社区/和平小区", "紧急程度": "一般", "分类": "加装电梯"}])
    response = upload(client, "demands", changed)
    assert response.status_code == 200, shown(response)
    assert "新增 1 条，修改 1 条，未变 1 条" in response.content.decode()
    demand = Demand.objects.get(pk=demands[0].pk)
    assert demand.beneficiary_count == 15 and demand.resource_kinds == ["funds"]
    assert demand.updated_at > demands[0].updated_at
    new = Demand.objects.get(title="和平小区加装电梯调研")
    assert new.area == cast.estate_a and new.source == Demand.Source.MANUAL and new.created_by == cast.worker_a
    assert new.category is not None and new.category.name == "加装电梯"
    # Written through the demand list's own actions, with their audit events.
    update = AuditEvent.objects.get(verb="lists.update_demand")
    assert (update.object_id, update.actor_id, update.area_path) == (str(demand.pk), cast.worker_a.pk,
                                                                     cast.building_a.path)
    assert (update.before or {})["beneficiary_count"] == 12 and (update.after or {})["beneficiary_count"] == 15
    create = AuditEvent.objects.get(verb="lists.create_demand")
    assert (create.object_id, create.actor_id) == (str(new.pk), cast.worker_a.pk)


def test_it_changes_a_project_title_and_budget_only(client, cast, projects) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    content = export(client, "projects")
    changed = edited(content, {(2, "项目名称"): "1号楼楼道扶手安装", (2, "预算（元）"): 25000})
    response = upload(client, "projects", changed)
    assert response.status_code == 200, shown(response)
    project = Project.objects.get(pk=projects[0].pk)
    assert project.title == "1号楼楼道扶手安装" and project.budget == Decimal("25000")
    assert AuditEvent.objects.get(verb="lists.import_projects").before == {"title": "1号楼扶手安装"}
    budget = AuditEvent.objects.get(verb="lists.set_project_budget")  # the budget through the project's own action
    assert (budget.before, budget.after) == ({"budget": "20000.00"}, {"budget": "25000.00"})

    again = export(client, "projects")
    refused = upload(client, "projects", edited(again, {(2, "状态"): "已完成", (3, "预算（元）"): 1},
                                                [{"项目名称": "新项目"}]))
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "「状态」不能通过导入修改" in page or "状态不能通过导入修改" in page
    assert "已完成或已取消的项目不能修改" in page
    assert "项目由确认匹配生成" in page
    assert Project.objects.get(pk=projects[2].pk).budget is None


def test_the_project_export_takes_the_list_pages_filters(client, cast, projects) -> None:  # type: ignore[no-untyped-def]
    sub = Project.objects.create(title="扶手采购", area=cast.community_a, parent=projects[0])
    client.force_login(cast.worker_a)
    everything = {r[0] for r in sheet_rows(export(client, "projects"))[1:]}
    assert everything == {projects[0].pk, projects[2].pk, sub.pk}
    claimed = {r[0] for r in sheet_rows(export(client, "projects", "?status=claimed"))[1:]}
    assert claimed == {projects[0].pk, sub.pk}  # the listed project with its sub-project
    led = {r[0] for r in sheet_rows(export(client, "projects", f"?lead_unit={cast.member_unit.pk}"))[1:]}
    assert led == {projects[0].pk, sub.pk}
    assert Project.objects.get(pk=projects[0].pk).status == Project.Status.CLAIMED


# --- all or nothing, with row-level Chinese errors --------------------------------------------------------


def test_it_imports_nothing_when_one_row_is_wrong(client, cast, demands) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    content = export(client, "demands")
    before = state(Demand)
    bad = edited(content, {(2, "受益人数"): 99}, [
        {"标题": "新需求一", "区域": "和平里社区"},
        {"标题": "新需求二", "区域": "和平里"},
        {"标题": "", "区域": "和平里社区", "紧急程度": "特急", "费用估算（元）": "两万"},
    ])
    response = upload(client, "demands", bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "2 行有错误，没有导入任何数据" in page, shown(response)
    assert "第 5 行" in page and "找不到社区“和平里”，请填写系统中的社区名称（是不是“和平里社区”？）" in page
    assert "“标题”为必填项" in page and "“特急”不是可填的值" in page and "“两万”不是数字" in page
    assert state(Demand) == before

    api = client.post("/api/lists/transfer/demands/import", {"file": xlsx(bad)})
    assert api.status_code == 400
    body = api.json()
    assert "没有导入任何数据" in body["detail"]
    wrong = {(e["row"], e["column"]) for e in body["errors"]}
    assert (5, "区域") in wrong and (6, "标题") in wrong and (6, "紧急程度") in wrong and (6, "费用估算（元）") in wrong
    text = next(e["text"] for e in body["errors"] if e["row"] == 5)
    assert text == "第 5 行「区域」：找不到社区“和平里”，请填写系统中的社区名称（是不是“和平里社区”？）"
    assert state(Demand) == before


def test_it_refuses_read_only_and_stale_changes(client, cast, demands) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    content = export(client, "demands")
    response = upload(client, "demands", edited(content, {(2, "状态"): "已满足"}))
    assert response.status_code == 400 and "不能通过导入修改" in response.content.decode()
    # Somebody changes the first demand after the export: the file's change to it is refused, not overwritten.
    Demand.objects.filter(pk=demands[0].pk).update(title="别人改过", updated_at=timezone.now() + timedelta(seconds=5))
    rows = sheet_rows(content)
    row = next(n for n, r in enumerate(rows, start=1) if r[0] == demands[0].pk)
    stale = upload(client, "demands", edited(content, {(row, "受益人数"): 1}))
    assert stale.status_code == 400 and "导出后已被修改" in stale.content.decode()
    assert Demand.objects.get(pk=demands[0].pk).beneficiary_count == 12


def test_it_refuses_files_that_are_not_the_list(client, cast, demands) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    not_excel = upload(client, "demands", b"title,area\n", name="demands.csv")
    assert not_excel.status_code == 400 and ".xlsx" in not_excel.content.decode()
    fake = upload(client, "demands", b"PK\x03\x04 broken", name="demands.xlsx")
    assert fake.status_code == 400 and "不是有效的 Excel" in fake.content.decode()
    resources_file = client.get("/lists/transfer/resources/template/").content
    wrong_list = upload(client, "demands", resources_file)
    assert wrong_list.status_code == 400 and "资源清单" in wrong_list.content.decode()
    template = client.get("/lists/transfer/demands/template/").content
    empty = upload(client, "demands", template)
    assert empty.status_code == 400 and "没有要导入的行" in empty.content.decode()
    assert Demand.objects.count() == 3


def test_the_templates_have_an_example_notes_and_drop_downs(client, cast, category) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    for kind, title in (("demands", "需求清单"), ("resources", "资源清单"), ("projects", "项目清单")):
        response = client.get(f"/lists/transfer/{kind}/template/")
        assert response.status_code == 200
        assert "filename*=utf-8''" in response["Content-Disposition"]
        wb = load_workbook(io.BytesIO(response.content))
        assert wb.sheetnames == [title, "填写说明"]
        rows = [list(r) for r in wb[title].iter_rows(values_only=True)]
        assert rows[0][0] == "编号" and len(rows) == 2
        notes = [r[0] for r in wb["填写说明"].iter_rows(values_only=True)]
        assert all(header in notes for header in rows[0])
        if kind != "projects":
            assert wb[title].data_validations.dataValidation
    # The demand template's example row, filled in as a new row, imports.
    rows = sheet_rows(client.get("/lists/transfer/demands/template/").content)
    rows.append(rows[1])
    response = upload(client, "demands", workbook_bytes(rows))
    assert response.status_code == 200, shown(response)
    demand = Demand.objects.get()
    assert demand.area == cast.community_a and demand.urgency == "high" and demand.category == category


def test_the_export_honours_the_list_filters(client, cast, demands, resources) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.district_admin)
    assert {r[0] for r in sheet_rows(export(client, "demands"))[1:]} == {d.pk for d in demands}
    matched = client.get("/lists/transfer/demands/export/?status=matched")
    assert [r[0] for r in sheet_rows(matched.content)[1:]] == [demands[2].pk]
    assert "%E5%B7%B2%E5%AF%B9%E6%8E%A5%E8%B5%84%E6%BA%90" in matched["Content-Disposition"]  # 已对接资源
    venues = sheet_rows(export(client, "resources", "?kind=venue"))
    assert [r[2] for r in venues[1:]] == ["和平物业多功能活动室"]


# --- scoping ----------------------------------------------------------------------------------------------


def test_an_out_of_scope_id_is_an_error_not_a_change(client, cast, demands) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_b)
    rows = [sheet_rows(export(client, "demands"))[0]]
    header = rows[0]
    row: list[Any] = [None] * len(header)
    row[header.index("编号")] = demands[0].pk
    row[header.index("标题")] = "改别人的需求"
    row[header.index("区域")] = "安定门社区"
    rows.append(row)
    response = upload(client, "demands", workbook_bytes(rows))
    assert response.status_code == 400 and f"没有编号为 {demands[0].pk} 的需求" in response.content.decode()
    new: list[Any] = [None] * len(header)
    new[header.index("标题")] = "在和平里加需求"
    new[header.index("区域")] = "和平里社区"
    response = upload(client, "demands", workbook_bytes([header, new]))
    assert response.status_code == 400
    assert "您不能在" in response.content.decode() or "找不到" in response.content.decode()
    assert Demand.objects.get(pk=demands[0].pk).title == "和平小区1号楼楼道加装扶手"


def test_a_liaison_imports_only_its_own_units_resources(client, cast, resources) -> None:  # type: ignore[no-untyped-def]
    other = Unit.objects.create(name="和平里幼儿园", kind=Unit.Kind.SCHOOL, area=cast.community_a)
    theirs = Resource.objects.create(kind="venue", title="幼儿园操场", area=cast.community_a, provider_unit=other,
                                     capacity_unit="uses", capacity=4)
    client.force_login(cast.liaison)
    content = export(client, "resources")
    rows = sheet_rows(content)
    assert [r[2] for r in rows[1:]] == ["和平物业多功能活动室"]  # only the unit's own
    good = edited(content, {(2, "容量"): 50}, [{"类型": "志愿服务时长", "名称": "物业志愿服务", "提供单位": "和平物业服务有限公司",
                                                "服务范围": "和平里社区", "容量单位": "小时", "容量": 100}])
    response = upload(client, "resources", good)
    assert response.status_code == 200, shown(response)
    assert Resource.objects.get(pk=resources[0].pk).capacity == 50
    assert Resource.objects.get(title="物业志愿服务").provider_unit == cast.member_unit

    header = rows[0]
    foreign: list[Any] = [None] * len(header)
    for column, value in {"编号": theirs.pk, "类型": "场地", "名称": "改名", "服务范围": "和平里社区", "容量单位": "次",
                          "容量": 4}.items():
        foreign[header.index(column)] = value
    as_other: list[Any] = [None] * len(header)
    for column, value in {"类型": "场地", "名称": "冒名资源", "提供单位": "和平里幼儿园", "服务范围": "和平里社区",
                          "容量单位": "次", "容量": 4}.items():
        as_other[header.index(column)] = value
    refused = upload(client, "resources", workbook_bytes([header, foreign, as_other], title="资源清单"))
    assert refused.status_code == 400
    page = refused.content.decode()
    assert f"没有编号为 {theirs.pk} 的资源" in page and "驻区单位联络员只能新增本单位的资源" in page
    assert not Resource.objects.filter(title__in=["改名", "冒名资源"]).exists()


def test_a_resource_never_drops_below_what_is_promised(client, cast, resources) -> None:  # type: ignore[no-untyped-def]
    project = Project.objects.create(title="活动", area=cast.community_a)
    capacity.reserve(project, Resource.objects.get(pk=resources[0].pk), Decimal("30"))
    client.force_login(cast.worker_a)
    content = export(client, "resources")
    response = upload(client, "resources", edited(content, {(2, "容量"): 20, (2, "容量单位"): "小时"}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "容量不能低于已承诺的数量（30）" in page and "容量单位不能修改" in page
    assert Resource.objects.get(pk=resources[0].pk).capacity == 40


def test_who_may_use_the_pages(client, cast, demands) -> None:  # type: ignore[no-untyped-def]
    expected = {"worker_a": 200, "liaison": 200, "district_admin": 200, "handler": 403, "resident_user": 403,
                "volunteer": 403, "party_member_user": 403}
    for name, status in expected.items():
        client.force_login(getattr(cast, name))
        assert client.get("/lists/transfer/").status_code == status, name
        assert client.get("/lists/transfer/demands/export/").status_code == (200 if status == 200 and name != "handler"
                                                                             else 403), name
    client.force_login(cast.worker_a)
    assert client.get("/lists/transfer/nothing/export/").status_code == 404
    assert client.get("/lists/transfer/demands/import/").status_code == 405
    client.logout()
    assert client.get("/lists/transfer/demands/export/").status_code == 302
    assert client.get("/api/lists/transfer/demands/export").status_code in (401, 403)


def test_a_row_that_fails_when_written_rolls_back_the_whole_file(cast, demands, resources) -> None:  # type: ignore[no-untyped-def]
    """Checked rows are written again under a lock: a capacity promised meanwhile, or a record changed meanwhile,
    refuses its row, and the rows already written are rolled back."""
    from gongzhi.lists import actions, transfer
    from gongzhi.lists.transfer import Context

    spec = transfer.get_spec("resources")
    ctx = Context(cast.worker_a)
    rows = [spec.headers, [c.text(resources[0], ctx) for c in spec.columns]]
    rows[1][spec.headers.index("容量")] = 25
    rows.append([None] * len(spec.headers))
    for column, value in {"类型": "场地", "名称": "社区议事厅", "服务范围": "和平里社区", "容量单位": "人", "容量": 20}.items():
        rows[2][spec.headers.index(column)] = value
    plan = transfer.read_plan("resources", xlsx(workbook_bytes(rows, title="资源清单")), cast.worker_a)
    assert plan.errors == [] and len(plan.updates) == 1 and len(plan.creates) == 1
    # Meanwhile a confirmed match promises 30 of the venue's 40 places (and touches the resource).
    capacity.reserve(Project.objects.create(title="活动", area=cast.community_a),
                     Resource.objects.get(pk=resources[0].pk), Decimal("30"))
    with pytest.raises(actions.ImportRefused) as refused:
        actions.do_import_list(plan, acting_user=cast.worker_a)
    assert [(e.row, e.message) for e in refused.value.errors] == [
        (2, "校验文件期间这条记录被修改了，请重新导出后上传新文件")]
    assert Resource.objects.get(pk=resources[0].pk).capacity == 40
    assert not Resource.objects.filter(title="社区议事厅").exists()


def test_the_demand_lists_own_rules_refuse_rows(client, cast, demands) -> None:  # type: ignore[no-untyped-def]
    """Demands are written through the demand list's actions: what they refuse (a met demand is no longer edited, a
    council's demand names the proposal) is that row's error, and nothing is written."""
    Demand.objects.filter(pk=demands[0].pk).update(status=Demand.Status.MET)
    client.force_login(cast.worker_a)
    content = export(client, "demands")
    row = next(n for n, r in enumerate(sheet_rows(content), start=1) if r[0] == demands[0].pk)
    response = upload(client, "demands", edited(content, {(row, "受益人数"): 20}, [
        {"标题": "议事会提出：增设快递柜", "区域": "和平里社区", "来源": "居民议事会"},
        {"标题": "物业需要志愿者", "区域": "和平里社区", "来源": "单位需求", "提出单位": "和平物业服务有限公司"},
    ]))
    assert response.status_code == 400
    page = shown(response)
    assert f"第 {row} 行" in page and "已满足或已关闭，不能再修改" in page, page
    assert "第 4 行 来源说明 请填写该需求来自哪次议事会的哪项提议" in page and Demand.objects.count() == 3
    assert Demand.objects.get(pk=demands[0].pk).beneficiary_count == 12


def test_the_demand_export_takes_the_list_pages_search(client, cast, demands) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.district_admin)
    found = sheet_rows(export(client, "demands", "?q=扶手&urgency=high"))
    assert [r[0] for r in found[1:]] == [demands[0].pk]


def test_the_demand_list_links_to_an_export_of_what_it_shows(client, cast, demands) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    page = client.get("/lists/demands/?status=open&urgency=high").content.decode()
    assert 'href="/lists/transfer/demands/export/?status=open&amp;urgency=high"' in page
    assert 'href="/lists/transfer/#transfer-demands"' in page


def test_the_project_list_links_to_an_export_of_what_it_shows(client, cast, projects) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    page = client.get("/lists/projects/?status=claimed").content.decode()
    assert 'href="/lists/transfer/projects/export/?status=claimed"' in page


def test_it_refuses_an_entity_bomb_and_a_file_too_large(client, cast, settings) -> None:  # type: ignore[no-untyped-def]
    import zipfile

    from gongzhi.test import XLSX_SHEET, XML_ENTITY_BOMB

    client.force_login(cast.worker_a)
    content = workbook_bytes([sheet_rows(client.get("/lists/transfer/demands/template/").content)[0],
                              [None, "MARKER", None, None, "和平里社区"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == XLSX_SHEET:
                data = data.replace(b"<worksheet", XML_ENTITY_BOMB + b"<worksheet", 1)
            target.writestr(info.filename, data)
    response = upload(client, "demands", out.getvalue())
    assert response.status_code == 400 and "实体声明" in shown(response)
    settings.IMPORT_MAX_BYTES = 1000
    response = upload(client, "demands", content)
    assert response.status_code == 400 and "文件太大" in shown(response)
    assert not Demand.objects.exists()
