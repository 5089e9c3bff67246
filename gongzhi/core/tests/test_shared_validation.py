# mypy: disable-error-code="arg-type,union-attr,index"
"""Issue 17, finding 16: what the roster importers refuse, the API refuses too, with the same validators
(gongzhi.lib.validators): credit codes of 18 characters, area codes without control characters and not taken,
names without control characters."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from openpyxl import Workbook

from gongzhi.core.models import Area, ImportJob, Unit
from gongzhi.core.roster_import import do_create_import_job, run_import
from gongzhi.core.rosters import SPECS

COM_A = "示范市/东城区/和平街道/和平里社区"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _import(user: Any, kind: str, rows: list[list[Any]], scope: Area) -> ImportJob:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SPECS[kind].title)
    ws.append(SPECS[kind].headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    content = out.getvalue()
    job = do_create_import_job(acting_user=user, kind=kind, scope_area=scope, upload=io.BytesIO(content),
                               name="名册.xlsx", size=len(content))
    return run_import(job)


def _row_errors(job: ImportJob) -> list[str]:
    assert job.status == ImportJob.Status.FAILED, job.errors
    return [e["message"] for e in job.errors]


def test_unit_credit_codes_have_18_characters_in_the_api_as_in_the_importer(cast: Any, client: Any) -> None:
    client.force_login(cast.district_admin)
    unit = {"area_id": cast.district.pk, "name": "东城区市场监督管理局", "kind": "department"}
    for bad in ("1211", "12110101MB1234567X0000"):
        response = _post(client, "/api/core/units", {**unit, "credit_code": bad})
        assert response.status_code == 400, response.content
        assert response.json() == {"detail": "统一社会信用代码应为 18 位数字或大写字母。", "field": "credit_code"}
    assert not Unit.objects.filter(name=unit["name"]).exists()
    assert _post(client, "/api/core/units", {**unit, "credit_code": "12110101mb1234567x"}).status_code == 201
    assert Unit.objects.get(name=unit["name"]).credit_code == "12110101MB1234567X"
    job = _import(cast.worker_a, "units", [["和平里幼儿园", "学校", COM_A, "1211", "", "", "", ""]], cast.community_a)
    assert _row_errors(job) == ["统一社会信用代码应为 18 位数字或大写字母。"]


def test_area_codes_are_plain_and_not_taken_in_the_api_as_in_the_importer(cast: Any, client: Any) -> None:
    client.force_login(cast.district_admin)
    area = {"parent_id": cast.community_a.pk, "name": "幸福小区", "level": "estate"}
    for bad in ("A\x0101", "110101\t001", "A" * 31):
        response = _post(client, "/api/core/areas", {**area, "code": bad})
        assert response.status_code == 400, response.content
        assert response.json()["field"] == "code" and "区域编码" in response.json()["detail"]
    assert _post(client, "/api/core/areas", {**area, "code": "110101001001"}).status_code == 201
    again = _post(client, "/api/core/areas", {**area, "name": "幸福二区", "code": "110101001001"})
    assert again.status_code == 400
    assert again.json() == {"detail": "编码 110101001001 已被另一个区域使用。", "field": "code"}
    job = _import(cast.subdistrict_staff_a, "areas", [[COM_A, "美好小区", "小区", "110101001001"],
                                                      [COM_A, "美丽小区", "小区", "B 01"],
                                                      [COM_A, "美满小区", "小区", "C01"],
                                                      [COM_A, "美意小区", "小区", "C01"]], cast.subdistrict_a)
    errors = _row_errors(job)
    assert "编码 110101001001 已被另一个区域使用。" in errors
    assert any("区域编码只能由" in e for e in errors)
    assert "“C01”与本文件第 4 行重复，请只保留其中一行。" in errors  # the same code twice in the file


def test_names_have_no_control_characters_in_the_api_as_in_the_importer(cast: Any, client: Any) -> None:
    client.force_login(cast.district_admin)
    for name in ("幸福\n小区", "幸福\u200b小区", "幸福\x00小区"):
        response = _post(client, "/api/core/areas", {"parent_id": cast.community_a.pk, "name": name,
                                                    "level": "estate"})
        assert response.status_code == 400, response.content
        assert response.json()["field"] == "name" and "控制字符" in response.json()["detail"]
        response = _post(client, "/api/core/units", {"area_id": cast.district.pk, "name": name, "kind": "department"})
        assert response.status_code == 400 and "控制字符" in response.json()["detail"]
    assert not Area.objects.filter(name__startswith="幸福").exists()
    job = _import(cast.worker_a, "units", [["和平里\t幼儿园", "学校", COM_A, "", "", "", "", ""]], cast.community_a)
    assert any("控制字符" in e for e in _row_errors(job))
