"""The permission matrices of venues and rooms with the cast (a station and its room on community A, another on
community B; each room its own community's), the pages through HTTP, and the alliance: community A allied with C
across a provincial border."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gongzhi.test import Cast, check_http_matrix, check_policy_matrix, make_alliance, parse_matrix
from gongzhi.venues import permissions
from gongzhi.venues.models import Room, Venue

from .rooms_scene import room, scene, station

pytestmark = pytest.mark.django_db

VENUE_MATRIX = parse_matrix("""
                        view     manage
superuser               ok/ok    ok/ok
city_admin              ok/ok    ok/ok
district_admin          ok/ok    ok/ok
subdistrict_staff_a     ok/404   ok/404
worker_a                ok/404   ok/404
worker_b                404/ok   404/ok
grid_worker_a           ok/404   403/404
handler                 404/404  404/404
liaison                 ok/404   403/404
party_member_user       ok/404   403/404
volunteer               ok/404   403/404
resident_user           ok/404   403/404
""")

ROOM_MATRIX = parse_matrix("""
                        view     manage   book
superuser               ok/ok    ok/ok    ok/ok
city_admin              ok/ok    ok/ok    ok/ok
district_admin          ok/ok    ok/ok    ok/ok
subdistrict_staff_a     ok/404   ok/404   ok/404
worker_a                ok/404   ok/404   ok/404
worker_b                404/ok   404/ok   404/ok
grid_worker_a           ok/404   403/404  ok/404
handler                 404/404  404/404  404/404
liaison                 ok/404   403/404  ok/404
party_member_user       ok/404   403/404  ok/404
volunteer               ok/404   403/404  ok/404
resident_user           ok/404   403/404  ok/404
""")

# Setting up a venue at an area (community A, community B): no visibility question.
CREATE_MATRIX = parse_matrix("""
                        create_venue
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


def test_it_checks_the_venue_matrix(cast: Cast) -> None:
    venue_a, _ra, venue_b, _rb = scene(cast)
    assert check_policy_matrix(cast, VENUE_MATRIX, subjects=(venue_a, venue_b), can=permissions.can,
                               fetch=permissions.get_venue_for_user) == 48


def test_it_checks_the_room_matrix(cast: Cast) -> None:
    _va, room_a, _vb, room_b = scene(cast)
    assert check_policy_matrix(cast, ROOM_MATRIX, subjects=(room_a, room_b), can=permissions.can,
                               fetch=permissions.get_room_for_user) == 72


def test_it_checks_who_may_set_up_a_venue(cast: Cast) -> None:
    subjects = (Venue(area=cast.community_a), Venue(area=cast.community_b))
    assert check_policy_matrix(cast, CREATE_MATRIX, subjects=subjects, can=permissions.can) == 24


def test_it_checks_the_pages_against_the_matrices(client: Any, cast: Cast) -> None:
    venue_a, room_a, venue_b, room_b = scene(cast)
    names = {"view": "venues:venue", "manage": "venues:venue_edit"}
    assert check_http_matrix(client, cast, VENUE_MATRIX, url=lambda a, v: reverse(names[a], args=[v.pk]),
                             subjects=(venue_a, venue_b)) == 48
    pages = {"view": "venues:room", "manage": "venues:room_close"}
    assert check_http_matrix(client, cast, ROOM_MATRIX.only("view", "manage"),
                             url=lambda a, r: reverse(pages[a], args=[r.pk]), subjects=(room_a, room_b)) == 48
    assert check_http_matrix(client, cast, ROOM_MATRIX.only("manage"),
                             url=lambda a, r: reverse("venues:room_edit", args=[r.pk]),
                             subjects=(room_a, room_b)) == 24


def test_an_alliance_community_across_the_border_sees_and_may_book_an_alliance_only_room(cast: Cast) -> None:
    alliance = make_alliance(cast)
    venue_a = station(cast.community_a)
    shared = room(venue_a, "共享会议室", who_may_book="alliance")
    own_only = room(venue_a, "党员活动室", who_may_book="community")
    for user in (alliance.worker_c, alliance.resident_c_user):
        assert permissions.get_room_for_user(user, shared.pk) == shared
        assert permissions.can(user, "book", shared)
        assert not permissions.can(user, "book", own_only)
        assert list(permissions.visible_to(user, Room).filter(venue=venue_a)) == [shared]
        assert permissions.get_venue_for_user(user, venue_a.pk) == venue_a
        assert not permissions.can(user, "manage", shared)
    assert permissions.can(cast.resident_user, "book", shared)


def test_a_community_outside_the_alliance_cannot_book_an_alliance_only_room(cast: Cast) -> None:
    make_alliance(cast)
    shared = room(station(cast.community_a), "共享会议室", who_may_book="alliance")
    assert not permissions.can(cast.worker_b, "book", shared)
    assert not permissions.room_policy.visible_to(cast.worker_b).filter(pk=shared.pk).exists()
    with pytest.raises(Exception) as caught:
        permissions.get_room_for_user(cast.worker_b, shared.pk)
    assert caught.typename == "Http404"


def test_another_alliances_venue_rules_apply(cast: Cast, client: Any) -> None:
    """A room in community C keeps C's rule: only C's own community may book it, even for an allied resident of A."""
    alliance = make_alliance(cast)
    venue_c = station(alliance.community_c)
    own = room(venue_c, "党员活动室", who_may_book="community")
    shared = room(venue_c, "会议室", who_may_book="alliance")
    assert not permissions.can(cast.resident_user, "book", own)
    assert not permissions.room_policy.visible_to(cast.resident_user).filter(pk=own.pk).exists()
    assert permissions.can(cast.resident_user, "book", shared)
    assert permissions.can(alliance.resident_c_user, "book", own)
    client.force_login(cast.resident_user)
    assert client.get(reverse("venues:room", args=[own.pk])).status_code == 404
    assert client.get(reverse("venues:room", args=[shared.pk])).status_code == 200
    # Managing stays with C's side: A's worker sees the shared room but may not change it.
    client.force_login(cast.worker_a)
    assert client.get(reverse("venues:room_edit", args=[shared.pk])).status_code == 403
    client.force_login(alliance.worker_c)
    assert client.get(reverse("venues:room_edit", args=[shared.pk])).status_code == 200
