"""The resource and matching-round policies' permission matrix: every cast user × view / edit a resource (A: the
liaison's unit's, serving community A; B: community B's own) and view / confirm a matching round (A: community A's,
B: community B's) → ok, 403 or 404; and the resource page and the round page through HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.lists.models import MatchRound, Resource
from gongzhi.lists.permissions import can, get_match_round_for_user, get_resource_for_user
from gongzhi.test import Cast, check_http_matrix, check_policy_matrix, parse_matrix

pytestmark = pytest.mark.django_db

# Grid workers see the resources serving the areas above them (they point residents to them) but edit none.
RESOURCES = """
                     view     edit
superuser            ok/ok    ok/ok
city_admin           ok/ok    ok/ok
district_admin       ok/ok    ok/ok
subdistrict_staff_a  ok/404   ok/404
worker_a             ok/404   ok/404
worker_b             404/ok   404/ok
grid_worker_a        ok/404   403/404
handler              404      404
liaison              ok/404   ok/404
party_member_user    404      404
volunteer            404      404
resident_user        404      404
"""

ROUNDS = """
                     view     confirm
superuser            ok/ok    ok/ok
city_admin           ok/ok    ok/ok
district_admin       ok/ok    ok/ok
subdistrict_staff_a  ok/404   ok/404
worker_a             ok/404   ok/404
worker_b             404/ok   404/ok
grid_worker_a        404      404
handler              404      404
liaison              404      404
party_member_user    404      404
volunteer            404      404
resident_user        404      404
"""


@pytest.fixture
def resources(cast: Cast) -> tuple[Resource, Resource]:
    a = Resource.objects.create(kind=Resource.Kind.SERVICE, title="物业电工维修", provider_unit=cast.member_unit,
                                area=cast.community_a, capacity_unit="hours", capacity=Decimal(40))
    b = Resource.objects.create(kind=Resource.Kind.VENUE, title="安定门活动室", area=cast.community_b,
                                capacity_unit="people", capacity=Decimal(30))
    return a, b


@pytest.fixture
def rounds(cast: Cast) -> tuple[MatchRound, MatchRound]:
    return (MatchRound.objects.create(area=cast.community_a), MatchRound.objects.create(area=cast.community_b))


def test_it_applies_the_resource_matrix(cast: Cast, resources: tuple[Resource, Resource]) -> None:
    n = check_policy_matrix(cast, RESOURCES, subjects=resources, can=can, fetch=get_resource_for_user)
    assert n == 12 * 2 * 2


def test_it_applies_the_round_matrix(cast: Cast, rounds: tuple[MatchRound, MatchRound]) -> None:
    n = check_policy_matrix(cast, ROUNDS, subjects=rounds, can=can, fetch=get_match_round_for_user)
    assert n == 12 * 2 * 2


# Through the page: roles that open no lists at all are refused the page (403, as every lists page gates them);
# the others get the resource or 404.
RESOURCE_PAGE = """
                     view
superuser            ok/ok
city_admin           ok/ok
district_admin       ok/ok
subdistrict_staff_a  ok/404
worker_a             ok/404
worker_b             404/ok
grid_worker_a        ok/404
handler              403/403
liaison              ok/404
party_member_user    403/403
volunteer            403/403
resident_user        403/403
"""


def test_the_resource_page_follows_the_matrix(cast: Cast, resources: tuple[Resource, Resource]) -> None:
    views = parse_matrix(RESOURCE_PAGE)
    n = check_http_matrix(Client(), cast, views, subjects=resources,
                          url=lambda _action, r: reverse("lists:resource", args=[r.pk]))
    assert n == 12 * 2


# The round page and the round through the API: roles that run matching nowhere are refused (403), as on the
# rounds' list; staff get 404 for a round outside their scope.
ROUND_PAGE = """
                     view
superuser            ok/ok
city_admin           ok/ok
district_admin       ok/ok
subdistrict_staff_a  ok/404
worker_a             ok/404
worker_b             404/ok
grid_worker_a        403/403
handler              403/403
liaison              403/403
party_member_user    403/403
volunteer            403/403
resident_user        403/403
"""


def test_the_round_page_follows_the_matrix(cast: Cast, rounds: tuple[MatchRound, MatchRound]) -> None:
    n = check_http_matrix(Client(), cast, parse_matrix(ROUND_PAGE), subjects=rounds,
                          url=lambda _action, r: reverse("lists:match_round", args=[r.pk]))
    assert n == 12 * 2


ROUND_API = """
                     view     confirm
superuser            ok/ok    ok/ok
city_admin           ok/ok    ok/ok
district_admin       ok/ok    ok/ok
subdistrict_staff_a  ok/404   ok/404
worker_a             ok/404   ok/404
worker_b             404/ok   404/ok
grid_worker_a        403/403  403/403
handler              403/403  403/403
liaison              403/403  403/403
party_member_user    403/403  403/403
volunteer            403/403  403/403
resident_user        403/403  403/403
"""


def test_the_round_api_follows_the_matrix(cast: Cast, rounds: tuple[MatchRound, MatchRound]) -> None:
    """GET a round, and POST its confirmation: a round with nothing left to confirm answers those who may confirm
    with a Chinese error (400), never with the round of another community."""
    matrix = parse_matrix(ROUND_API)
    client = Client()
    view = parse_matrix("\n".join(line.rsplit(None, 1)[0] if i else "view" for i, line in
                                  enumerate(ROUND_API.strip().splitlines())))
    n = check_http_matrix(client, cast, view, subjects=rounds, url=lambda _a, r: f"/api/lists/match-rounds/{r.pk}")
    confirm = parse_matrix("\n".join(("confirm" if i == 0 else line.split()[0] + " " + line.split()[2])
                                     for i, line in enumerate(ROUND_API.strip().splitlines())))
    n += check_http_matrix(client, cast, confirm, subjects=rounds, method="post", ok_status=(400, 409, 422),
                           url=lambda _a, r: f"/api/lists/match-rounds/{r.pk}/confirm")
    assert matrix and n == 12 * 2 * 2
