# mypy: disable-error-code="union-attr,dict-item,arg-type"
"""The cases part's demo step (order 85): the committees of 枫溪, 新塘 and 锦华, the alliance's office, disputes in
every state (also in 锦华, seen by jd_staff and sq_worker), one across the border at the office with sessions held,
and one turned from an appeal of 锦华社区."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.core.models import Link, User
from gongzhi.disputes.demo_cases import CROSS_BORDER_TITLE, cross_border_dispute
from gongzhi.disputes.models import Dispute, MediationBody
from gongzhi.disputes.permissions import dispute_policy, sees_content


@pytest.fixture(scope="module")
def demo(demo_city: Any) -> str:
    return str(demo_city.output)


def _user(name: str) -> User:
    return User.objects.get(username=name)


@pytest.mark.django_db
def test_it_makes_the_bodies_and_disputes_in_every_state(demo: str) -> None:
    committees = {b.community.name: b for b in MediationBody.objects.filter(kind="committee")}
    assert set(committees) >= {"枫溪社区", "新塘社区", "锦华社区"}
    assert committees["枫溪社区"].head.username == "fx_worker" and committees["锦华社区"].head.username == "sq_worker"
    office = MediationBody.objects.get(kind="alliance_office")
    assert office.alliance.name == "枫溪—新塘跨省毗邻社区生活圈" and office.head.username == "xt_worker"
    assert {u.username for u in office.members.all()} == {"fx_worker", "xt_worker"}
    statuses = set(Dispute.objects.values_list("status", flat=True))
    assert statuses >= {"recorded", "assigned", "in_mediation", "not_agreed", "referred", "closed"}
    court = Dispute.objects.get(status="referred")
    assert court.referred_to == "court" and court.community.name == "锦华社区" and court.outcome_reason

    d = cross_border_dispute()
    # held in mediation by this step; the agreements step (86) then records the signed agreement
    assert d is not None and d.title == CROSS_BORDER_TITLE and d.status in ("in_mediation", "agreed")
    assert d.assignments.get(active=True).body == office and d.sessions.count() >= 2
    assert {p.community.name for p in d.parties.all()} == {"枫溪社区", "新塘社区"}
    assert d.alliance == office.alliance and d.kind == "cross_community"
    assert sees_content(_user("xt_worker"), d) and sees_content(_user("fx_worker"), d)

    from_appeal = Dispute.objects.get(source="appeal")
    assert from_appeal.community.name == "锦华社区" and from_appeal.status == "assigned"
    assert Link.objects.filter(kind="disputes.from_appeal", from_id=from_appeal.pk).count() == 1

    jinhua = Dispute.objects.filter(community__name="锦华社区")
    assert jinhua.count() >= 3
    for name in ("jd_staff", "sq_worker"):
        user = _user(name)
        assert set(dispute_policy.visible_to(user)) >= set(jinhua)
        assert all(sees_content(_user(name), x) for x in jinhua)
    # the 枫溪 desk sees 新塘's disputes through the office: the record, not the content
    xintang = Dispute.objects.filter(community__name="新塘社区")
    fx = _user("fx_worker")
    assert set(dispute_policy.visible_to(fx)) >= set(xintang)
    assert not any(sees_content(_user("fx_worker"), x) for x in xintang)
    # no dispute is tied to a single community by mistake
    assert Dispute.objects.filter(community__name="锦华社区", alliance__isnull=False).count() == 0
