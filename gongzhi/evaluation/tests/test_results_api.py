"""The results part's API: the campaign's results (organizer), close (409 twice), objections (create: 400 without a
reason, 409 with one waiting, 403 from another side; list; answer), finalize (400 during the notice), 404 out of
scope."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from gongzhi.core.models import AuditEvent
from gongzhi.evaluation.models import Campaign, Objection

from .results_scene import end_notice, make_scene, rate_all, refreshed

pytestmark = pytest.mark.django_db


def _client(user):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_the_whole_round_through_the_api(cast) -> None:
    scene = make_scene(cast)
    rate_all(scene)
    organizer, liaison = _client(scene.organizer), _client(cast.liaison)
    base = f"/api/evaluation/campaigns/{scene.campaign.pk}"
    assert _post(liaison, f"{base}/close").status_code == 404  # not its campaign while rating
    assert _post(_client(cast.worker_a), f"{base}/close").status_code == 403  # a rater, not the organizer
    closed = _post(organizer, f"{base}/close")
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "notice"
    assert _post(organizer, f"{base}/close").status_code == 409
    results = organizer.get(f"{base}/results").json()
    assert [r["rank"] for r in results["ratees"] if r["kind"] == "unit"] == [1, 2]
    assert liaison.get(f"{base}/results").status_code == 403

    mine = f"/api/evaluation/ratees/{scene.unit.pk}"
    assert _post(liaison, f"{mine}/objections", {"reason": " "}).status_code == 400
    created = _post(liaison, f"{mine}/objections", {"reason": "项目完成情况未体现"})
    assert created.status_code == 201, created.content
    assert _post(liaison, f"{mine}/objections", {"reason": "再提"}).status_code == 409
    assert _post(_client(cast.worker_a), f"{mine}/objections", {"reason": "x"}).status_code == 404
    assert _post(organizer, f"{mine}/objections", {"reason": "x"}).status_code == 403
    assert [o["status"] for o in liaison.get(f"{mine}/objections").json()] == ["open"]
    listed = organizer.get(f"{base}/objections").json()
    assert [o["id"] for o in listed] == [created.json()["id"]]

    answer = f"/api/evaluation/objections/{created.json()['id']}/answer"
    assert _post(liaison, answer, {"upheld": False, "answer": "x"}).status_code == 403
    assert _post(organizer, answer, {"upheld": True, "answer": ""}).status_code == 400
    answered = _post(organizer, answer, {"upheld": True, "answer": "经核实调整", "new_outcome": "excellent"})
    assert answered.status_code == 200, answered.content
    assert answered.json()["outcome_after"] == "excellent"
    assert _post(organizer, answer, {"upheld": False, "answer": "再答"}).status_code == 409
    assert refreshed(scene.unit).outcome == "excellent"
    result = liaison.get(f"{mine}/result").json()
    assert result["outcome"] == "excellent" and result["adjustments"][0]["reason"] == "经核实调整"

    refused = _post(organizer, f"{base}/finalize")
    assert refused.status_code == 400 and "公示" in refused.json()["detail"]
    end_notice(scene.campaign)
    final = _post(organizer, f"{base}/finalize")
    assert final.status_code == 200 and final.json()["status"] == "final"
    assert _post(organizer, f"{base}/finalize").status_code == 409
    assert Campaign.objects.get(pk=scene.campaign.pk).status == Campaign.Status.FINAL
    assert AuditEvent.objects.filter(verb__startswith="evaluation.").values_list("verb", flat=True).count() == 4
    assert Objection.objects.count() == 1


def test_another_subdistricts_campaign_is_404(cast) -> None:
    scene = make_scene(cast)
    organizer = _client(scene.organizer)
    assert scene.campaign_b is not None and scene.unit_b is not None
    assert organizer.get(f"/api/evaluation/campaigns/{scene.campaign_b.pk}/results").status_code == 404
    assert _post(organizer, f"/api/evaluation/campaigns/{scene.campaign_b.pk}/close").status_code == 404
    assert organizer.get(f"/api/evaluation/ratees/{scene.unit_b.pk}/result").status_code == 404
    # During the rating the liaison does not see its result yet.
    assert _client(cast.liaison).get(f"/api/evaluation/ratees/{scene.unit.pk}/result").status_code == 404
