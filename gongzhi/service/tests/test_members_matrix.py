"""Permission matrices with the cast for the members part's policies: registrations (view, decide), members'
records (view, manage), volunteers' profiles (view, edit), certificates (view): A lies at community A, B at
community B. The member-year page and the registration decision through HTTP too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.core.models import PartyMember, Registration
from gongzhi.service import permissions
from gongzhi.service.actions import members as actions
from gongzhi.service.models import Certificate, VolunteerProfile
from gongzhi.test import Cast, check_http_matrix, check_policy_matrix, make_user, parse_matrix

from .members_scene import serve

pytestmark = pytest.mark.django_db

# A: 王红 (party_member_user, work unit = the liaison's) registered at A; B: a member living and registered at B.
REGISTRATION_MATRIX = parse_matrix("""
                        view     decide
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

MEMBER_MATRIX = parse_matrix("""
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
volunteer               404/404  404/404
resident_user           404/404  404/404
""")

# A: the volunteer's profile at A; B: another volunteer's at B.
PROFILE_MATRIX = parse_matrix("""
                        view     edit
superuser               ok/ok    ok/ok
city_admin              ok/ok    ok/ok
district_admin          ok/ok    ok/ok
subdistrict_staff_a     ok/404   ok/404
worker_a                ok/404   ok/404
worker_b                404/ok   404/ok
grid_worker_a           404/404  404/404
handler                 404/404  404/404
liaison                 404/404  404/404
party_member_user       404/404  404/404
volunteer               ok/404   ok/404
resident_user           404/404  404/404
""")

CERTIFICATE_MATRIX = parse_matrix("""
                        view
superuser               ok/ok
city_admin              ok/ok
district_admin          ok/ok
subdistrict_staff_a     ok/404
worker_a                ok/404
worker_b                404/ok
grid_worker_a           404/404
handler                 404/404
liaison                 404/404
party_member_user       404/404
volunteer               ok/404
resident_user           404/404
""")


def _members(cast: Cast) -> tuple[PartyMember, PartyMember]:
    registration = actions.do_register_member(acting_user=cast.party_member_user, community=cast.community_a)
    assert registration.status == Registration.Status.PENDING
    other = core_actions.do_create_party_member(acting_user=None, home_area=cast.community_b, name="赵六",
                                                in_service=True)
    core_actions.do_register_party_member(other, community=cast.community_b, acting_user=cast.worker_b)
    return cast.party_member_a, other


def _registrations(cast: Cast) -> tuple[Registration, Registration]:
    a, b = _members(cast)
    return Registration.objects.get(party_member=a), Registration.objects.get(party_member=b)


def _profiles(cast: Cast) -> tuple[VolunteerProfile, VolunteerProfile]:
    a = actions.do_update_volunteer_profile(None, acting_user=cast.volunteer, user=cast.volunteer,
                                            community=cast.community_a, skills="助老")
    someone = make_user("volunteer_b", "安定门志愿者")
    b = actions.do_update_volunteer_profile(None, acting_user=someone, user=someone, community=cast.community_b,
                                            skills="理发")
    return a, b


def test_the_registration_policy_matrix(cast: Cast) -> None:
    checked = check_policy_matrix(cast, REGISTRATION_MATRIX, subjects=_registrations(cast), can=permissions.can,
                                  fetch=permissions.get_registration_for_user)
    assert checked == 48


def test_the_member_policy_matrix(cast: Cast) -> None:
    checked = check_policy_matrix(cast, MEMBER_MATRIX, subjects=_members(cast), can=permissions.can,
                                  fetch=permissions.get_member_for_user)
    assert checked == 48


def test_the_volunteer_profile_policy_matrix(cast: Cast) -> None:
    checked = check_policy_matrix(cast, PROFILE_MATRIX, subjects=_profiles(cast), can=permissions.can,
                                  fetch=permissions.get_volunteer_profile_for_user)
    assert checked == 48


def test_the_certificate_policy_matrix(cast: Cast) -> None:
    a, b = _profiles(cast)
    serve(a.user, cast.community_a, days_ago=3)
    serve(b.user, cast.community_b, days_ago=3)
    start = timezone.localdate() - timedelta(days=10)
    certs = tuple(actions.do_issue_certificate(acting_user=None, user=p.user, community=p.community, start=start,
                                               end=timezone.localdate()) for p in (a, b))
    assert all(isinstance(c, Certificate) for c in certs)
    checked = check_policy_matrix(cast, CERTIFICATE_MATRIX, subjects=certs, can=permissions.can,
                                  fetch=permissions.get_certificate_for_user)
    assert checked == 24


def test_the_pages_follow_the_matrices(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    members = _members(cast)
    check_http_matrix(client, cast, MEMBER_MATRIX.only("view"), subjects=members,
                      url=lambda action, m: reverse("service:member_year", args=[m.pk]))
    registrations = (Registration.objects.get(party_member=members[0]),
                     Registration.objects.get(party_member=members[1]))
    # Every decision is refused (a bad form: no "do"), so each row stays pending: 400 where allowed.
    check_http_matrix(client, cast, REGISTRATION_MATRIX.only("decide"), subjects=registrations, method="post",
                      url=lambda action, r: reverse("service:registration_decide", args=[r.pk]), ok_status=400)
    assert Registration.objects.filter(pk=registrations[0].pk, status=Registration.Status.PENDING).exists()
