"""The public notice and the quarters over JSON (/api/lists/public/..., /api/lists/quarters/...)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings

from gongzhi.core.notifications import MemorySmsBackend
from gongzhi.lists.models import Demand, Project, ProjectRating, QuarterSnapshot
from gongzhi.lists.quarters import Quarter
from gongzhi.test import Cast

from .public_fixtures import add_milestone, add_update, make_demand, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def outbox(settings: Any, tmp_path: Any) -> Iterator[list[tuple[str, str]]]:
    settings.LISTS_RATING_RATE = (1000, 600)
    settings.MEDIA_ROOT = tmp_path / "media"
    MemorySmsBackend.outbox.clear()
    with override_settings(SMS_BACKEND="memory"):
        yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def project(cast: Cast) -> Project:
    demand = make_demand(cast.community_a, "楼道照明", status=Demand.Status.MET, beneficiaries=96,
                         description="张桂兰 13800138000 反映")
    p = make_project(cast.community_a, "楼道照明改造", status=Project.Status.FINISHED, lead=cast.member_unit,
                     demands=(demand,))
    add_milestone(p, "采购", p.created_at.date())
    add_update(p, 100, "完工，联系 13700137000", unit=cast.member_unit, by=cast.worker_a, photo=True)
    return p


def base(cast: Cast) -> str:
    return f"/api/lists/public/{cast.community_a.pk}/projects"


def test_the_notice_is_public_and_has_nothing_personal(cast: Cast, project: Project) -> None:
    client = Client()
    listing = client.get(base(cast))
    assert listing.status_code == 200
    [row] = listing.json()
    assert (row["title"], row["status"], row["lead_unit"], row["beneficiaries"]) == (
        "楼道照明改造", "finished", cast.member_unit.name, 96)
    detail = client.get(f"{base(cast)}/{project.pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["can_rate"] and body["milestones"][0]["title"] == "采购"
    assert body["updates"][0]["note"] == "完工，联系 137****7000" and body["updates"][0]["photo_urls"]
    text = json.dumps(body, ensure_ascii=False) + json.dumps(listing.json(), ensure_ascii=False)
    for secret in ("13800138000", "13700137000", "张桂兰", cast.worker_a.display_name, cast.worker_a.username):
        assert secret not in text
    assert client.get(f"/api/lists/public/{cast.community_b.pk}/projects/{project.pk}").status_code == 404


def test_a_rating_through_the_api(cast: Cast, project: Project, django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    url = f"{base(cast)}/{project.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"{url}/code", {"phone": "13812345678"}, content_type="application/json")
    assert sent.status_code == 200
    code = re.findall(r"\d{6}", MemorySmsBackend.outbox[-1][1])[0]
    bad = client.post(f"{url}/ratings", {"phone": "13812345678", "code": "000000" if code != "000000" else "111111",
                                         "satisfaction": "satisfied"}, content_type="application/json")
    assert bad.status_code == 400 and "验证码不正确" in bad.json()["detail"]
    ok = client.post(f"{url}/ratings", {"phone": "13812345678", "code": code, "satisfaction": "satisfied"},
                     content_type="application/json")
    assert ok.status_code == 201 and ok.json()["total"] == 1 and ok.json()["rate"] == 1.0
    assert ProjectRating.objects.count() == 1


def test_quarters_through_the_api(cast: Cast, project: Project) -> None:
    client = Client()
    quarter = Quarter.current().slug
    url = f"/api/lists/quarters/{cast.community_a.pk}/{quarter}"
    client.force_login(cast.worker_a)
    got = client.get(url)
    assert got.status_code == 200 and not got.json()["closed"]
    assert got.json()["counts"]["projects"]["finished"] == 1
    closed = client.post(f"{url}/close")
    assert closed.status_code == 201 and closed.json()["closed"]
    again = client.post(f"{url}/close")
    assert again.status_code == 409 and "只关闭一次" in again.json()["detail"]
    previous = Quarter.current().previous().slug
    compared = client.get(f"/api/lists/quarters/{cast.community_a.pk}/compare", {"a": previous, "b": quarter})
    assert compared.status_code == 200
    assert compared.json()["counts"]["projects"]["total"] == [0, 1, 1]
    assert compared.json()["changes"]["projects"][0]["after"] == "finished"
    assert client.get(f"/api/lists/quarters/{cast.community_b.pk}/{quarter}").status_code == 404
    assert client.get(f"/api/lists/quarters/{cast.community_a.pk}/2026-Q9").status_code == 422
    client.force_login(cast.liaison)
    assert client.get(url).status_code == 403
    assert client.post(f"{url}/close").status_code == 403
    assert QuarterSnapshot.objects.count() == 1
