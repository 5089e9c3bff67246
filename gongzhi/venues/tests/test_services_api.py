"""The services API (/api/venues/…): services, sessions, places (take, cancel, check in, rate), attendance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.test import make_alliance
from gongzhi.venues.models import ServiceSession

from .test_services_actions import scene

pytestmark = pytest.mark.django_db


def test_the_resident_s_way_through_the_api(client: Any, cast: Any) -> None:
    scene_c = make_alliance(cast)
    s = scene(cast)
    client.force_login(scene_c.resident_c_user)
    listed = client.get("/api/venues/services").json()
    assert [row["title"] for row in listed] == ["健康小屋免费体检"] and listed[0]["can_take_place"]
    sessions = client.get(f"/api/venues/services/{s.service_a.pk}/sessions").json()
    assert sessions[0]["places_left"] == 20
    taken = client.post(f"/api/venues/service-sessions/{s.session_a.pk}/places", content_type="application/json")
    assert taken.status_code == 200, taken.content
    place = taken.json()
    assert place["community"] == "新塘社区" and place["status"] == "booked"
    again = client.post(f"/api/venues/service-sessions/{s.session_a.pk}/places", content_type="application/json")
    assert again.status_code == 400 and "已预约" in again.json()["detail"]
    assert client.get(f"/api/venues/service-sessions/{s.session_a.pk}").json()["my_place_id"] == place["id"]
    assert [p["id"] for p in client.get("/api/venues/service-places").json()] == [place["id"]]
    assert client.get(f"/api/venues/services/{s.service_b.pk}").status_code == 404
    assert client.get(f"/api/venues/services/{s.service_a.pk}/attendance").status_code == 403
    assert client.post(f"/api/venues/service-places/{place['id']}/check-in").status_code == 403

    ServiceSession.objects.filter(pk=s.session_a.pk).update(starts_at=timezone.now() - timedelta(minutes=5),
                                                            ends_at=timezone.now() + timedelta(hours=1))
    client.force_login(cast.worker_a)
    roster = client.get(f"/api/venues/service-sessions/{s.session_a.pk}/places").json()
    assert [p["name"] for p in roster] == ["陈美华"]
    checked = client.post(f"/api/venues/service-places/{place['id']}/check-in")
    assert checked.status_code == 200 and checked.json()["status"] == "attended"
    assert client.post(f"/api/venues/service-places/{place['id']}/check-in").status_code == 409

    client.force_login(scene_c.resident_c_user)
    bad = client.post(f"/api/venues/service-places/{place['id']}/rate", {"score": 9},
                      content_type="application/json")
    assert bad.status_code == 422
    rated = client.post(f"/api/venues/service-places/{place['id']}/rate", {"score": 5, "comment": "方便"},
                        content_type="application/json")
    assert rated.status_code == 200 and rated.json()["rating"] == 5
    assert client.post(f"/api/venues/service-places/{place['id']}/rate", {"score": 4},
                       content_type="application/json").status_code == 409

    client.force_login(cast.worker_a)
    figures = client.get(f"/api/venues/services/{s.service_a.pk}/attendance").json()
    assert figures["attended"] == 1 and figures["other_communities"] == 1 and figures["average_rating"] == 5.0
    assert figures["sessions"][0]["attended"] == 1
    assert client.get(f"/api/venues/services/{s.service_a.pk}").json()["average_rating"] == 5.0


def test_the_provider_s_way_through_the_api(client: Any, cast: Any) -> None:
    s = scene(cast)
    client.force_login(cast.worker_a)
    made = client.post("/api/venues/services", {
        "venue_id": s.venue_a.pk, "title": "社区长者食堂", "kind": "dining", "who_may_use": "community",
        "provider_community_id": cast.community_a.pk}, content_type="application/json")
    assert made.status_code == 200, made.content
    pk = made.json()["id"]
    assert made.json()["runs"] is True
    assert client.post("/api/venues/services", {"venue_id": s.venue_a.pk, "title": "x", "kind": "dining"},
                       content_type="application/json").status_code == 400
    assert client.patch(f"/api/venues/services/{pk}", {"title": "长者食堂（午餐）"},
                        content_type="application/json").json()["title"] == "长者食堂（午餐）"
    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    session = client.post(f"/api/venues/services/{pk}/sessions", {
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(), "capacity": 30},
        content_type="application/json")
    assert session.status_code == 200 and session.json()["places_left"] == 30
    past = client.post(f"/api/venues/services/{pk}/sessions", {
        "starts_at": (start - timedelta(days=5)).isoformat(), "ends_at": (start - timedelta(days=4, hours=23))
        .isoformat()}, content_type="application/json")
    assert past.status_code == 400 and "将来" in past.json()["detail"]
    cancelled = client.post(f"/api/venues/service-sessions/{session.json()['id']}/cancel", {"reason": "停水"},
                            content_type="application/json")
    assert cancelled.status_code == 200 and cancelled.json()["cancelled_at"]
    off = client.post(f"/api/venues/services/{pk}/active", {"active": False}, content_type="application/json")
    assert off.status_code == 200 and off.json()["active"] is False
    assert client.post(f"/api/venues/services/{pk}/active", {"active": False},
                       content_type="application/json").status_code == 409
    assert pk not in [r["id"] for r in client.get("/api/venues/services").json()]
    assert pk in [r["id"] for r in client.get("/api/venues/services?mine=true").json()]
    client.force_login(cast.worker_b)
    assert client.get(f"/api/venues/services/{pk}").status_code == 404
    client.force_login(cast.resident_user)
    assert client.patch(f"/api/venues/services/{s.service_a.pk}", {"title": "x"},
                        content_type="application/json").status_code == 403
    assert AuditEvent.objects.filter(verb="venues.service.deactivate", object_id=str(pk)).exists()


def test_the_hub_card_and_the_provider_s_task(client: Any, cast: Any) -> None:
    from gongzhi.venues.reg_services import session_tasks

    s = scene(cast)
    actions_today = timezone.now() + timedelta(minutes=30)
    ServiceSession.objects.filter(pk=s.session_a.pk).update(starts_at=actions_today,
                                                            ends_at=actions_today + timedelta(minutes=30))
    if timezone.localtime(actions_today).date() != timezone.localdate():
        return  # near midnight the session falls on tomorrow
    assert [(t.key, t.count) for t in session_tasks(cast.worker_a)] == [("venues.sessions_today", 1)]
    assert session_tasks(cast.resident_user) == [] and session_tasks(cast.worker_b) == []
    client.force_login(cast.worker_a)
    page = client.get("/venues/")
    assert page.status_code == 200 and "共享服务" in page.content.decode()
    client.force_login(cast.resident_user)
    assert "找服务" in client.get("/venues/").content.decode()
