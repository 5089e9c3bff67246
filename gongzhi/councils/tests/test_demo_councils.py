"""The demo step of the councils (step 53) on the test cast: community A plays 锦华社区, worker_a plays sq_worker."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.core.models import Role
from gongzhi.core.registry import DemoContext
from gongzhi.councils.demo import build_demo_councils
from gongzhi.councils.models import Comment, Council, Councillor, Proposal
from gongzhi.councils.tasks import councillor_tasks
from gongzhi.lists.models import Demand
from gongzhi.test import make_user

pytestmark = pytest.mark.django_db


def test_the_demo_council_has_proposals_in_every_state(cast: Any) -> None:
    worker = make_user("sq_worker", "社工")
    core_actions.do_grant_role(worker, role=Role.COMMUNITY_WORKER, area=cast.community_a, acting_user=None)
    cast.resident_user.username = "resident"
    cast.resident_user.save(update_fields=["username"])
    for i in range(7):
        core_actions.do_create_resident(acting_user=None, area=cast.building_a, name=f"居民{i}",
                                        phone=f"1350000000{i}")
    counts = build_demo_councils(DemoContext(seed=1))
    assert counts == {"councils": 1, "councillors": 8, "proposals": 5}
    council = Council.objects.get(area=cast.community_a)
    today = timezone.localdate()
    terms = list(Councillor.objects.filter(council=council))
    assert len({t.resident_id for t in terms}) == 7
    assert sum(t.serving_on(today) for t in terms) == 6
    assert any(t.renews_id for t in terms)
    assert any(t.user == cast.resident_user and t.serving_on(today) for t in terms)
    by_status = {p.status: p for p in Proposal.objects.filter(council=council)}
    assert set(by_status) == {"passed", "failed", "voting", "deliberation"}
    assert by_status["failed"].outcome["reason"] == "no_majority"
    passed = by_status["passed"]
    demand = Demand.objects.get(pk=passed.demand_id or 0)
    assert demand.source == "council" and demand.source_key == f"councils.proposal:{passed.pk}"
    assert by_status["voting"].votes.count() == 2
    assert Comment.objects.filter(hidden=True).exclude(hidden_reason="").count() == 1
    assert Proposal.objects.filter(proposer_kind="resident").exclude(proposer_phone_hash="").count() == 1
    assert councillor_tasks(cast.resident_user)[0].count == 1
    assert build_demo_councils(DemoContext(seed=1)) == {"councils": 0}
