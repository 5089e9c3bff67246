"""Rows the campaigns and rating tests share (no tests here): a part-time member of community A's party committee
(from the cast's member unit), a unit registered at community B with its committee and part-time member, and
campaigns set up and opened through the actions — A at subdistrict A by its staff, B at subdistrict B by the
district admin."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.core.models import CommitteeMembership, PartyOrg, Role, Unit, User
from gongzhi.evaluation.actions import campaigns as actions
from gongzhi.evaluation.models import Campaign, Ratee, Rater
from gongzhi.test import PASSWORD, Cast

YEAR = timezone.localdate().year - 1
WEIGHTS = {"subdistrict": 40, "community": 30, "residents": 30}


def part_time_member(cast: Cast, name: str = "赵兼职") -> CommitteeMembership:
    return core_actions.do_add_committee_member(cast.committee_a, person_name=name, unit=cast.member_unit,
                                                role=CommitteeMembership.Role.PART_TIME_MEMBER, acting_user=None)


def side_b(cast: Cast) -> tuple[Unit, PartyOrg]:
    """A unit registered at community B, community B's committee and the unit's part-time member there."""
    unit = core_actions.do_create_unit(acting_user=None, area=cast.community_b, name="安定门小学",
                                       kind=Unit.Kind.SCHOOL)
    core_actions.do_register_unit(unit, community=cast.community_b, acting_user=None)
    org = core_actions.do_create_party_org(area=cast.community_b, name="安定门社区大党委", acting_user=None)
    core_actions.do_add_committee_member(org, person_name="钱兼职", unit=unit,
                                         role=CommitteeMembership.Role.PART_TIME_MEMBER, acting_user=None)
    return unit, org


def campaign_kwargs(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": f"{YEAR}年度和平街道双向评议", "period": "annual", "period_start": date(YEAR, 1, 1),
        "period_end": date(YEAR, 12, 31), "deadline": timezone.now() + timedelta(days=10), "notice_days": 5,
        "rates_units": True, "rates_members": True, "rates_communities": False, "uses_scores": False,
        "criteria": [], "groups": dict(WEIGHTS),
    }
    data.update(overrides)
    return data


def draft_a(cast: Cast, **overrides: Any) -> Campaign:
    part_time_member(cast)
    return actions.do_create_campaign(acting_user=cast.subdistrict_staff_a, area=cast.subdistrict_a,
                                      **campaign_kwargs(**overrides))


def add_raters_a(cast: Cast, campaign: Campaign) -> dict[str, Rater]:
    return {
        "subdistrict": actions.do_add_rater(campaign, acting_user=cast.subdistrict_staff_a, kind="subdistrict",
                                            user=cast.subdistrict_staff_a),
        "community": actions.do_add_rater(campaign, acting_user=cast.subdistrict_staff_a, kind="community",
                                          user=cast.worker_a),
        "residents": actions.do_add_rater(campaign, acting_user=cast.subdistrict_staff_a, kind="residents",
                                          user=cast.resident_user),
    }


def open_a(cast: Cast, **overrides: Any) -> Campaign:
    """Campaign A, opened: the cast's member unit and its part-time member rated by subdistrict_staff_a,
    worker_a and resident_user."""
    campaign = draft_a(cast, **overrides)
    add_raters_a(cast, campaign)
    return actions.do_open_campaign(campaign, acting_user=cast.subdistrict_staff_a)


def open_b(cast: Cast) -> Campaign:
    """Campaign B at subdistrict B (by the district admin), rated by worker_b."""
    side_b(cast)
    campaign = actions.do_create_campaign(acting_user=cast.district_admin, area=cast.subdistrict_b,
                                          **campaign_kwargs(title="安定街道双向评议", groups={"community": 100}))
    actions.do_add_rater(campaign, acting_user=cast.district_admin, kind="community", user=cast.worker_b)
    return actions.do_open_campaign(campaign, acting_user=cast.district_admin)


def unit_ratee(campaign: Campaign) -> Ratee:
    return campaign.ratees.get(kind=Ratee.Kind.UNIT)


def resident_rep(cast: Cast, username: str = "rep_a2", name: str = "居民代表二") -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=name)
    core_actions.do_grant_role(user, role=Role.RESIDENT, area=cast.community_a, acting_user=None)
    return user
