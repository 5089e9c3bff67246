"""Permission matrices of the councils' policies with the cast: resident_user (张桂兰) is a serving councillor of
community A's council (the `councils` fixture); B is community B's council. Area staff see the councils of their
subtree (a grid worker's grid lies below the community: no council); community workers and up run them; a councillor votes, moderates and proposes in their own council."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.councils import actions
from gongzhi.councils.permissions import can, get_council_for_user, get_proposal_for_user
from gongzhi.test import check_http_matrix, check_policy_matrix

pytestmark = pytest.mark.django_db

COUNCIL_MATRIX = """
                      view     manage   vote     moderate  propose
superuser             ok/ok    ok/ok    403/403  ok/ok     ok/ok
city_admin            ok/ok    ok/ok    403/403  ok/ok     ok/ok
district_admin        ok/ok    ok/ok    403/403  ok/ok     ok/ok
subdistrict_staff_a   ok/404   ok/404   403/404  ok/404    ok/404
worker_a              ok/404   ok/404   403/404  ok/404    ok/404
worker_b              404/ok   404/ok   404/403  404/ok    404/ok
grid_worker_a         404/404  404/404  404/404  404/404   404/404
handler               404/404  404/404  404/404  404/404   404/404
liaison               404/404  404/404  404/404  404/404   404/404
party_member_user     404/404  404/404  404/404  404/404   404/404
volunteer             404/404  404/404  404/404  404/404   404/404
resident_user         ok/404   403/404  ok/404   ok/404    ok/404
"""

PROPOSAL_MATRIX = """
                      view     manage
superuser             ok/ok    ok/ok
city_admin            ok/ok    ok/ok
district_admin        ok/ok    ok/ok
subdistrict_staff_a   ok/404   ok/404
worker_a              ok/404   ok/404
worker_b              404/ok   404/ok
grid_worker_a         404/404  404/404
handler               404/404  404/404
liaison               404/404  404/404
party_member_user     404/404  404/404
volunteer             404/404  404/404
resident_user         ok/404   403/404
"""


@pytest.fixture
def proposals(cast: Any, councils: Any) -> tuple[Any, Any]:
    a = actions.do_submit_proposal(councils.a, acting_user=cast.worker_a, title="A的提案", body="内容", name="居民甲")
    b = actions.do_submit_proposal(councils.b, acting_user=cast.worker_b, title="B的提案", body="内容", name="居民乙")
    return a, b


def test_the_council_policy_matrix(cast: Any, councils: Any) -> None:
    assert check_policy_matrix(cast, COUNCIL_MATRIX, subjects=(councils.a, councils.b), can=can,
                               fetch=get_council_for_user) == 120


def test_the_proposal_policy_matrix(cast: Any, proposals: tuple[Any, Any]) -> None:
    assert check_policy_matrix(cast, PROPOSAL_MATRIX, subjects=proposals, can=can,
                               fetch=get_proposal_for_user) == 48


def test_the_pages_follow_the_matrix(client: Any, cast: Any, councils: Any, proposals: tuple[Any, Any]) -> None:
    from gongzhi.test import parse_matrix

    council_view = parse_matrix(COUNCIL_MATRIX).only("view")
    check_http_matrix(client, cast, council_view, url=lambda _a, c: f"/councils/c/{c.pk}/",
                      subjects=(councils.a, councils.b))
    proposal_view = parse_matrix(PROPOSAL_MATRIX).only("view")
    check_http_matrix(client, cast, proposal_view, url=lambda _a, p: f"/councils/p/{p.pk}/", subjects=proposals)


def test_the_public_pages_need_no_account(client: Any, cast: Any, councils: Any, proposals: tuple[Any, Any]) -> None:
    assert client.get(f"/councils/{cast.community_a.pk}/").status_code == 200
    page = client.get(f"/councils/proposals/{proposals[0].pk}/").content.decode()
    assert "居*甲" in page and "居民甲" not in page
    assert client.get(f"/councils/{cast.community_a.pk}/propose/").status_code == 200
