"""The permission matrix of MeetingPolicy with the cast: a meeting at community A (its member unit invited) and one
at community B; a liaison sees only the meetings its unit is invited to; an alliance meeting is visible to the staff
of all its communities (a grid worker's scope is the grid, below the community that hosts: 404); the meeting page and its organizer-only QR code through HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.meetings import permissions
from gongzhi.meetings.actions import schedule as actions
from gongzhi.meetings.models import Meeting, MeetingKind
from gongzhi.test import Cast, check_http_matrix, check_policy_matrix, parse_matrix

pytestmark = pytest.mark.django_db

MEETING_MATRIX = parse_matrix("""
                        view     manage   sign_in
superuser               ok/ok    ok/ok    ok/ok
city_admin              ok/ok    ok/ok    ok/ok
district_admin          ok/ok    ok/ok    ok/ok
subdistrict_staff_a     ok/404   ok/404   ok/404
worker_a                ok/404   ok/404   ok/404
worker_b                404/ok   404/ok   404/ok
grid_worker_a           404/404  404/404  404/404
handler                 404/404  404/404  404/404
liaison                 ok/404   403/404  ok/404
party_member_user       404/404  404/404  404/404
volunteer               404/404  404/404  404/404
resident_user           ok/404   403/404  ok/404
""")

# The alliance's meeting hosted at B: the staff of A see and organise it too.
ALLIANCE_MATRIX = parse_matrix("""
                        view     manage
superuser               ok       ok
city_admin              ok       ok
district_admin          ok       ok
subdistrict_staff_a     ok       ok
worker_a                ok       ok
worker_b                ok       ok
grid_worker_a           404      404
handler                 404      404
liaison                 404      404
party_member_user       404      404
volunteer               404      404
resident_user           404      404
""")


def meetings(cast: Cast) -> tuple[Meeting, Meeting]:
    starts = timezone.now() + timedelta(days=3)
    a = actions.do_create_meeting(acting_user=cast.worker_a, area=cast.community_a, title="和平里联席会议",
                                  kind=MeetingKind.COMMITTEE, starts_at=starts)
    actions.do_invite(a, acting_user=cast.worker_a, units=[cast.member_unit], users=[cast.resident_user])
    b = actions.do_create_meeting(acting_user=cast.worker_b, area=cast.community_b, title="安定门联席会议",
                                  kind=MeetingKind.COMMITTEE, starts_at=starts)
    return a, b


def alliance_meeting(cast: Cast) -> Meeting:
    alliance = core_actions.do_create_alliance(name="和平安定联盟", communities=[cast.community_a, cast.community_b],
                                               acting_user=None)
    return actions.do_create_meeting(acting_user=cast.worker_b, area=cast.community_b, kind=MeetingKind.ALLIANCE,
                                     title="轮值联席会议", alliance=alliance,
                                     starts_at=timezone.now() + timedelta(days=3))


def test_the_meeting_policy_matrix(cast: Cast) -> None:
    pair = meetings(cast)
    checked = check_policy_matrix(cast, MEETING_MATRIX, subjects=pair, can=permissions.can,
                                  fetch=permissions.get_meeting_for_user)
    assert checked == 72


def test_an_alliance_meeting_is_visible_to_all_its_communities(cast: Cast) -> None:
    meeting = alliance_meeting(cast)
    checked = check_policy_matrix(cast, ALLIANCE_MATRIX, subjects=(meeting,), can=permissions.can,
                                  fetch=permissions.get_meeting_for_user)
    assert checked == 24


def test_the_liaison_sees_only_invited_meetings_in_lists(cast: Cast) -> None:
    a, b = meetings(cast)
    other = actions.do_create_meeting(acting_user=cast.worker_a, area=cast.community_a, title="未邀请物业",
                                      starts_at=timezone.now())
    assert set(permissions.visible_to(cast.liaison, Meeting)) == {a}
    assert set(permissions.visible_to(cast.worker_a, Meeting)) == {a, other}
    assert set(permissions.visible_to(cast.worker_b, Meeting)) == {b}


def test_the_meeting_page_http_matrix(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    pair = meetings(cast)
    urls = {"view": "meetings:meeting", "manage": "meetings:meeting_qr"}
    checked = check_http_matrix(client, cast, MEETING_MATRIX.only("view", "manage"), subjects=pair,
                                url=lambda action, m: reverse(urls[action], args=[m.pk]))
    assert checked == 48


def test_the_alliance_meeting_page_http_matrix(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    meeting = alliance_meeting(cast)
    urls = {"view": "meetings:meeting", "manage": "meetings:meeting_qr"}
    checked = check_http_matrix(client, cast, ALLIANCE_MATRIX, subjects=(meeting,),
                                url=lambda action, m: reverse(urls[action], args=[m.pk]))
    assert checked == 24


def test_the_api_respects_the_matrix(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    a, b = meetings(cast)
    client.force_login(cast.liaison)
    assert [m["id"] for m in client.get("/api/meetings/").json()] == [a.pk]
    assert client.get(f"/api/meetings/{a.pk}").json()["checkin_code"] is None
    assert client.get(f"/api/meetings/{b.pk}").status_code == 404
    assert client.post(f"/api/meetings/{a.pk}/skip", {"reason": "x"}, content_type="application/json") \
        .status_code == 403
    client.force_login(cast.worker_a)
    assert client.get(f"/api/meetings/{a.pk}").json()["checkin_code"] == a.checkin_code
    assert client.post(f"/api/meetings/{b.pk}/skip", {"reason": "x"}, content_type="application/json") \
        .status_code == 404
