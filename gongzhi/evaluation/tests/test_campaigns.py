"""Setting a campaign up: an organizer creates it at a subdistrict (the ratees drawn from the area), the validation
(weights, two-way, dates, criteria) in Chinese with nothing changed, editing a draft, leaving ratees out and putting
them back, refreshing, the raters (suggested, one by username, once per campaign, removal), opening (its checks and
the raters told), the audit rows; the pages (404 for another subdistrict, 403 for a role that may not organize)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import AuditEvent, CommitteeMembership, Notification, Role
from gongzhi.evaluation.actions import campaigns as actions
from gongzhi.evaluation.models import Campaign, Criterion, Ratee, Rater, RaterGroup
from gongzhi.test import Cast

from .test_campaigns_scene import (
    YEAR,
    add_raters_a,
    campaign_kwargs,
    draft_a,
    open_a,
    part_time_member,
    resident_rep,
    side_b,
)

pytestmark = pytest.mark.django_db


def test_it_creates_a_draft_with_the_ratees_of_the_area(cast: Cast) -> None:
    side_b(cast)  # another subdistrict's unit and member: not in campaign A
    campaign = draft_a(cast, uses_scores=True, criteria=[("履职尽责", 40), ("为民办实事", 60)])
    assert (campaign.status, campaign.area, campaign.created_by) == ("draft", cast.subdistrict_a,
                                                                     cast.subdistrict_staff_a)
    kinds = sorted(campaign.ratees.values_list("kind", "name", "community__name"))
    assert kinds == [("member", "赵兼职（和平物业服务有限公司）", "和平里社区"),
                     ("unit", "和平物业服务有限公司", "和平里社区")]
    member = campaign.ratees.get(kind="member")
    assert member.membership is not None and member.party_org == cast.committee_a
    assert list(campaign.criteria.values_list("name", "max_score")) == [("履职尽责", 40), ("为民办实事", 60)]
    assert dict(campaign.groups.values_list("kind", "weight")) == {"subdistrict": 40, "community": 30,
                                                                    "residents": 30}
    event = AuditEvent.objects.get(verb="evaluation.campaign.create")
    assert event.actor == cast.subdistrict_staff_a and (event.after or {})["ratees"] == 2
    assert event.area == cast.subdistrict_a


def test_two_way_adds_the_community_party_organizations(cast: Cast) -> None:
    campaign = draft_a(cast, rates_communities=True, groups={"subdistrict": 50, "residents": 50, "units": 100})
    assert campaign.ratees.filter(kind="community").get().party_org == cast.committee_a


def test_only_units_and_members_with_confirmed_registrations_and_active_seats(cast: Cast) -> None:
    from gongzhi.core.models import Registration, Unit

    other = core_actions.do_create_unit(acting_user=None, area=cast.community_a, name="和平里小学",
                                        kind=Unit.Kind.SCHOOL)
    reg = core_actions.do_register_unit(other, community=cast.community_a, acting_user=None)
    Registration.objects.filter(pk=reg.pk).update(status=Registration.Status.PENDING)
    ended = part_time_member(cast, "孙离任")
    CommitteeMembership.objects.filter(pk=ended.pk).update(active=False)
    core_actions.do_add_committee_member(cast.committee_a, person_name="李书记", unit=None,
                                         role=CommitteeMembership.Role.SECRETARY, acting_user=None)
    campaign = draft_a(cast)
    assert sorted(campaign.ratees.values_list("name", flat=True)) == ["和平物业服务有限公司",
                                                                       "赵兼职（和平物业服务有限公司）"]


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"groups": {"subdistrict": 40, "community": 30, "residents": 20}}, "groups", "90%"),
    ({"groups": {}}, "groups", "至少"),
    ({"rates_communities": True}, "weight_units", "100%"),
    ({"rates_communities": True, "groups": {"subdistrict": 50, "residents": 50, "units": 80}}, "weight_units",
     "100%"),
    ({"groups": {"subdistrict": 50, "residents": 50, "units": 100}}, "weight_units", "社区党组织"),
    ({"period_start": date(YEAR, 6, 1), "period_end": date(YEAR, 5, 1)}, "period_end", "早于"),
    ({"title": "  "}, "title", "标题"),
    ({"notice_days": 0}, "notice_days", "1"),
    ({"rates_units": False, "rates_members": False}, "rates_units", "评议"),
    ({"uses_scores": True, "criteria": []}, "criteria", "评分项"),
    ({"uses_scores": True, "criteria": [("履职尽责", 0)]}, "criteria", "1"),
    ({"uses_scores": True, "criteria": [("履职尽责", 40), ("履职尽责", 60)]}, "criteria", "重复"),
])
def test_bad_set_up_is_refused_in_chinese_and_changes_nothing(cast: Cast, overrides: dict, field: str,
                                                              words: str) -> None:
    part_time_member(cast)
    with pytest.raises(ActionError) as err:
        actions.do_create_campaign(acting_user=cast.subdistrict_staff_a, area=cast.subdistrict_a,
                                   **campaign_kwargs(**overrides))
    assert err.value.field == field, err.value.message
    assert words in err.value.message, err.value.message
    assert Campaign.objects.count() == Ratee.objects.count() == RaterGroup.objects.count() == 0
    assert not AuditEvent.objects.filter(verb__startswith="evaluation.").exists()


def test_only_organizers_over_the_area_create(cast: Cast) -> None:
    for user in (cast.worker_a, cast.liaison, cast.resident_user, cast.grid_worker_a):
        with pytest.raises(PermissionDenied):
            actions.do_create_campaign(acting_user=user, area=cast.subdistrict_a, **campaign_kwargs())
    with pytest.raises(PermissionDenied):
        actions.do_create_campaign(acting_user=cast.subdistrict_staff_a, area=cast.subdistrict_b,
                                   **campaign_kwargs())
    with pytest.raises(ActionError) as err:
        actions.do_create_campaign(acting_user=cast.subdistrict_staff_a, area=cast.community_a, **campaign_kwargs())
    assert err.value.field == "area"
    assert actions.do_create_campaign(acting_user=cast.district_admin, area=cast.district,
                                      **campaign_kwargs()).area == cast.district
    assert Campaign.objects.count() == 1


def test_default_periods() -> None:
    assert actions.default_period("annual", date(2026, 3, 5)) == (date(2025, 1, 1), date(2025, 12, 31))
    assert actions.default_period("quarterly", date(2026, 3, 5)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert actions.default_period("quarterly", date(2026, 5, 5)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert actions.default_period("quarterly", date(2026, 12, 3)) == (date(2026, 7, 1), date(2026, 9, 30))


def test_a_draft_is_edited_and_an_open_campaign_is_not(cast: Cast) -> None:
    campaign = draft_a(cast)
    actions.do_update_campaign(campaign, acting_user=cast.subdistrict_staff_a, title="新标题", uses_scores=True,
                               criteria=[("履职尽责", 50)], groups={"subdistrict": 50, "residents": 50})
    campaign.refresh_from_db()
    assert campaign.title == "新标题" and campaign.uses_scores
    assert list(Criterion.objects.values_list("name", flat=True)) == ["履职尽责"]
    assert set(campaign.groups.values_list("kind", flat=True)) == {"subdistrict", "residents"}
    event = AuditEvent.objects.get(verb="evaluation.campaign.update")
    assert (event.before or {})["title"] != (event.after or {})["title"]
    # Rating members no more: their ratees go; again: they come back.
    actions.do_update_campaign(campaign, acting_user=cast.subdistrict_staff_a, rates_members=False)
    assert list(campaign.ratees.values_list("kind", flat=True)) == ["unit"]
    actions.do_update_campaign(campaign, acting_user=cast.subdistrict_staff_a, rates_members=True)
    assert campaign.ratees.count() == 2
    with pytest.raises(ActionError):
        actions.do_update_campaign(campaign, acting_user=cast.subdistrict_staff_a, groups={"subdistrict": 10})
    assert set(campaign.groups.values_list("kind", flat=True)) == {"subdistrict", "residents"}
    with pytest.raises(PermissionDenied):
        actions.do_update_campaign(campaign, acting_user=cast.worker_a, title="x")
    add_raters_campaign = open_a(cast, title="另一次")
    with pytest.raises(InvalidTransition):
        actions.do_update_campaign(add_raters_campaign, acting_user=cast.subdistrict_staff_a, title="y")


def test_ratees_are_left_out_put_back_and_refreshed(cast: Cast) -> None:
    campaign = draft_a(cast)
    unit = campaign.ratees.get(kind="unit")
    actions.do_remove_ratee(unit, acting_user=cast.subdistrict_staff_a)
    assert campaign.ratees.count() == 1
    assert AuditEvent.objects.filter(verb="evaluation.ratee.remove").count() == 1
    left_out = [actions.ratee_key(r) for r in actions.candidate_ratees(campaign)
                if not campaign.ratees.filter(kind=r.kind, unit=r.unit, membership=r.membership).exists()]
    assert left_out == [f"unit:{cast.member_unit.pk}:{cast.community_a.pk}"]
    actions.do_add_ratee(campaign, acting_user=cast.subdistrict_staff_a, key=left_out[0])
    with pytest.raises(ActionError):
        actions.do_add_ratee(campaign, acting_user=cast.subdistrict_staff_a, key=left_out[0])
    with pytest.raises(ActionError):
        actions.do_add_ratee(campaign, acting_user=cast.subdistrict_staff_a, key="unit:999:999")
    assert campaign.ratees.count() == 2
    # A new seat comes in with a refresh, an ended one goes.
    new = part_time_member(cast, "周新任")
    CommitteeMembership.objects.filter(person_name="赵兼职").update(active=False)
    assert actions.do_refresh_ratees(campaign, acting_user=cast.subdistrict_staff_a) == (1, 1)
    assert campaign.ratees.get(kind="member").membership == new
    with pytest.raises(PermissionDenied):
        actions.do_refresh_ratees(campaign, acting_user=cast.worker_a)


def test_suggested_raters_and_one_by_username(cast: Cast) -> None:
    campaign = draft_a(cast, groups={"subdistrict": 30, "community": 30, "residents": 40})
    staff = cast.subdistrict_staff_a
    assert actions.do_add_suggested_raters(campaign, acting_user=staff, kind="subdistrict") == 1
    assert actions.do_add_suggested_raters(campaign, acting_user=staff, kind="community") == 1
    worker = Rater.objects.get(campaign=campaign, user=cast.worker_a)
    assert (worker.community, worker.party_org) == (cast.community_a, cast.committee_a)
    assert actions.do_add_suggested_raters(campaign, acting_user=staff, kind="community") == 0
    # Residents are picked one by one; their community comes from their role.
    rep = actions.do_add_rater(campaign, acting_user=staff, kind="residents", user=cast.resident_user)
    assert rep.community == cast.community_a
    with pytest.raises(ActionError) as err:
        actions.do_add_rater(campaign, acting_user=staff, kind="subdistrict", user=cast.resident_user)
    assert "只评一次" in err.value.message or "已经" in err.value.message
    with pytest.raises(ActionError) as err:
        actions.do_add_rater(campaign, acting_user=staff, kind="residents", user=None)
    assert err.value.field == "username"
    with pytest.raises(ActionError) as err:
        actions.do_add_rater(campaign, acting_user=staff, kind="estate", user=resident_rep(cast))
    assert err.value.field == "group"
    with pytest.raises(ActionError) as err:
        actions.do_add_rater(campaign, acting_user=staff, kind="residents", user=resident_rep(cast, "x2"),
                             community=cast.community_b)
    assert err.value.field == "community"
    assert Rater.objects.filter(campaign=campaign).count() == 3
    assert AuditEvent.objects.filter(verb="evaluation.rater.suggested").count() == 2
    assert AuditEvent.objects.filter(verb="evaluation.rater.add").count() == 1
    actions.do_remove_rater(rep, acting_user=staff)
    assert not Rater.objects.filter(pk=rep.pk).exists()
    assert AuditEvent.objects.filter(verb="evaluation.rater.remove").count() == 1
    with pytest.raises(PermissionDenied):
        actions.do_add_rater(campaign, acting_user=cast.worker_a, kind="residents", user=cast.resident_user)


def test_the_units_group_suggests_the_liaisons(cast: Cast) -> None:
    campaign = draft_a(cast, rates_communities=True, groups={"subdistrict": 100, "units": 100})
    assert actions.do_add_suggested_raters(campaign, acting_user=cast.subdistrict_staff_a, kind="units") == 1
    rater = Rater.objects.get(campaign=campaign, group__kind="units")
    assert (rater.user, rater.unit, rater.community) == (cast.liaison, cast.member_unit, cast.community_a)


def test_an_estate_rater_speaks_for_the_estate_party_branch(cast: Cast) -> None:
    branch = core_actions.do_create_party_org(area=cast.estate_a, name="和平小区党支部", acting_user=None)
    campaign = draft_a(cast, groups={"subdistrict": 70, "estate": 30})
    member = resident_rep(cast, "branch_member", "支部党员")
    core_actions.do_grant_role(member, role=Role.PARTY_MEMBER, area=cast.estate_a, acting_user=None)
    suggested = actions.suggested_raters(campaign, "estate")
    assert [(s.user, s.community, s.party_org) for s in suggested] == [(member, cast.community_a, branch)]
    # Any account, with the branch it speaks for: the community follows from the branch.
    rater = actions.do_add_rater(campaign, acting_user=cast.subdistrict_staff_a, kind="estate",
                                 user=cast.volunteer, party_org=branch)
    assert (rater.community, rater.party_org) == (cast.community_a, branch)
    assert actions.do_add_suggested_raters(campaign, acting_user=cast.subdistrict_staff_a, kind="estate") == 1


def test_opening_checks_and_tells_the_raters(cast: Cast) -> None:
    campaign = draft_a(cast)
    with pytest.raises(ActionError) as err:
        actions.do_open_campaign(campaign, acting_user=cast.subdistrict_staff_a)
    assert "评议人" in err.value.message
    add_raters_a(cast, campaign)
    Campaign.objects.filter(pk=campaign.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ActionError) as err:
        actions.do_open_campaign(campaign, acting_user=cast.subdistrict_staff_a)
    assert "截止" in err.value.message
    assert Campaign.objects.get(pk=campaign.pk).status == "draft"
    assert not Notification.objects.filter(verb="evaluation.rating_open").exists()
    Campaign.objects.filter(pk=campaign.pk).update(deadline=timezone.now() + timedelta(days=3))
    with pytest.raises(PermissionDenied):
        actions.do_open_campaign(campaign, acting_user=cast.worker_a)
    actions.do_open_campaign(campaign, acting_user=cast.subdistrict_staff_a)
    campaign.refresh_from_db()
    assert campaign.status == "open" and campaign.opened_at is not None
    told = set(Notification.objects.filter(verb="evaluation.rating_open").values_list("user__username", flat=True))
    assert told == {"subdistrict_staff_a", "worker_a", "resident_user"}
    assert {n.url for n in Notification.objects.filter(verb="evaluation.rating_open")} == {reverse(
        "evaluation:rating_tasks")}
    assert AuditEvent.objects.filter(verb="evaluation.campaign.open").count() == 1
    with pytest.raises(InvalidTransition):
        actions.do_open_campaign(campaign, acting_user=cast.subdistrict_staff_a)
    # Set-up is fixed once open; a rater may still join (and is told).
    with pytest.raises(InvalidTransition):
        actions.do_refresh_ratees(campaign, acting_user=cast.subdistrict_staff_a)
    late = actions.do_add_rater(campaign, acting_user=cast.subdistrict_staff_a, kind="residents",
                                user=resident_rep(cast))
    assert Notification.objects.filter(user=late.user, verb="evaluation.rating_open").exists()


def test_a_group_with_weight_zero_needs_no_raters(cast: Cast) -> None:
    campaign = draft_a(cast, groups={"subdistrict": 100, "estate": 0})
    actions.do_add_rater(campaign, acting_user=cast.subdistrict_staff_a, kind="subdistrict",
                         user=cast.subdistrict_staff_a)
    assert actions.open_problems(campaign) == []


# --- pages -----------------------------------------------------------------------------------------------------


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "和平街道年度评议", "period": "annual", "period_start": "", "period_end": "",
        "deadline": (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"), "notice_days": 5,
        "rates_units": "on", "rates_members": "on", "weight_subdistrict": 40, "weight_community": 30,
        "weight_residents": 30, "criteria": "",
    }
    data.update(overrides)
    return data


def test_the_pages_set_a_campaign_up(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    part_time_member(cast)
    client.force_login(cast.subdistrict_staff_a)
    response = client.get(reverse("evaluation:campaign_new"))
    assert response.status_code == 200 and "新建评议" in response.content.decode()
    response = client.post(reverse("evaluation:campaign_new"), _form(area=cast.subdistrict_a.pk,
                                                                      weight_residents=20))
    assert response.status_code == 400 and "100%" in response.content.decode()
    assert Campaign.objects.count() == 0
    response = client.post(reverse("evaluation:campaign_new"), _form(area=cast.subdistrict_a.pk, uses_scores="on",
                                                                      criteria="履职尽责 40\n为民办实事：60"))
    assert response.status_code == 302, response.content.decode()
    campaign = Campaign.objects.get()
    assert (campaign.period_start, campaign.period_end) == actions.default_period("annual")
    assert list(campaign.criteria.values_list("name", "max_score")) == [("履职尽责", 40), ("为民办实事", 60)]
    page = client.get(reverse("evaluation:campaign", args=[campaign.pk])).content.decode()
    assert "和平物业服务有限公司" in page and "赵兼职" in page and "尚无评议人" in page or "评议人" in page
    assert client.post(reverse("evaluation:campaign_rater_suggest", args=[campaign.pk]),
                       {"kind": "subdistrict"}).status_code == 302
    assert client.post(reverse("evaluation:campaign_rater_suggest", args=[campaign.pk]),
                       {"kind": "community"}).status_code == 302
    response = client.post(reverse("evaluation:campaign_raters", args=[campaign.pk]),
                           {"kind": "residents", "username": "nobody"})
    assert response.status_code == 400
    response = client.post(reverse("evaluation:campaign_raters", args=[campaign.pk]),
                           {"kind": "residents", "username": "resident_user"})
    assert response.status_code == 302
    raters_page = client.get(reverse("evaluation:campaign_raters", args=[campaign.pk])).content.decode()
    assert "张桂兰" in raters_page and "和平里社工" in raters_page
    response = client.post(reverse("evaluation:campaign_open", args=[campaign.pk]))
    assert response.status_code == 302
    assert Campaign.objects.get().status == "open"
    assert client.get(reverse("evaluation:campaigns")).status_code == 200


def test_pages_404_out_of_scope_and_403_for_non_organizers(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    campaign = draft_a(cast)
    client.force_login(cast.worker_b)
    assert client.get(reverse("evaluation:campaign", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("evaluation:campaign_open", args=[campaign.pk])).status_code == 404
    client.force_login(cast.worker_a)
    # A draft is the organizers' alone: a community worker (a future rater) does not see it yet.
    assert client.get(reverse("evaluation:campaign", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("evaluation:campaign_new")).status_code == 403
    add_raters_a(cast, campaign)
    actions.do_open_campaign(campaign, acting_user=cast.subdistrict_staff_a)
    assert client.get(reverse("evaluation:campaign", args=[campaign.pk])).status_code == 200
    assert client.post(reverse("evaluation:campaign_refresh", args=[campaign.pk])).status_code == 403
    assert client.get(reverse("evaluation:campaign_raters", args=[campaign.pk])).status_code == 403
    assert Campaign.objects.get().status == "open"
    # Grants matter, not usernames: a community worker granted at subdistrict A becomes no organizer.
    core_actions.do_grant_role(cast.worker_a, role=Role.COMMUNITY_WORKER, area=cast.subdistrict_a, acting_user=None)
    assert client.get(reverse("evaluation:campaign_new")).status_code == 403


def test_the_hub_card_and_the_lists_query_counts_do_not_grow(client, cast: Cast,  # type: ignore[no-untyped-def]
                                                             django_assert_max_num_queries) -> None:
    from gongzhi.core.models import Unit

    campaign = open_a(cast)
    client.force_login(cast.subdistrict_staff_a)
    hub = client.get(reverse("evaluation:home")).content.decode()
    assert 'data-testid="hub-campaigns"' in hub and "我的评议任务" in hub and "新建评议" in hub
    client.force_login(cast.resident_user)
    assert "已评 0 / 共 2" in client.get(reverse("evaluation:home")).content.decode()

    def pages() -> None:
        for name in ("evaluation:rating_tasks", "evaluation:campaigns"):
            assert client.get(reverse(name)).status_code == 200

    with django_assert_max_num_queries(40) as before:
        pages()
    for n in range(6):
        unit = core_actions.do_create_unit(acting_user=None, area=cast.community_a, name=f"第{n}单位",
                                           kind=Unit.Kind.ENTERPRISE)
        Ratee.objects.create(campaign=campaign, kind="unit", unit=unit, community=cast.community_a, name=unit.name)
    with django_assert_max_num_queries(len(before.captured_queries)):
        pages()
