"""The intelligence permission matrix: every cast user × every action → allowed (ok), visible but not allowed
(403), or not visible (404).

The classifier and its training jobs are city-wide (one column, no A/B sides): administrators manage them, staff
roles ask for suggestions and see the versions. Suggestion feedback is seen with its appeal (A: the resident's
appeal in building A, B: an appeal in building B). Hot issues are read over an area (A = community A,
B = community B) by staff roles.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.appeals import actions as appeal_actions
from gongzhi.intelligence.models import ClassifierVersion, SuggestionFeedback, TrainingJob
from gongzhi.intelligence.permissions import (
    can,
    can_manage_classifier,
    can_request_suggestions,
    can_view_hot,
    get_classifier_version_for_user,
    get_training_job_for_user,
    suggestion_feedback_policy,
)
from gongzhi.test import Cast, check_http_matrix, check_policy_matrix, parse_matrix

pytestmark = pytest.mark.django_db

CLASSIFIER = """
                     view  manage  suggest  training_job
superuser            ok    ok      ok       ok
city_admin           ok    ok      ok       ok
district_admin       ok    ok      ok       ok
subdistrict_staff_a  ok    403     ok       404
worker_a             ok    403     ok       404
worker_b             ok    403     ok       404
grid_worker_a        ok    403     ok       404
handler              ok    403     ok       404
liaison              ok    403     ok       404
party_member_user    404   404     404      404
volunteer            404   404     404      404
resident_user        404   404     404      404
"""

FEEDBACK_AND_HOT = """
                     feedback  view_hot
superuser            ok/ok     ok/ok
city_admin           ok/ok     ok/ok
district_admin       ok/ok     ok/ok
subdistrict_staff_a  ok/404    ok/403
worker_a             ok/404    ok/403
worker_b             404/ok    403/ok
grid_worker_a        ok/404    403/403
handler              404       ok/ok
liaison              404       ok/403
party_member_user    404       403/403
volunteer            404       403/403
resident_user        ok/404    403/403
"""

# The pages' gates: the classifier page and API (manage), suggestions (suggest), hot issues (view_hot).
GATES = """
                     manage  suggest  view_hot
superuser            ok      ok       ok
city_admin           ok      ok       ok
district_admin       ok      ok       ok
subdistrict_staff_a  403     ok       ok
worker_a             403     ok       ok
worker_b             403     ok       ok
grid_worker_a        403     ok       ok
handler              403     ok       ok
liaison              403     ok       ok
party_member_user    403     403      403
volunteer            403     403      403
resident_user        403     403      403
"""
GATE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "manage": can_manage_classifier, "suggest": can_request_suggestions, "view_hot": can_view_hot,
}


@pytest.fixture
def version() -> ClassifierVersion:
    return ClassifierVersion.objects.create(number=1, labels=["环境保护"], model_file="classifier/v1.joblib")


def _asking(action: str) -> Callable[[Any, str, Any], bool]:
    return lambda user, _column, obj: can(user, action, obj)


def test_it_applies_the_matrix_of_the_classifier(cast: Cast, version: ClassifierVersion) -> None:
    table = parse_matrix(CLASSIFIER)
    n = check_policy_matrix(cast, table.only("view", "manage", "suggest"), subjects=(version,), can=can,
                            fetch=get_classifier_version_for_user)
    job = TrainingJob.objects.create(source=ClassifierVersion.Source.HISTORY, created_by=cast.city_admin)
    n += check_policy_matrix(cast, table.only("training_job"), subjects=(job,), can=_asking("view"),
                             fetch=get_training_job_for_user)
    assert n == 12 * 4


def test_it_applies_the_matrix_of_feedback_and_hot_issues(cast: Cast, version: ClassifierVersion) -> None:
    appeal_a = appeal_actions.do_submit_appeal(acting_user=cast.resident_user, title="垃圾没人清", body="小区门口垃圾三天没清运了",
                                               callback_phone="13800138000", area=cast.building_a)
    appeal_b = appeal_actions.do_submit_appeal(acting_user=None, title="楼道灯坏了", body="2号楼楼道灯坏了一周",
                                               system=True, callback_phone="13900139000", area=cast.building_b)
    feedback = tuple(SuggestionFeedback.objects.create(appeal=appeal, version=version, suggested_label="环境保护",
                                                       final_label="环境保护") for appeal in (appeal_a, appeal_b))
    table = parse_matrix(FEEDBACK_AND_HOT)
    n = check_policy_matrix(cast, table.only("feedback"), subjects=feedback, can=_asking("view"),
                            fetch=suggestion_feedback_policy.get_for_user)
    n += check_policy_matrix(cast, table.only("view_hot"), subjects=(cast.community_a, cast.community_b), can=can)
    assert n == 12 * 2 * 2


def test_it_gates_the_pages(cast: Cast) -> None:
    n = check_policy_matrix(cast, GATES, subjects=(None,), can=lambda user, gate, _: GATE_CHECKS[gate](user))
    assert n == 12 * 3


def test_it_serves_the_matrix_through_the_pages(cast: Cast, version: ClassifierVersion) -> None:
    client = Client()
    gates = parse_matrix(GATES)
    n = check_http_matrix(client, cast, gates.only("manage"), subjects=(None,),
                          url=lambda _, __: reverse("intelligence:classifier"))
    n += check_http_matrix(client, cast, gates.only("view_hot"), subjects=(None,),
                           url=lambda _, __: reverse("intelligence:hot"))
    # Rolling back to a version: 403 before anything is looked up, for everyone who may not manage.
    n += check_http_matrix(client, cast, gates.only("manage"), subjects=(None,), method="post",
                           url=lambda _, __: reverse("intelligence:classifier_activate", args=[version.pk + 1000]),
                           ok_status=404)
    n += check_http_matrix(client, cast, gates.only("suggest"), subjects=(None,),
                           url=lambda _, __: "/api/intelligence/versions")
    n += check_http_matrix(client, cast, gates.only("manage"), subjects=(None,), ok_status=404,
                           url=lambda _, __: f"/api/intelligence/trainings/{version.pk + 1000}")
    assert n == 12 * 5
