"""Excel roster imports: templates, every bad row reported, all-or-nothing writes, scope, jobs, API, CLI."""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gongzhi.core import roster_import
from gongzhi.core.models import (
    Area,
    AuditEvent,
    Household,
    ImportJob,
    PartyMember,
    Registration,
    Resident,
    Unit,
)
from gongzhi.core.roster_import import do_create_import_job, run_import
from gongzhi.core.rosters import SPECS, build_template, read_sheet
from gongzhi.lib.validators import id_check_digit

COM_A = "示范市/东城区/和平街道/和平里社区"
COM_B = "示范市/东城区/安定街道/安定门社区"
BUILDING_A = COM_A + "/和平小区/和平小区第一网格/1号楼"
BUILDING_B = COM_B + "/安定小区/安定小区第一网格/2号楼"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def id_number(serial: int, birth: str = "19800101", male: bool = True) -> str:
    seq = f"{serial % 1000:03d}"
    if (int(seq[-1]) % 2 == 1) != male:
        seq = seq[:2] + str((int(seq[-1]) + 1) % 10)
    first17 = f"110101{birth}{seq}"
    return first17 + id_check_digit(first17)


def xlsx(kind: str, rows: Sequence[Sequence[Any]], headers: Sequence[str] | None = None) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SPECS[kind].title)
    ws.append(list(headers if headers is not None else SPECS[kind].headers))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def import_file(user: Any, kind: str, content: bytes, scope: Area, name: str = "名册.xlsx") -> ImportJob:
    job = do_create_import_job(acting_user=user, kind=kind, scope_area=scope, upload=io.BytesIO(content), name=name,
                               size=len(content))
    return run_import(job)


def counts() -> dict[str, int]:
    return {"areas": Area.objects.count(), "units": Unit.objects.count(), "residents": Resident.objects.count(),
            "party_members": PartyMember.objects.count(), "households": Household.objects.count(),
            "registrations": Registration.objects.count(), "audit": AuditEvent.objects.count()}


# -- templates ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ImportJob.Kind.values)
def test_it_downloads_a_template_that_parses_back(cast, client: Client, kind: str) -> None:
    client.force_login(cast.worker_a)
    response = client.get(reverse("core:roster_template", args=[kind]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == [SPECS[kind].title, "说明"]
    headers = [c.value for c in wb.worksheets[0][1]]
    assert headers == SPECS[kind].headers
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in str(h)) for h in headers)
    instructions = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "必填" in instructions or "是" in instructions
    assert "示例" in instructions
    # The unchanged example row is skipped; the header matches.
    assert read_sheet(kind, io.BytesIO(content)).rows == []


def test_it_lists_allowed_values_in_the_template(db) -> None:
    wb = load_workbook(io.BytesIO(build_template("units")))
    text = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "物业服务企业" in text and "职能部门" in text
    wb = load_workbook(io.BytesIO(build_template("areas")))
    text = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "城市、区、街道、社区、小区、网格、楼栋" in text


