# mypy: disable-error-code="union-attr,dict-item,arg-type"
"""Every view of a dispute is audited: one "disputes.view" event per page view and per API detail view, whoever
looks (record-only viewers too), with no personal data in it; lists are not views of a dispute, and a 404 writes
nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gongzhi.core.models import AuditEvent

from .test_cases_scene import ID_A, PHONE_A, RESPONDENT_A, STAKES_A, TITLE_A, Scene, scene_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _views(scene: Scene) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb="disputes.view", object_id=str(scene.dispute_a.pk)).order_by("id"))


def test_each_view_writes_one_event_without_personal_data(client: Any, scene: Scene) -> None:
    d = scene.dispute_a
    client.force_login(scene.cast.party_member_user)
    assert client.get(f"/disputes/cases/{d.pk}/").status_code == 200
    assert len(_views(scene)) == 1
    assert client.get(f"/disputes/cases/{d.pk}/").status_code == 200
    assert client.get(f"/api/disputes/cases/{d.pk}").status_code == 200
    client.force_login(scene.cast.city_admin)  # sees the record only: audited alike
    assert client.get(f"/disputes/cases/{d.pk}/").status_code == 200
    client.get("/disputes/cases/")
    client.get("/api/disputes/cases")
    events = _views(scene)
    assert [(e.actor.username, e.after) for e in events] == [
        ("party_member_user", {"via": "page", "content": True}),
        ("party_member_user", {"via": "page", "content": True}),
        ("party_member_user", {"via": "api", "content": True}),
        ("city_admin", {"via": "page", "content": False}),
    ]
    assert all(e.object_repr == d.reference and e.area == scene.cast.community_a for e in events)
    stored = json.dumps([[e.object_repr, e.before, e.after] for e in events], ensure_ascii=False)
    for secret in (TITLE_A, STAKES_A, "张桂兰", RESPONDENT_A, PHONE_A, ID_A):
        assert secret not in stored


def test_no_event_carries_personal_data(client: Any, scene: Scene) -> None:
    """The whole trail of a dispute (recorded, assigned, viewed) names no party and holds no particulars."""
    client.force_login(scene.cast.worker_a)
    client.get(f"/disputes/cases/{scene.dispute_a.pk}/")
    events = AuditEvent.objects.filter(verb__startswith="disputes.")
    assert {e.verb for e in events} >= {"disputes.record", "disputes.assign", "disputes.view"}
    stored = json.dumps([[e.object_repr, e.before, e.after] for e in events], ensure_ascii=False)
    for secret in (TITLE_A, STAKES_A, "张桂兰", RESPONDENT_A, PHONE_A, ID_A):
        assert secret not in stored


def test_a_404_writes_no_event(client: Any, scene: Scene) -> None:
    client.force_login(scene.cast.worker_b)
    assert client.get(f"/disputes/cases/{scene.dispute_a.pk}/").status_code == 404
    assert client.get(f"/api/disputes/cases/{scene.dispute_a.pk}").status_code == 404
    assert _views(scene) == []
