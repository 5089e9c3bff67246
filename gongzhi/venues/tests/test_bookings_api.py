"""The bookings API (/api/venues/): the calendar (free and taken, never who), booking once and repeatedly (both
choices), my bookings, approvals, approve / refuse / cancel / check-in, with Chinese errors (400 a rule, 409 a
taken slot or conflicting dates, 403, 404, 422)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from gongzhi.test import make_alliance
from gongzhi.venues.models import Booking, Room

from .test_bookings_rules import make_room, next_weekday

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _post(c: Client, url: str, body: dict[str, Any]) -> Any:
    return c.post(url, json.dumps(body, default=str), content_type="application/json")


def test_the_api_books_decides_and_checks_in(cast: Any) -> None:
    scene = make_alliance(cast)
    room = make_room(cast, who_may_book=Room.WhoMayBook.ALLIANCE, approver=Room.Approver.VENUE, capacity=10)
    start = next_weekday()
    resident = _client(scene.resident_c_user)
    base = f"/api/venues/rooms/{room.pk}"
    r = _post(resident, f"{base}/bookings", {"starts_at": start.isoformat(),
                                             "ends_at": (start + timedelta(hours=1)).isoformat(),
                                             "purpose": "跨省合唱排练", "attendees": 8})
    assert r.status_code == 201, r.content
    booking = r.json()
    assert booking["status"] == "pending" and booking["booker_community_name"] == "新塘社区"
    # the same slot: 409 with the clear refusal; too many people: 400 naming the capacity
    again = _post(_client(cast.resident_user), f"{base}/bookings", {
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(), "purpose": "楼组会"})
    assert again.status_code == 409 and again.json()["detail"] == "该时段已被预约，请选择其他时间。"
    big = _post(_client(cast.resident_user), f"{base}/bookings", {
        "starts_at": (start + timedelta(hours=3)).isoformat(), "ends_at": (start + timedelta(hours=4)).isoformat(),
        "purpose": "楼组会", "attendees": 11})
    assert big.status_code == 400 and big.json() == {"detail": "该活动室最多容纳 10 人。", "field": "attendees"}
    bad = _post(resident, f"{base}/bookings", {"starts_at": "明天", "ends_at": "x", "purpose": "x"})
    assert bad.status_code == 422
    # community B is outside the alliance: the room does not exist for it
    assert _client(cast.worker_b).get(f"{base}/calendar").status_code == 404
    cal = resident.get(f"{base}/calendar?from_date={start.date().isoformat()}&days=1").json()
    taken = [s for s in cal["days"][0]["slots"] if s["state"] == "pending"]
    assert len(taken) == 2 and "陈美华" not in json.dumps(cal, ensure_ascii=False)
    # approvals: worker_a; the resident may not decide (403); worker_b does not see it (404)
    worker = _client(cast.worker_a)
    assert [b["id"] for b in worker.get("/api/venues/bookings/approvals").json()] == [booking["id"]]
    assert _post(resident, f"/api/venues/bookings/{booking['id']}/approve", {}).status_code == 403
    assert _post(_client(cast.worker_b), f"/api/venues/bookings/{booking['id']}/approve", {}).status_code == 404
    ok = _post(worker, f"/api/venues/bookings/{booking['id']}/approve", {})
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    # check-in by staff; the booker's list
    checked = _post(worker, f"/api/venues/bookings/{booking['id']}/check-in", {})
    assert checked.status_code == 200 and checked.json()["checked_in_at"]
    assert [b["id"] for b in resident.get("/api/venues/bookings").json()] == [booking["id"]]


def test_the_api_refuses_and_cancels(cast: Any) -> None:
    room = make_room(cast, approver=Room.Approver.VENUE)
    start = next_weekday()
    resident, worker = _client(cast.resident_user), _client(cast.worker_a)
    base = f"/api/venues/rooms/{room.pk}"
    first = _post(resident, f"{base}/bookings", {"starts_at": start.isoformat(),
                                                 "ends_at": (start + timedelta(hours=1)).isoformat(),
                                                 "purpose": "书法班"}).json()
    empty = _post(worker, f"/api/venues/bookings/{first['id']}/refuse", {"reason": " "})
    assert empty.status_code == 400 and empty.json()["detail"] == "请填写不予通过的理由。"
    refused = _post(worker, f"/api/venues/bookings/{first['id']}/refuse", {"reason": "与社区会议冲突"})
    assert refused.json()["status"] == "refused" and refused.json()["reason"] == "与社区会议冲突"
    second = _post(resident, f"{base}/bookings", {"starts_at": start.isoformat(),
                                                  "ends_at": (start + timedelta(hours=1)).isoformat(),
                                                  "purpose": "书法班"}).json()
    done = _post(resident, f"/api/venues/bookings/{second['id']}/cancel", {})
    assert done.status_code == 200 and [b["status"] for b in done.json()] == ["cancelled"]
    assert _post(resident, f"/api/venues/bookings/{second['id']}/cancel", {}).status_code == 400


def test_the_api_books_a_series_with_either_choice(cast: Any) -> None:
    room = make_room(cast, max_days_ahead=60)
    start = next_weekday(days=2)
    worker = _client(cast.worker_a)
    base = f"/api/venues/rooms/{room.pk}"
    _post(worker, f"{base}/bookings", {"starts_at": (start + timedelta(weeks=1)).isoformat(),
                                       "ends_at": (start + timedelta(weeks=1, hours=1)).isoformat(),
                                       "purpose": "党员活动日"})
    body = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(),
            "purpose": "书法班", "frequency": "weekly", "until": (start + timedelta(weeks=2)).date().isoformat()}
    resident = _client(cast.resident_user)
    refused = _post(resident, f"{base}/booking-series", {**body, "skip_taken": False})
    assert refused.status_code == 409
    assert [c["reason"] for c in refused.json()["conflicts"]] == ["该时段已被预约，请选择其他时间。"]
    assert not Booking.objects.filter(booked_by=cast.resident_user).exists()
    made = _post(resident, f"{base}/booking-series", {**body, "skip_taken": True})
    assert made.status_code == 201 and len(made.json()["booked"]) == 2 and len(made.json()["skipped"]) == 1
    assert _post(resident, f"{base}/booking-series", {**body, "frequency": "daily"}).status_code == 422
