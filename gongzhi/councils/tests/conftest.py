"""Fixtures of the councils' tests: a council in each community of the cast, with councillors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.councils import actions


@pytest.fixture
def councils(cast: Any) -> Any:
    """Community A's council: resident_user (张桂兰, resident_a) serving, and four more serving councillors without
    accounts; community B's council with resident_b."""
    today = timezone.localdate()
    a = actions.do_create_council(acting_user=cast.worker_a, area=cast.community_a)
    b = actions.do_create_council(acting_user=cast.worker_b, area=cast.community_b)
    start, end = today - timedelta(days=100), today + timedelta(days=300)
    terms = [actions.do_elect(a, acting_user=cast.worker_a, resident=cast.resident_a, term_start=start,
                              term_end=end)]
    for i in range(4):
        resident = core_actions.do_create_resident(acting_user=None, area=cast.building_a, name=f"议事员{i + 1}",
                                                   phone=f"1360000000{i}")
        terms.append(actions.do_elect(a, acting_user=cast.worker_a, resident=resident, term_start=start,
                                      term_end=end))
    actions.do_elect(b, acting_user=cast.worker_b, resident=cast.resident_b, term_start=start, term_end=end)
    return type("Councils", (), {"a": a, "b": b, "terms": terms})
