"""A grid worker reports a dispute from their grid: they record it in the community their grid lies in (their grant
sits below it), see the record of what they reported, and nothing of their community's other disputes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gongzhi.disputes.actions import cases as actions
from gongzhi.disputes.models import Dispute
from gongzhi.disputes.permissions import community_choices_for, get_dispute_for_user, sees_content

from .test_cases_scene import Scene, scene_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

PARTIES = [{"side": "applicant", "name": "张桂兰"}, {"side": "respondent", "name": "李四海"}]


def test_a_grid_worker_reports_a_dispute_in_the_community_of_their_grid(scene: Scene) -> None:
    c = scene.cast
    assert list(community_choices_for(c.grid_worker_a)) == [c.community_a]
    dispute = actions.do_record_dispute(acting_user=c.grid_worker_a, community=c.community_a, title="楼道堆物纠纷",
                                        kind="neighbours", stakes="楼道堆放杂物影响通行", parties=PARTIES,
                                        source=Dispute.Source.GRID)
    assert get_dispute_for_user(c.grid_worker_a, dispute.pk) == dispute
    assert sees_content(c.grid_worker_a, dispute)  # until it is assigned: they finish the intake
    with pytest.raises(Http404):
        get_dispute_for_user(c.grid_worker_a, scene.dispute_a.pk)
    with pytest.raises(PermissionDenied):
        actions.do_record_dispute(acting_user=c.grid_worker_a, community=c.community_b, title="噪音",
                                  kind="neighbours", stakes="夜间噪音", parties=PARTIES)
