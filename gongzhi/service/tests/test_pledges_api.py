"""Pledges over the API (/api/service/pledges…): the member's own (create, update while open), the community's
list by year and status, the assessment (evidence required unless kept)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gongzhi.service.models import Pledge
from gongzhi.test import Cast

from .test_stars_scene import pledge

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
JSON = "application/json"


def test_a_member_pledges_and_the_community_assesses(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.party_member_user)
    response = client.post("/api/service/pledges", {"community_id": cast.community_a.pk, "text": "每月走访老人"},
                           content_type=JSON)
    assert response.status_code == 201 and response.json()["year"] == YEAR
    pledge_id = response.json()["id"]
    response = client.patch(f"/api/service/pledges/{pledge_id}", {"text": "每月走访老人两次"}, content_type=JSON)
    assert response.status_code == 200
    assert [p["text"] for p in client.get("/api/service/pledges?mine=true").json()] == ["每月走访老人两次"]
    assert client.post(f"/api/service/pledges/{pledge_id}/assess", {"status": "kept"},
                       content_type=JSON).status_code == 403
    client.force_login(cast.worker_a)
    listed = client.get(f"/api/service/pledges?year={YEAR}&status=open&community_id={cast.community_a.pk}").json()
    assert [p["id"] for p in listed] == [pledge_id]
    response = client.post(f"/api/service/pledges/{pledge_id}/assess", {"status": "partly"}, content_type=JSON)
    assert response.status_code == 400 and "佐证" in response.json()["detail"]
    response = client.post(f"/api/service/pledges/{pledge_id}/assess", {"status": "partly", "evidence": "做到一半"},
                           content_type=JSON)
    assert response.status_code == 200 and response.json()["status"] == "partly"
    client.force_login(cast.party_member_user)
    assert client.patch(f"/api/service/pledges/{pledge_id}", {"text": "改"}, content_type=JSON).status_code == 400


def test_out_of_scope_and_forbidden(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    p = pledge(cast)
    client.force_login(cast.worker_b)
    assert client.get("/api/service/pledges").json() == []
    assert client.post(f"/api/service/pledges/{p.pk}/assess", {"status": "kept"},
                       content_type=JSON).status_code == 404
    client.force_login(cast.worker_a)
    assert client.post("/api/service/pledges", {"community_id": cast.community_a.pk, "text": "x"},
                       content_type=JSON).status_code == 403
    client.force_login(cast.party_member_user)
    assert client.post("/api/service/pledges", {"community_id": cast.community_b.pk, "text": "x"},
                       content_type=JSON).status_code == 404
    assert client.post(f"/api/service/pledges/{p.pk}/assess", {"status": "maybe"},
                       content_type=JSON).status_code in (400, 422)
    assert Pledge.objects.count() == 1 and Pledge.objects.get().status == Pledge.Status.OPEN
