"""The core permission matrix: every cast role × every action × in-scope and out-of-scope objects."""

from __future__ import annotations

import pytest

from gongzhi.core.models import Area, AuditEvent, PartyMember, Resident, Unit
from gongzhi.core.permissions import can, users_who_can, visible_to
from gongzhi.test import Cast

pytestmark = pytest.mark.django_db

# role -> (can view_people/manage/reveal/view_audit at community A, same at community B)
ALL = ("view_people", "manage", "reveal", "view_audit", "manage_areas", "import")
EXPECTED_AT_A: dict[str, set[str]] = {
    "city_admin": {"view_people", "manage", "view_audit", "manage_areas", "import"},
    "district_admin": {"view_people", "manage", "view_audit", "manage_areas", "import"},
    "subdistrict_staff_a": {"view_people", "manage", "reveal", "manage_areas", "import"},
    "worker_a": {"view_people", "manage", "reveal", "manage_areas", "import"},
    "worker_b": set(),
    # Grid workers act on their grid, not the whole community; resident_a lives in their grid.
    "grid_worker_a": {"reveal"},
    "handler": set(),
    "liaison": set(),
    "party_member_user": set(),
    "volunteer": set(),
    "resident_user": set(),
}


def _subject(cast: Cast, action: str, where: str) -> object:
    if action == "reveal":
        return cast.resident_a if where == "a" else cast.resident_b
    return cast.community_a if where == "a" else cast.community_b


@pytest.mark.parametrize("action", ALL)
def test_it_applies_the_matrix_at_both_communities(cast: Cast, action: str) -> None:
    for name, user in cast.users().items():
        allowed_a = action in EXPECTED_AT_A[name]
        assert can(user, action, _subject(cast, action, "a")) is allowed_a, (name, action, "a")
        # Community B: only the city/district admins and worker_b reach it.
        expected_b = {
            "city_admin": EXPECTED_AT_A["city_admin"],
            "district_admin": EXPECTED_AT_A["district_admin"],
            "worker_b": EXPECTED_AT_A["worker_a"],
        }.get(name, set())
        if name == "grid_worker_a":
            expected_b = set()
        assert can(user, action, _subject(cast, action, "b")) is (action in expected_b), (name, action, "b")


def test_it_lets_a_grid_worker_work_on_their_grid_only(cast: Cast) -> None:
    assert can(cast.grid_worker_a, "view_people", cast.building_a)
    assert can(cast.grid_worker_a, "reveal", cast.resident_a)
    assert not can(cast.grid_worker_a, "reveal", cast.resident_b)
    assert list(visible_to(cast.grid_worker_a, Resident)) == [cast.resident_a]


def test_it_scopes_every_list(cast: Cast) -> None:
    residents = {name: set(visible_to(u, Resident)) for name, u in cast.users().items()}
    assert residents["worker_a"] == {cast.resident_a}
    assert residents["worker_b"] == {cast.resident_b}
    assert residents["district_admin"] == {cast.resident_a, cast.resident_b}
    for name in ("handler", "liaison", "party_member_user", "volunteer", "resident_user"):
        assert residents[name] == set(), name

    areas_a = set(visible_to(cast.worker_a, Area))
    assert cast.community_a in areas_a and cast.building_a in areas_a
    assert cast.community_b not in areas_a and cast.building_b not in areas_a
    assert cast.district in areas_a  # ancestors, for the breadcrumb

    assert set(visible_to(cast.liaison, Unit)) == {cast.member_unit}
    assert cast.department in set(visible_to(cast.handler, Unit))
    assert set(visible_to(cast.worker_b, Unit)) == set()  # the member unit is registered at community A
    assert set(visible_to(cast.party_member_user, PartyMember)) == {cast.party_member_a}
    assert set(visible_to(cast.worker_b, PartyMember)) == set()


def test_it_shows_the_audit_log_to_admins_of_the_scope_only(cast: Cast) -> None:
    assert visible_to(cast.district_admin, AuditEvent).exists()
    assert not visible_to(cast.worker_a, AuditEvent).exists()
    assert not visible_to(cast.handler, AuditEvent).exists()
    events = visible_to(cast.district_admin, AuditEvent)
    assert all(e.area_path.startswith(cast.district.path) for e in events)


def test_it_finds_whom_to_notify(cast: Cast) -> None:
    reveal = set(users_who_can("reveal", cast.building_a))
    assert reveal == {cast.subdistrict_staff_a, cast.worker_a, cast.grid_worker_a}


def test_it_denies_anonymous_and_inactive_users(cast: Cast) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not can(AnonymousUser(), "view_people", cast.community_a)
    assert not visible_to(AnonymousUser(), Resident).exists()
    cast.worker_a.is_active = False
    assert not can(cast.worker_a, "view_people", cast.community_a)
