"""The permission matrices of the property part with the cast: a contract (its grade, its notice) at estate A whose
company is the liaison's, and one at estate B; the pages through HTTP; what is done at an estate or area
(EvaluationAreaPolicy manage_property and see_coverage)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gongzhi.evaluation import permissions
from gongzhi.test import Cast, check_http_matrix, check_policy_matrix, parse_matrix

from .test_property_scene import contract, grade, notice

pytestmark = pytest.mark.django_db

CONTRACT_MATRIX = parse_matrix("""
                        view     manage   inspect
superuser               ok/ok    ok/ok    ok/ok
city_admin              ok/ok    ok/ok    ok/ok
district_admin          ok/ok    ok/ok    ok/ok
subdistrict_staff_a     ok/404   ok/404   ok/404
worker_a                ok/404   ok/404   ok/404
worker_b                404/ok   404/ok   404/ok
grid_worker_a           404/404  404/404  404/404
handler                 404/404  404/404  404/404
liaison                 ok/404   403/404  403/404
party_member_user       404/404  404/404  404/404
volunteer               404/404  404/404  404/404
resident_user           404/404  404/404  404/404
""")

GRADE_MATRIX = parse_matrix("""
                        view     rectify
superuser               ok/ok    ok/ok
city_admin              ok/ok    ok/ok
district_admin          ok/ok    ok/ok
subdistrict_staff_a     ok/404   ok/404
worker_a                ok/404   ok/404
worker_b                404/ok   404/ok
grid_worker_a           404/404  404/404
handler                 404/404  404/404
liaison                 ok/404   403/404
party_member_user       404/404  404/404
volunteer               404/404  404/404
resident_user           404/404  404/404
""")

NOTICE_MATRIX = parse_matrix("""
                        view     reply    close
superuser               ok/ok    403/403  ok/ok
city_admin              ok/ok    403/403  ok/ok
district_admin          ok/ok    403/403  ok/ok
subdistrict_staff_a     ok/404   403/404  ok/404
worker_a                ok/404   403/404  ok/404
worker_b                404/ok   404/403  404/ok
grid_worker_a           404/404  404/404  404/404
handler                 404/404  404/404  404/404
liaison                 ok/404   ok/404   403/404
party_member_user       404/404  404/404  404/404
volunteer               404/404  404/404  404/404
resident_user           404/404  404/404  404/404
""")

# At an estate (manage_property) and at a community (see_coverage); no visibility of their own: "403".
AREA_MATRIX = parse_matrix("""
                        manage_property  see_coverage
superuser               ok/ok            ok/ok
city_admin              ok/ok            ok/ok
district_admin          ok/ok            ok/ok
subdistrict_staff_a     ok/403           ok/403
worker_a                ok/403           ok/403
worker_b                403/ok           403/ok
grid_worker_a           403/403          403/403
handler                 403/403          403/403
liaison                 403/403          403/403
party_member_user       403/403          403/403
volunteer               403/403          403/403
resident_user           403/403          403/403
""")


def contracts(cast: Cast) -> tuple[Any, Any]:
    return contract(cast), contract(cast, estate=cast.estate_b)


def test_the_contract_policy_matrix(cast: Cast) -> None:
    assert check_policy_matrix(cast, CONTRACT_MATRIX, subjects=contracts(cast), can=permissions.can,
                               fetch=permissions.get_contract_for_user) == 72


def test_the_grade_policy_matrix(cast: Cast) -> None:
    a, b = contracts(cast)
    assert check_policy_matrix(cast, GRADE_MATRIX, subjects=(grade(cast, a), grade(cast, b)), can=permissions.can,
                               fetch=permissions.get_grade_for_user) == 48


def test_the_rectification_policy_matrix(cast: Cast) -> None:
    a, b = contracts(cast)
    assert check_policy_matrix(cast, NOTICE_MATRIX, subjects=(notice(cast, a), notice(cast, b)),
                               can=permissions.can, fetch=permissions.get_rectification_for_user) == 72


def test_the_area_actions_matrix(cast: Cast) -> None:
    def subjects(action: str) -> tuple[Any, Any]:
        if action == "manage_property":
            return cast.estate_a, cast.estate_b
        return cast.community_a, cast.community_b

    assert check_policy_matrix(cast, AREA_MATRIX, subjects=subjects,
                               can=lambda u, a, obj: permissions.area_policy.can(u, a, obj)) == 48


def test_the_contract_pages_http_matrix(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    pair = contracts(cast)
    urls = {"manage": "evaluation:property_contract_edit", "inspect": "evaluation:property_inspect"}
    assert check_http_matrix(client, cast, CONTRACT_MATRIX.only("manage", "inspect"), subjects=pair,
                             url=lambda action, c: reverse(urls[action], args=[c.pk])) == 48


def test_the_notice_pages_http_matrix(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    a, b = contracts(cast)
    pair = (notice(cast, a), notice(cast, b))
    assert check_http_matrix(client, cast, NOTICE_MATRIX.only("view"), subjects=pair,
                             url=lambda action, n: reverse("evaluation:property_notice", args=[n.pk])) == 24
