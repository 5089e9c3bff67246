"""The downloads: the Excel of the results (ranking, kind, name, community, score, outcome, each group's mean and
count; never a formula, even for a name that looks like one) and the Word report for the city's party-building
office (opened with python-docx: the campaign, the groups and weights, the ranking, the objections)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from gongzhi.evaluation.actions import results as actions
from gongzhi.evaluation.models import Grade, Ratee
from gongzhi.test import formula_cells

from .results_scene import close, end_notice, make_scene, rate_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(cast):  # type: ignore[no-untyped-def]
    s = make_scene(cast)
    Ratee.objects.filter(pk=s.school.pk).update(name='=HYPERLINK("http://x","和平中学")')
    rate_all(s)
    close(s)
    return s


def test_the_excel_holds_the_ranking_and_no_formula(client, scene) -> None:
    client.force_login(scene.organizer)
    response = client.get(reverse("evaluation:results_xlsx", args=[scene.campaign.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    content = io.BytesIO(response.content)
    assert formula_cells(content) == []
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    head = rows[0]
    assert head[:7] == ["排名", "类型", "名称", "社区", "得分", "等次", "异议"]
    assert "居民代表：平均分" in head and "街道党工委：评议人数" in head
    unit_row = next(r for r in rows if r[2] == scene.unit.name)
    assert unit_row[0] == 1 and unit_row[4] == 85.0 and unit_row[5] == "合格"
    assert unit_row[head.index("居民代表：平均分")] == 76.67
    assert unit_row[head.index("居民代表：评议人数")] == 3
    assert any(r[2] == '=HYPERLINK("http://x","和平中学")' for r in rows)  # kept as text


def test_the_excel_only_once_the_rating_closed_and_for_the_organizer(client, cast) -> None:
    s = make_scene(cast)
    client.force_login(s.organizer)
    assert client.get(reverse("evaluation:results_xlsx", args=[s.campaign.pk])).status_code == 302
    assert client.get(f"/api/evaluation/campaigns/{s.campaign.pk}/results.xlsx").status_code == 400
    close(s)
    client.force_login(cast.liaison)
    assert client.get(reverse("evaluation:results_xlsx", args=[s.campaign.pk])).status_code == 403
    client.force_login(cast.worker_b)
    assert client.get(reverse("evaluation:results_xlsx", args=[s.campaign.pk])).status_code == 404


def test_the_word_report_opens_and_holds_the_ranking(client, scene, cast) -> None:
    objection = actions.do_object(scene.unit, reason="项目完成情况未体现", acting_user=cast.liaison)
    actions.do_answer_objection(objection, upheld=True, answer="经核实调整为优秀", new_outcome=Grade.EXCELLENT,
                                acting_user=scene.organizer)
    client.force_login(scene.organizer)
    url = reverse("evaluation:results_docx", args=[scene.campaign.pk])
    assert client.get(url).status_code == 302  # not final yet
    end_notice(scene.campaign)
    actions.do_finalize_campaign(scene.campaign, acting_user=scene.organizer)
    response = client.get(url)
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert scene.campaign.title in text and "市委党建办" in text and "和平街道" in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert scene.unit.name in cells and "李明（和平物业服务有限公司）" in cells
    assert "街道党工委" in cells and "30" in cells
    assert "经核实调整为优秀" in cells and "合格 → 优秀" in cells
    api = client.get(f"/api/evaluation/campaigns/{scene.campaign.pk}/report.docx")
    assert api.status_code == 200 and api.content[:2] == b"PK"
