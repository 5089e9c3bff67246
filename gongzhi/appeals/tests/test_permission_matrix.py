"""The appeals permission matrix: every cast user × every action × an object on community A's side and one on
community B's side → allowed (ok), visible but not allowed (403), or not visible (404).

The cases: A was sent by the resident of building A and dispatched by worker A to the district's housing
department (whose handler is in the cast); B lies in building B and was dispatched by worker B to a second
department. The whistles: worker A summoned the housing department for community A, worker B the second
department for community B.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.appeals import actions
from gongzhi.appeals.models import Appeal, Assignment, Case, RoutingRule, Whistle, WhistleReport
from gongzhi.appeals.permissions import (
    can,
    can_configure,
    can_configure_citywide,
    can_patrol,
    can_take_hotline,
    can_view_rates,
    can_whistle,
    case_policy,
    contact_fields,
    get_appeal_for_user,
    get_assignment_for_user,
    get_case_for_user,
    get_routing_rule_for_user,
    get_whistle_for_user,
    get_whistle_report_for_user,
    users_who_can,
)
from gongzhi.test import Cast, check_http_matrix, check_policy_matrix, parse_matrix

from .conftest import AppealsCast, lead

pytestmark = pytest.mark.django_db

# follow_up (回访, which counts in the three rates) is for follow-up callers who take no part in the case (none in
# the shared cast: see test_hardening_ratings.py); the resident who sent appeal A sees it as an appeal (RECORDS),
# never the staff case.
CASE = """
                     view    dispatch  supervise  follow_up  handle   note     whistle
superuser            ok/ok   ok/ok     ok/ok      ok/ok      ok/ok    ok/ok    ok/ok
city_admin           ok/ok   ok/ok     ok/ok      403/403    403/403  ok/ok    ok/ok
district_admin       ok/ok   ok/ok     ok/ok      403/403    403/403  ok/ok    ok/ok
subdistrict_staff_a  ok/404  ok/404    ok/404     403/404    403/404  ok/404   ok/404
worker_a             ok/404  ok/404    ok/404     403/404    403/404  ok/404   ok/404
worker_b             404/ok  404/ok    404/ok     404/403    404/403  404/ok   404/ok
grid_worker_a        ok/404  403/404   403/404    403/404    403/404  403/404  403/404
handler              ok/404  403/404   403/404    403/404    ok/404   ok/404   403/404
liaison              404     404       404        404        404      404      404
party_member_user    404     404       404        404        404      404      404
volunteer            404     404       404        404        404      404      404
resident_user        404     404       404        404        404      404      404
"""

# The appeal behind each case and its lead assignment (seen with the case; handled by the unit's handler); the
# whistles (rated by the whistler and the whistle staff over the whistler's area) and their reports (made by the
# summoned unit); routing rules (A: one for subdistrict A, B: one for the whole city, which only city admins
# see).
RECORDS = """
                     appeal  assignment  whistle  rate     report   routing_rule  delete_rule
superuser            ok/ok   ok/ok       ok/ok    ok/ok    ok/ok    ok/ok         ok/ok
city_admin           ok/ok   403/403     ok/ok    ok/ok    403/403  ok/ok         ok/ok
district_admin       ok/ok   403/403     ok/ok    ok/ok    403/403  ok/404        ok/404
subdistrict_staff_a  ok/404  403/404     ok/404   ok/404   403/404  404           404
worker_a             ok/404  403/404     ok/404   ok/404   403/404  404           404
worker_b             404/ok  404/403     404/ok   404/ok   404/403  404           404
grid_worker_a        ok/404  403/404     404      404      404      404           404
handler              ok/404  ok/404      ok/404   403/404  ok/404   404           404
liaison              404     404         404      404      404      404           404
party_member_user    404     404         404      404      404      404           404
volunteer            404     404         404      404      404      404           404
resident_user        ok/404  404         404      404      404      404           404
"""

# An appeal's callback phone and address in full (`contact_fields`, audited), on the cases above: the one rule for
# personal data (docs/architecture.md, "Hardening: personal data") — the roles that may reveal residents' data
# over the case's place (the grid worker of building A too) and the unit handling the case; never the admins.
CONTACT = """
                     contact
superuser            ok/ok
city_admin           403/403
district_admin       403/403
subdistrict_staff_a  ok/404
worker_a             ok/404
worker_b             404/ok
grid_worker_a        ok/404
handler              ok/404
liaison              404
party_member_user    404
volunteer            404
resident_user        404
"""

# A case without a place (only an address): the city's admins (granted at the city) see and dispatch it and may
# read its address (`contact`: the address, not the phone), no district's admin; its sender sees it.
PLACELESS = """
                     view  dispatch  contact
superuser            ok    ok        ok
city_admin           ok    ok        ok
district_admin       404   404       404
subdistrict_staff_a  404   404       404
worker_a             404   404       404
worker_b             404   404       404
grid_worker_a        404   404       404
handler              404   404       404
liaison              404   404       404
party_member_user    404   404       404
volunteer            404   404       404
resident_user        404   404       404
"""

# What is done at an area (A = community A, B = community B); grid workers patrol their grid, not the community.
AT_AREA = """
                     dispatch  whistle  hotline  patrol   configure  view_rates
