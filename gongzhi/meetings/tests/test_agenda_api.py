"""The agenda and resolutions API: proposals with reasons, the agenda's writes, raised items, a resolution from
record to done; 403 and 404 as the pages."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.lists.tests.project_scene import jpeg

from . import agenda_scene


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _post(client: Client, url: str, body: dict[str, Any] | None = None, method: str = "post") -> Any:
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


def test_an_agenda_and_a_resolution_through_the_api(cast) -> None:  # type: ignore[no-untyped-def]
    scene = agenda_scene.build(cast)
    staff, unit, other = Client(), Client(), Client()
    staff.force_login(cast.worker_a)
    unit.force_login(cast.liaison)
    other.force_login(cast.worker_b)
    m = scene.meeting.pk
    proposals = staff.get(f"/api/meetings/{m}/agenda/proposals").json()
    reasons = {p["source_key"]: p["reason"] for p in proposals}
    assert reasons[f"appeals.case:{scene.overdue_case.pk}"] == "超期 12 天"
    assert other.get(f"/api/meetings/{m}/agenda/proposals").status_code == 404
    assert unit.get(f"/api/meetings/{m}/agenda/proposals").status_code in (403, 404)
    added = _post(staff, f"/api/meetings/{m}/agenda/propose",
                  {"keys": [f"appeals.case:{scene.overdue_case.pk}", f"lists.demand:{scene.top_demand.pk}"]})
    assert added.status_code == 201, added.content
    first, second = added.json()
    extra = _post(staff, f"/api/meetings/{m}/agenda", {"title": "春节慰问"}).json()
    assert _post(staff, f"/api/meetings/{m}/agenda", {"title": ""}).status_code == 400
    order = _post(staff, f"/api/meetings/{m}/agenda-order", {"ids": [extra["id"], second["id"], first["id"]]}).json()
    assert [i["id"] for i in order] == [extra["id"], second["id"], first["id"]]
    edited = _post(staff, f"/api/meetings/{m}/agenda/{extra['id']}", {"title": "春节走访慰问", "discussion": "同意"})
    assert edited.json()["discussion"] == "同意"
    left = _post(staff, f"/api/meetings/{m}/agenda/{extra['id']}", method="delete").json()
    assert [i["id"] for i in left] == [second["id"], first["id"]]
    created = _post(staff, f"/api/meetings/{m}/resolutions", {
        "approach": "住建委与物业联合疏通", "task": "疏通下水道", "unit_ids": [cast.member_unit.pk],
        "due_on": str(timezone.localdate() + timedelta(days=20)), "agenda_item_id": first["id"]})
    assert created.status_code == 201, created.content
    r = created.json()
    assert r["case_id"] == scene.overdue_case.pk and r["units"] == ["和平物业服务有限公司"]
    progress = unit.post(f"/api/meetings/resolutions/{r['id']}/updates", {"percent": "50", "note": "已疏通一半",
                                                                          "photo": jpeg()})
    assert progress.status_code == 201, progress.content
    assert progress.json()["status"] == "in_progress" and progress.json()["updates"][0]["has_photo"]
    assert _post(unit, f"/api/meetings/resolutions/{r['id']}/complete", {"evidence": ""}).status_code == 400
    done = _post(unit, f"/api/meetings/resolutions/{r['id']}/complete", {"evidence": "已全部疏通"}).json()
    assert done["status"] == "done" and done["evidence"] == "已全部疏通"
    mine = unit.get("/api/meetings/resolutions?mine=true").json()
    assert {x["id"] for x in mine} == {r["id"], scene.resolution.pk}
    assert [x["id"] for x in unit.get("/api/meetings/resolutions?overdue=true").json()] == [scene.resolution.pk]
    assert other.get(f"/api/meetings/resolutions/{r['id']}").status_code == 404
    assert _post(unit, f"/api/meetings/resolutions/{scene.resolution.pk}/cancel", {"reason": "x"}).status_code == 403


def test_raised_items_through_the_api(cast) -> None:  # type: ignore[no-untyped-def]
    unit, staff = Client(), Client()
    unit.force_login(cast.liaison)
    staff.force_login(cast.worker_a)
    raised = _post(unit, "/api/meetings/raised-items", {"community_id": cast.community_a.pk, "title": "停车难"})
    assert raised.status_code == 201 and raised.json()["raised_by_unit"] == "和平物业服务有限公司"
    assert _post(unit, "/api/meetings/raised-items", {"community_id": cast.community_b.pk, "title": "x"}
                 ).status_code == 403
    assert [i["title"] for i in staff.get("/api/meetings/raised-items").json()] == ["停车难"]
    declined = _post(staff, f"/api/meetings/raised-items/{raised.json()['id']}/decline", {"reason": "已规划"})
    assert declined.json()["status"] == "declined"
