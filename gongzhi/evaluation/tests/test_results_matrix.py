"""The permission matrices the results part relies on: RateePolicy (see_result, object) and ObjectionPolicy
(view, answer), through the policy and through the pages. Side A: the member unit in 和平街道's campaign on public
notice (its liaison is the cast's); side B: a unit in 安定街道's campaign on notice, with an objection."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.core.models import Grant, Role
from gongzhi.evaluation import permissions
from gongzhi.evaluation.actions import results as actions
from gongzhi.evaluation.models import Objection
from gongzhi.test import check_http_matrix, check_policy_matrix, make_user

from .results_scene import close, make_scene, rate_all, refreshed

pytestmark = pytest.mark.django_db

RATEE_MATRIX = """
                     see_result  object
superuser            ok/ok       403/403
city_admin           ok/ok       403/403
district_admin       ok/ok       403/403
subdistrict_staff_a  ok/404      403/404
worker_a             404/404     404/404
worker_b             404/404     404/404
grid_worker_a        404/404     404/404
handler              404/404     404/404
liaison              ok/404      ok/404
party_member_user    404/404     404/404
volunteer            404/404     404/404
resident_user        404/404     404/404
"""

OBJECTION_MATRIX = """
                     view     answer
superuser            ok/ok    ok/ok
city_admin           ok/ok    ok/ok
district_admin       ok/ok    ok/ok
subdistrict_staff_a  ok/404   ok/404
worker_a             404/404  404/404
worker_b             404/404  404/404
grid_worker_a        404/404  404/404
handler              404/404  404/404
liaison              ok/404   403/404
party_member_user    404/404  404/404
volunteer            404/404  404/404
resident_user        404/404  404/404
"""


@pytest.fixture
def scene(cast):  # type: ignore[no-untyped-def]
    s = make_scene(cast)
    rate_all(s)
    close(s)
    return s


def test_the_ratee_policy_matrix(cast, scene) -> None:
    checked = check_policy_matrix(cast, RATEE_MATRIX, subjects=(refreshed(scene.unit), refreshed(scene.unit_b)), can=permissions.can,
                                  fetch=permissions.get_ratee_for_user)
    assert checked == 48


def test_the_result_page_matrix(client, cast, scene) -> None:
    checked = check_http_matrix(client, cast, _only_see_result(),
                                url=lambda action, r: reverse("evaluation:result", args=[r.pk]),
                                subjects=(scene.unit, scene.unit_b))
    assert checked == 24


def _only_see_result():  # type: ignore[no-untyped-def]
    from gongzhi.test import parse_matrix

    return parse_matrix(RATEE_MATRIX).only("see_result")


def test_the_objection_policy_matrix(cast, scene) -> None:
    objection_a = actions.do_object(scene.unit, reason="理由一", acting_user=cast.liaison)
    assert scene.unit_b is not None and scene.unit_b.unit is not None
    objection_a = Objection.objects.select_related("ratee__campaign").get(pk=objection_a.pk)
    liaison_b = make_user("liaison_b", "安定超市联络员")
    Grant.objects.create(user=liaison_b, role=Role.UNIT_LIAISON, area=cast.community_b, unit=scene.unit_b.unit)
    objection_b = Objection.objects.create(ratee=scene.unit_b, raised_by=liaison_b, reason="理由二")
    checked = check_policy_matrix(cast, OBJECTION_MATRIX, subjects=(objection_a, objection_b),
                                  can=permissions.can, fetch=permissions.get_objection_for_user)
    assert checked == 48
