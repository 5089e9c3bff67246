"""A district's campaign: a subdistrict's rater (the subdistrict group) rates the ratees of their own subdistrict,
not the whole district; a subdistrict's campaign still lets them rate every ratee."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gongzhi.evaluation import permissions
from gongzhi.evaluation.actions import campaigns as actions
from gongzhi.evaluation.models import Ratee
from gongzhi.evaluation.queries_campaigns import ratees_of, unrated_count
from gongzhi.evaluation.tests.test_campaigns_scene import campaign_kwargs, part_time_member, side_b

pytestmark = pytest.mark.django_db


def test_a_subdistricts_rater_in_a_districts_campaign_rates_their_subdistrict(cast: Any) -> None:
    part_time_member(cast)
    side_b(cast)
    campaign = actions.do_create_campaign(acting_user=cast.district_admin, area=cast.district,
                                          **campaign_kwargs(title="东城区双向评议", groups={"subdistrict": 100}))
    rater = actions.do_add_rater(campaign, acting_user=cast.district_admin, kind="subdistrict",
                                 user=cast.subdistrict_staff_a)
    assert rater.community == cast.subdistrict_a  # from the grant
    actions.do_open_campaign(campaign, acting_user=cast.district_admin)
    mine = list(ratees_of(rater))
    assert mine and {r.community for r in mine} == {cast.community_a}
    assert unrated_count(cast.subdistrict_staff_a)[0] == len(mine)
    b_ratee = Ratee.objects.get(campaign=campaign, community=cast.community_b, kind=Ratee.Kind.UNIT)
    with pytest.raises(Http404):
        permissions.get_ratee_for_user(cast.subdistrict_staff_a, b_ratee.pk)
    with pytest.raises(PermissionDenied):
        actions.do_rate(b_ratee, grade="excellent", acting_user=cast.subdistrict_staff_a)
    a_ratee = permissions.get_ratee_for_user(cast.subdistrict_staff_a, mine[0].pk)
    assert actions.do_rate(a_ratee, grade="qualified", acting_user=cast.subdistrict_staff_a).grade == "qualified"


def test_a_subdistricts_own_campaign_still_rates_every_ratee(cast: Any) -> None:
    part_time_member(cast)
    campaign = actions.do_create_campaign(acting_user=cast.subdistrict_staff_a, area=cast.subdistrict_a,
                                          **campaign_kwargs(groups={"subdistrict": 100}))
    rater = actions.do_add_rater(campaign, acting_user=cast.subdistrict_staff_a, kind="subdistrict",
                                 user=cast.subdistrict_staff_a)
    assert rater.community is None
    actions.do_open_campaign(campaign, acting_user=cast.subdistrict_staff_a)
    assert len(list(ratees_of(rater))) == campaign.ratees.count() == 2
