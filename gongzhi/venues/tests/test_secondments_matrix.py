"""The permission matrix of secondments (secondment_policy) over the cast, and a few cells through the pages.

A: worker_a seconded from community A to C (the alliance across the border), B: worker_b seconded from community B
to D (another alliance). The proposals were made by the host sides (so the sending side has yet to agree); "report"
is asked on ended secondments of the same people."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.core.models import Role
from gongzhi.test import check_http_matrix, check_policy_matrix, make_alliance, make_user
from gongzhi.venues.actions import secondments as actions
from gongzhi.venues.permissions import get_secondment_for_user, secondment_policy

pytestmark = pytest.mark.django_db

MATRIX = """
                     view     propose  agree    cancel   report
superuser            ok/ok    ok/ok    ok/ok    ok/ok    403/403
city_admin           ok/ok    ok/ok    ok/ok    ok/ok    403/403
district_admin       ok/ok    ok/ok    ok/ok    ok/ok    403/403
subdistrict_staff_a  ok/404   ok/404   ok/404   ok/404   403/404
worker_a             ok/404   ok/404   ok/404   ok/404   ok/404
worker_b             404/ok   404/ok   404/ok   404/ok   404/ok
grid_worker_a        404/404  404/404  404/404  404/404  404/404
handler              404/404  404/404  404/404  404/404  404/404
liaison              404/404  404/404  404/404  404/404  404/404
party_member_user    404/404  404/404  404/404  404/404  404/404
volunteer            404/404  404/404  404/404  404/404  404/404
resident_user        404/404  404/404  404/404  404/404  404/404
"""


def scene(cast: Any) -> dict[str, Any]:
    scene_c = make_alliance(cast)
    com_d = core_actions.do_create_area(parent=scene_c.subdistrict_c, name="新河社区", level="community",
                                        acting_user=None)
    core_actions.do_create_alliance(name="安定—新河结对社区", communities=[cast.community_b, com_d], acting_user=None)
    worker_d = make_user("worker_d", "新河社工")
    core_actions.do_grant_role(worker_d, role=Role.COMMUNITY_WORKER, area=com_d, acting_user=None)
    today = timezone.localdate()
    out: dict[str, Any] = {"c": scene_c, "d": com_d, "worker_d": worker_d}
    for key, person, home, host in (("a", cast.worker_a, cast.community_a, scene_c.community_c),
                                    ("b", cast.worker_b, cast.community_b, com_d)):
        ended = actions.do_propose_secondment(acting_user=None, person=person, from_community=home,
                                              to_community=host, starts_on=today - timedelta(days=60),
                                              ends_on=today - timedelta(days=2), role_title="挂职副主任")
        out[f"ended_{key}"] = ended
    for key, person, home, host, by in (("a", cast.worker_a, cast.community_a, scene_c.community_c, scene_c.worker_c),
                                        ("b", cast.worker_b, cast.community_b, com_d, worker_d)):
        out[f"proposed_{key}"] = actions.do_propose_secondment(
            acting_user=by, person=person, from_community=home, to_community=host,
            starts_on=today + timedelta(days=10), ends_on=today + timedelta(days=40), role_title="挂职副书记")
    return out


def test_the_secondment_matrix(cast: Any) -> None:
    s = scene(cast)
    assert s["ended_a"].status == "ended" and s["proposed_a"].to_agreed_at and not s["proposed_a"].from_agreed_at

    def subjects(action: str) -> tuple[Any, Any]:
        if action == "report":
            return (s["ended_a"], s["ended_b"])
        return (s["proposed_a"], s["proposed_b"])

    assert check_policy_matrix(cast, MATRIX, subjects=subjects, can=secondment_policy.can,
                               fetch=get_secondment_for_user) == 120


def test_the_alliance_side_of_the_matrix(cast: Any) -> None:
    """worker_c speaks for C: sees A's secondment to C, has agreed already, may cancel; worker_d sees nothing of it."""
    s = scene(cast)
    a = s["proposed_a"]
    worker_c = s["c"].worker_c
    assert get_secondment_for_user(worker_c, a.pk) == a
    assert not secondment_policy.can(worker_c, "agree", a)
    assert secondment_policy.can(worker_c, "cancel", a)
    assert not secondment_policy.visible_to(s["worker_d"]).filter(pk=a.pk).exists()


def test_a_few_cells_through_the_pages(client: Any, cast: Any) -> None:
    from gongzhi.test import parse_matrix

    s = scene(cast)
    assert check_http_matrix(client, cast, parse_matrix(MATRIX).only("view"),
                             url=lambda action, obj: f"/venues/secondments/{obj.pk}/",
                             subjects=(s["proposed_a"], s["proposed_b"])) == 24
    # On the ended secondments nobody agrees: 403 where visible, 404 elsewhere.
    agree = """
                         agree
    superuser            403/403
    city_admin           403/403
    district_admin       403/403
    subdistrict_staff_a  403/404
    worker_a             403/404
    worker_b             404/403
    grid_worker_a        404/404
    handler              404/404
    liaison              404/404
    party_member_user    404/404
    volunteer            404/404
    resident_user        404/404
    """
    assert check_http_matrix(client, cast, agree, method="post",
                             url=lambda action, obj: f"/venues/secondments/{obj.pk}/agree/",
                             subjects=(s["ended_a"], s["ended_b"])) == 24
