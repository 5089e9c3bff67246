"""The activities over /api/service/: create (only where one organises), list with seats and my status, sign up
(waitlisted when full) and cancel (the waitlist promoted), confirm and correct hours, a series and its next one,
the attendance record; 400 with a Chinese message, 403, 404. The hub card and the home task function."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.service.hub import cards_for
from gongzhi.service.models import SignUp
from gongzhi.service.reg_activities import activity_tasks
from gongzhi.test import Cast

from .activities_scene import activity, served

pytestmark = pytest.mark.django_db


def post(client, url: str, data: dict | None = None):  # type: ignore[no-untyped-def]
    return client.post(url, data or {}, content_type="application/json")


def test_create_and_list_over_the_api(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    starts = timezone.now() + timedelta(days=2)
    body = {"community_id": cast.community_a.pk, "title": "敬老院探访", "kind": "elderly_visit", "place": "和平敬老院",
            "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat(), "capacity": 1,
            "skills": "理发"}
    client.force_login(cast.party_member_user)
    assert post(client, "/api/service/activities", body).status_code == 404
    client.force_login(cast.worker_a)
    created = post(client, "/api/service/activities", body)
    assert created.status_code == 201 and created.json()["skills"] == "理发"
    bad = post(client, "/api/service/activities", {**body, "ends_at": starts.isoformat()})
    assert bad.status_code == 400 and "结束" in str(bad.json())
    activity_id = created.json()["id"]
    client.force_login(cast.party_member_user)
    assert post(client, f"/api/service/activities/{activity_id}/signups").json()["status"] == "confirmed"
    client.force_login(cast.volunteer)
    waiting = post(client, f"/api/service/activities/{activity_id}/signups").json()
    assert (waiting["status"], waiting["position"]) == ("waitlisted", 1)
    row = client.get("/api/service/activities?upcoming=true").json()[0]
    assert (row["signed_up"], row["waiting"], row["my_status"]) == (1, 1, "waitlisted")
    assert client.get("/api/service/activities?mine=true").json()[0]["id"] == activity_id
    client.force_login(cast.party_member_user)
    mine = client.get(f"/api/service/activities/{activity_id}").json()["my_signup_id"]
    assert post(client, f"/api/service/activities/signups/{mine}/cancel").status_code == 200
    assert SignUp.objects.get(pk=waiting["id"]).status == SignUp.Status.CONFIRMED
    assert client.get(f"/api/service/activities/{activity_id}/signups").status_code == 403
    client.force_login(cast.worker_b)
    assert post(client, f"/api/service/activities/signups/{mine}/cancel").status_code == 404


def test_hours_over_the_api(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    a, signup = served(cast, minutes_in=60)
    client.force_login(cast.party_member_user)
    assert post(client, f"/api/service/activities/{a.pk}/hours").status_code == 403
    client.force_login(cast.worker_a)
    done = post(client, f"/api/service/activities/{a.pk}/hours", {"signup_ids": [signup.pk]})
    assert done.status_code == 200 and done.json()[0]["hours"] == "1.00"
    again = post(client, f"/api/service/activities/{a.pk}/hours")
    assert again.status_code == 400
    fixed = post(client, f"/api/service/activities/signups/{signup.pk}/hours", {"minutes": 30, "reason": "核实"})
    assert fixed.status_code == 200 and fixed.json()["hours"] == "0.50"
    assert client.get(f"/api/service/activities/{a.pk}").json()["status"] == "closed"
    client.force_login(cast.party_member_user)
    record = client.get("/api/service/activities/attendance").json()
    assert record["hours"] == 0.5 and record["attended"] == 1
    assert post(client, f"/api/service/activities/signups/{signup.pk}/hours",
                {"minutes": 60, "reason": "x"}).status_code == 403


def test_series_over_the_api(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    first = timezone.now() + timedelta(days=3)
    created = post(client, "/api/service/activity-series", {
        "community_id": cast.community_a.pk, "title": "主题党日", "place": "党群服务中心",
        "first_starts_at": first.isoformat()})
    assert created.status_code == 201 and created.json()["next_number"] == 2
    series_id = created.json()["id"]
    nxt = post(client, f"/api/service/activity-series/{series_id}/next")
    assert nxt.status_code == 201 and nxt.json()["series_id"] == series_id
    client.force_login(cast.worker_b)
    assert post(client, f"/api/service/activity-series/{series_id}/next").status_code == 404


def test_the_hub_card_and_the_task(cast: Cast) -> None:
    soon = activity(cast, days=2)
    from gongzhi.service.actions import activities as actions

    actions.do_sign_up(soon, acting_user=cast.party_member_user)
    card = next(c for c in cards_for(cast.party_member_user) if c.key == "activities")
    assert any(soon.title in str(value) for _label, value in card.lines)
    staff = next(c for c in cards_for(cast.worker_a) if c.key == "activities")
    assert any(soon.title in str(value) for _label, value in staff.lines)
    tasks = activity_tasks(cast.party_member_user)
    assert len(tasks) == 1 and tasks[0].count == 1 and str(soon.pk) in tasks[0].url
    assert [t.count for t in activity_tasks(cast.volunteer)] == [0]
    assert activity_tasks(cast.worker_a) == []
