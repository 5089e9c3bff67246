"""Campaigns and rating over the API (/api/evaluation/…): create, get, update a draft, refresh, raters (suggested,
one, removal), open, ratees for the user, my tasks, put my rating (a change replaces it); 400 with the Chinese
message on bad input (nothing changed), 403 not allowed, 404 out of scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.evaluation.models import Campaign, Rater, Rating
from gongzhi.test import Cast

from .test_campaigns_scene import YEAR, open_a, open_b, part_time_member, unit_ratee

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _payload(cast: Cast, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "area_id": cast.subdistrict_a.pk, "title": f"{YEAR}年度和平街道双向评议", "period": "annual",
        "deadline": (timezone.now() + timedelta(days=10)).isoformat(), "uses_scores": True,
        "criteria": [{"name": "履职尽责", "max_score": 50}, {"name": "为民办实事", "max_score": 50}],
        "groups": {"subdistrict": 40, "community": 30, "residents": 30},
    }
    data.update(overrides)
    return data


def test_an_organizer_sets_up_and_opens_and_a_rater_rates(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    part_time_member(cast)
    client.force_login(cast.subdistrict_staff_a)
    response = client.post("/api/evaluation/campaigns", _payload(cast), content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    cid = body["id"]
    assert (body["status"], body["ratees"], body["can_manage"]) == ("draft", 2, True)
    assert body["period_start"] == f"{YEAR}-01-01" and body["period_end"] == f"{YEAR}-12-31"
    assert [g["weight"] for g in body["groups"]] == [40, 30, 30]
    response = client.patch(f"/api/evaluation/campaigns/{cid}", {"title": "改后的标题", "notice_days": 7},
                            content_type=JSON)
    assert response.status_code == 200 and response.json()["title"] == "改后的标题"
    assert response.json()["notice_days"] == 7
    assert client.post(f"/api/evaluation/campaigns/{cid}/refresh").json() == {"added": 0, "removed": 0,
                                                                               "ratees": 2}
    response = client.post(f"/api/evaluation/campaigns/{cid}/open")
    assert response.status_code == 400 and "评议人" in response.json()["detail"]
    for group in ("subdistrict", "community"):
        response = client.post(f"/api/evaluation/campaigns/{cid}/raters/suggested", {"group": group},
                               content_type=JSON)
        assert response.json() == {"added": 1}
    response = client.post(f"/api/evaluation/campaigns/{cid}/raters", {"group": "residents",
                                                                       "username": "resident_user"},
                           content_type=JSON)
    assert response.status_code == 201 and response.json()["community_id"] == cast.community_a.pk
    raters = client.get(f"/api/evaluation/campaigns/{cid}/raters").json()
    assert sorted(r["username"] for r in raters) == ["resident_user", "subdistrict_staff_a", "worker_a"]
    assert {r["to_rate"] for r in raters} == {2}
    response = client.post(f"/api/evaluation/campaigns/{cid}/open")
    assert response.status_code == 200 and response.json()["status"] == "open"
    assert client.patch(f"/api/evaluation/campaigns/{cid}", {"title": "x"}, content_type=JSON).status_code == 400

    client.force_login(cast.resident_user)
    tasks = client.get("/api/evaluation/rating/tasks").json()
    assert len(tasks) == 1 and (tasks[0]["done"], tasks[0]["total"]) == (0, 2)
    ratee_id = tasks[0]["next_ratee_id"]
    criteria = client.get(f"/api/evaluation/campaigns/{cid}").json()["criteria"]
    scores = {str(criteria[0]["id"]): 40, str(criteria[1]["id"]): 45}
    response = client.put(f"/api/evaluation/ratees/{ratee_id}/rating", {"grade": "qualified", "scores": scores},
                          content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["next_ratee_id"] not in (None, ratee_id)
    response = client.put(f"/api/evaluation/ratees/{ratee_id}/rating", {"grade": "excellent", "scores": scores,
                                                                        "comment": "表现突出"},
                          content_type=JSON)
    assert response.status_code == 200 and response.json()["grade"] == "excellent"
    assert Rating.objects.count() == 1
    assert AuditEvent.objects.filter(verb="evaluation.rate_changed").count() == 1
    assert client.get(f"/api/evaluation/ratees/{ratee_id}/rating").json()["comment"] == "表现突出"
    mine = client.get(f"/api/evaluation/campaigns/{cid}/ratees").json()
    assert sorted(str(r["my_grade"]) for r in mine) == ["None", "excellent"]


def test_bad_input_is_a_400_in_chinese_and_changes_nothing(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.subdistrict_staff_a)
    response = client.post("/api/evaluation/campaigns",
                           _payload(cast, groups={"subdistrict": 40, "community": 30, "residents": 20}),
                           content_type=JSON)
    assert response.status_code == 400 and "90%" in response.json()["detail"]
    response = client.post("/api/evaluation/campaigns", _payload(cast, area_id=cast.community_a.pk),
                           content_type=JSON)
    assert response.status_code == 400 and "街道或区" in response.json()["detail"]
    response = client.post("/api/evaluation/campaigns", _payload(cast, groups={"nobody": 100}), content_type=JSON)
    assert response.status_code in (400, 422)
    assert Campaign.objects.count() == 0
    campaign = open_a(cast, uses_scores=True, criteria=[("履职尽责", 40)])
    client.force_login(cast.resident_user)
    ratee = unit_ratee(campaign)
    response = client.put(f"/api/evaluation/ratees/{ratee.pk}/rating", {"grade": "qualified"}, content_type=JSON)
    assert response.status_code == 400 and "履职尽责" in response.json()["detail"]
    response = client.put(f"/api/evaluation/ratees/{ratee.pk}/rating", {"grade": "great"}, content_type=JSON)
    assert response.status_code in (400, 422)
    Campaign.objects.filter(pk=campaign.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    c = campaign.criteria.get()
    response = client.put(f"/api/evaluation/ratees/{ratee.pk}/rating",
                          {"grade": "qualified", "scores": {str(c.pk): 30}}, content_type=JSON)
    assert response.status_code == 400 and "截止" in response.json()["detail"]
    assert not Rating.objects.exists()


def test_forbidden_and_out_of_scope(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    a = open_a(cast)
    b = open_b(cast)
    client.force_login(cast.subdistrict_staff_a)
    assert client.get(f"/api/evaluation/campaigns/{b.pk}").status_code == 404
    assert client.post(f"/api/evaluation/campaigns/{b.pk}/open").status_code == 404
    assert [c["id"] for c in client.get("/api/evaluation/campaigns").json()] == [a.pk]
    response = client.post("/api/evaluation/campaigns", _payload(cast, area_id=cast.subdistrict_b.pk),
                           content_type=JSON)
    assert response.status_code == 403
    client.force_login(cast.worker_a)  # a rater of A: sees it, may not manage it, may not rate B's
    assert client.get(f"/api/evaluation/campaigns/{a.pk}").json()["can_manage"] is False
    assert client.patch(f"/api/evaluation/campaigns/{a.pk}", {"title": "x"}, content_type=JSON).status_code == 403
    assert client.post(f"/api/evaluation/campaigns/{a.pk}/raters", {"group": "residents", "username": "volunteer"},
                       content_type=JSON).status_code == 403
    rater = Rater.objects.filter(campaign=a).order_by("pk")[0]
    assert client.delete(f"/api/evaluation/campaigns/{a.pk}/raters/{rater.pk}").status_code == 403
    assert client.put(f"/api/evaluation/ratees/{unit_ratee(b).pk}/rating", {"grade": "excellent"},
                      content_type=JSON).status_code == 404
    client.force_login(cast.volunteer)  # no rater: A's ratees are not there for them
    assert client.get(f"/api/evaluation/campaigns/{a.pk}").status_code == 404
    assert client.put(f"/api/evaluation/ratees/{unit_ratee(a).pk}/rating", {"grade": "excellent"},
                      content_type=JSON).status_code == 404
    assert client.get("/api/evaluation/rating/tasks").json() == []
    assert not Rating.objects.exists()
