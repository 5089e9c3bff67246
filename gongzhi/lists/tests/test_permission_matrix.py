"""The lists permission matrix: every cast user × every action × an object on community A's side and one on
community B's side → allowed (ok), visible but not allowed (403), or not visible (404)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.lists import actions
from gongzhi.lists.permissions import (
    can,
    can_view_lists,
    demand_areas,
    get_demand_for_user,
    get_monthly_theme_for_user,
    theme_areas,
)
from gongzhi.test import Cast, check_http_matrix, check_policy_matrix, matrix_users, parse_matrix

pytestmark = pytest.mark.django_db

# Demands: A = a demand of community A, B = one of community B. Themes: A = subdistrict A's, B = subdistrict B's;
# community staff also see the themes of the areas above them.
RECORDS = """
                     demand   theme
superuser            ok/ok    ok/ok
city_admin           ok/ok    ok/ok
district_admin       ok/ok    ok/ok
subdistrict_staff_a  ok/404   ok/404
worker_a             ok/404   ok/404
worker_b             404/ok   404/ok
grid_worker_a        404      ok/404
handler              404      404
liaison              ok/404   ok/404
party_member_user    404      404
volunteer            404      404
resident_user        404      404
"""

# Actions at an area: add a demand at community A / B, propose the theme of subdistrict A / B; `browse` opens the
# demand and theme lists at all (asked once, A only).
AT_AREA = """
                     create_demand  propose_theme  browse
superuser            ok/ok          ok/ok          ok/-
city_admin           ok/ok          ok/ok          ok/-
district_admin       ok/ok          ok/ok          ok/-
subdistrict_staff_a  ok/403         ok/403         ok/-
worker_a             ok/403         403/403        ok/-
worker_b             403/ok         403/403        ok/-
grid_worker_a        403/403        403/403        ok/-
handler              403/403        403/403        403/-
liaison              ok/403         403/403        ok/-
party_member_user    403/403        403/403        403/-
volunteer            403/403        403/403        403/-
resident_user        403/403        403/403        403/-
"""


@pytest.fixture
def records(cast: Cast) -> dict[str, tuple[object, ...]]:
    month = date(2026, 12, 1)
    demands = tuple(actions.do_create_demand(acting_user=cast.district_admin, title=f"需求{i}", area=area)
                    for i, area in enumerate((cast.community_a, cast.community_b)))
    themes = tuple(actions.do_propose_monthly_theme(acting_user=cast.district_admin, month=month, title=f"主题{i}", area=area)
                   for i, area in enumerate((cast.subdistrict_a, cast.subdistrict_b)))
    return {"demand": demands, "theme": themes}


def test_it_applies_the_matrix_of_demands_and_themes(cast: Cast, records: dict[str, tuple[object, ...]]) -> None:
    table = parse_matrix(RECORDS)
    n = check_policy_matrix(cast, table.only("demand"), subjects=records["demand"], can=_view,
                            fetch=get_demand_for_user)
    n += check_policy_matrix(cast, table.only("theme"), subjects=records["theme"], can=_view,
                             fetch=get_monthly_theme_for_user)
    assert n == 12 * 2 * 2


def _view(user: object, _column: str, obj: object) -> bool:
    return can(user, "view", obj)


def _at(cast: Cast, action: str) -> tuple[object, ...]:
    if action == "create_demand":
        return (cast.community_a, cast.community_b)
    if action == "propose_theme":
        return (cast.subdistrict_a, cast.subdistrict_b)
    return (cast.community_a,)


def _can_at(user: object, action: str, area: object) -> bool:
    if action == "browse":
        return can_view_lists(user)
    return can(user, action, area)


def test_it_applies_the_matrix_of_actions_at_an_area(cast: Cast) -> None:
    n = check_policy_matrix(cast, AT_AREA, subjects=lambda action: _at(cast, action), can=_can_at)
    assert n == 12 * 2 * 2 + 12


def test_it_offers_the_areas_the_matrix_allows(cast: Cast) -> None:
    """The forms' area choices agree with the matrix: community A is offered to whoever may add a demand there."""
    table = parse_matrix(AT_AREA)
    for name, user in matrix_users(cast).items():
        create_a, create_b = table.cells[(name, "create_demand")]
        offered = set(demand_areas(user))
        assert (cast.community_a in offered, cast.community_b in offered) == (create_a == "ok", create_b == "ok"), name
        propose_a, propose_b = table.cells[(name, "propose_theme")]
        offered = set(theme_areas(user))
        assert (cast.subdistrict_a in offered, cast.subdistrict_b in offered) == (
            propose_a == "ok", propose_b == "ok"), name
        # A demand may be at an estate or a building of the community (the "community / estate / building").
        # A liaison adds the unit's own needs for the community as a whole.
        assert (cast.building_a in set(demand_areas(user))) == (create_a == "ok" and name != "liaison"), name


def test_it_serves_the_lists_to_whom_the_matrix_allows(cast: Cast) -> None:
    client = Client()
    gate = parse_matrix(AT_AREA).only("browse")
    n = check_http_matrix(client, cast, gate, subjects=(None,), url=lambda _, __: reverse("lists:demands"))
    n += check_http_matrix(client, cast, gate, subjects=(None,), url=lambda _, __: reverse("lists:themes"))
    assert n == 12 * 2


def test_it_lists_only_what_the_matrix_shows(cast: Cast, records: dict[str, tuple[object, ...]]) -> None:
    client = Client()
    client.force_login(cast.worker_a)
    html = client.get(reverse("lists:demands")).content.decode()
    assert "需求0" in html and "需求1" not in html
    client.force_login(cast.worker_b)
    html = client.get(reverse("lists:themes")).content.decode()
    assert "主题1" in html and "主题0" not in html
