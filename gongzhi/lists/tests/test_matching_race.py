"""Two staff confirming overlapping matching rounds at the same moment never promise a resource beyond its capacity:
the second waits for the first's row locks, then finds too little left and confirms nothing (PostgreSQL row locks;
skipped on SQLite, which serialises writers)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gongzhi.core.errors import ActionError
from gongzhi.lists import actions
from gongzhi.lists.models import MatchRound, Project, ProjectResource, Resource
from gongzhi.test import Cast, race, require_postgresql

from .test_matching import demand, resource

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_overlapping_rounds_confirmed_at_once_never_over_promise(cast: Cast) -> None:
    require_postgresql("PostgreSQL row locks")
    demand(cast, "老年活动场地", people=20)
    demand(cast, "儿童托管场地", people=15)
    room = resource(cast, "社区活动室", capacity=35)
    # Two people propose from the same lists: both rounds promise the whole room.
    first = actions.do_propose_match_round(acting_user=cast.worker_a, area=cast.community_a)
    second = actions.do_propose_match_round(acting_user=cast.subdistrict_staff_a, area=cast.subdistrict_a)
    assert first.pairs.count() == 2 and second.pairs.count() == 2

    def confirm(round_pk: int, user: object) -> Callable[[], object]:
        return lambda: actions.do_confirm_match_round(MatchRound.objects.get(pk=round_pk),
                                                      acting_user=user)  # type: ignore[arg-type]

    results = race(confirm(first.pk, cast.worker_a), confirm(second.pk, cast.subdistrict_staff_a))
    confirmed = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(confirmed) == 1 and len(refused) == 1, results
    assert isinstance(refused[0], ActionError) and "社区活动室" in refused[0].message
    room = Resource.objects.get(pk=room.pk)
    assert room.promised == 35 and room.promised <= room.capacity
    assert sum(r.amount for r in ProjectResource.objects.filter(resource=room)) == 35
    assert Project.objects.count() == 2
    assert sorted(MatchRound.objects.values_list("status", flat=True)) == ["confirmed", "proposed"]
