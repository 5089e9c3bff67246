"""Finding 11 of issue 17: self-granted rights. A community worker could grant themselves (or a friend) any role
at their community, subdistrict staff included, and the Django admin wrote grants without the action or an audit
event. Now a role is granted (and taken back) only by someone holding a higher role over the area, never by
oneself, always through the actions and audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from gongzhi.core import actions
from gongzhi.core.models import AuditEvent, Grant, Role, User
from gongzhi.test import Cast, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(cast: Cast) -> User:
    return make_user("newcomer", "新同事")


def test_it_lets_nobody_grant_themselves_a_role(cast: Cast) -> None:
    for user, role, area in [(cast.worker_a, Role.GRID_WORKER, cast.grid_a),
                             (cast.worker_a, Role.SUBDISTRICT_STAFF, cast.community_a),
                             (cast.district_admin, Role.COMMUNITY_WORKER, cast.community_b),
                             (cast.superuser, Role.CITY_ADMIN, cast.city)]:
        with pytest.raises(PermissionDenied):
            actions.do_grant_role(user, role=role, area=area, acting_user=user)
    assert not Grant.objects.filter(user=cast.worker_a, role__in=[Role.GRID_WORKER, Role.SUBDISTRICT_STAFF]).exists()
    assert not Grant.objects.filter(user=cast.district_admin, role=Role.COMMUNITY_WORKER).exists()
    assert not Grant.objects.filter(user=cast.superuser).exists()


@pytest.mark.parametrize(("grantor", "role", "where", "allowed"), [
    # A community worker reveals personal data in the community: only a higher role makes another one.
    ("worker_a", Role.COMMUNITY_WORKER, "community_a", False),
    ("worker_a", Role.SUBDISTRICT_STAFF, "community_a", False),
    ("worker_a", Role.GRID_WORKER, "grid_a", True),
    ("worker_a", Role.VOLUNTEER, "community_a", True),
    ("subdistrict_staff_a", Role.COMMUNITY_WORKER, "community_a", True),
    ("subdistrict_staff_a", Role.SUBDISTRICT_STAFF, "subdistrict_a", False),
    ("district_admin", Role.SUBDISTRICT_STAFF, "subdistrict_a", True),
    ("district_admin", Role.DISTRICT_ADMIN, "district", False),
    ("city_admin", Role.DISTRICT_ADMIN, "district", True),
    ("city_admin", Role.CITY_ADMIN, "city", False),
    ("superuser", Role.CITY_ADMIN, "city", True),
    ("worker_b", Role.GRID_WORKER, "grid_a", False),  # out of scope
    ("grid_worker_a", Role.RESIDENT, "grid_a", False),  # no right to manage the area
])
def test_it_needs_a_higher_role_over_the_area(cast: Cast, newcomer: User, grantor: str, role: str, where: str,
                                              allowed: bool) -> None:
    acting, area = getattr(cast, grantor), getattr(cast, where)
    if allowed:
        grant = actions.do_grant_role(newcomer, role=role, area=area, acting_user=acting)
        event = AuditEvent.objects.get(verb="core.grant.create", object_id=str(grant.pk))
        assert event.actor == acting and (event.after or {}).get("role") == role and event.area == area
        actions.do_revoke_role(grant, acting_user=acting)
        assert AuditEvent.objects.filter(verb="core.grant.revoke", actor=acting).exists()
        assert not Grant.objects.filter(user=newcomer).exists()
    else:
        with pytest.raises(PermissionDenied):
            actions.do_grant_role(newcomer, role=role, area=area, acting_user=acting)
        assert not Grant.objects.filter(user=newcomer).exists()
    from gongzhi.core.permissions import can_grant  # new in the fix

    assert can_grant(acting, role, area, newcomer) is allowed


def test_it_takes_back_roles_by_the_same_rule(cast: Cast) -> None:
    grant = Grant.objects.get(user=cast.worker_a, role=Role.COMMUNITY_WORKER)
    for who in (cast.worker_a, cast.worker_b, cast.grid_worker_a):  # oneself; out of scope; lower
        with pytest.raises(PermissionDenied):
            actions.do_revoke_role(grant, acting_user=who)
    actions.do_revoke_role(grant, acting_user=cast.subdistrict_staff_a)
    assert not Grant.objects.filter(pk=grant.pk).exists()


def _user_form(user: User, grants: list[dict[str, Any]], initial: list[Grant]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": user.username, "first_name": "", "last_name": "", "email": "", "is_active": "on",
        "display_name": user.display_name, "phone": "", "last_login_0": "", "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"), "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "grants-TOTAL_FORMS": str(len(initial) + len(grants)), "grants-INITIAL_FORMS": str(len(initial)),
        "grants-MIN_NUM_FORMS": "0", "grants-MAX_NUM_FORMS": "1000",
    }
    if user.is_superuser:
        data.update({"is_superuser": "on", "is_staff": "on"})
    rows = [{"id": g.pk, "user": user.pk, "role": g.role, "area": g.area_id, "unit": g.unit_id or ""} for g in initial]
    rows += [{"id": "", "user": user.pk, **g} for g in grants]
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"grants-{i}-{key}"] = "" if value is None else value
    return data


def test_it_grants_through_the_action_in_the_django_admin(cast: Cast, client: Client, newcomer: User) -> None:
    client.force_login(cast.superuser)
    response = client.post(f"/admin/core/user/{newcomer.pk}/change/", _user_form(
        newcomer, [{"role": Role.COMMUNITY_WORKER, "area": cast.community_a.pk, "unit": ""}], []))
    assert response.status_code == 302, response.content.decode()[:3000]
    grant = Grant.objects.get(user=newcomer)
    assert AuditEvent.objects.filter(verb="core.grant.create", object_id=str(grant.pk), actor=cast.superuser).exists()


def test_it_lets_nobody_edit_their_own_rights_in_the_django_admin(cast: Cast, client: Client) -> None:
    client.force_login(cast.superuser)
    page = client.get(f"/admin/core/user/{cast.superuser.pk}/change/").content.decode()
    assert 'name="grants-0-role"' not in page and 'name="grants-TOTAL_FORMS"' in page
    client.post(f"/admin/core/user/{cast.superuser.pk}/change/", _user_form(
        cast.superuser, [{"role": Role.CITY_ADMIN, "area": cast.city.pk, "unit": ""}], []))
    assert not Grant.objects.filter(user=cast.superuser).exists()
    # Nor can a staff user with the right to change users make themselves a superuser.
    from django.contrib.auth.models import Permission

    cast.worker_a.is_staff = True
    cast.worker_a.save(update_fields=["is_staff"])
    cast.worker_a.user_permissions.add(*Permission.objects.filter(codename__in=["change_user", "view_user"]))
    client.force_login(cast.worker_a)
    data = _user_form(cast.worker_a, [], list(Grant.objects.filter(user=cast.worker_a)))
    data.update({"is_superuser": "on", "is_staff": "on"})
    client.post(f"/admin/core/user/{cast.worker_a.pk}/change/", data)
    cast.worker_a.refresh_from_db()
    assert not cast.worker_a.is_superuser
