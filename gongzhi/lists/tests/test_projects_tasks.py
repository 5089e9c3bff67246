"""The project list's tasks on the home page (待办): per role against one scene, each task's link showing exactly
the rows it counts, and the home page's query count pinned for the unit liaison and the community worker."""

# mypy: disable-error-code="union-attr"
from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.core.registry import registry
from gongzhi.lists import actions
from gongzhi.test import Cast

from .project_scene import agreed, claimed, day, proposed

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(cast: Cast) -> dict[str, Any]:
    """Community A: one project waiting to be claimed; two claimed by the liaison's unit whose agreements wait for
    its signature (one signed by the community already, one not); one agreed with a milestone overdue and no
    progress yet. Community B: one waiting to be claimed."""
    waiting = proposed(cast, title="等人认领")
    community_signed = claimed(cast, title="社区已签")
    actions.do_send_agreement(community_signed, acting_user=cast.worker_a)
    actions.do_sign_agreement(community_signed, acting_user=cast.worker_a, unit=None)
    nobody_signed = claimed(cast, title="双方未签")
    actions.do_send_agreement(nobody_signed, acting_user=cast.worker_a)
    late = agreed(cast, title="逾期工程")
    actions.do_add_milestone(late, acting_user=cast.worker_a, title="完成招标", due_on=day(-2))
    elsewhere = proposed(cast, title="安定门待认领", area=cast.community_b)
    return {"waiting": waiting, "community_signed": community_signed, "nobody_signed": nobody_signed, "late": late,
            "elsewhere": elsewhere}


def counts(user: Any) -> dict[str, int]:
    return {t.key.removeprefix("lists.projects_"): t.count for t in registry.tasks(user)
            if t.key.startswith("lists.projects_")}


EXPECTED: dict[str, dict[str, int]] = {
    "liaison": {"claim": 1, "my_signature": 2, "overdue": 1, "progress": 1},
    "worker_a": {"community_signature": 1, "overdue": 1, "unclaimed": 1},
    "worker_b": {"community_signature": 0, "overdue": 0, "unclaimed": 1},
    "subdistrict_staff_a": {}, "district_admin": {}, "grid_worker_a": {}, "handler": {}, "resident_user": {},
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_it_counts_each_roles_project_tasks(cast: Cast, scene: Any, name: str) -> None:
    assert counts(getattr(cast, name)) == EXPECTED[name]


def test_a_task_of_one_links_to_the_project_and_the_lists_show_exactly_the_counted_rows(
        cast: Cast, scene: Any, client: Client) -> None:
    tasks = {t.key: t for t in registry.tasks(cast.liaison)}
    assert tasks["lists.projects_claim"].url == reverse("lists:project", args=[scene["waiting"].pk])
    assert tasks["lists.projects_overdue"].kind == "overdue"
    my = tasks["lists.projects_my_signature"]
    assert my.url == reverse("lists:projects") + "?waiting=my_signature"
    client.force_login(cast.liaison)
    page = client.get(my.url).content.decode()
    assert "社区已签" in page and "双方未签" in page and "等人认领" not in page and "逾期工程" not in page
    client.force_login(cast.worker_a)
    page = client.get(reverse("lists:projects") + "?waiting=community_signature").content.decode()
    assert "双方未签" in page and "社区已签" not in page
    page = client.get(reverse("lists:projects") + "?waiting=overdue").content.decode()
    assert "逾期工程" in page and "双方未签" not in page
    # Signing takes the task away.
    actions.do_sign_agreement(scene["nobody_signed"], acting_user=cast.worker_a, unit=None)
    assert counts(cast.worker_a)["community_signature"] == 0
    assert {t.key: t.kind for t in registry.tasks(cast.worker_b)}["lists.projects_overdue"] == ""


def test_posting_progress_and_finishing_the_milestone_clear_the_liaisons_tasks(cast: Cast, scene: Any) -> None:
    late = scene["late"]
    actions.do_post_progress(late, acting_user=cast.liaison, percent=20, note="开工")
    actions.do_complete_milestone(late.milestones.get(), acting_user=cast.liaison)
    assert counts(cast.liaison) == {"claim": 1, "my_signature": 2, "overdue": 0, "progress": 0}


def test_the_home_page_shows_the_liaisons_project_tasks(cast: Cast, scene: Any, client: Client) -> None:
    client.force_login(cast.liaison)
    page = client.get(reverse("core:home")).content.decode()
    assert "待认领项目" in page and "待本单位签署协议" in page and "待填报进度" in page
    assert f'href="{reverse("lists:project", args=[scene["waiting"].pk])}"' in page


# The home page's queries: session, user, grants, the unit's registrations and communities (once per request), the
# unread count, each project task's one or two bounded counts, then the statistics. Raise only with a reason.
# + the meetings' tasks (meetings/reg_agenda.py): a liaison's open and overdue resolutions, a worker's raised items
# + 2 each for the meetings (issue 20): see HOME_QUERIES in appeals/tests/test_home_tasks.py.
# + the service tasks (issue 21): a liaison's rewards to deliver (1), a worker's registrations and deliveries (2).
# + 3 for a liaison from the evaluation's tasks (ratings to give, its results on notice, rectification notices to
# answer), + 4 for a community worker (see appeals/tests/test_home_tasks.py).
HOME_QUERIES = {"liaison": 30, "worker_a": 37}  # issue 23: see HOME_QUERIES in appeals/tests/test_home_tasks.py


@pytest.mark.parametrize("name", list(HOME_QUERIES))
def test_the_home_page_costs_a_pinned_number_of_queries(cast: Cast, scene: Any, client: Client, name: str) -> None:
    client.force_login(getattr(cast, name))
    client.get(reverse("core:home"))  # warm the per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert len(ctx.captured_queries) == HOME_QUERIES[name], "\n".join(q["sql"][:300] for q in ctx.captured_queries)
