"""The demo city's demand list and surveys (step lists.demands, order 40): every source, estates and buildings,
resource kinds and quantities to match, stale ones, a survey with answers turned into a demand and a draft."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.core.models import User
from gongzhi.lists.models import Demand, Survey

# Each test also runs in its own savepoint inside the module's transaction (pytest-django's `db`).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(demo_city: Any) -> str:
    return str(demo_city.output)


def test_the_demo_has_demands_from_every_source(demo: str) -> None:
    sources = set(Demand.objects.values_list("source", flat=True))
    assert {"hot_issue", "survey", "council", "unit", "manual"} <= sources
    hot = Demand.objects.get(source="hot_issue")
    assert len(hot.appeal_ids) >= 2
    levels = set(Demand.objects.values_list("area__level", flat=True))
    assert {"community", "estate", "building"} <= levels
    assert Demand.objects.filter(resource_kinds__icontains='"funds"', cost_estimate__gt=0).exists()
    assert Demand.objects.filter(resource_kinds__icontains='"volunteer_hours"', need_quantity__gt=0).exists()
    assert Demand.objects.filter(resource_kinds__icontains='"venue"', beneficiary_count__gt=0).exists()
    stale = Demand.objects.filter(status="open", updated_at__lt=timezone.now() - timedelta(days=100))
    assert stale.count() >= 3
    assert Demand.objects.filter(status="closed").exclude(closed_reason="").exists()
    assert "需求清单" in demo


def test_the_demo_survey_has_answers_and_a_demand_and_a_draft(demo: str) -> None:
    # The lists' own survey (the evaluation demo publishes a property satisfaction survey of its own).
    published = Survey.objects.filter(status="published", demands__source="survey").distinct().get()
    assert published.responses.count() == 30
    demand = Demand.objects.get(source="survey")
    assert demand.source_survey == published and 0 < demand.beneficiary_count <= 30
    assert str(demand.beneficiary_count) in demand.description
    assert Survey.objects.filter(status="draft").exists()


def test_the_worker_and_the_liaison_find_them(demo: str) -> None:
    client = Client()
    client.force_login(User.objects.get(username="sq_worker"))
    html = client.get("/lists/demands/").content.decode()
    assert "高层二次供水改造" in html and "老旧楼加装电梯" in html
    survey = Survey.objects.filter(status="published", demands__source="survey").distinct().get()
    assert client.get(f"/lists/surveys/{survey.pk}/results/").status_code == 200
    client.force_login(User.objects.get(username="unit_liaison"))
    need = Demand.objects.filter(source="unit", created_by__username="unit_liaison").get()
    page = client.get(f"/lists/demands/{need.pk}/")
    assert page.status_code == 200 and need.source_unit.name in page.content.decode()  # type: ignore[union-attr]
