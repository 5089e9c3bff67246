"""Who sees and closes a community's quarter: the policy (`view_quarter`, `close_quarter` at a community) and the
pages (another community's are 404; a role that sees the community but may not keep its lists gets 403)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.lists.models import QuarterSnapshot
from gongzhi.lists.permissions import can
from gongzhi.lists.quarters import Quarter
from gongzhi.test import Cast, check_http_matrix, check_policy_matrix, parse_matrix

from .public_fixtures import make_demand

pytestmark = pytest.mark.django_db

# At community A / community B.
POLICY = """
                     view_quarter  close_quarter
superuser            ok/ok         ok/ok
city_admin           ok/ok         ok/ok
district_admin       ok/ok         ok/ok
subdistrict_staff_a  ok/403        ok/403
worker_a             ok/403        ok/403
worker_b             403/ok        403/ok
grid_worker_a        403/403       403/403
handler              403/403       403/403
liaison              403/403       403/403
party_member_user    403/403       403/403
volunteer            403/403       403/403
resident_user        403/403       403/403
"""

# The pages: the quarter page, its export, the comparison, and closing (POST, then a redirect).
PAGES = """
                     page     export   compare  close
superuser            ok/ok    ok/ok    ok/ok    ok/ok
city_admin           ok/ok    ok/ok    ok/ok    ok/ok
district_admin       ok/ok    ok/ok    ok/ok    ok/ok
subdistrict_staff_a  ok/404   ok/404   ok/404   ok/404
worker_a             ok/404   ok/404   ok/404   ok/404
worker_b             404/ok   404/ok   404/ok   404/ok
grid_worker_a        403/404  403/404  403/404  403/404
handler              403/403  403/403  403/403  403/403
liaison              403/404  403/404  403/404  403/404
party_member_user    403/404  403/404  403/404  403/404
volunteer            403/404  403/404  403/404  403/404
resident_user        403/404  403/404  403/404  403/404
"""


def test_it_applies_the_policy_matrix(cast: Cast) -> None:
    n = check_policy_matrix(cast, POLICY, subjects=(cast.community_a, cast.community_b), can=can)
    assert n == 12 * 2 * 2
    # Quarters belong to communities: not to a subdistrict, not to an estate.
    assert not can(cast.district_admin, "close_quarter", cast.subdistrict_a)
    assert not can(cast.worker_a, "close_quarter", cast.estate_a)


def test_it_serves_the_pages_to_whom_the_matrix_allows(cast: Cast) -> None:
    make_demand(cast.community_a, "楼顶防水")
    make_demand(cast.community_b, "路灯")
    quarter = Quarter.current().slug
    urls = {
        "page": lambda c: reverse("lists:quarter", args=[c.pk, quarter]),
        "export": lambda c: reverse("lists:quarter_export", args=[c.pk, quarter]),
        "compare": lambda c: reverse("lists:quarter_compare", args=[c.pk]),
        "close": lambda c: reverse("lists:quarter_close", args=[c.pk, quarter]),
    }
    client = Client()
    subjects = (cast.community_a, cast.community_b)
    n = 0
    for column in ("page", "export", "compare"):
        n += check_http_matrix(client, cast, parse_matrix(PAGES).only(column), subjects=subjects,
                               url=lambda action, c: urls[action](c))
    n += check_http_matrix(client, cast, parse_matrix(PAGES).only("close"), subjects=subjects, method="post",
                           url=lambda action, c: urls[action](c), ok_status=302)
    assert n == 12 * 2 * 4
    # The first allowed close made each community's snapshot; the refused ones made nothing more.
    assert QuarterSnapshot.objects.count() == 2


def test_the_quarter_index_and_menu(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.worker_a)
    response = client.get(reverse("lists:quarters"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "lists:quarter_current", args=[cast.community_a.pk])
    client.force_login(cast.district_admin)
    html = client.get(reverse("lists:quarters")).content.decode()
    assert cast.community_a.name in html and cast.community_b.name in html
    for user in (cast.liaison, cast.handler, cast.grid_worker_a, cast.resident_user):
        client.force_login(user)
        assert client.get(reverse("lists:quarters")).status_code == 403, user
