"""The core permission matrix: every cast user × every action × an object on community A's side and one on
community B's side → allowed (ok), visible but not allowed (403), or not visible (404).

Read a row as "what this role may do"; a column as "who may do this". The staff of A reach A's side only, the
city and district admins both sides; grid workers act on their grid, below community A.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from gongzhi.core import actions
from gongzhi.core.models import AuditEvent, ImportJob, PartyMember, Resident, Unit, User
from gongzhi.core.navigation import navigation_for
from gongzhi.core.permissions import (
    audit_event_policy,
    can,
    get_area_for_user,
    get_audit_event_for_user,
    get_import_job_for_user,
    get_party_member_for_user,
    get_party_org_for_user,
    get_resident_for_user,
    get_unit_for_user,
    import_job_policy,
    party_org_policy,
    resident_policy,
    unit_policy,
    users_who_can,
    visible_to,
)
from gongzhi.test import Cast, check_http_matrix, check_policy_matrix, matrix_users, parse_matrix

pytestmark = pytest.mark.django_db

# Actions at an area: A = community A, B = community B. `reveal` at an area: see in full (and search by) the
# personal data of the people and appeals there — the one rule of docs/architecture.md ("Hardening: personal
# data"): subdistrict staff, community and grid workers in their subtree; never the admins (the grid worker's grid
# lies below community A, so not at A itself).
AREA = """
                     view    view_people  manage   manage_areas  view_audit  import   reveal
superuser            ok/ok   ok/ok        ok/ok    ok/ok         ok/ok       ok/ok    ok/ok
city_admin           ok/ok   ok/ok        ok/ok    ok/ok         ok/ok       ok/ok    403/403
district_admin       ok/ok   ok/ok        ok/ok    ok/ok         ok/ok       ok/ok    403/403
subdistrict_staff_a  ok/404  ok/404       ok/404   ok/404        403/404     ok/404   ok/404
worker_a             ok/404  ok/404       ok/404   ok/404        403/404     ok/404   ok/404
worker_b             404/ok  404/ok       404/ok   404/ok        404/403     404/ok   404/ok
grid_worker_a        ok/404  403/404      403/404  403/404       403/404     403/404  403/404
handler              ok/ok   403/403      403/403  403/403       403/403     403/403  403/403
liaison              ok/404  403/404      403/404  403/404       403/404     403/404  403/404
party_member_user    ok/404  403/404      403/404  403/404       403/404     403/404  403/404
volunteer            ok/404  403/404      403/404  403/404       403/404     403/404  403/404
resident_user        ok/404  403/404      403/404  403/404       403/404     403/404  403/404
"""

# People: A = resident A (building A) or party member A (community A), B = their counterparts on B's side.
RESIDENT = """
                     view    reveal   manage
superuser            ok/ok   ok/ok    ok/ok
city_admin           ok/ok   403/403  ok/ok
district_admin       ok/ok   403/403  ok/ok
subdistrict_staff_a  ok/404  ok/404   ok/404
worker_a             ok/404  ok/404   ok/404
worker_b             404/ok  404/ok   404/ok
grid_worker_a        ok/404  ok/404   403/404
handler              404     404      404
liaison              404     404      404
party_member_user    404     404      404
volunteer            404     404      404
resident_user        404     404      404
"""

# A party member sees their own record; the grid worker's grid does not hold party member A (community level).
PARTY_MEMBER = """
                     view    reveal   manage
superuser            ok/ok   ok/ok    ok/ok
city_admin           ok/ok   403/403  ok/ok
district_admin       ok/ok   403/403  ok/ok
subdistrict_staff_a  ok/404  ok/404   ok/404
worker_a             ok/404  ok/404   ok/404
worker_b             404/ok  404/ok   404/ok
grid_worker_a        404     404      404
handler              404     404      404
liaison              404     404      404
party_member_user    ok/404  403/404  403/404
volunteer            404     404      404
resident_user        404     404      404
"""

# Units: A = the member unit (at and registered in community A), B = a unit in community B. A unit's own
# people (the liaison) see it; the department's handler sees only the department.
UNIT = """
                     view    manage
superuser            ok/ok   ok/ok
city_admin           ok/ok   ok/ok
district_admin       ok/ok   ok/ok
subdistrict_staff_a  ok/404  ok/404
worker_a             ok/404  ok/404
worker_b             404/ok  404/ok
grid_worker_a        404     404
handler              404     404
liaison              ok/404  403/404
party_member_user    404     404
volunteer            404     404
resident_user        404     404
"""

# Party organizations: every role sees those of its subtree (A = committee A, B = committee B).
PARTY_ORG = """
                     view    manage
