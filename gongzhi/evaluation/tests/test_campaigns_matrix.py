"""The permission matrices of CampaignPolicy (view, manage, rate) and RateePolicy (view, rate, see_evidence) with the
cast, on two open campaigns: A at subdistrict A (rated by subdistrict_staff_a, worker_a and resident_user) and B at
subdistrict B (organized by the district admin, rated by worker_b); the pages through HTTP (the campaign page and
the rate page); and organizing at an area (EvaluationAreaPolicy "organize")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.evaluation import permissions
from gongzhi.test import Cast, check_http_matrix, check_policy_matrix, parse_matrix

from .test_campaigns_scene import open_a, open_b, unit_ratee

pytestmark = pytest.mark.django_db

CAMPAIGN_MATRIX = parse_matrix("""
                        view     manage   rate
superuser               ok/ok    ok/ok    403/403
city_admin              ok/ok    ok/ok    403/403
district_admin          ok/ok    ok/ok    403/403
subdistrict_staff_a     ok/404   ok/404   ok/404
worker_a                ok/404   403/404  ok/404
worker_b                404/ok   404/403  404/ok
grid_worker_a           404/404  404/404  404/404
handler                 404/404  404/404  404/404
liaison                 404/404  404/404  404/404
party_member_user       404/404  404/404  404/404
volunteer               404/404  404/404  404/404
resident_user           ok/404   403/404  ok/404
""")

RATEE_MATRIX = parse_matrix("""
                        view     rate     see_evidence
superuser               ok/ok    403/403  ok/ok
city_admin              ok/ok    403/403  ok/ok
district_admin          ok/ok    403/403  ok/ok
subdistrict_staff_a     ok/404   ok/404   ok/404
worker_a                ok/404   ok/404   ok/404
worker_b                404/ok   404/ok   404/ok
grid_worker_a           404/404  404/404  404/404
handler                 404/404  404/404  404/404
liaison                 404/404  404/404  404/404
party_member_user       404/404  404/404  404/404
volunteer               404/404  404/404  404/404
resident_user           ok/404   ok/404   ok/404
""")

# The rate page: organizers see the ratee but do not rate it (403); raters rate theirs.
RATE_PAGE_MATRIX = parse_matrix("""
                        rate
superuser               403/403
city_admin              403/403
district_admin          403/403
subdistrict_staff_a     ok/404
worker_a                ok/404
worker_b                404/ok
grid_worker_a           404/404
handler                 404/404
liaison                 404/404
party_member_user       404/404
volunteer               404/404
resident_user           ok/404
""")

ORGANIZE_MATRIX = parse_matrix("""
                        organize
superuser               ok/ok
city_admin              ok/ok
district_admin          ok/ok
subdistrict_staff_a     ok/403
worker_a                403/403
worker_b                403/403
grid_worker_a           403/403
handler                 403/403
liaison                 403/403
party_member_user       403/403
volunteer               403/403
resident_user           403/403
""")


def test_campaign_policy(cast: Cast) -> None:
    a, b = open_a(cast), open_b(cast)
    checked = check_policy_matrix(cast, CAMPAIGN_MATRIX, subjects=(a, b), can=permissions.can,
                                  fetch=permissions.get_campaign_for_user)
    assert checked == len(CAMPAIGN_MATRIX)


def test_ratee_policy(cast: Cast) -> None:
    a, b = open_a(cast), open_b(cast)
    checked = check_policy_matrix(cast, RATEE_MATRIX, subjects=(unit_ratee(a), unit_ratee(b)),
                                  can=permissions.can, fetch=permissions.get_ratee_for_user)
    assert checked == len(RATEE_MATRIX)


def test_the_pages(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    a, b = open_a(cast), open_b(cast)
    check_http_matrix(client, cast, CAMPAIGN_MATRIX.only("view"), subjects=(a, b),
                      url=lambda action, c: reverse("evaluation:campaign", args=[c.pk]))
    check_http_matrix(client, cast, RATE_PAGE_MATRIX, subjects=(unit_ratee(a), unit_ratee(b)),
                      url=lambda action, r: reverse("evaluation:rate", args=[r.pk]))


def test_organizing_at_an_area(cast: Cast) -> None:
    checked = check_policy_matrix(cast, ORGANIZE_MATRIX, subjects=(cast.subdistrict_a, cast.subdistrict_b),
                                  can=permissions.area_policy.can)
    assert checked == len(ORGANIZE_MATRIX)
    assert not permissions.area_policy.can(cast.subdistrict_staff_a, "organize", cast.community_a)
