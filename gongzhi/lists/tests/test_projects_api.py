"""The project list over JSON (/api/lists/projects...): the whole path from creating to finishing through the API, the
errors' shape (400 with a Chinese message and its field, 403, 404), and the list's filters."""

# mypy: disable-error-code="union-attr"
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from docx import Document

from gongzhi.lists import actions
from gongzhi.lists.models import Demand, Project, Resource
from gongzhi.test import Cast

from .project_scene import day, demand, jpeg, proposed, resource

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _post(client: Client, url: str, body: dict[str, Any] | None = None, method: str = "post") -> Any:
    send = getattr(client, method)
    return send(url, json.dumps(body or {}), content_type="application/json")


def test_a_project_goes_from_creation_to_finished_through_the_api(cast: Cast) -> None:
    res = resource(cast, amount="100")
    d = demand(cast)
    staff, unit = Client(), Client()
    staff.force_login(cast.worker_a)
    unit.force_login(cast.liaison)
    answer = _post(staff, "/api/lists/projects", {"area_id": cast.community_a.pk, "title": "楼道照明改造",
                                                  "demand_ids": [d.pk], "reservations": {str(res.pk): "40"}})
    assert answer.status_code == 201, answer.content
    pk = answer.json()["id"]
    assert _post(unit, f"/api/lists/projects/{pk}/claim").json()["status"] == "claimed"
    assert _post(staff, f"/api/lists/projects/{pk}/milestones", {"title": "完成采购", "due_on": str(day(10))}
                 ).status_code == 201
    agreement = _post(staff, f"/api/lists/projects/{pk}/agreement/items",
                      {"party_unit_id": cast.member_unit.pk, "text": "更换楼道灯", "due_on": str(day(20))})
    assert agreement.status_code == 201 and agreement.json()["status"] == "draft"
    assert _post(staff, f"/api/lists/projects/{pk}/agreement/send").json()["status"] == "signing"
    _post(staff, f"/api/lists/projects/{pk}/agreement/sign", {"party_unit_id": None})
    signed = _post(unit, f"/api/lists/projects/{pk}/agreement/sign", {"party_unit_id": cast.member_unit.pk}).json()
    assert signed["status"] == "signed" and all(p["signed"] for p in signed["parties"])
    docx = unit.get(f"/api/lists/projects/{pk}/agreement.docx")
    assert docx.status_code == 200
    cells = [c.text for t in Document(io.BytesIO(docx.content)).tables for r in t.rows for c in r.cells]
    assert "更换楼道灯" in cells
    progress = unit.post(f"/api/lists/projects/{pk}/progress", {"percent": "70", "note": "完成七成",
                                                               "photos": [jpeg()]})
    assert progress.status_code == 201, progress.content
    detail = unit.get(f"/api/lists/projects/{pk}").json()
    assert detail["progress"] == 70 and detail["status"] == "in_progress"
    assert len(detail["updates"][0]["photo_urls"]) == 1
    assert unit.get(detail["updates"][0]["photo_urls"][0]).status_code == 200
    reservation = detail["reservations"][0]["id"]
    finished = _post(staff, f"/api/lists/projects/{pk}/finish", {"used": {str(reservation): "30"}})
    assert finished.json()["status"] == "finished"
    assert Demand.objects.get(pk=d.pk).status == Demand.Status.MET
    assert Resource.objects.get(pk=res.pk).remaining == 70


def test_the_api_refuses_with_a_chinese_message_and_its_field(cast: Cast) -> None:
    project = proposed(cast)
    client = Client()
    client.force_login(cast.worker_a)
    answer = _post(client, f"/api/lists/projects/{project.pk}/budget", {"budget": "-1"})
    assert answer.status_code == 400 and answer.json()["field"] == "budget"
    assert "数量" in answer.json()["detail"] or "金额" in answer.json()["detail"]
    answer = _post(client, f"/api/lists/projects/{project.pk}/claim")
    assert answer.status_code == 403 and answer.json()["detail"]
    answer = _post(client, f"/api/lists/projects/{project.pk}/agreement/send")
    assert answer.status_code == 400 and "认领" in answer.json()["detail"]
    client.force_login(cast.worker_b)
    assert client.get(f"/api/lists/projects/{project.pk}/agreement").status_code == 404
    client.force_login(cast.liaison)
    assert _post(client, f"/api/lists/projects/{project.pk}/claim").status_code == 200
    client.force_login(cast.worker_a)
    progress = client.post(f"/api/lists/projects/{project.pk}/progress", {"percent": "10", "note": "x"})
    assert progress.status_code == 400 and "签署" in progress.json()["detail"]


def test_the_list_filters_by_status_community_lead_unit_and_overdue(cast: Cast) -> None:
    waiting = proposed(cast, title="待认领")
    claimed_ = proposed(cast, title="已认领")
    actions.do_claim_project(claimed_, acting_user=cast.liaison)
    actions.do_add_milestone(claimed_, acting_user=cast.worker_a, title="逾期节点", due_on=day(-1))
    client = Client()
    client.force_login(cast.district_admin)
    b = proposed(cast, title="安定门", area=cast.community_b)

    def ids(query: str) -> set[int]:
        answer = client.get("/api/lists/projects" + query)
        assert answer.status_code == 200, answer.content
        return {row["id"] for row in answer.json()["items"]}

    assert ids("") == {waiting.pk, claimed_.pk, b.pk}
    assert ids("?status=claimed") == {claimed_.pk}
    assert ids(f"?community_id={cast.community_b.pk}") == {b.pk}
    assert ids(f"?lead_unit_id={cast.member_unit.pk}") == {claimed_.pk}
    assert ids("?overdue=true") == {claimed_.pk}
    assert client.get("/api/lists/projects?status=nonsense").status_code == 422
    rows = client.get("/api/lists/projects?overdue=true").json()["items"]
    assert rows[0]["overdue"] is True and rows[0]["lead_unit"] == "和平物业服务有限公司"
    page = Client()
    page.force_login(cast.district_admin)
    html = page.get(f"/lists/projects/?status=claimed&overdue=1&community={cast.community_a.pk}").content.decode()
    assert "已认领" in html and "待认领</a>" not in html and "节点逾期" in html
    assert Project.objects.count() == 3
