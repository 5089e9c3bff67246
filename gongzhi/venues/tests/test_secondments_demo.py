# mypy: disable-error-code="union-attr"
"""The secondments part's demo step (order 83): a secondment under way (新塘 → 枫溪, the host role held), one ended
with its report (the role taken back), one proposed and waiting for 枫溪 (fx_worker's task)."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.core.models import Grant, Role, User
from gongzhi.core.policy import covers
from gongzhi.venues.models import Secondment
from gongzhi.venues.reg_secondments import secondment_tasks


@pytest.fixture(scope="module")
def demo(demo_city: Any) -> str:
    return str(demo_city.output)


@pytest.mark.django_db
def test_it_makes_one_under_way_one_ended_and_one_waiting(demo: str) -> None:
    assert "挂职" in demo
    by_status = {s.status: s for s in Secondment.objects.select_related("person", "from_community",
                                                                       "to_community", "grant")}
    assert set(by_status) == {"active", "ended", "proposed"}
    active = by_status["active"]
    assert (active.from_community.name, active.to_community.name) == ("新塘社区", "枫溪社区")
    assert active.grant is not None and covers(User.objects.get(pk=active.person_id), active.to_community,
                                               {Role.COMMUNITY_WORKER})
    assert active.person.username != "xt_worker"
    xt_worker = User.objects.get(username="xt_worker")
    assert not Grant.objects.filter(user=xt_worker, area=active.to_community).exists()
    ended = by_status["ended"]
    assert ended.grant is None and ended.report_filed_at is not None and ended.report_learned
    assert not Grant.objects.filter(user=ended.person, area=ended.to_community).exists()
    waiting = by_status["proposed"]
    assert waiting.from_agreed_at is not None and waiting.to_agreed_at is None
    assert waiting.to_community.name == "枫溪社区"
    tasks = secondment_tasks(User.objects.get(username="fx_worker"))
    assert [(t.key, t.count) for t in tasks] == [("venues.secondments_to_agree", 1)]