superuser            ok/ok   ok/ok
city_admin           ok/ok   ok/ok
district_admin       ok/ok   ok/ok
subdistrict_staff_a  ok/404  ok/404
worker_a             ok/404  ok/404
worker_b             404/ok  404/ok
grid_worker_a        404     404
handler              ok/ok   403/403
liaison              ok/404  403/404
party_member_user    ok/404  403/404
volunteer            ok/404  403/404
resident_user        ok/404  403/404
"""

# Audit events (A: of an area on A's side, B: on B's side) are for admins; import jobs (A: started by worker A
# for community A, B: by worker B for community B) for whoever started them and the admins over their scope.
RECORDS = """
                     audit_event  import_job
superuser            ok/ok        ok/ok
city_admin           ok/ok        ok/ok
district_admin       ok/ok        ok/ok
subdistrict_staff_a  404          404
worker_a             404          ok/404
worker_b             404          404/ok
grid_worker_a        404          404
handler              404          404
liaison              404          404
party_member_user    404          404
volunteer            404          404
resident_user        404          404
"""

# Who opens the list pages at all (their rows are scoped as above): party organizations and units for staff
# roles, residents and party members for people roles, the audit log for admins, imports for area staff (the
# menu entry: the import page itself opens for everyone and offers only the areas one manages).
BROWSE = """
                     party_orgs  units  residents  audit  imports
superuser            ok          ok     ok         ok     ok
city_admin           ok          ok     ok         ok     ok
district_admin       ok          ok     ok         ok     ok
subdistrict_staff_a  ok          ok     ok         403    ok
worker_a             ok          ok     ok         403    ok
worker_b             ok          ok     ok         403    ok
grid_worker_a        ok          ok     ok         403    ok
handler              ok          ok     403        403    403
liaison              ok          ok     403        403    403
party_member_user    403         403    403        403    403
volunteer            403         403    403        403    403
resident_user        403         403    403        403    403
"""
BROWSE_POLICIES = {"party_orgs": party_org_policy, "units": unit_policy, "residents": resident_policy,
                   "audit": audit_event_policy, "imports": import_job_policy}


def _b_side(cast: Cast) -> dict[str, Any]:
    """The objects on community B's side that the cast does not have."""
    member_b = actions.do_create_party_member(acting_user=None, home_area=cast.community_b, name="赵敏",
                                              phone="13600136000")
    unit_b = actions.do_create_unit(acting_user=None, area=cast.community_b, name="安定物业", kind=Unit.Kind.PROPERTY_COMPANY)
    committee_b = actions.do_create_party_org(area=cast.community_b, name="安定门社区大党委", acting_user=None)
    return {"member": member_b, "unit": unit_b, "committee": committee_b}


def _event(cast: Cast, area: Any) -> AuditEvent:
    event = AuditEvent.objects.filter(area_path__startswith=area.path).order_by("pk").first()
    assert event is not None
    return event


def _job(user: Any, area: Any) -> ImportJob:
    return ImportJob.objects.create(kind=ImportJob.Kind.RESIDENTS, created_by=user, scope_area=area,
                                    original_name="居民.xlsx", file="imports/test.xlsx")


def test_it_applies_the_matrix_of_actions_at_an_area(cast: Cast) -> None:
    checked = check_policy_matrix(cast, AREA, subjects=(cast.community_a, cast.community_b), can=can,
                                  fetch=get_area_for_user)
    assert checked == 12 * 7 * 2


def test_it_applies_the_matrix_of_people(cast: Cast) -> None:
    b = _b_side(cast)
    n = check_policy_matrix(cast, RESIDENT, subjects=(cast.resident_a, cast.resident_b), can=can,
                            fetch=get_resident_for_user)
    n += check_policy_matrix(cast, PARTY_MEMBER, subjects=(cast.party_member_a, b["member"]), can=can,
                             fetch=get_party_member_for_user)
    assert n == 2 * 12 * 3 * 2


def test_it_applies_the_matrix_of_units_and_party_orgs(cast: Cast) -> None:
    b = _b_side(cast)
    n = check_policy_matrix(cast, UNIT, subjects=(cast.member_unit, b["unit"]), can=can, fetch=get_unit_for_user)
    n += check_policy_matrix(cast, PARTY_ORG, subjects=(cast.committee_a, b["committee"]), can=can,
                             fetch=get_party_org_for_user)
    assert n == 2 * 12 * 2 * 2


def test_it_applies_the_matrix_of_audit_events_and_import_jobs(cast: Cast) -> None:
    events = (_event(cast, cast.community_a), _event(cast, cast.community_b))
    jobs = (_job(cast.worker_a, cast.community_a), _job(cast.worker_b, cast.community_b))
    records = parse_matrix(RECORDS)
    n = check_policy_matrix(cast, records.only("audit_event"), subjects=events, can=_view,
                            fetch=get_audit_event_for_user)
    n += check_policy_matrix(cast, records.only("import_job"), subjects=jobs, can=_view, fetch=get_import_job_for_user)
    assert n == 2 * 12 * 2


