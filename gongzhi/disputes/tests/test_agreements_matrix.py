"""The permission matrix of the agreements part: seeing the agreement (view_content), writing it and recording visits
(mediate), scheduling visits (schedule) — on a dispute of community A assigned to worker_a, and one of community B
assigned to B's committee (worker_b schedules there without seeing the content). Checked on the policy, and on the
pages and the API for a few cells."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gongzhi.disputes.models import Agreement
from gongzhi.disputes.permissions import dispute_policy, get_dispute_for_user
from gongzhi.test import check_http_matrix, check_policy_matrix, parse_matrix

from .agreements_scene import make_scene, sign

MATRIX = parse_matrix("""
                     view_content  mediate   schedule
superuser            ok/ok         ok/ok     ok/ok
city_admin           403/403       403/403   403/403
district_admin       403/403       403/403   403/403
subdistrict_staff_a  ok/404        403/404   403/404
worker_a             ok/404        ok/404    ok/404
worker_b             404/403       404/403   404/ok
grid_worker_a        404/404       404/404   404/404
handler              404/404       404/404   404/404
liaison              404/404       404/404   404/404
party_member_user    404/404       404/404   404/404
volunteer            404/404       404/404   404/404
resident_user        404/404       404/404   404/404
""")


@pytest.fixture
def scene(cast: Any) -> Any:
    s = make_scene(cast)
    sign(s.dispute_a, cast.worker_a)
    sign(s.dispute_b, s.mediator_b)
    return s


def test_the_policy_matrix(scene: Any) -> None:
    checked = check_policy_matrix(scene.c, MATRIX, subjects=(scene.dispute_a, scene.dispute_b),
                                  can=dispute_policy.can, fetch=get_dispute_for_user)
    assert checked == 72


def test_the_pages_and_the_api_follow_it(scene: Any, client: Any) -> None:
    pages = check_http_matrix(client, scene.c, MATRIX.only("view_content"),
                              url=lambda _a, d: reverse("disputes:agreement", args=[d.pk]),
                              subjects=(scene.dispute_a, scene.dispute_b))
    api = check_http_matrix(client, scene.c, MATRIX.only("view_content"),
                            url=lambda _a, d: f"/api/disputes/{d.pk}/agreement",
                            subjects=(scene.dispute_a, scene.dispute_b))
    assert pages == api == 24
    assert Agreement.objects.count() == 2
