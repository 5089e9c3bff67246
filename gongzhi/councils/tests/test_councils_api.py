"""The councils API (/api/councils/): scoped lists, 404 out of scope, 403 for what a role may not do, a vote put,
cast, closed and the passed proposal turned into a demand."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.lists.models import Demand

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_a_proposal_is_voted_and_turned_into_a_demand_through_the_api(cast: Any, councils: Any) -> None:
    worker, councillor, other = Client(), Client(), Client()
    worker.force_login(cast.worker_a)
    councillor.force_login(cast.resident_user)
    other.force_login(cast.worker_b)
    listed = worker.get("/api/councils/councils").json()
    assert [c["id"] for c in listed] == [councils.a.pk]
    assert other.get(f"/api/councils/councils/{councils.a.pk}").status_code == 404
    terms = worker.get(f"/api/councils/councils/{councils.a.pk}/councillors").json()
    assert len(terms) == 5 and all(t["serving"] for t in terms)

    created = _post(councillor, f"/api/councils/councils/{councils.a.pk}/proposals",
                    {"title": "增设休息座椅", "body": "公园里座椅太少。"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["proposer_kind"] == "councillor"
    assert other.get(f"/api/councils/proposals/{pk}").status_code == 404
    comment = _post(councillor, f"/api/councils/proposals/{pk}/comments", {"body": "请大家讨论"})
    assert comment.status_code == 201
    hidden = _post(worker, f"/api/councils/proposals/{pk}/comments/{comment.json()['id']}/hide", {"reason": "重复"})
    assert hidden.json()["hidden"] and hidden.json()["hidden_reason"] == "重复"

    closes = (timezone.now() + timedelta(days=2)).isoformat()
    assert _post(councillor, f"/api/councils/proposals/{pk}/open", {"closes_at": closes}).status_code == 403
    assert _post(worker, f"/api/councils/proposals/{pk}/open", {"closes_at": closes}).json()["status"] == "voting"
    assert _post(councillor, f"/api/councils/proposals/{pk}/votes", {"choice": "yes"}).status_code == 201
    again = _post(councillor, f"/api/councils/proposals/{pk}/votes", {"choice": "no"})
    assert again.status_code == 400 and "已对该提案投过票" in again.json()["detail"]
    assert _post(worker, f"/api/councils/proposals/{pk}/votes", {"choice": "yes"}).status_code == 400
    votes = worker.get(f"/api/councils/proposals/{pk}/votes").json()
    assert [(v["name"], v["choice"]) for v in votes] == [("张桂兰", "yes")]

    closed = _post(worker, f"/api/councils/proposals/{pk}/close").json()
    assert closed["status"] == "failed" and closed["outcome"]["reason"] == "no_quorum"
    assert "未达法定人数" in worker.get(f"/api/councils/proposals/{pk}/outcome").json()["text"]
    refused = _post(worker, f"/api/councils/proposals/{pk}/demand")
    assert refused.status_code == 400 and not Demand.objects.exists()


def test_a_passed_proposal_becomes_a_demand_through_the_api(cast: Any, councils: Any) -> None:
    from gongzhi.councils import actions
    from gongzhi.councils.actions.votes import do_cast_vote_for_demo

    proposal = actions.do_submit_proposal(councils.a, acting_user=cast.worker_a, title="路灯", body="修", name="居民")
    actions.do_open_voting(proposal, acting_user=cast.worker_a, closes_at=timezone.now() + timedelta(days=1))
    for term in councils.terms[:3]:
        do_cast_vote_for_demo(proposal, councillor=term, choice="yes", at=timezone.now())
    actions.do_close_voting(proposal, acting_user=cast.worker_a)
    client = Client()
    client.force_login(cast.resident_user)
    assert _post(client, f"/api/councils/proposals/{proposal.pk}/demand").status_code == 403
    client.force_login(cast.worker_a)
    made = _post(client, f"/api/councils/proposals/{proposal.pk}/demand")
    assert made.status_code == 201
    demand = Demand.objects.get(pk=made.json()["demand_id"])
    assert demand.source == "council" and demand.source_key == f"councils.proposal:{proposal.pk}"


def test_a_passed_proposal_becomes_a_project_through_the_api(cast: Any, councils: Any) -> None:
    from gongzhi.councils import actions
    from gongzhi.councils.actions.votes import do_cast_vote_for_demo
    from gongzhi.lists.models import Project

    proposal = actions.do_submit_proposal(councils.a, acting_user=cast.worker_a, title="充电棚", body="建", name="居民")
    actions.do_open_voting(proposal, acting_user=cast.worker_a, closes_at=timezone.now() + timedelta(days=1))
    for term in councils.terms[:3]:
        do_cast_vote_for_demo(proposal, councillor=term, choice="yes", at=timezone.now())
    actions.do_close_voting(proposal, acting_user=cast.worker_a)
    client = Client()
    client.force_login(cast.resident_user)
    assert _post(client, f"/api/councils/proposals/{proposal.pk}/project").status_code == 403
    client.force_login(cast.worker_a)
    made = _post(client, f"/api/councils/proposals/{proposal.pk}/project")
    assert made.status_code == 201, made.content
    project = Project.objects.get(pk=made.json()["project_id"])
    assert project.status == Project.Status.PROPOSED and project.demands.filter(pk=made.json()["demand_id"]).exists()
