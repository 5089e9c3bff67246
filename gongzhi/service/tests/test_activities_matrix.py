"""The permission matrices of the activities: ActivityPolicy (view, manage, sign_up) on an activity at community A
(open to party members and volunteers) and one at B; SignUpPolicy (view, cancel, confirm_hours) on the party
member's sign-up at A and the volunteer's at A (a person sees only their own). The grid worker's scope is a grid,
below the community: 404. The pages through HTTP: the activity page (view), the check-in board (manage), the
sign-up (POST, 302 when allowed)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.service import permissions
from gongzhi.service.actions import activities as actions
from gongzhi.service.models import Activity, SignUp
from gongzhi.test import Cast, check_http_matrix, check_policy_matrix, parse_matrix

from .activities_scene import activity

pytestmark = pytest.mark.django_db

ACTIVITY_MATRIX = parse_matrix("""
                        view     manage   sign_up
superuser               ok/ok    ok/ok    403/403
city_admin              ok/ok    ok/ok    403/403
district_admin          ok/ok    ok/ok    403/403
subdistrict_staff_a     ok/404   ok/404   403/404
worker_a                ok/404   ok/404   403/404
worker_b                404/ok   404/ok   404/403
grid_worker_a           404/404  404/404  404/404
handler                 404/404  404/404  404/404
liaison                 ok/404   403/404  403/404
party_member_user       ok/404   403/404  ok/404
volunteer               ok/404   403/404  ok/404
resident_user           ok/404   403/404  403/404
""")

# A: the party member's sign-up; B: the volunteer's (both at community A).
SIGNUP_MATRIX = parse_matrix("""
                        view     cancel   confirm_hours
superuser               ok/ok    ok/ok    ok/ok
city_admin              ok/ok    ok/ok    ok/ok
district_admin          ok/ok    ok/ok    ok/ok
subdistrict_staff_a     ok/ok    ok/ok    ok/ok
worker_a                ok/ok    ok/ok    ok/ok
worker_b                404/404  404/404  404/404
grid_worker_a           404/404  404/404  404/404
handler                 404/404  404/404  404/404
liaison                 404/404  404/404  404/404
party_member_user       ok/404   ok/404   403/404
volunteer               404/ok   404/ok   404/403
resident_user           404/404  404/404  404/404
""")


def activities(cast: Cast) -> tuple[Activity, Activity]:
    return (activity(cast, open_to_residents=False),
            activity(cast, community=cast.community_b, open_to_residents=False))


def signups(cast: Cast) -> tuple[SignUp, SignUp]:
    a = activity(cast, open_to_residents=False)
    return (actions.do_sign_up(a, acting_user=cast.party_member_user),
            actions.do_sign_up(a, acting_user=cast.volunteer))


def test_the_activity_policy_matrix(cast: Cast) -> None:
    checked = check_policy_matrix(cast, ACTIVITY_MATRIX, subjects=activities(cast), can=permissions.can,
                                  fetch=permissions.get_activity_for_user)
    assert checked == 72


def test_the_signup_policy_matrix(cast: Cast) -> None:
    checked = check_policy_matrix(cast, SIGNUP_MATRIX, subjects=signups(cast), can=permissions.can,
                                  fetch=permissions.get_signup_for_user)
    assert checked == 72


def test_the_organizer_named_manages_without_a_staff_role(cast: Cast) -> None:
    a = actions.do_create_activity(acting_user=cast.worker_a, community=cast.community_a, title="助老",
                                   place="和平里", starts_at=activity(cast).starts_at,
                                   ends_at=activity(cast).ends_at, capacity=5, organizer=cast.volunteer)
    assert permissions.can(cast.volunteer, "manage", a)
    assert not permissions.can(cast.party_member_user, "manage", a)


def test_the_pages_http_matrix(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    pair = activities(cast)
    urls = {"view": "service:activity", "manage": "service:activity_board"}
    checked = check_http_matrix(client, cast, ACTIVITY_MATRIX.only("view", "manage"), subjects=pair,
                                url=lambda action, a: reverse(urls[action], args=[a.pk]))
    assert checked == 48


def test_the_sign_up_http_matrix(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    pair = activities(cast)
    checked = check_http_matrix(client, cast, ACTIVITY_MATRIX.only("sign_up"), subjects=pair, method="post",
                                url=lambda action, a: reverse("service:activity_sign_up", args=[a.pk]),
                                ok_status=302)
    assert checked == 24
    assert set(SignUp.objects.values_list("user__username", flat=True)) == {"party_member_user", "volunteer"}


def test_lists_and_the_api_are_scoped(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    a, b = activities(cast)
    assert set(permissions.visible_to(cast.worker_a, Activity)) == {a}
    assert set(permissions.visible_to(cast.worker_b, Activity)) == {b}
    client.force_login(cast.party_member_user)
    page = client.get(reverse("service:activities"))
    assert page.status_code == 200 and a.title in page.content.decode()
    assert [x["id"] for x in client.get("/api/service/activities").json()] == [a.pk]
    assert client.get(f"/api/service/activities/{b.pk}").status_code == 404
    assert client.post(f"/api/service/activities/{a.pk}/cancel", {"reason": "x"},
                       content_type="application/json").status_code == 403
    assert client.get(f"/api/service/activities/{a.pk}").json()["feedback_url"] is None
    client.force_login(cast.worker_a)
    assert client.post(f"/api/service/activities/{b.pk}/cancel", {"reason": "x"},
                       content_type="application/json").status_code == 404
    assert client.get(f"/api/service/activities/{a.pk}").json()["feedback_url"]
    client.force_login(cast.handler)
    assert client.get(reverse("service:activities")).status_code == 403
