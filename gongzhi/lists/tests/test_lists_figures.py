"""The lists' figures published for dashboards (`registry.stat`), and the 三张清单 block on an area's page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.registry import registry
from gongzhi.lists.actions import public as rating_actions
from gongzhi.lists.models import Demand, Project, Resource
from gongzhi.lists.quarters import Quarter
from gongzhi.test import Cast

from .public_fixtures import add_milestone, make_demand, make_project

pytestmark = pytest.mark.django_db


def stat(key: str, area: object) -> float:
    return registry.stats[key].fn(area)


def resource(cast: Cast, title: str, **fields: object) -> Resource:
    values = {"kind": Resource.Kind.VENUE, "title": title, "area": cast.community_a, "capacity_unit": "people",
              "capacity": Decimal(10), **fields}
    return Resource.objects.create(**values)


@pytest.fixture
def figures(cast: Cast) -> None:
    last_quarter = Quarter.current().start_at - timedelta(days=3)
    make_demand(cast.community_a, "本季满足", status=Demand.Status.MET, met_at=timezone.now())
    make_demand(cast.community_a, "上季满足", status=Demand.Status.MET, met_at=last_quarter)
    make_demand(cast.community_b, "安定门满足", status=Demand.Status.MET, met_at=timezone.now())
    resource(cast, "可用")
    resource(cast, "用完了", promised=Decimal(10))
    resource(cast, "过期", valid_until=timezone.localdate() - timedelta(days=1))
    resource(cast, "暂停", status=Resource.Status.PAUSED)
    resource(cast, "未开始", valid_from=timezone.localdate() + timedelta(days=5))
    late = make_project(cast.community_a, "逾期项目", lead=cast.member_unit)
    add_milestone(late, "过期节点", timezone.localdate() - timedelta(days=3))
    add_milestone(late, "另一个过期节点", timezone.localdate() - timedelta(days=2))
    make_project(cast.community_a, "已认领", status=Project.Status.CLAIMED, lead=cast.member_unit)
    done = make_project(cast.community_a, "已完成", status=Project.Status.FINISHED, lead=cast.member_unit)
    make_project(cast.community_a, "待认领", status=Project.Status.PROPOSED)
    for i, kind in enumerate(("satisfied", "basically_satisfied")):
        rating_actions.do_rate_project_for_demo(done, phone=f"1390000000{i}", satisfaction=kind)


def test_the_figures_count_the_subtree(cast: Cast, figures: None) -> None:
    assert stat("lists.demands_met_this_quarter", cast.community_a) == 1
    assert stat("lists.demands_met_this_quarter", cast.district) == 2
    assert stat("lists.resources_available", cast.community_a) == 1
    assert stat("lists.projects_in_progress", cast.community_a) == 2
    assert stat("lists.overdue_projects", cast.community_a) == 1
    assert stat("lists.finished_projects_satisfaction", cast.community_a) == 95.0
    assert stat("lists.finished_projects_satisfaction", cast.community_b) == 0.0
    assert stat("lists.projects_in_progress", cast.community_b) == 0


def test_the_area_page_shows_the_three_lists_block_to_list_staff(cast: Cast, figures: None) -> None:
    client = Client()
    client.force_login(cast.worker_a)
    html = client.get(reverse("core:area_detail", args=[cast.community_a.pk])).content.decode()
    assert 'data-testid="area-lists-panel"' in html and "三张清单" in html
    assert "95.0%" in html and "节点逾期项目" in html
    assert reverse("lists:quarter", args=[cast.community_a.pk, Quarter.current().slug]) in html
    assert reverse("lists:public_community", args=[cast.community_a.pk]) in html
    client.force_login(cast.resident_user)  # sees the area, not its lists
    response = client.get(reverse("core:area_detail", args=[cast.community_a.pk]))
    assert response.status_code == 200 and 'data-testid="area-lists-panel"' not in response.content.decode()
