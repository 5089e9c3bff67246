"""Excel roster exports: scoped to the user, masked by default, full data only with the reveal right and audited."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from openpyxl import load_workbook

from gongzhi.core.exports import export_roster
from gongzhi.core.models import AuditEvent, Resident
from gongzhi.core.rosters import SPECS

from .test_rosters import _media, import_file  # noqa: F401 - _media is an autouse fixture


def rows_of(content: bytes) -> list[list[Any]]:
    ws = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]


def download(client: Client, url: str) -> tuple[int, list[list[Any]]]:
    response = client.get(url)
    if response.status_code != 200:
        return response.status_code, []
    return 200, rows_of(b"".join(response.streaming_content))  # type: ignore[attr-defined]


def test_it_exports_residents_scoped_and_masked(cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    status, rows = download(client, "/rosters/residents/export/")
    assert status == 200
    assert rows[0] == SPECS["residents"].headers
    names = [r[0] for r in rows[1:]]
    assert "张桂兰" in names and "李建国" not in names
    zhang = rows[names.index("张桂兰") + 1]
    assert zhang[3] == "138****8000"
    assert zhang[4].startswith("110") and "*" in zhang[4] and zhang[4] != cast.resident_a.id_number
    # Masked: down to the estate only, no room, the address as the place's names (test_address_masking.py).
    assert zhang[5] == "示范市/东城区/和平街道/和平里社区/和平小区"
    assert (zhang[6], zhang[7]) == ("", "和平里社区 和平小区 ***")
    assert not AuditEvent.objects.filter(verb="core.pii.export").exists()


def test_it_exports_full_data_with_the_reveal_right_and_audits_once(cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    status, rows = download(client, f"/rosters/residents/export/?area={cast.community_a.pk}&full=1")
    assert status == 200
    zhang = next(r for r in rows if r[0] == "张桂兰")
    assert zhang[3] == "13800138000" and zhang[4] == cast.resident_a.id_number
    event = AuditEvent.objects.get(verb="core.pii.export")
    assert event.actor == cast.worker_a and event.after == {"kind": "residents", "count": len(rows) - 1}
    assert event.area == cast.community_a


def test_it_refuses_full_data_without_the_reveal_right(cast, client: Client) -> None:
    client.force_login(cast.district_admin)  # admins see residents but may not reveal them
    status, rows = download(client, "/rosters/residents/export/")
    assert status == 200 and {"张桂兰", "李建国"} <= {r[0] for r in rows}
    assert download(client, "/rosters/residents/export/?full=1")[0] == 403
    client.force_login(cast.worker_a)  # the district is wider than worker_a's reveal scope
    assert download(client, f"/rosters/residents/export/?area={cast.district.pk}&full=1")[0] == 403
    assert not AuditEvent.objects.filter(verb="core.pii.export").exists()


def test_it_hides_areas_outside_the_scope(cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    assert download(client, f"/rosters/residents/export/?area={cast.community_b.pk}")[0] == 404
    assert download(client, "/rosters/nothing/export/")[0] == 404
    client.logout()
    assert client.get("/api/rosters/residents/export").status_code == 401


def test_it_exports_every_kind_in_the_template_columns(cast) -> None:
    for kind in SPECS:
        export = export_roster(cast.worker_a, kind)
        rows = rows_of(export.file.read())
        assert rows[0] == SPECS[kind].headers
    units = rows_of(export_roster(cast.worker_a, "units").file.read())
    property_company = next(r for r in units if r[0] == "和平物业服务有限公司")
    assert property_company[1] == "物业服务企业" and property_company[5] == "138****1111"
    assert property_company[7] == "示范市/东城区/和平街道/和平里社区"
    members = rows_of(export_roster(cast.worker_a, "party_members").file.read())
    wang = next(r for r in members if r[0] == "王红")
    assert wang[2] == "137****7000" and wang[6] == "是" and wang[7] == "和平物业服务有限公司"
    areas = rows_of(export_roster(cast.worker_a, "areas").file.read())
    assert ["示范市/东城区/和平街道", "和平里社区", "社区", ""] in areas
    assert all(r[1] != "安定门社区" for r in areas)


def test_it_reimports_a_full_export(cast) -> None:
    export = export_roster(cast.worker_a, "residents", area=cast.community_a, full=True)
    content = export.file.read()
    Resident.objects.filter(area__path__startswith=cast.community_a.path).update(id_number="")
    job = import_file(cast.worker_a, "residents", content, cast.community_a)
    assert job.status == "succeeded", job.errors
    assert Resident.objects.filter(name="张桂兰").count() == 2


def test_it_exports_thousands_of_rows_quickly(cast, django_assert_max_num_queries) -> None:
    Resident.objects.bulk_create(
        [Resident(name=f"居民{i}", phone=f"139{i:08d}", area=cast.building_a, address=f"和平小区{i}")
         for i in range(3000)])
    start = time.perf_counter()
    with django_assert_max_num_queries(12):
        export = export_roster(cast.worker_a, "residents")
    elapsed = time.perf_counter() - start
    rows = rows_of(export.file.read())
    assert len(rows) == 3002 and elapsed < 5


def test_it_exports_through_the_api(cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    status, rows = download(client, "/api/rosters/residents/export")
    assert status == 200 and "李建国" not in {r[0] for r in rows}
    assert download(client, f"/api/rosters/residents/export?area_id={cast.community_b.pk}")[0] == 404
    client.force_login(cast.district_admin)
    response = client.get("/api/rosters/residents/export?full=1")
    assert response.status_code == 403 and "脱敏" in response.json()["detail"]
    client.force_login(cast.worker_a)
    assert download(client, "/api/rosters/residents/export?full=1")[0] == 200
    assert AuditEvent.objects.filter(verb="core.pii.export").count() == 1


def test_it_exports_from_the_command_line(cast, tmp_path) -> None:
    out = tmp_path / "居民.xlsx"
    call_command("export_roster", "residents", str(out), "--user", "worker_b")
    names = {r[0] for r in rows_of(out.read_bytes())}
    assert "李建国" in names and "张桂兰" not in names
    with pytest.raises(CommandError):
        call_command("export_roster", "residents", str(out), "--user", "district_admin", "--full")
