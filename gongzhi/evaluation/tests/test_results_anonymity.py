"""Anonymity of the ratings: a ratee's page and API show per-group aggregates only, never who rated what; the
resident representatives' group only over at least three ratings (with two, no aggregate at all: not the mean, not
the distribution). The organizer sees the organizations' raters' grades but the residents' only as a whole."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from gongzhi.evaluation.models import Rating

from .results_scene import E, Q, U, close, make_scene, rate

pytestmark = pytest.mark.django_db


def _scene(cast, residents: int):  # type: ignore[no-untyped-def]
    scene = make_scene(cast, residents=residents)
    rate(scene.raters["subdistrict"], scene.unit, E)
    rate(scene.raters["community"], scene.unit, Q)
    for rep, grade in zip(scene.residents, (U, E, U), strict=False):
        rate(rep, scene.unit, grade)
    close(scene)
    return scene


def _names(scene) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.user.display_name for r in scene.residents] + [r.user.username for r in scene.residents]


def test_the_ratees_page_shows_no_individual_rating(client, cast) -> None:
    scene = _scene(cast, residents=3)
    client.force_login(cast.liaison)
    page = client.get(reverse("evaluation:result", args=[scene.unit.pk])).content.decode()
    assert 'data-testid="group-residents"' in page
    for name in [*_names(scene), cast.worker_a.display_name, cast.subdistrict_staff_a.display_name]:
        assert name not in page
    assert 'data-testid="individual"' not in page
    # The residents' aggregate is there: 3 ratings, mean 66.67, 1 优秀 and 2 不合格.
    assert "66.67" in page


def test_two_resident_ratings_show_no_aggregate(client, cast) -> None:
    scene = _scene(cast, residents=2)
    client.force_login(cast.liaison)
    page = client.get(reverse("evaluation:result", args=[scene.unit.pk])).content.decode()
    row = page.split('data-testid="group-residents"', 1)[1].split("</tr>", 1)[0]
    assert "不足3人，不计入" in row
    assert "75.00" not in row and "75" not in row.replace("data-testid", "")
    for label in ("优秀 1", "不合格 1"):
        assert label not in row
    # And the total does not betray it: subdistrict 100 × 30 + community 80 × 40 over 70.
    assert "88.57" in page


def test_the_api_applies_the_same_rule(client, cast) -> None:
    scene = _scene(cast, residents=2)
    client.force_login(cast.liaison)
    response = client.get(f"/api/evaluation/ratees/{scene.unit.pk}/result")
    assert response.status_code == 200, response.content
    data = response.json()
    residents = next(g for g in data["groups"] if g["kind"] == "residents")
    assert residents["status"] == "too_few" and residents["mean"] is None and residents["distribution"] == {}
    assert residents["individual"] == []
    assert all(g["individual"] == [] for g in data["groups"])
    text = json.dumps(data, ensure_ascii=False)
    for name in _names(scene):
        assert name not in text
    assert data["score"] == 88.57


def test_the_organizer_sees_the_organizations_raters_but_not_the_residents(client, cast) -> None:
    scene = _scene(cast, residents=3)
    client.force_login(scene.organizer)
    page = client.get(reverse("evaluation:result", args=[scene.unit.pk])).content.decode()
    assert cast.worker_a.display_name in page and 'data-testid="individual"' in page
    for name in _names(scene):
        assert name not in page
    data = client.get(f"/api/evaluation/ratees/{scene.unit.pk}/result").json()
    by = {g["kind"]: g for g in data["groups"]}
    assert [i["rater"] for i in by["community"]["individual"]] == [cast.worker_a.display_name]
    assert by["residents"]["individual"] == [] and by["residents"]["count"] == 3
    text = json.dumps(data, ensure_ascii=False)
    for name in _names(scene):
        assert name not in text


def test_the_campaign_results_hold_no_resident_names(client, cast) -> None:
    scene = _scene(cast, residents=3)
    client.force_login(scene.organizer)
    text = json.dumps(client.get(f"/api/evaluation/campaigns/{scene.campaign.pk}/results").json(),
                      ensure_ascii=False)
    for name in _names(scene):
        assert name not in text
    page = client.get(reverse("evaluation:results", args=[scene.campaign.pk])).content.decode()
    for name in _names(scene):
        assert name not in page
    assert Rating.objects.filter(ratee=scene.unit).count() == 5