def _view(user: Any, _column: str, obj: Any) -> bool:
    return can(user, "view", obj)


def test_it_gates_the_list_pages_and_the_menu(cast: Cast) -> None:
    browse = parse_matrix(BROWSE)
    checked = check_policy_matrix(cast, browse, subjects=(None,),
                                  can=lambda user, page, _: BROWSE_POLICIES[page].can_somewhere(user, "browse"))
    assert checked == 12 * 5
    for name, user in matrix_users(cast).items():
        menu = {item["key"] for item in navigation_for(User.objects.get(pk=user.pk))}
        shown = {page for page in BROWSE_POLICIES if page in menu}  # the menu keys are the pages' names
        assert shown == {page for page in BROWSE_POLICIES if browse.cells[(name, page)][0] == "ok"}, name


# --- The same cells through the pages -------------------------------------------------------------------------


def test_it_serves_the_matrix_through_the_pages(cast: Cast) -> None:
    client = Client()
    n = check_http_matrix(client, cast, parse_matrix(AREA).only("view"), subjects=(cast.community_a, cast.community_b),
                          url=lambda _, area: reverse("core:area_detail", args=[area.pk]))
    n += check_http_matrix(client, cast, parse_matrix(RESIDENT).only("view"), subjects=(cast.resident_a, cast.resident_b),
                           url=lambda _, r: reverse("core:resident_detail", args=[r.pk]))
    n += check_http_matrix(client, cast, parse_matrix(RESIDENT).only("reveal"), subjects=(cast.resident_a, cast.resident_b),
                           method="post", url=lambda _, r: reverse("core:resident_reveal", args=[r.pk]))
    pages = {"party_orgs": "core:party_org_tree", "units": "core:unit_list", "residents": "core:resident_list",
             "audit": "core:audit_log"}
    # The API answers the same (session auth here; X-API-Key users are cast users too).
    n += check_http_matrix(client, cast, parse_matrix(RESIDENT).only("view"), subjects=(cast.resident_a, cast.resident_b),
                           url=lambda _, r: f"/api/core/residents/{r.pk}")
    n += check_http_matrix(client, cast, parse_matrix(RESIDENT).only("reveal"),
                           subjects=(cast.resident_a, cast.resident_b), method="post",
                           url=lambda _, r: f"/api/core/residents/{r.pk}/reveal")
    gates = parse_matrix(BROWSE).only("party_orgs", "units", "residents", "audit")
    n += check_http_matrix(client, cast, gates, subjects=(None,), url=lambda page, _: reverse(pages[page]))
    assert n == 12 * 2 * 5 + 12 * 4


# --- What the matrix does not show ----------------------------------------------------------------------------


def test_it_scopes_every_list(cast: Cast) -> None:
    residents = {name: set(visible_to(u, Resident)) for name, u in cast.users().items()}
    assert residents["worker_a"] == {cast.resident_a}
    assert residents["worker_b"] == {cast.resident_b}
    assert residents["district_admin"] == {cast.resident_a, cast.resident_b}
    assert list(visible_to(cast.grid_worker_a, Resident)) == [cast.resident_a]
    assert set(visible_to(cast.party_member_user, PartyMember)) == {cast.party_member_a}
    assert set(visible_to(cast.worker_b, Unit)) == set()  # the member unit is registered at community A
    assert cast.department in set(visible_to(cast.handler, Unit))
    events = visible_to(cast.district_admin, AuditEvent)
    assert events.exists() and all(e.area_path.startswith(cast.district.path) for e in events)


def test_it_finds_whom_to_notify(cast: Cast) -> None:
    assert set(users_who_can("reveal", cast.building_a)) == {cast.subdistrict_staff_a, cast.worker_a,
                                                             cast.grid_worker_a}
    assert set(users_who_can("view_audit", cast.community_a)) == {cast.city_admin, cast.district_admin}
    assert set(resident_policy.users_who_can("reveal", cast.resident_b)) == {cast.worker_b}


def test_it_denies_anonymous_and_inactive_users(cast: Cast) -> None:
    assert not can(AnonymousUser(), "view_people", cast.community_a)
    assert not visible_to(AnonymousUser(), Resident).exists()
    cast.worker_a.is_active = False
    assert not can(cast.worker_a, "view_people", cast.community_a)


def test_it_refuses_unknown_actions(cast: Cast) -> None:
    with pytest.raises(ValueError, match="Unknown action"):
        can(cast.worker_a, "fly", cast.community_a)