superuser            ok/ok     ok/ok    ok/ok    ok/ok    ok/ok      ok/ok
city_admin           ok/ok     ok/ok    ok/ok    403/403  ok/ok      ok/ok
district_admin       ok/ok     ok/ok    ok/ok    403/403  ok/ok      ok/ok
subdistrict_staff_a  ok/403    ok/403   ok/403   ok/403   403/403    ok/403
worker_a             ok/403    ok/403   ok/403   ok/403   403/403    ok/403
worker_b             403/ok    403/ok   403/ok   403/ok   403/403    403/ok
grid_worker_a        403/403   403/403  403/403  403/403  403/403    403/403
handler              403/403   403/403  403/403  403/403  403/403    ok/ok
liaison              403/403   403/403  403/403  403/403  403/403    403/403
party_member_user    403/403   403/403  403/403  403/403  403/403    403/403
volunteer            403/403   403/403  403/403  403/403  403/403    403/403
resident_user        403/403   403/403  403/403  403/403  403/403    403/403
"""

# The pages' gates (anywhere in one's scope). Patrol reports come from people on the ground: no superuser
# shortcut. City-wide settings (categories, time limits, weights) are for city admins granted at the city. `menu`:
# the worklists and whistles entries of the menu, for every staff role.
GATES = """
                     hotline  patrol  whistle  configure  citywide  rates  menu
superuser            ok       403     ok       ok         ok        ok     ok
city_admin           ok       403     ok       ok         ok        ok     ok
district_admin       ok       403     ok       ok         403       ok     ok
subdistrict_staff_a  ok       ok      ok       403        403       ok     ok
worker_a             ok       ok      ok       403        403       ok     ok
worker_b             ok       ok      ok       403        403       ok     ok
grid_worker_a        403      ok      403      403        403       403    ok
handler              403      403     403      403        403       ok     ok
liaison              403      403     403      403        403       403    ok
party_member_user    403      403     403      403        403       403    403
volunteer            403      403     403      403        403       403    403
resident_user        403      403     403      403        403       403    403
"""
GATE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "hotline": can_take_hotline, "patrol": can_patrol, "whistle": can_whistle,
    "configure": can_configure, "citywide": can_configure_citywide, "rates": can_view_rates,
    "menu": lambda user: case_policy.can_somewhere(user, "browse"),
}


@dataclass
class World:
    cases: tuple[Case, Case]
    appeals: tuple[Appeal, Appeal]
    assignments: tuple[Assignment, Assignment]
    whistles: tuple[Whistle, Whistle]
    reports: tuple[WhistleReport, WhistleReport]
    rules: tuple[RoutingRule, RoutingRule]


@pytest.fixture
def world(cast: Cast, ac: AppealsCast) -> World:
    appeal_a = actions.do_submit_appeal(acting_user=cast.resident_user, title="垃圾没人清", body="小区门口垃圾三天没清运了",
                                        callback_phone="13800138000", area=cast.building_a)
    appeal_b = actions.do_submit_appeal(acting_user=None, title="楼道灯坏了", body="2号楼楼道灯坏了一周", system=True,
                                        callback_phone="13900139000", area=cast.building_b)
    assert appeal_a.case is not None and appeal_b.case is not None
    case_a = actions.do_dispatch_case(appeal_a.case, acting_user=cast.worker_a, lead_unit=cast.department,
                                      category=ac.leaf)
    case_b = actions.do_dispatch_case(appeal_b.case, acting_user=cast.worker_b, lead_unit=ac.department2,
                                      category=ac.leaf)
    whistle_a = actions.do_whistle(acting_user=cast.worker_a, title="垃圾站选址", area=cast.community_a,
                                   units=[cast.department])
    whistle_b = actions.do_whistle(acting_user=cast.worker_b, title="供水管线", area=cast.community_b,
                                   units=[ac.department2])
    rule_a = actions.do_create_routing_rule(acting_user=None, lead_unit=cast.department, area=cast.subdistrict_a)
    rule_b = actions.do_create_routing_rule(acting_user=None, lead_unit=cast.department, area=None)
    return World(
        cases=(case_a, case_b), appeals=(appeal_a, appeal_b), assignments=(lead(case_a), lead(case_b)),
        whistles=(whistle_a, whistle_b), reports=(whistle_a.reports.get(), whistle_b.reports.get()),
        rules=(rule_a, rule_b),
    )


def test_it_applies_the_matrix_of_cases(cast: Cast, world: World) -> None:
    n = check_policy_matrix(cast, CASE, subjects=world.cases, can=can, fetch=get_case_for_user)
    assert n == 12 * 7 * 2


def _contact(user: Any, action: str, case: Case) -> bool:
    return bool(contact_fields(user, case)) if action == "contact" else can(user, action, case)


def test_it_applies_the_matrix_of_contact_data(cast: Cast, world: World) -> None:
    n = check_policy_matrix(cast, CONTACT, subjects=world.cases, can=_contact, fetch=get_case_for_user)
    assert n == 12 * 2
    placeless = actions.do_submit_appeal(acting_user=cast.resident_user, title="路灯不亮", body="幸福路12号路灯不亮",
                                         callback_phone="13800138000", address="幸福路12号").case
    assert placeless is not None and placeless.area is None
    n = check_policy_matrix(cast, PLACELESS, subjects=(placeless,), can=_contact, fetch=get_case_for_user)
    assert n == 12 * 3
    assert contact_fields(cast.city_admin, placeless) == ("address",)


def test_it_applies_the_matrix_of_the_other_records(cast: Cast, world: World) -> None:
    table = parse_matrix(RECORDS)
    checks: list[tuple[str, tuple[Any, Any], str, Any]] = [
        ("appeal", world.appeals, "view", get_appeal_for_user),
        ("assignment", world.assignments, "handle", get_assignment_for_user),
        ("whistle", world.whistles, "view", get_whistle_for_user),
        ("rate", world.whistles, "rate", get_whistle_for_user),
        ("report", world.reports, "report", get_whistle_report_for_user),
        ("routing_rule", world.rules, "view", get_routing_rule_for_user),
        ("delete_rule", world.rules, "delete", get_routing_rule_for_user),
    ]
    n = 0
    for column, pair, action, fetch in checks:
        n += check_policy_matrix(cast, table.only(column), subjects=pair, can=_asking(action), fetch=fetch)
    assert n == 12 * 7 * 2


def _asking(action: str) -> Callable[[Any, str, Any], bool]:
    """The policy's `can` for `action`, whatever the column is called."""
    return lambda user, _column, obj: can(user, action, obj)


