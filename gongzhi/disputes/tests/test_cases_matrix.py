"""The disputes policy's permission matrix over the cast (see test_cases_scene): A is community A's dispute
(assigned to party_member_user, who holds A's mediator post; worker_a heads A's committee, the volunteer sits on
it), B community B's (assigned to B's committee, headed by worker_b). The volunteer — a mediation body member of
another community — gets 404 on B; so does the head of the alliance office (A–C) on B."""

from __future__ import annotations

import pytest
from django.http import Http404

from gongzhi.disputes.permissions import can, dispute_policy, get_dispute_for_user
from gongzhi.test import check_http_matrix, check_policy_matrix, parse_matrix

from .test_cases_scene import Scene, scene_fixture  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

MATRIX = parse_matrix("""
                      view     view_content  record   assign   mediate
superuser             ok/ok    ok/ok         ok/ok    ok/ok    ok/ok
city_admin            ok/ok    403/403       403/403  403/403  403/403
district_admin        ok/ok    403/403       403/403  403/403  403/403
subdistrict_staff_a   ok/404   ok/404        ok/404   ok/404   403/404
worker_a              ok/404   ok/404        ok/404   ok/404   ok/404
worker_b              404/ok   404/ok        404/ok   404/ok   404/ok
grid_worker_a         404/404  404/404       -/404    404/404  404/404
handler               404/404  404/404       404/404  404/404  404/404
liaison               404/404  404/404       404/404  404/404  404/404
party_member_user     ok/404   ok/404        403/404  403/404  ok/404
volunteer             ok/404   403/404       ok/404   403/404  403/404
resident_user         404/404  404/404       404/404  404/404  404/404
""")


def test_the_policy_matrix(scene: Scene) -> None:
    checked = check_policy_matrix(scene.cast, MATRIX, subjects=(scene.dispute_a, scene.dispute_b), can=can,
                                  fetch=get_dispute_for_user)
    # record is asked of a community: the grid worker records in A (test_grid_report) without seeing A's disputes.
    assert checked == len(MATRIX) == 119


def test_the_detail_page_matrix(client, scene: Scene) -> None:  # type: ignore[no-untyped-def]
    checked = check_http_matrix(client, scene.cast, MATRIX.only("view"),
                                url=lambda _action, d: f"/disputes/cases/{d.pk}/",
                                subjects=(scene.dispute_a, scene.dispute_b))
    assert checked == 24


def test_the_assign_form_matrix(client, scene: Scene) -> None:  # type: ignore[no-untyped-def]
    """Allowed: the empty choice is refused (400) with the Chinese message; visible but not allowed: 403."""
    checked = check_http_matrix(client, scene.cast, MATRIX.only("assign"), method="post",
                                url=lambda _action, d: f"/disputes/cases/{d.pk}/assign/",
                                subjects=(scene.dispute_a, scene.dispute_b), data=lambda _a, _d: {"assignee": ""},
                                ok_status=400)
    assert checked == 24


def test_a_mediator_of_another_body_gets_404(scene: Scene) -> None:
    office_head = scene.alliance.worker_c
    # The alliance office covers A (community A is in the alliance): the record, not the content.
    assert get_dispute_for_user(office_head, scene.dispute_a.pk) == scene.dispute_a
    assert not can(office_head, "view_content", scene.dispute_a)
    with pytest.raises(Http404):
        get_dispute_for_user(office_head, scene.dispute_b.pk)
    assert scene.dispute_b not in dispute_policy.visible_to(scene.cast.volunteer)


def test_the_office_sees_the_content_once_assigned(scene: Scene) -> None:
    from gongzhi.disputes.actions import cases as actions

    actions.do_assign(scene.dispute_a, acting_user=scene.cast.worker_a, body=scene.office)
    scene.dispute_a.refresh_from_db()
    head = type(scene.alliance.worker_c).objects.get(pk=scene.alliance.worker_c.pk)
    assert can(head, "view_content", scene.dispute_a) and can(head, "mediate", scene.dispute_a)
    # the earlier mediator lost the content with the assignment
    mediator = type(head).objects.get(pk=scene.cast.party_member_user.pk)
    assert not can(mediator, "view_content", scene.dispute_a)
    with pytest.raises(Http404):
        get_dispute_for_user(mediator, scene.dispute_a.pk)
