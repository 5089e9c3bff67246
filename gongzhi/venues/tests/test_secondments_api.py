"""The secondments API (/api/venues/secondments…): propose, agree (both sides), the role for the period, report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core.policy import covers
from gongzhi.test import make_alliance
from gongzhi.venues.actions import secondments as actions
from gongzhi.venues.permissions import COMMUNITY_WORKERS

from .test_secondments_actions import fresh, seconded_person

pytestmark = pytest.mark.django_db


def test_propose_agree_start_end_and_report_through_the_api(client: Any, cast: Any) -> None:
    scene_c = make_alliance(cast)
    person = seconded_person(cast)
    today = timezone.localdate()
    client.force_login(cast.worker_a)
    body = {"person_id": person.pk, "from_community_id": cast.community_a.pk,
            "to_community_id": scene_c.community_c.pk, "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(), "role_title": "社区党委副书记（挂职）",
            "work": "学习新塘的产业园就业服务"}
    made = client.post("/api/venues/secondments", body, content_type="application/json")
    assert made.status_code == 200, made.content
    row = made.json()
    assert row["status"] == "proposed" and row["my_side"] == "from" and not row["can_agree"]
    bad = client.post("/api/venues/secondments", {**body, "to_community_id": cast.community_b.pk},
                      content_type="application/json")
    assert bad.status_code == 400 and "联盟" in bad.json()["detail"]
    pk = row["id"]
    assert client.post(f"/api/venues/secondments/{pk}/agree").status_code == 409

    client.force_login(cast.worker_b)
    assert client.get(f"/api/venues/secondments/{pk}").status_code == 404
    client.force_login(scene_c.worker_c)
    assert [r["id"] for r in client.get("/api/venues/secondments?status=proposed").json()] == [pk]
    agreed = client.post(f"/api/venues/secondments/{pk}/agree")
    assert agreed.status_code == 200 and agreed.json()["status"] == "active"  # agreed on the first day
    assert agreed.json()["has_host_role"] is True
    assert covers(fresh(person), scene_c.community_c, COMMUNITY_WORKERS)

    client.force_login(person)
    assert client.get(f"/api/venues/secondments/{pk}").json()["can_report"] is True
    actions.do_run_secondments(today=today + timedelta(days=31))
    assert not covers(fresh(person), scene_c.community_c, COMMUNITY_WORKERS)
    empty = client.post(f"/api/venues/secondments/{pk}/report", {"learned": "", "brought": "x"},
                        content_type="application/json")
    assert empty.status_code == 400
    filed = client.post(f"/api/venues/secondments/{pk}/report", {"learned": "议事会", "brought": "岗位推送"},
                        content_type="application/json")
    assert filed.status_code == 200 and filed.json()["report_filed_at"] and filed.json()["status"] == "ended"
    assert client.post(f"/api/venues/secondments/{pk}/report", {"learned": "a", "brought": "b"},
                       content_type="application/json").status_code == 409
    assert client.post(f"/api/venues/secondments/{pk}/cancel", {"reason": "x"},
                       content_type="application/json").status_code == 409


def test_cancel_through_the_api(client: Any, cast: Any) -> None:
    scene_c = make_alliance(cast)
    person = seconded_person(cast)
    s = actions.do_propose_secondment(acting_user=scene_c.worker_c, person=person, from_community=cast.community_a,
                                      to_community=scene_c.community_c,
                                      starts_on=timezone.localdate() + timedelta(days=5),
                                      ends_on=timezone.localdate() + timedelta(days=9), role_title="挂职")
    client.force_login(cast.resident_user)
    assert client.post(f"/api/venues/secondments/{s.pk}/cancel", {"reason": "x"},
                       content_type="application/json").status_code == 404
    client.force_login(cast.worker_a)
    done = client.post(f"/api/venues/secondments/{s.pk}/cancel", {"reason": "人手紧张"},
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