def test_it_applies_the_matrix_of_actions_at_an_area(cast: Cast) -> None:
    n = check_policy_matrix(cast, AT_AREA, subjects=(cast.community_a, cast.community_b), can=can)
    assert n == 12 * 6 * 2


def test_it_gates_the_pages(cast: Cast) -> None:
    n = check_policy_matrix(cast, GATES, subjects=(None,), can=lambda user, gate, _: GATE_CHECKS[gate](user))
    assert n == 12 * 7


# --- The same cells through the pages -------------------------------------------------------------------------


def test_it_serves_the_matrix_through_the_pages(cast: Cast, world: World) -> None:
    client = Client()
    cases = parse_matrix(CASE)
    n = check_http_matrix(client, cast, cases.only("view"), subjects=world.cases,
                          url=lambda _, case: reverse("appeals:case", args=[case.pk]))
    # The routing hint of the dispatch form: 404 out of scope, 403 without the dispatch right.
    n += check_http_matrix(client, cast, cases.only("dispatch"), subjects=world.cases,
                           url=lambda _, case: reverse("appeals:case_route", args=[case.pk]))
    n += check_http_matrix(client, cast, parse_matrix(RECORDS).only("whistle"), subjects=world.whistles,
                           url=lambda _, whistle: reverse("appeals:whistle", args=[whistle.pk]))
    # The API answers the same.
    n += check_http_matrix(client, cast, cases.only("view"), subjects=world.cases,
                           url=lambda _, case: f"/api/appeals/cases/{case.pk}")
    n += check_http_matrix(client, cast, cases.only("dispatch"), subjects=world.cases,
                           url=lambda _, case: f"/api/appeals/cases/{case.pk}/route")
    pages = {"hotline": "appeals:hotline", "patrol": "appeals:patrol", "whistle": "appeals:whistle_new",
             "configure": "appeals:config_routing", "rates": "appeals:rates"}
    n += check_http_matrix(client, cast, parse_matrix(GATES).only(*pages), subjects=(None,),
                           url=lambda gate, _: reverse(pages[gate]))
    assert n == 12 * 2 * 5 + 12 * 5


# --- What the matrix does not show ----------------------------------------------------------------------------


def test_it_finds_whom_to_notify(cast: Cast, world: World, ac: AppealsCast) -> None:
    case_a, case_b = world.cases
    # A dispatched case is supervised from its subdistrict: the dispatchers over it, not the community's.
    assert case_a.supervising_area == cast.subdistrict_a
    assert set(users_who_can("dispatch", case_a)) == {cast.city_admin, cast.district_admin, cast.subdistrict_staff_a}
    assert set(users_who_can("handle", cast.department)) == {cast.handler}
    assert set(users_who_can("handle", ac.department2)) == {ac.handler2}
    assert set(users_who_can("whistle", world.whistles[1])) == {cast.worker_b}
    with pytest.raises(ValueError, match="Unknown action"):
        users_who_can("handle", case_b)


def test_it_refuses_unknown_actions(cast: Cast, world: World) -> None:
    with pytest.raises(ValueError, match="Unknown action"):
        can(cast.worker_a, "fly", world.cases[0])
    with pytest.raises(TypeError, match="No policy"):
        can(cast.worker_a, "view", cast.department)