def test_it_shows_the_roster_page_in_chinese(cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    response = client.get(reverse("core:roster_home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "下载模板" in html and "居民" in html and "和平里社区" in html
    assert "安定门社区" not in html


# -- happy paths ----------------------------------------------------------------------------------


def test_it_imports_areas(cast) -> None:
    rows = [
        [COM_A, "幸福小区", "小区", "A01"],
        [COM_A + "/幸福小区", "幸福小区第一网格", "网格", ""],
        [COM_A + "/幸福小区/幸福小区第一网格", "8号楼", "楼栋", ""],
        ["和平里社区/幸福小区/幸福小区第一网格", "9号楼", "楼栋", ""],  # relative to the scope
    ]
    job = import_file(cast.subdistrict_staff_a, "areas", xlsx("areas", rows), cast.subdistrict_a)
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.created_rows == 4
    estate = Area.objects.get(name="幸福小区")
    assert estate.parent == cast.community_a and estate.code == "A01"
    building = Area.objects.get(name="9号楼")
    assert building.path.startswith(estate.path) and building.path.endswith(f"/{building.pk}/")
    assert building.full_name() == "示范市 / 东城区 / 和平街道 / 和平里社区 / 幸福小区 / 幸福小区第一网格 / 9号楼"
    event = AuditEvent.objects.get(verb="core.roster.import")
    assert event.after == {"kind": "areas", "rows": 4}
    assert event.actor == cast.subdistrict_staff_a and event.area == cast.subdistrict_a


def test_it_imports_units_with_registration(cast) -> None:
    rows = [["和平里幼儿园", "学校", COM_A, "", "王老师", "13800001234", "和平里东街5号", COM_A],
            ["和平里卫生服务站", "医院", COM_A, "12110101MB1234567X", "", "010-64001234", "", ""]]
    job = import_file(cast.worker_a, "units", xlsx("units", rows), cast.community_a)
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    school = Unit.objects.get(name="和平里幼儿园")
    assert school.kind == Unit.Kind.SCHOOL and school.area == cast.community_a
    assert school.registrations.get().community == cast.community_a
    assert Unit.objects.get(name="和平里卫生服务站").registrations.count() == 0


def test_it_imports_party_members(cast) -> None:
    rows = [["李明", "男", "13700001234", id_number(31), "2001-07-01", COM_A, "是", "和平物业服务有限公司"],
            ["周芳", "女", "", "", "2010/7/1", COM_A, "", ""]]
    job = import_file(cast.worker_a, "party_members", xlsx("party_members", rows), cast.community_a)
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    li = PartyMember.objects.get(name="李明")
    assert li.in_service and li.work_unit == cast.member_unit and str(li.joined_on) == "2001-07-01"
    assert li.party_org == cast.committee_a and li.home_area == cast.community_a
    zhou = PartyMember.objects.get(name="周芳")
    assert not zhou.in_service and str(zhou.joined_on) == "2010-07-01" and zhou.gender == "female"


def test_it_imports_residents_with_households(cast) -> None:
    rows: list[list[Any]] = [["赵秀英", "", "", "13600001234", id_number(21, "19560101", male=False), BUILDING_A, "3单元502", ""],
            ["钱伟", "男", 1990, "", "", BUILDING_A, "3单元502", "和平小区1号楼3单元502"],
            ["孙丽", "女", "", "", "", COM_A + "/和平小区", "", ""]]
    job = import_file(cast.worker_a, "residents", xlsx("residents", rows), cast.community_a)
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    zhao = Resident.objects.get(name="赵秀英")
    assert zhao.birth_year == 1956 and zhao.gender == "female" and zhao.area == cast.building_a
    qian = Resident.objects.get(name="钱伟")
    assert zhao.household is not None and zhao.household == qian.household
    assert Household.objects.filter(building=cast.building_a, number="3单元502").count() == 1
    assert Resident.objects.get(name="孙丽").household is None
    assert AuditEvent.objects.filter(verb="core.roster.import").count() == 1
    assert AuditEvent.objects.filter(verb="core.resident.create", actor=cast.worker_a).count() == 0


# -- bad rows -------------------------------------------------------------------------------------


def test_it_reports_every_bad_row_and_writes_nothing(cast) -> None:
    good: list[Any] = ["好人", "男", 1980, "13600001234", "", BUILDING_A, "", ""]
    dup_id = id_number(41)
    rows = [
        good,                                                      # row 2: fine
        ["", "男", "", "", "", BUILDING_A, "", ""],                  # row 3: no name
        ["王五", "", "", "12345", "", BUILDING_A, "", ""],           # row 4: bad phone
        ["赵六", "", "", "", "110101198001010000", BUILDING_A, "", ""],  # row 5: bad ID check digit
        ["钱七", "", "", "", "", "示范市/东城区/无此街道", "", ""],     # row 6: unknown path
        ["孙八", "", "", "", "", BUILDING_B, "", ""],               # row 7: outside scope
        ["周九", "", "", "", dup_id, BUILDING_A, "", ""],           # row 8
        ["吴十", "", "", "", dup_id, BUILDING_A, "", ""],           # row 9: duplicate in file
        ["郑一", "", "", "", cast.resident_a.id_number, BUILDING_A, "", ""],  # row 10: resident_a's ID
        ["冯二", "未知", "一九八零", "", "", COM_A, "101", ""],      # row 11: gender, year, room without building
        good,                                                      # row 12: fine
    ]
    before = counts()
    job = import_file(cast.worker_a, "residents", xlsx("residents", rows), cast.community_a)
    assert job.status == ImportJob.Status.FAILED
    assert counts() == before
    by_row: dict[int, list[str]] = {}
    for error in job.errors:
        by_row.setdefault(error["row"], []).append(f"{error['column']}:{error['message']}")
    assert sorted(by_row) == [3, 4, 5, 6, 7, 9, 10, 11]
    assert "姓名" in by_row[3][0] and "必填" in by_row[3][0]
    assert "手机号" in by_row[4][0] and "12345" in by_row[4][0]
    assert "身份证号" in by_row[5][0]
    assert "找不到" in by_row[6][0]
    assert "范围" in by_row[7][0]
    assert "第 8 行" in by_row[9][0]
    assert "已" in by_row[10][0]
    assert len(by_row[11]) == 3
    assert "8 行有错误" in job.message


def test_it_reports_bad_rows_for_each_kind(cast) -> None:
    before = counts()
    job = import_file(cast.subdistrict_staff_a, "areas", xlsx("areas", [
        [COM_A, "和平小区", "小区", ""],         # exists
        [COM_A, "新小区", "楼栋", ""],           # wrong level
        [COM_A, "新小区2", "大楼", ""],          # unknown level
        [COM_A, "重复小区", "小区", ""],
        [COM_A, "重复小区", "小区", ""],         # duplicate in file
    ]), cast.subdistrict_a)
    assert [e["row"] for e in job.errors] == [2, 3, 4, 6]
    job = import_file(cast.worker_a, "units", xlsx("units", [
        ["和平物业服务有限公司", "物业", COM_A, "", "", "", "", ""],  # name exists
        ["新单位", "外星机构", COM_A, "abc", "", "1", "", COM_A + "/和平小区"],
    ]), cast.community_a)
    rows = {e["row"] for e in job.errors}
    assert rows == {2, 3} and len([e for e in job.errors if e["row"] == 3]) == 4
    job = import_file(cast.worker_a, "party_members", xlsx("party_members", [
        ["甲", "男", "", "", "2001-13-01", COM_A, "也许", "不存在的单位"],
        ["乙", "男", "", "", "", COM_A + "/和平小区", "", ""],
    ]), cast.community_a)
    assert [e["row"] for e in job.errors] == [2, 2, 2, 3]
    assert any("2001-07-01" in e["message"] for e in job.errors)
    assert counts() == before


def test_it_rejects_rows_outside_the_scope_even_inside_the_users_grant(cast) -> None:
    # subdistrict_staff_a chooses community A as the scope: a row for the subdistrict's other areas is refused.
    rows = [["甲", "", "", "", "", "示范市/东城区/和平街道", "", ""]]
    job = import_file(cast.subdistrict_staff_a, "residents", xlsx("residents", rows), cast.community_a)
    assert job.status == ImportJob.Status.FAILED
    assert "范围" in job.errors[0]["message"]


def test_it_refuses_a_scope_the_user_may_not_import_into(cast) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_file(cast.worker_a, "residents", xlsx("residents", []), cast.community_b)
    with pytest.raises(PermissionDenied):  # areas need manage_areas
        import_file(cast.grid_worker_a, "areas", xlsx("areas", []), cast.grid_a)
    with pytest.raises(PermissionDenied):
        import_file(cast.grid_worker_a, "residents", xlsx("residents", []), cast.grid_a)


def test_it_rejects_files_that_are_not_xlsx(cast, settings) -> None:
    from gongzhi.core.errors import ActionError

    with pytest.raises(ActionError, match="xlsx"):
        import_file(cast.worker_a, "residents", b"name,phone\n", cast.community_a, name="名册.csv")
    with pytest.raises(ActionError, match="Excel"):
        import_file(cast.worker_a, "residents", b"not a zip at all", cast.community_a, name="名册.xlsx")
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(ActionError, match="太大"):
        import_file(cast.worker_a, "residents", xlsx("residents", []), cast.community_a)
    assert ImportJob.objects.count() == 0


def test_it_rejects_a_wrong_template(cast) -> None:
    job = import_file(cast.worker_a, "residents", xlsx("units", [["x", "学校", COM_A]]), cast.community_a)
    assert job.status == ImportJob.Status.FAILED and "单位名册" in job.message
    job = import_file(cast.worker_a, "residents", xlsx("residents", [["x"]], headers=["姓名", "电话"]),
                      cast.community_a)
    assert job.status == ImportJob.Status.FAILED and "表头" in job.message
    job = import_file(cast.worker_a, "residents", xlsx("residents", []), cast.community_a)
    assert job.status == ImportJob.Status.FAILED and "没有数据" in job.message


def test_it_rolls_back_when_writing_fails(cast, monkeypatch) -> None:
    def boom(records: Any) -> int:
        Resident.objects.create(name="半截", area=cast.building_a)
        raise RuntimeError("disk full")

    monkeypatch.setattr(roster_import, "_write_residents", boom)
    before = counts()
    job = import_file(cast.worker_a, "residents", xlsx("residents", [["甲", "", "", "", "", BUILDING_A, "", ""]]),
                      cast.community_a)
    assert job.status == ImportJob.Status.FAILED and "系统错误" in job.message
    assert counts() == before


# -- the web upload and the job page --------------------------------------------------------------


def test_it_uploads_through_the_page_and_shows_the_job(cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    upload = SimpleUploadedFile("居民.xlsx", xlsx("residents", [["甲", "", "", "", "", BUILDING_A, "", ""]]))
    response = client.post(reverse("core:roster_import", args=["residents"]),
                           {"scope_area": cast.community_a.pk, "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:import_job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "已导入 1 行" in page
    assert client.get(reverse("core:roster_home")).content.decode().count("居民.xlsx") == 1


def test_it_shows_row_errors_on_the_job_page(cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    upload = SimpleUploadedFile("居民.xlsx", xlsx("residents", [["", "", "", "", "", BUILDING_A, "", ""]]))
    response = client.post(reverse("core:roster_import", args=["residents"]),
                           {"scope_area": cast.community_a.pk, "file": upload}, follow=True)
    html = response.content.decode()
    assert '<td data-label="行号">2</td>' in html and "姓名" in html and "必填" in html
    assert "hx-trigger" not in html


def test_it_polls_while_the_job_runs(cast, client: Client) -> None:
    job = ImportJob.objects.create(kind="residents", original_name="a.xlsx", created_by=cast.worker_a,
                                   scope_area=cast.community_a, total_rows=1000, processed_rows=500,
                                   status=ImportJob.Status.RUNNING)
    client.force_login(cast.worker_a)
    html = client.get(reverse("core:import_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="50"' in html and "500" in html
    client.force_login(cast.worker_b)
    assert client.get(reverse("core:import_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("core:import_job_progress", args=[job.pk])).status_code == 404


def test_it_rejects_a_non_xlsx_upload_on_the_page(cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    upload = SimpleUploadedFile("居民.csv", b"a,b\n")
    response = client.post(reverse("core:roster_import", args=["residents"]),
                           {"scope_area": cast.community_a.pk, "file": upload})
    assert response.status_code == 400 and ".xlsx" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_it_refuses_an_upload_out_of_scope_on_the_page(cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    upload = SimpleUploadedFile("居民.xlsx", xlsx("residents", []))
    response = client.post(reverse("core:roster_import", args=["residents"]),
                           {"scope_area": cast.community_b.pk, "file": upload})
    assert response.status_code == 400  # community B is not even visible: treated as no scope chosen
    client.force_login(cast.grid_worker_a)
    upload = SimpleUploadedFile("区域.xlsx", xlsx("areas", []))
    response = client.post(reverse("core:roster_import", args=["areas"]),
                           {"scope_area": cast.grid_a.pk, "file": upload})
    assert response.status_code == 403


# -- large files ----------------------------------------------------------------------------------


def test_it_imports_ten_thousand_residents_through_a_job(cast, client: Client) -> None:
    rows = [[f"居民{i}", "男" if i % 2 else "女", 1950 + i % 50, f"13{i:09d}", id_number(i, f"19{50 + i % 50}0101"),
             BUILDING_A, f"{i // 40 + 1}-{i % 40 + 1}", f"和平小区1号楼{i}"] for i in range(10_000)]
    # ID numbers repeat every 1000 serials within a birth year: make them unique through the birth date.
    for i, row in enumerate(rows):
        row[4] = id_number(i % 1000, f"{1950 + i // 1000 * 5}{(i // 100) % 12 + 1:02d}{i % 28 + 1:02d}")
    content = xlsx("residents", rows)
    client.force_login(cast.worker_a)
    start = time.perf_counter()
    response = client.post(reverse("core:roster_import", args=["residents"]),
                           {"scope_area": cast.community_a.pk, "file": SimpleUploadedFile("大名册.xlsx", content)})
    elapsed = time.perf_counter() - start
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors[:5]
    assert job.total_rows == job.processed_rows == job.created_rows == 10_000
    assert Resident.objects.filter(area=cast.building_a).count() == 10_001
    assert elapsed < 20, f"10,000 rows took {elapsed:.1f} s"


# -- API ------------------------------------------------------------------------------------------


def test_it_imports_through_the_api(cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    response = client.get("/api/rosters/residents/template")
    assert response.status_code == 200
    upload = SimpleUploadedFile("居民.xlsx", xlsx("residents", [["甲", "", "", "", "", BUILDING_A, "", ""],
                                                                 ["", "", "", "", "", BUILDING_A, "", ""]]))
    response = client.post("/api/rosters/residents/imports", {"scope_area_id": cast.community_a.pk, "file": upload})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "failed" and data["errors"][0]["row"] == 3
    job = client.get(f"/api/rosters/imports/{data['id']}").json()
    assert job["errors"] == data["errors"] and job["status_label"] == "未通过" or job["status"] == "failed"


def test_it_answers_api_errors(cast, client: Client) -> None:
    client.force_login(cast.grid_worker_a)
    upload = SimpleUploadedFile("区域.xlsx", xlsx("areas", []))
    response = client.post("/api/rosters/areas/imports", {"scope_area_id": cast.grid_a.pk, "file": upload})
    assert response.status_code == 403
    client.force_login(cast.worker_a)
    upload = SimpleUploadedFile("居民.xlsx", xlsx("residents", []))
    response = client.post("/api/rosters/residents/imports", {"scope_area_id": cast.community_b.pk, "file": upload})
    assert response.status_code == 404
    upload = SimpleUploadedFile("居民.txt", b"hello")
    response = client.post("/api/rosters/residents/imports", {"scope_area_id": cast.community_a.pk, "file": upload})
    assert response.status_code == 400 and "xlsx" in response.json()["detail"]
    assert client.get("/api/rosters/nonsense/template").status_code == 404
    job = ImportJob.objects.create(kind="residents", original_name="a.xlsx", created_by=cast.worker_b,
                                   scope_area=cast.community_b)
    assert client.get(f"/api/rosters/imports/{job.pk}").status_code == 404
    client.logout()
    assert client.get("/api/rosters/residents/template").status_code == 401


# -- CLI ------------------------------------------------------------------------------------------


def test_it_imports_from_the_command_line_with_progress(cast, tmp_path, capsys) -> None:
    rows = [[f"居民{i}", "", "", "", "", BUILDING_A, "", ""] for i in range(1200)]
    path = tmp_path / "居民.xlsx"
    path.write_bytes(xlsx("residents", rows))
    call_command("import_roster", "residents", str(path), "--user", "worker_a", "--scope", COM_A)
    out = capsys.readouterr().out
    assert "已校验 500/1200 行" in out and "已校验 1200/1200 行" in out and "已导入 1200 行" in out
    assert Resident.objects.filter(name__startswith="居民").count() == 1200


def test_it_prints_errors_and_fails_on_the_command_line(cast, tmp_path, capsys) -> None:
    path = tmp_path / "居民.xlsx"
    path.write_bytes(xlsx("residents", [["", "", "", "", "", BUILDING_A, "", ""]]))
    with pytest.raises(CommandError):
        call_command("import_roster", "residents", str(path), "--user", "worker_a", "--scope",
                     str(cast.community_a.pk))
    assert "第 2 行" in capsys.readouterr().err


# -- in the browser -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_uploads_and_watches_progress_in_the_browser(cast, live_server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    from gongzhi.test import PASSWORD

    running = ImportJob.objects.create(kind="residents", original_name="进行中.xlsx", created_by=cast.worker_a,
                                       scope_area=cast.community_a, total_rows=1000, processed_rows=500,
                                       status=ImportJob.Status.RUNNING)
    path = tmp_path / "居民.xlsx"
    path.write_bytes(xlsx("residents", [["甲", "", "", "", "", BUILDING_A, "", ""]]))
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("worker_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/rosters/")
    section = page.locator("#roster-residents")
    section.locator("input[type=file]").set_input_files(str(path))
    section.get_by_role("button", name="上传并导入").click()
    expect(page.locator("#job-progress")).to_contain_text("已导入 1 行")

    page.goto(f"{live_server.url}/rosters/jobs/{running.pk}/")
    expect(page.locator("#job-progress progress")).to_have_attribute("value", "50")
    ImportJob.objects.filter(pk=running.pk).update(status=ImportJob.Status.SUCCEEDED, created_rows=1000,
                                                    processed_rows=1000)
    expect(page.locator("#job-progress")).to_contain_text("已导入 1000 行", timeout=5000)
