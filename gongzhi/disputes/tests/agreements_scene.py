"""The agreements part's test scene: two disputes made directly from the models (the cases part's actions make them
in the product), one in community A (allied with C across the border) assigned to worker_a, one in community B
assigned to B's committee, each with an applicant and a respondent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.models import User
from gongzhi.disputes.models import Dispute, DisputeParty, MediationAssignment, MediationBody
from gongzhi.test import AllianceScene, Cast, make_alliance, make_user


@dataclass
class Scene:
    cast: Cast
    alliance: AllianceScene
    dispute_a: Dispute
    dispute_b: Dispute
    committee_b: MediationBody
    mediator_b: User

    @property
    def c(self) -> Cast:
        return self.cast


def make_dispute(community: Any, reference: str, *, status: str = Dispute.Status.IN_MEDIATION,
                 kind: str = Dispute.Kind.NEIGHBOURS, days_ago: int = 40, alliance: Any = None) -> Dispute:
    return Dispute.objects.create(reference=reference, title="楼上漏水纠纷", source=Dispute.Source.WALK_IN, kind=kind,
                                  stakes="楼上卫生间漏水致楼下天花板受损，维修费用分担", community=community,
                                  alliance=alliance, status=status,
                                  created_at=timezone.now() - timedelta(days=days_ago))


def make_scene(cast: Cast) -> Scene:
    scene = make_alliance(cast)
    a = make_dispute(cast.community_a, "TJ-A-0001", kind=Dispute.Kind.CROSS_COMMUNITY, alliance=scene.alliance)
    DisputeParty.objects.create(dispute=a, kind=DisputeParty.Kind.RESIDENT, side=DisputeParty.Side.APPLICANT,
                                name=cast.resident_a.name, resident=cast.resident_a, community=cast.community_a,
                                phone=cast.resident_a.phone, id_number=cast.resident_a.id_number,
                                address=cast.resident_a.address)
    DisputeParty.objects.create(dispute=a, kind=DisputeParty.Kind.RESIDENT, side=DisputeParty.Side.RESPONDENT,
                                name=scene.resident_c.name, resident=scene.resident_c, community=scene.community_c,
                                phone=scene.resident_c.phone, id_number="320102198003035678",
                                address=scene.resident_c.address)
    MediationAssignment.objects.create(dispute=a, mediator=cast.worker_a)
    b = make_dispute(cast.community_b, "TJ-B-0001", kind=Dispute.Kind.PROPERTY)
    DisputeParty.objects.create(dispute=b, kind=DisputeParty.Kind.RESIDENT, side=DisputeParty.Side.APPLICANT,
                                name=cast.resident_b.name, resident=cast.resident_b, community=cast.community_b)
    DisputeParty.objects.create(dispute=b, kind=DisputeParty.Kind.PROPERTY_COMPANY,
                                side=DisputeParty.Side.RESPONDENT, name=cast.member_unit.name, unit=cast.member_unit,
                                community=cast.community_b)
    mediator_b = make_user("mediator_b", "安定门调解员")
    committee_b = MediationBody.objects.create(name="安定门社区人民调解委员会", kind=MediationBody.Kind.COMMITTEE,
                                               community=cast.community_b)
    committee_b.members.add(mediator_b)
    MediationAssignment.objects.create(dispute=b, body=committee_b)
    return Scene(cast=cast, alliance=scene, dispute_a=a, dispute_b=b, committee_b=committee_b, mediator_b=mediator_b)


FACTS = "申请人张桂兰家天花板因楼上卫生间漏水受损，双方就维修费用分担发生争执。"
TERMS = "1、被申请人于十日内修复卫生间防水层。\n2、被申请人赔偿申请人天花板维修费用人民币一千二百元。\n3、双方不再就此事发生争执。"
PERFORMANCE = "被申请人于2026年12月20日前一次性支付，并由社区调解员见证修复。"


def sign(dispute: Dispute, user: User, *, days_ago: int = 0) -> Any:
    from gongzhi.disputes.actions.agreements import do_record_agreement

    return do_record_agreement(dispute, facts=FACTS, terms=TERMS, performance=PERFORMANCE,
                               signed_on=timezone.localdate() - timedelta(days=days_ago), acting_user=user)
