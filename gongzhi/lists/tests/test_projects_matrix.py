"""The project policy's permission matrix: every cast user × view, manage, sign, post_progress and claim × a project
of community A (led by the liaison's unit) and one of community B → ok, 403 or 404; and the same through the pages
and the API (404 out of scope, 403 not allowed)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.lists import actions
from gongzhi.lists.models import Project
from gongzhi.lists.permissions import can, get_project_for_user
from gongzhi.test import Cast, check_http_matrix, check_policy_matrix, parse_matrix

from .project_scene import other_unit, proposed

pytestmark = pytest.mark.django_db

# A: claimed by the liaison's unit in community A; B: claimed by a unit registered in community B.
# claim is asked of projects waiting to be claimed (A: community A, B: community B).
MATRIX = """
                     view     manage   sign     post_progress  claim
superuser            ok/ok    ok/ok    ok/ok    ok/ok          403/403
city_admin           ok/ok    ok/ok    ok/ok    ok/ok          403/403
district_admin       ok/ok    ok/ok    ok/ok    ok/ok          403/403
subdistrict_staff_a  ok/404   ok/404   ok/404   ok/404         403/404
worker_a             ok/404   ok/404   ok/404   ok/404         403/404
worker_b             404/ok   404/ok   404/ok   404/ok         404/403
grid_worker_a        404      404      404      404            404
handler              404      404      404      404            404
liaison              ok/404   403/404  ok/404   ok/404         ok/404
party_member_user    404      404      404      404            404
volunteer            404      404      404      404            404
resident_user        404      404      404      404            404
"""


@pytest.fixture
def projects(cast: Cast) -> dict[str, tuple[Project, Project]]:
    a = proposed(cast, title="和平里项目")
    actions.do_claim_project(a, acting_user=cast.liaison)
    b_unit = other_unit(cast, name="安定医院", community=cast.community_b, username="liaison_b")
    b = proposed(cast, title="安定门项目", area=cast.community_b)
    actions.do_claim_project(b, acting_user=b_unit.liaison)
    waiting = (proposed(cast, title="待认领A"), proposed(cast, title="待认领B", area=cast.community_b))
    return {"claimed": (Project.objects.get(pk=a.pk), Project.objects.get(pk=b.pk)), "waiting": waiting}


def test_it_applies_the_project_matrix(cast: Cast, projects: dict[str, tuple[Project, Project]]) -> None:
    def subjects(action: str) -> tuple[Project, Project]:
        return projects["waiting"] if action == "claim" else projects["claimed"]

    n = check_policy_matrix(cast, MATRIX, subjects=subjects, can=can, fetch=get_project_for_user)
    assert n == 12 * 5 * 2


PAGES = parse_matrix(MATRIX).only("view")


@pytest.mark.parametrize("page", ["lists:project", "lists:project_agreement", "lists:project_agreement_docx"])
def test_the_project_pages_answer_as_the_matrix_says(cast: Cast, projects: dict[str, Any], page: str) -> None:
    n = check_http_matrix(Client(), cast, PAGES, subjects=projects["claimed"],
                          url=lambda _action, p: reverse(page, args=[p.pk]))
    assert n == 24


def test_claiming_through_the_page_answers_as_the_matrix_says(cast: Cast, projects: dict[str, Any]) -> None:
    n = check_http_matrix(Client(), cast, parse_matrix(MATRIX).only("claim"), subjects=projects["waiting"],
                          method="post", url=lambda _action, p: reverse("lists:project_action", args=[p.pk, "claim"]),
                          ok_status=302)
    assert n == 24
    assert Project.objects.get(pk=projects["waiting"][0].pk).lead_unit == cast.member_unit


def test_the_manage_actions_through_the_page_answer_403_or_404(cast: Cast, projects: dict[str, Any]) -> None:
    a, b = projects["claimed"]
    client = Client()
    client.force_login(cast.liaison)
    url = reverse("lists:project_action", args=[a.pk, "budget"])
    assert client.post(url, {"budget": "100"}).status_code == 403
    assert client.post(reverse("lists:project_action", args=[b.pk, "budget"]), {"budget": "1"}).status_code == 404
    client.force_login(cast.worker_a)
    assert client.post(url, {"budget": "100"}).status_code == 302
    response = client.post(url, {"budget": "-5"})
    assert response.status_code == 400 and "errorlist" in response.content.decode()


def test_the_api_answers_as_the_matrix_says(cast: Cast, projects: dict[str, Any]) -> None:
    a, b = projects["claimed"]
    client = Client()
    client.force_login(cast.worker_b)
    assert client.get(f"/api/lists/projects/{a.pk}").status_code == 404
    assert client.get(f"/api/lists/projects/{b.pk}").status_code == 200
    client.force_login(cast.liaison)
    answer = client.post(f"/api/lists/projects/{a.pk}/budget", json.dumps({"budget": "100"}),
                         content_type="application/json")
    assert answer.status_code == 403 and answer.json()["detail"]
    ids = [row["id"] for row in client.get("/api/lists/projects").json()["items"]]
    assert a.pk in ids and b.pk not in ids
    client.force_login(cast.resident_user)
    assert client.get("/api/lists/projects").status_code == 403
