"""The disputes scene the cases tests share (built through the actions), and a check that it is what they assume.

- Community A (allied with C across a provincial border, `make_alliance`): its committee (head worker_a, member
  volunteer — a body member who gets 404 on B's disputes), the alliance's office (head worker_c, member worker_a);
  party_member_user holds A's mediator post (矛盾调解员).
  Dispute A: recorded by worker_a (张桂兰 vs 李四海), assigned to party_member_user.
- Community B: its committee (head and member worker_b).
  Dispute B: recorded by worker_b, assigned to B's committee.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core.models import Area, PartyMember
from gongzhi.disputes.actions import bodies as body_actions
from gongzhi.disputes.actions import cases as actions
from gongzhi.disputes.models import Dispute, MediationBody
from gongzhi.service.actions.commitments import do_assign_post_term, do_create_post
from gongzhi.test import Cast, make_alliance

TITLE_A = "楼道堆放杂物引发邻里争执"
STAKES_A = "三楼住户长期在楼道堆放纸箱，邻居担心消防隐患。"
TITLE_B = "安定小区停车位纠纷"
RESPONDENT_A = "李四海"
PHONE_A = "13812345678"
ID_A = "110101195001011239"


@dataclass
class Scene:
    cast: Cast
    alliance: Any
    committee_a: MediationBody
    committee_b: MediationBody
    office: MediationBody
    dispute_a: Dispute
    dispute_b: Dispute


def walk_in(user: Any, community: Area, *, title: str = TITLE_A, parties: list[dict[str, Any]] | None = None,
            **extra: Any) -> Dispute:
    return actions.do_record_dispute(
        acting_user=user, community=community, title=title, kind=Dispute.Kind.NEIGHBOURS, stakes=STAKES_A,
        parties=parties or [{"side": "applicant", "name": "张桂兰", "phone": PHONE_A, "id_number": ID_A,
                             "address": "和平小区1号楼2单元301"},
                            {"side": "respondent", "name": RESPONDENT_A}], **extra)


def mediator_post(cast: Cast, member: PartyMember, community: Area) -> None:
    post = do_create_post(acting_user=None, community=community, name="矛盾调解员", duties="调解邻里纠纷", seats=2)
    today = timezone.localdate()
    do_assign_post_term(post, acting_user=None, party_member=member, starts_on=today - timedelta(days=30),
                        ends_on=today + timedelta(days=300))


def make_scene(cast: Cast) -> Scene:
    scene = make_alliance(cast)
    committee_a = body_actions.do_create_body(acting_user=None, kind=MediationBody.Kind.COMMITTEE,
                                              name="和平里社区人民调解委员会", community=cast.community_a,
                                              head=cast.worker_a, members=[cast.worker_a, cast.volunteer])
    committee_b = body_actions.do_create_body(acting_user=None, kind=MediationBody.Kind.COMMITTEE,
                                              name="安定门社区人民调解委员会", community=cast.community_b,
                                              head=cast.worker_b, members=[cast.worker_b])
    office = body_actions.do_create_body(acting_user=None, kind=MediationBody.Kind.ALLIANCE_OFFICE,
                                         name="和平—新塘矛盾化解处", alliance=scene.alliance, head=scene.worker_c,
                                         members=[cast.worker_a, scene.worker_c])
    mediator_post(cast, cast.party_member_a, cast.community_a)
    dispute_a = walk_in(cast.worker_a, cast.community_a)
    actions.do_assign(dispute_a, acting_user=cast.worker_a, mediator=cast.party_member_user)
    dispute_b = walk_in(cast.worker_b, cast.community_b, title=TITLE_B,
                        parties=[{"side": "applicant", "name": "李建国"}, {"side": "respondent", "name": "王五"}])
    actions.do_assign(dispute_b, acting_user=cast.worker_b, body=committee_b)
    dispute_a.refresh_from_db()
    dispute_b.refresh_from_db()
    return Scene(cast=cast, alliance=scene, committee_a=committee_a, committee_b=committee_b, office=office,
                 dispute_a=dispute_a, dispute_b=dispute_b)


@pytest.fixture(name="scene")
def scene_fixture(cast: Cast) -> Scene:
    """The scene as a fixture: `from .test_cases_scene import scene_fixture  # noqa: F401`."""
    return make_scene(cast)


@pytest.mark.django_db
def test_the_scene_is_what_the_tests_assume(scene: Scene) -> None:
    a, b = scene.dispute_a, scene.dispute_b
    assert a.status == b.status == Dispute.Status.ASSIGNED
    assert a.reference.startswith("TJ") and a.reference != str(a.pk)
    assert a.assignments.get(active=True).mediator == scene.cast.party_member_user
    assert b.assignments.get(active=True).body == scene.committee_b
    assert a.parties.count() == 2 and a.alliance is None
