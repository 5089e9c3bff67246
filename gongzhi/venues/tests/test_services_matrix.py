"""The permission matrices of shared services (service_policy), their sessions (session_policy) and places
(place_policy) over the whole cast, the alliance cases, and a few cells through the pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.test import check_http_matrix, check_policy_matrix, make_alliance
from gongzhi.venues.actions import services as actions
from gongzhi.venues.models import ServiceSession
from gongzhi.venues.permissions import (
    get_place_for_user,
    get_service_for_user,
    get_session_for_user,
    place_policy,
    service_policy,
    session_policy,
)

from .test_services_actions import scene

pytestmark = pytest.mark.django_db

SERVICE_MATRIX = """
                     view     run      create_service  take_place
superuser            ok/ok    ok/ok    ok/ok           403/403
city_admin           ok/ok    ok/ok    ok/ok           ok/ok
district_admin       ok/ok    ok/ok    ok/ok           ok/ok
subdistrict_staff_a  ok/404   ok/404   ok/404          ok/404
worker_a             ok/404   ok/404   ok/404          ok/404
worker_b             404/ok   404/ok   404/ok          404/ok
grid_worker_a        ok/404   403/404  403/404         ok/404
handler              404/404  404/404  404/404         404/404
liaison              ok/404   403/404  ok/404          ok/404
party_member_user    ok/404   403/404  403/404         ok/404
volunteer            ok/404   403/404  403/404         ok/404
resident_user        ok/404   403/404  403/404         ok/404
"""

SESSION_MATRIX = """
                     view     run
superuser            ok/ok    ok/ok
city_admin           ok/ok    ok/ok
district_admin       ok/ok    ok/ok
subdistrict_staff_a  ok/404   ok/404
worker_a             ok/404   ok/404
worker_b             404/ok   404/ok
grid_worker_a        ok/404   403/404
handler              404/404  404/404
liaison              ok/404   403/404
party_member_user    ok/404   403/404
volunteer            ok/404   403/404
resident_user        ok/404   403/404
"""

# The places: A is resident_user's place in A's session, B a place of worker_b in B's session; "rate" on places
# that were attended.
PLACE_MATRIX = """
                     view     cancel   check_in  rate
superuser            ok/ok    ok/ok    ok/ok     403/403
city_admin           ok/ok    ok/ok    ok/ok     403/403
district_admin       ok/ok    ok/ok    ok/ok     403/403
subdistrict_staff_a  ok/404   ok/404   ok/404    403/404
worker_a             ok/404   ok/404   ok/404    403/404
worker_b             404/ok   404/ok   404/ok    404/ok
grid_worker_a        404/404  404/404  404/404   404/404
handler              404/404  404/404  404/404   404/404
liaison              404/404  404/404  404/404   404/404
party_member_user    404/404  404/404  404/404   404/404
volunteer            404/404  404/404  404/404   404/404
resident_user        ok/404   ok/404   403/404   ok/404
"""


def test_the_service_matrix(cast: Any) -> None:
    s = scene(cast)
    assert check_policy_matrix(cast, SERVICE_MATRIX, subjects=(s.service_a, s.service_b), can=service_policy.can,
                               fetch=get_service_for_user) == 96


def test_the_session_matrix(cast: Any) -> None:
    s = scene(cast)
    assert check_policy_matrix(cast, SESSION_MATRIX, subjects=(s.session_a, s.session_b), can=session_policy.can,
                               fetch=get_session_for_user) == 48


def _places(cast: Any) -> tuple[Any, Any, Any, Any]:
    s = scene(cast)
    a = actions.do_take_place(s.session_a, acting_user=cast.resident_user)
    b = actions.do_take_place(s.session_b, acting_user=cast.worker_b)
    return s, a, b, None


def test_the_place_matrix(cast: Any) -> None:
    s, a, b, _ = _places(cast)
    later = timezone.now() + timedelta(days=9)
    past = [actions.do_create_session(svc, acting_user=None, starts_at=later, ends_at=later + timedelta(hours=1),
                                      capacity=5) for svc in (s.service_a, s.service_b)]
    rated_a = actions.do_take_place(past[0], acting_user=cast.resident_user)
    rated_b = actions.do_take_place(past[1], acting_user=cast.worker_b)
    ServiceSession.objects.filter(pk__in=[p.pk for p in past]).update(
        starts_at=timezone.now() - timedelta(minutes=10), ends_at=timezone.now() + timedelta(minutes=50))
    actions.do_check_in_place(rated_a, acting_user=cast.worker_a)
    actions.do_check_in_place(rated_b, acting_user=cast.worker_b)
    rated_a.refresh_from_db()
    rated_b.refresh_from_db()

    def subjects(action: str) -> tuple[Any, Any]:
        return (rated_a, rated_b) if action == "rate" else (a, b)

    assert check_policy_matrix(cast, PLACE_MATRIX, subjects=subjects, can=place_policy.can,
                               fetch=get_place_for_user) == 96


def test_the_alliance_cases(cast: Any) -> None:
    """resident_c_user (community C, allied with A) may take a place in A's alliance service; worker_b may not;
    a community-only service of A is closed to C."""
    scene_c = make_alliance(cast)
    s = scene(cast)
    assert service_policy.can(scene_c.resident_c_user, "take_place", s.service_a)
    assert get_service_for_user(scene_c.resident_c_user, s.service_a.pk) == s.service_a
    assert not service_policy.can(cast.worker_b, "take_place", s.service_a)
    assert not service_policy.can(scene_c.worker_c, "run", s.service_a)
    assert not service_policy.can(scene_c.resident_c_user, "take_place", s.service_b)
    s.service_a.who_may_use = "community"
    s.service_a.save(update_fields=["who_may_use"])
    assert not service_policy.can(scene_c.resident_c_user, "take_place", s.service_a)
    assert not service_policy.visible_to(scene_c.resident_c_user).filter(pk=s.service_a.pk).exists()


def test_a_few_cells_through_the_pages(client: Any, cast: Any) -> None:
    s = scene(cast)
    table = """
                         service  session
    superuser            ok/ok    ok/ok
    city_admin           ok/ok    ok/ok
    district_admin       ok/ok    ok/ok
    subdistrict_staff_a  ok/404   ok/404
    worker_a             ok/404   ok/404
    worker_b             404/ok   404/ok
    grid_worker_a        ok/404   ok/404
    handler              404/404  404/404
    liaison              ok/404   ok/404
    party_member_user    ok/404   ok/404
    volunteer            ok/404   ok/404
    resident_user        ok/404   ok/404
    """
    assert check_http_matrix(client, cast, table, url=lambda action, obj: (
        f"/venues/services/{obj.pk}/" if action == "service" else f"/venues/services/sessions/{obj.pk}/"),
        subjects=lambda action: (s.service_a, s.service_b) if action == "service" else (s.session_a, s.session_b)
    ) == 48
    edit = """
                         edit
    superuser            ok/ok
    city_admin           ok/ok
    district_admin       ok/ok
    subdistrict_staff_a  ok/404
    worker_a             ok/404
    worker_b             404/ok
    grid_worker_a        403/404
    handler              404/404
    liaison              403/404
    party_member_user    403/404
    volunteer            403/404
    resident_user        403/404
    """
    assert check_http_matrix(client, cast, edit, url=lambda action, obj: f"/venues/services/{obj.pk}/edit/",
                             subjects=(s.service_a, s.service_b)) == 24
