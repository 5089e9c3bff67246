"""The results part on a campaign set up, opened and rated through the campaigns part's actions: closing computes
from those ratings (the residents' group counts once three representatives rated), rating stops at the close."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.evaluation.actions import campaigns as campaign_actions
from gongzhi.evaluation.actions import results as actions
from gongzhi.evaluation.models import Campaign, Grade, Ratee
from gongzhi.lib.errors import ActionError

from .test_campaigns_scene import open_a, resident_rep

pytestmark = pytest.mark.django_db


def test_closing_computes_from_the_ratings_given_through_the_rating_action(cast) -> None:
    campaign = open_a(cast)
    reps = [resident_rep(cast, "rep_x1", "居民代表甲"), resident_rep(cast, "rep_x2", "居民代表乙")]
    for rep in reps:
        campaign_actions.do_add_rater(campaign, acting_user=cast.subdistrict_staff_a, kind="residents", user=rep)
    unit = campaign.ratees.get(kind=Ratee.Kind.UNIT)
    member = campaign.ratees.get(kind=Ratee.Kind.MEMBER)
    campaign_actions.do_rate(unit, grade=Grade.EXCELLENT, acting_user=cast.subdistrict_staff_a)  # 40%
    campaign_actions.do_rate(unit, grade=Grade.QUALIFIED, acting_user=cast.worker_a)  # 30%
    for user, grade in zip([cast.resident_user, *reps], (Grade.EXCELLENT, Grade.QUALIFIED, Grade.QUALIFIED),
                           strict=True):
        campaign_actions.do_rate(unit, grade=grade, acting_user=user)
    # A change before the deadline replaces the earlier rating.
    campaign_actions.do_rate(unit, grade=Grade.UNQUALIFIED, acting_user=cast.worker_a)
    campaign_actions.do_rate(member, grade=Grade.QUALIFIED, acting_user=cast.subdistrict_staff_a)
    campaign_actions.do_rate(member, grade=Grade.QUALIFIED, acting_user=cast.resident_user)

    actions.do_close_rating(campaign, acting_user=cast.subdistrict_staff_a)
    unit, member = Ratee.objects.get(pk=unit.pk), Ratee.objects.get(pk=member.pk)
    # 40 × 100 + 30 × 50 + 30 × 86.67 = 8100.1 → 81.00
    assert unit.score == Decimal("81.00") and unit.outcome == Grade.QUALIFIED
    groups = {g["kind"]: g for g in unit.breakdown["groups"]}
    assert groups["residents"]["status"] == "counted" and groups["residents"]["count"] == 3
    # The member: one resident only, not counted; the community group did not rate: 无评议.
    groups = {g["kind"]: g for g in member.breakdown["groups"]}
    assert groups["residents"]["status"] == "too_few" and groups["community"]["status"] == "none"
    assert member.score == Decimal("80.00")
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.NOTICE
    with pytest.raises((ActionError, PermissionDenied)):
        campaign_actions.do_rate(unit, grade=Grade.EXCELLENT, acting_user=cast.worker_a)
    assert Ratee.objects.get(pk=unit.pk).ratings.get(rater__user=cast.worker_a).grade == Grade.UNQUALIFIED
