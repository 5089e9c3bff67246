"""Issue 17: the hot-issue export writes formula-like titles as text (finding 5); an uploaded training file is
stored under a random name and deleted once its job has run (finding 8)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from gongzhi.appeals import actions as appeal_actions
from gongzhi.intelligence import actions
from gongzhi.intelligence.models import TrainingJob
from gongzhi.test import formula_cells

from .test_classifier_page import URL, csv_bytes

pytestmark = pytest.mark.django_db


ATTACK = '=HYPERLINK("http://evil.example/","路灯坏了")'


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def test_it_exports_hot_issues_with_formula_titles_as_text(client: Client, cast: Any) -> None:
    for i, body in enumerate(["和平小区1号楼前的路灯坏了一个星期，晚上很黑，请尽快修理路灯。",
                              "和平小区1号楼门口路灯不亮，晚上出门很危险，希望修理路灯。",
                              "和平小区1号楼旁边路灯坏了好几天了，晚上黑漆漆的，请修理路灯。"]):
        appeal_actions.do_submit_appeal(acting_user=None, title=f"{ATTACK}{i}", body=body,
                                        callback_phone=f"1380000000{i}", area=cast.building_a, system=True)
    client.force_login(cast.worker_a)
    response = client.get("/intelligence/hot/export/?days=30")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and str(rows[1][1]).startswith("=HYPERLINK")  # the attack reached the file ...
    assert formula_cells(io.BytesIO(response.content)) == []  # ... as text


@pytest.mark.parametrize("fails", [False, True])
def test_it_deletes_the_uploaded_training_file_once_the_job_has_run(client: Client, cast: Any, media: Path,
                                                                    tmp_path: Path, monkeypatch: Any,
                                                                    fails: bool) -> None:
    seen: list[str] = []
    original = actions.labelled_upload

    def spy(name: str, content: bytes, size: int | None = None) -> Any:
        seen.extend(str(p.relative_to(media)) for p in media.rglob("*.csv"))
        if fails and seen:
            raise RuntimeError("the worker crashed")
        return original(name, content, size)

    monkeypatch.setattr(actions, "labelled_upload", spy)
    client.force_login(cast.city_admin)
    upload = SimpleUploadedFile("标注.csv", csv_bytes(tmp_path), content_type="text/csv")
    client.post(f"{URL}train/", {"source": "file", "file": upload})
    job = TrainingJob.objects.get()
    assert job.status == (TrainingJob.Status.FAILED if fails else TrainingJob.Status.SUCCEEDED), job.message
    assert len(seen) == 1 and seen[0].startswith("classifier-training/") and "标注" not in seen[0]
    assert job.file.name == "" and not list(media.rglob("*.csv"))
