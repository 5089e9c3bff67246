"""The evidence API (/api/evaluation/ratees/{id}/evidence): the raters and the organizer read what the record shows
while rating; the rated side only from the public notice on; another subdistrict's ratee is 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from .results_scene import close, make_scene

pytestmark = pytest.mark.django_db


def _get(user: Any, url: str) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(url)


def test_it_gives_the_raters_and_the_organizer_the_evidence(cast: Any) -> None:
    scene = make_scene(cast)
    url = f"/api/evaluation/ratees/{scene.unit.pk}/evidence"
    for user in (scene.organizer, cast.worker_a, scene.residents[0].user):
        response = _get(user, url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["name"] == cast.member_unit.name
        assert body["period_start"] == f"{scene.campaign.period_start:%Y-%m-%d}"
        keys = [item["key"] for item in body["items"]]
        assert keys[:2] == ["projects", "resolutions"]
        assert all(item["label"] and item["value"] for item in body["items"])


def test_it_shows_the_rated_side_its_evidence_only_from_the_notice_on(cast: Any) -> None:
    scene = make_scene(cast)
    url = f"/api/evaluation/ratees/{scene.unit.pk}/evidence"
    assert _get(cast.liaison, url).status_code == 404  # while rating, the ratee is not theirs to see
    close(scene)
    assert _get(cast.liaison, url).status_code == 200


def test_it_answers_404_out_of_scope_and_to_who_rates_nothing(cast: Any) -> None:
    scene = make_scene(cast)
    assert scene.unit_b is not None
    assert _get(cast.worker_a, f"/api/evaluation/ratees/{scene.unit_b.pk}/evidence").status_code == 404
    assert _get(cast.worker_b, f"/api/evaluation/ratees/{scene.unit.pk}/evidence").status_code == 404
    assert _get(cast.volunteer, f"/api/evaluation/ratees/{scene.unit.pk}/evidence").status_code == 404
