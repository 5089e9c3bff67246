"""The rooms part's API (/api/venues/): venues, rooms, closures (with the bookings they hit), utilisation; errors
in Chinese (400), 403 not allowed, 404 out of scope."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core.models import AuditEvent, Notification
from gongzhi.test import Cast, make_alliance
from gongzhi.venues.models import Booking, RoomClosure

from .rooms_scene import RULES, at, book, room, station

pytestmark = pytest.mark.django_db
BASE = "/api/venues"
JSON = "application/json"


def test_a_worker_sets_up_a_venue_and_its_rooms(client: Any, cast: Cast) -> None:
    client.force_login(cast.worker_a)
    response = client.post(f"{BASE}/venues", {"name": "和平里社区党群服务站", "level": "station",
                                              "area_id": cast.community_a.pk, "address": "和平路1号"},
                           content_type=JSON)
    assert response.status_code == 201, response.content
    venue = response.json()
    assert venue["level_label"] == "党群服务站" and venue["manageable"] and venue["community_id"] == cast.community_a.pk
    rules = {k: v for k, v in RULES.items() if v is not None}
    response = client.post(f"{BASE}/venues/{venue['id']}/rooms", {**rules, "name": "会议室", "limit_count": 4},
                           content_type=JSON)
    assert response.status_code == 201, response.content
    r = response.json()
    assert r["limit_count"] == 4 and r["bookable"] and r["rules"][0]["label"] == "可预约对象"
    assert any(rule["text"] == "每月每人最多4次" for rule in r["rules"])
    response = client.patch(f"{BASE}/rooms/{r['id']}", {"approver": "none", "limit_count": 0}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["approver"] == "none" and response.json()["limit_count"] is None
    response = client.patch(f"{BASE}/rooms/{r['id']}", {"min_minutes": 200, "max_minutes": 100}, content_type=JSON)
    assert response.status_code == 400 and response.json()["detail"] == "最长预约不能短于最短预约。"
    response = client.patch(f"{BASE}/venues/{venue['id']}", {"name": "和平里党群服务站"}, content_type=JSON)
    assert response.json()["name"] == "和平里党群服务站"
    assert [v["name"] for v in client.get(f"{BASE}/venues?level=station").json()] == ["和平里党群服务站"]
    assert client.get(f"{BASE}/venues?level=point").json() == []
    assert [x["name"] for x in client.get(f"{BASE}/venues/{venue['id']}/rooms").json()] == ["会议室"]
    response = client.patch(f"{BASE}/venues/{venue['id']}", {"active": False}, content_type=JSON)
    assert response.json()["active"] is False
    assert AuditEvent.objects.filter(verb__startswith="venues.").count() == 5  # the refused update wrote none


def test_the_venue_apis_refusals(client: Any, cast: Cast) -> None:
    client.force_login(cast.worker_a)
    response = client.post(f"{BASE}/venues", {"name": "站", "level": "centre", "area_id": cast.community_a.pk},
                           content_type=JSON)
    assert response.status_code == 400
    assert response.json()["detail"] == "党群服务中心服务街道（镇），请选择一个街道（镇）。"
    response = client.post(f"{BASE}/venues", {"name": "站", "level": "station", "area_id": cast.community_b.pk},
                           content_type=JSON)
    assert response.status_code == 403
    venue_b = station(cast.community_b)
    assert client.get(f"{BASE}/venues/{venue_b.pk}").status_code == 404
    assert client.patch(f"{BASE}/venues/{venue_b.pk}", {"name": "x"}, content_type=JSON).status_code == 404
    venue_a = station(cast.community_a)
    room_a = room(venue_a)
    client.force_login(cast.resident_user)
    assert client.get(f"{BASE}/venues/{venue_a.pk}").json()["manageable"] is False
    response = client.patch(f"{BASE}/rooms/{room_a.pk}", {"capacity": 5}, content_type=JSON)
    assert response.status_code == 403 and "管理者" in response.json()["detail"]
    assert client.post(f"{BASE}/venues/{venue_a.pk}/rooms", {"name": "x"}, content_type=JSON).status_code == 403


def test_closures_through_the_api(client: Any, cast: Cast) -> None:
    r = room(station(cast.community_a))
    day = timezone.localdate() + timedelta(days=5)
    b = book(r, at(day, 9), 2, user=cast.resident_user, community=cast.community_a)
    walk_in = book(r, at(day, 14), 1, contact="陈阿姨", phone_masked="136****6000", community=cast.community_a)
    client.force_login(cast.worker_a)
    hits = client.get(f"{BASE}/rooms/{r.pk}/closure-hits?starts_on={day}&ends_on={day}").json()
    assert [h["id"] for h in hits] == [b.pk, walk_in.pk]
    assert hits[1]["booker"] == "陈阿姨 136****6000" and hits[1]["has_account"] is False
    response = client.post(f"{BASE}/rooms/{r.pk}/closures", {"starts_on": str(day), "ends_on": str(day),
                                                             "reason": "设备检修", "cancel_hits": True},
                           content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert [h["id"] for h in body["cancelled"]] == [b.pk, walk_in.pk] and [h["id"] for h in body["to_phone"]] == [
        walk_in.pk]
    assert Booking.objects.get(pk=b.pk).status == "cancelled"
    assert Notification.objects.filter(user=cast.resident_user).exists()
    assert [c["reason"] for c in client.get(f"{BASE}/rooms/{r.pk}/closures").json()] == ["设备检修"]
    response = client.post(f"{BASE}/rooms/{r.pk}/closures", {"starts_on": str(day), "ends_on": str(day),
                                                             "reason": "再次", "cancel_hits": False},
                           content_type=JSON)
    assert response.status_code == 400 and "已在" in response.json()["detail"]
    client.force_login(cast.worker_b)
    assert client.get(f"{BASE}/rooms/{r.pk}/closures").status_code == 404
    closure = RoomClosure.objects.get()
    assert client.delete(f"{BASE}/closures/{closure.pk}").status_code == 404
    client.force_login(cast.resident_user)
    assert client.delete(f"{BASE}/closures/{closure.pk}").status_code == 403
    client.force_login(cast.worker_a)
    assert client.delete(f"{BASE}/closures/{closure.pk}").status_code == 204
    assert not RoomClosure.objects.exists()


def test_utilisation_through_the_api(client: Any, cast: Cast) -> None:
    alliance = make_alliance(cast)
    venue = station(cast.community_a)
    r = room(venue)
    mon = date(2026, 11, 2)
    book(r, at(mon, 9), 3, community=cast.community_a)
    book(r, at(mon, 13), 1, community=alliance.community_c)
    client.force_login(cast.worker_a)
    body = client.get(f"{BASE}/utilisation?period=custom&from=2026-11-02&to=2026-11-08").json()
    assert body["first"] == "2026-11-02" and body["last"] == "2026-11-08"
    total = body["total"]
    assert (total["open_hours"], total["booked_hours"], total["rate"]) == (50, 4, 8.0)
    assert (total["other_share"], total["alliance_share"]) == (25.0, 25.0)
    assert body["sentence"] == "其中 25% 服务其他社区，其中联盟社区 25%。"
    assert body["venues"][0]["rooms"][0]["room_name"] == "会议室"
    month = client.get(f"{BASE}/utilisation?period=month&month=2026-11&venue_id={venue.pk}").json()
    assert month["first"] == "2026-11-01" and month["last"] == "2026-11-30"
    assert client.get(f"{BASE}/utilisation?period=month&month=2026-13").status_code in (400, 422)
    assert client.get(f"{BASE}/utilisation?venue_id=999999").status_code == 404
    client.force_login(cast.resident_user)
    response = client.get(f"{BASE}/utilisation")
    assert response.status_code == 403 and "管理者" in response.json()["detail"]
