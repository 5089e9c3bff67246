"""The home-page tasks (`reg_cases.mediation_tasks`, for the lead to register) and the hub card's counts."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.core.models import User
from gongzhi.disputes.actions import cases as actions
from gongzhi.disputes.reg_cases import cases_card, mediation_tasks

from .test_cases_scene import Scene, scene_fixture, walk_in  # noqa: F401

pytestmark = pytest.mark.django_db


def fresh(user: Any) -> User:
    return User.objects.get(pk=user.pk)


def test_mediators_and_the_desk_see_what_waits(scene: Scene) -> None:
    c = scene.cast
    walk_in(c.worker_a, c.community_a)  # recorded, waits for assignment
    tasks = {t.key: t for t in mediation_tasks(fresh(c.worker_a))}
    assert tasks["disputes.to_assign"].count == 1 and tasks["disputes.to_assign"].url.endswith("?status=recorded")
    assert "disputes.to_mediate" not in tasks
    mine = {t.key: t for t in mediation_tasks(fresh(c.party_member_user))}
    assert mine["disputes.to_mediate"].count == 1 and "mine=on" in mine["disputes.to_mediate"].url
    assert "disputes.to_assign" not in mine
    body = {t.key: t.count for t in mediation_tasks(fresh(c.worker_b))}  # head and member of B's committee
    assert body == {"disputes.to_mediate": 1}
    actions.do_record_session(scene.dispute_b, acting_user=c.worker_b, held_at=scene.dispute_b.created_at,
                              place="社区调解室", attendees="双方", notes="初步沟通")
    assert mediation_tasks(fresh(c.worker_b)) == []
    assert mediation_tasks(fresh(c.resident_user)) == [] and mediation_tasks(fresh(c.handler)) == []


def test_the_hub_card_counts(client: Any, scene: Scene) -> None:
    c = scene.cast
    walk_in(c.worker_a, c.community_a)
    card = cases_card(fresh(c.worker_a))
    assert card is not None and {str(k): v for k, v in card.lines} == {"未结纠纷": 2, "待分派": 1, "分派给我或我所在调解组织": 0}
    card = cases_card(fresh(c.party_member_user))
    assert card is not None and {str(k): v for k, v in card.lines}["分派给我或我所在调解组织"] == 1
    assert cases_card(fresh(c.resident_user)) is None
    client.force_login(c.worker_a)
    page = client.get("/disputes/").content.decode()
    assert 'data-testid="hub-cases"' in page and "登记矛盾纠纷" in page
