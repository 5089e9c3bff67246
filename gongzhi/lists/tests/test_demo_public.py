"""The demo city's public notice and quarterly refresh (step 43): finished projects rated by residents, and a closed
previous quarter at the community worker's community that differs from the quarter under way.

The city is the shared `demo_city` (conftest.py), rolled back after the demo tests (as in core's test_demo)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.core.models import Area, AuditEvent, Grant, User
from gongzhi.lists.models import Project, ProjectRating, QuarterSnapshot
from gongzhi.lists.notice import satisfaction, shown_projects
from gongzhi.lists.quarters import Quarter, compare, quarter_view

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(demo_city: Any) -> str:
    return str(demo_city.output)


@pytest.fixture
def community(demo: str) -> Area:
    return Grant.objects.get(user__username="sq_worker").area


def test_every_finished_project_on_the_notice_is_rated(demo: str) -> None:
    finished = list(shown_projects().filter(status=Project.Status.FINISHED))
    assert finished
    for project in finished:
        result = satisfaction(project)
        assert result.total >= 5, project
        assert result.satisfied > result.unsatisfied
    hashes = list(ProjectRating.objects.values_list("phone_hash", flat=True))
    assert all(len(h) == 64 and not h.startswith("139") for h in hashes)
    events = [str(e.after) for e in AuditEvent.objects.filter(verb="lists.rate_project")]
    assert len(events) == len(hashes) and not any(re.search(r"1[3-9]\d{9}", e) for e in events)


def test_the_previous_quarter_is_closed_and_differs_from_this_one(community: Area) -> None:
    current = Quarter.current()
    previous = current.previous()
    snapshot = QuarterSnapshot.objects.get(area=community, year=previous.year, quarter=previous.number)
    assert snapshot.closed_by == User.objects.get(username="sq_worker")
    assert snapshot.closed_at >= current.start_at
    assert snapshot.data["counts"]["demands"]["total"] >= 1 and snapshot.data["counts"]["projects"]["total"] >= 1
    result = compare(quarter_view(community, previous), quarter_view(community, current))
    moved = [c for changes in result["changes"].values() for c in changes]
    assert any(c.before and c.after and c.before != c.after for c in moved), moved
    assert any(c.after == "finished" for c in result["changes"]["projects"])


def test_the_worker_and_residents_see_it(community: Area) -> None:
    client = Client()
    html = client.get(reverse("lists:public_community", args=[community.pk])).content.decode()
    assert "已完成" in html and 'data-testid="satisfaction"' in html
    client.force_login(User.objects.get(username="sq_worker"))
    previous = Quarter.current().previous()
    page = client.get(reverse("lists:quarter", args=[community.pk, previous.slug])).content.decode()
    assert "关闭：显示当时的清单情况" in page
    compare_page = client.get(reverse("lists:quarter_compare", args=[community.pk]))
    assert compare_page.status_code == 200 and "已关闭（存档）" in compare_page.content.decode()
