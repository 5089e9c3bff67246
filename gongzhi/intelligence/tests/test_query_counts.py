"""Query counts pinned on the hot-issue page: the same number of queries for few or many appeals and issues."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.appeals import actions as appeal_actions

pytestmark = pytest.mark.django_db

PLACES = ["building_a", "estate_a", "grid_a"]
TEXTS = [("路灯坏了", "1号楼前的路灯坏了一个星期，晚上很黑，请尽快修理路灯。"),
         ("垃圾没人清", "小区门口垃圾三天没清运了，臭味很大，请尽快清运垃圾。"),
         ("电梯停运", "1号楼电梯停运好几天了，老人上下楼很困难，请尽快修电梯。")]


def _add(cast: Any, n: int, start: int) -> None:
    for i in range(start, start + n):
        title, body = TEXTS[i % len(TEXTS)]
        appeal_actions.do_submit_appeal(acting_user=None, title=title, body=body, system=True,
                                        callback_phone=f"1380000{i:04d}", area=getattr(cast, PLACES[i % 3]))


def _queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/intelligence/hot/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_hot_issue_page_costs_the_same_queries_for_6_or_18_appeals(cast: Any, client: Any) -> None:
    client.force_login(cast.worker_a)
    _add(cast, 6, 0)
    client.get("/intelligence/hot/")  # warm the per-process caches, as a running server has them
    few = _queries(client)
    _add(cast, 12, 6)
    assert _queries(client) == few
    assert few == HOT_QUERIES, few


# The pinned figure (session, user, grants, the appeals in the window, the page's own reads).
HOT_QUERIES = 7  # +1 in issue 18: the unread notifications shown in the menu on every page
