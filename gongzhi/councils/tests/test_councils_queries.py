"""The councils' list pages cost the same queries for few or many rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.councils import actions

pytestmark = pytest.mark.django_db


def _count(client: Any, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _add(cast: Any, councils: Any, n: int) -> None:
    for i in range(n):
        proposal = actions.do_submit_proposal(councils.a, acting_user=cast.resident_user, title=f"提案{i}", body="内容")
        actions.do_add_comment(proposal, acting_user=cast.resident_user, body="意见")


@pytest.mark.parametrize("who", ["worker_a", "resident_user", None])
def test_the_council_pages_cost_the_same_for_2_or_8_proposals(client: Any, cast: Any, councils: Any,
                                                               who: str | None) -> None:
    if who:
        client.force_login(getattr(cast, who))
    url = f"/councils/c/{councils.a.pk}/" if who else f"/councils/{cast.community_a.pk}/"
    _add(cast, councils, 2)
    few = _count(client, url)
    _add(cast, councils, 6)
    assert _count(client, url) == few
