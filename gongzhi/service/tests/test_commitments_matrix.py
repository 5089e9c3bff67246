"""The permission matrices of PostPolicy, PledgePolicy and StarRatingPolicy with the cast: objects at community A
(王红's: she lives there and works at the liaison's unit) and at community B; the pages through HTTP; the actions
taken at a community (define posts, assess, set the star rules: area_policy "manage_service")."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.service import permissions
from gongzhi.service.actions import commitments as actions
from gongzhi.service.models import Pledge, Post, StarRating
from gongzhi.test import Cast, check_http_matrix, check_policy_matrix, parse_matrix

from .test_stars_scene import pledge, post

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year

POST_MATRIX = parse_matrix("""
                        view     manage
superuser               ok/ok    ok/ok
city_admin              ok/ok    ok/ok
district_admin          ok/ok    ok/ok
subdistrict_staff_a     ok/404   ok/404
worker_a                ok/404   ok/404
worker_b                404/ok   404/ok
grid_worker_a           404/404  404/404
handler                 404/404  404/404
liaison                 ok/404   403/404
party_member_user       ok/404   403/404
volunteer               ok/404   403/404
resident_user           ok/404   403/404
""")

PLEDGE_MATRIX = parse_matrix("""
                        view     edit     assess
superuser               ok/ok    403/403  ok/ok
city_admin              ok/ok    403/403  ok/ok
district_admin          ok/ok    403/403  ok/ok
subdistrict_staff_a     ok/404   403/404  ok/404
worker_a                ok/404   403/404  ok/404
worker_b                404/ok   404/403  404/ok
grid_worker_a           404/404  404/404  404/404
handler                 404/404  404/404  404/404
liaison                 ok/404   403/404  403/404
party_member_user       ok/404   ok/404   403/404
volunteer               404/404  404/404  404/404
resident_user           404/404  404/404  404/404
""")

STAR_MATRIX = parse_matrix("""
                        view     adjust
superuser               ok/ok    ok/ok
city_admin              ok/ok    ok/ok
district_admin          ok/ok    ok/ok
subdistrict_staff_a     ok/404   ok/404
worker_a                ok/404   ok/404
worker_b                404/ok   404/ok
grid_worker_a           404/404  404/404
handler                 404/404  404/404
liaison                 ok/404   403/404
party_member_user       ok/404   403/404
volunteer               404/404  404/404
resident_user           404/404  404/404
""")

# Actions at a community (no visibility of their own: "403" where not allowed).
AREA_MATRIX = parse_matrix("""
                        manage_service
superuser               ok/ok
city_admin              ok/ok
district_admin          ok/ok
subdistrict_staff_a     ok/403
worker_a                ok/403
worker_b                403/ok
grid_worker_a           403/403
handler                 403/403
liaison                 403/403
party_member_user       403/403
volunteer               403/403
resident_user           403/403
""")


def posts(cast: Cast) -> tuple[Post, Post]:
    return post(cast), post(cast, community=cast.community_b)


def member_b(cast: Cast) -> object:
    return core_actions.do_create_party_member(acting_user=None, home_area=cast.community_b, name="安定门党员")


def pledges(cast: Cast) -> tuple[Pledge, Pledge]:
    return pledge(cast), pledge(cast, member=member_b(cast), community=cast.community_b)  # type: ignore[arg-type]


def ratings(cast: Cast) -> tuple[StarRating, StarRating]:
    member_b(cast)
    actions.do_recompute_star_ratings(cast.community_a, acting_user=None)
    actions.do_recompute_star_ratings(cast.community_b, acting_user=None)
    return (StarRating.objects.get(community=cast.community_a),  # type: ignore[return-value]
            StarRating.objects.get(community=cast.community_b))


def test_the_post_policy_matrix(cast: Cast) -> None:
    assert check_policy_matrix(cast, POST_MATRIX, subjects=posts(cast), can=permissions.can,
                               fetch=permissions.get_post_for_user) == 48


def test_the_pledge_policy_matrix(cast: Cast) -> None:
    assert check_policy_matrix(cast, PLEDGE_MATRIX, subjects=pledges(cast), can=permissions.can,
                               fetch=permissions.get_pledge_for_user) == 72


def test_the_star_rating_policy_matrix(cast: Cast) -> None:
    assert check_policy_matrix(cast, STAR_MATRIX, subjects=ratings(cast), can=permissions.can,
                               fetch=permissions.get_star_rating_for_user) == 48


def test_the_manage_service_matrix(cast: Cast) -> None:
    assert check_policy_matrix(cast, AREA_MATRIX, subjects=(cast.community_a, cast.community_b),
                               can=lambda u, a, obj: permissions.area_policy.can(u, a, obj)) == 24


def test_a_registered_member_sees_the_posts_where_they_registered(cast: Cast) -> None:
    from .test_stars_scene import registered_member

    a, b = posts(cast)
    member = registered_member(cast)
    assert set(permissions.visible_to(member.user, Post)) == {a, b}


def test_the_post_pages_http_matrix(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    pair = posts(cast)
    urls = {"view": "service:post", "manage": "service:post_edit"}
    assert check_http_matrix(client, cast, POST_MATRIX, subjects=pair,
                             url=lambda action, p: reverse(urls[action], args=[p.pk])) == 48


def test_the_pledge_pages_http_matrix(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    pair = pledges(cast)
    urls = {"edit": "service:pledge_edit", "assess": "service:pledge_assess"}
    assert check_http_matrix(client, cast, PLEDGE_MATRIX.only("edit", "assess"), subjects=pair,
                             url=lambda action, p: reverse(urls[action], args=[p.pk])) == 48


def test_the_star_pages_http_matrix(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    pair = ratings(cast)
    assert check_http_matrix(client, cast, STAR_MATRIX.only("view"), subjects=pair,
                             url=lambda action, r: reverse("service:star", args=[r.pk])) == 24
    # Adjusting through the page: the form's POST (a redirect when allowed).
    assert check_http_matrix(client, cast, STAR_MATRIX.only("adjust"), subjects=pair, method="post",
                             url=lambda action, r: reverse("service:star_adjust", args=[r.pk]),
                             data=lambda action, r: {"stars": 3, "reason": "矩阵测试"}, ok_status=302) == 24
