"""Rating: one rating per rater per ratee (a change replaces it, audited with the earlier grade); refused after the
deadline, before the opening and after the close, with nothing changed; scores per criterion; a rater rates only
their group's kinds in their community (404/403); a resident never sees another rater's rating; the phone pages:
my tasks, the rate page with the evidence first, saved to the next unrated ratee."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import AuditEvent
from gongzhi.evaluation import queries_campaigns as queries
from gongzhi.evaluation.actions import campaigns as actions
from gongzhi.evaluation.models import Campaign, Ratee, Rating
from gongzhi.evaluation.reg_campaigns import rating_tasks
from gongzhi.test import Cast

from .test_campaigns_scene import add_raters_a, draft_a, open_a, open_b, resident_rep, side_b, unit_ratee

pytestmark = pytest.mark.django_db


def test_one_rating_per_rater_per_ratee_a_change_replaces_it(cast: Cast) -> None:
    campaign = open_a(cast)
    ratee = unit_ratee(campaign)
    first = actions.do_rate(ratee, grade="qualified", comment="按时参加会议", acting_user=cast.resident_user)
    assert AuditEvent.objects.filter(verb="evaluation.rate").count() == 1
    again = actions.do_rate(ratee, grade="excellent", comment="", acting_user=cast.resident_user)
    assert again.pk == first.pk
    assert Rating.objects.filter(ratee=ratee).count() == 1
    assert Rating.objects.get().grade == "excellent"
    event = AuditEvent.objects.get(verb="evaluation.rate_changed")
    assert (event.before or {})["grade"] == "qualified" and (event.after or {})["grade"] == "excellent"
    assert event.actor == cast.resident_user
    actions.do_rate(ratee, grade="unqualified", acting_user=cast.worker_a)
    assert Rating.objects.filter(ratee=ratee).count() == 2


def test_bad_grades_and_scores_change_nothing(cast: Cast) -> None:
    campaign = open_a(cast, uses_scores=True, criteria=[("履职尽责", 40), ("为民办实事", 60)])
    ratee = unit_ratee(campaign)
    c1, c2 = campaign.criteria.all()
    cases: list[tuple[str, dict, str]] = [
        ("great", {c1.pk: 30, c2.pk: 50}, "grade"),
        ("qualified", {c1.pk: 30}, f"score_{c2.pk}"),
        ("qualified", {c1.pk: 41, c2.pk: 50}, f"score_{c1.pk}"),
        ("qualified", {c1.pk: -1, c2.pk: 50}, f"score_{c1.pk}"),
        ("qualified", {c1.pk: "x", c2.pk: 50}, f"score_{c1.pk}"),
        ("qualified", {c1.pk: 1, c2.pk: 2, 999: 3}, "scores"),
    ]
    for grade, scores, field in cases:
        with pytest.raises(ActionError) as err:
            actions.do_rate(ratee, grade=grade, scores=scores, acting_user=cast.resident_user)
        assert err.value.field == field
    with pytest.raises(ActionError):
        actions.do_rate(ratee, grade="qualified", scores={c1.pk: 1, c2.pk: 2}, comment="长" * 301,
                        acting_user=cast.resident_user)
    assert not Rating.objects.exists()
    assert not AuditEvent.objects.filter(verb__in=["evaluation.rate", "evaluation.rate_changed"]).exists()
    rating = actions.do_rate(ratee, grade="qualified", scores={str(c1.pk): 30, str(c2.pk): 45},
                             acting_user=cast.resident_user)
    assert rating.scores == {str(c1.pk): 30, str(c2.pk): 45}


def test_refused_after_the_deadline_before_opening_and_after_closing(cast: Cast) -> None:
    campaign = open_a(cast)
    ratee = unit_ratee(campaign)
    actions.do_rate(ratee, grade="qualified", acting_user=cast.resident_user)
    Campaign.objects.filter(pk=campaign.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(InvalidTransition) as err:
        actions.do_rate(ratee, grade="excellent", acting_user=cast.resident_user)
    assert "截止" in err.value.message
    Campaign.objects.filter(pk=campaign.pk).update(deadline=timezone.now() + timedelta(days=1), status="notice")
    with pytest.raises(InvalidTransition) as err:
        actions.do_rate(ratee, grade="excellent", acting_user=cast.resident_user)
    assert "结束" in err.value.message
    assert Rating.objects.get().grade == "qualified"
    assert not AuditEvent.objects.filter(verb="evaluation.rate_changed").exists()
    draft = draft_a(cast, title="草稿")
    actions.do_add_rater(draft, acting_user=cast.subdistrict_staff_a, kind="residents", user=cast.resident_user)
    with pytest.raises(InvalidTransition) as err:
        actions.do_rate(draft.ratees.get(kind="unit"), grade="qualified", acting_user=cast.resident_user)
    assert "尚未开始" in err.value.message


def test_a_rater_rates_only_their_group_kinds_in_their_community(cast: Cast) -> None:
    campaign = draft_a(cast, rates_communities=True, groups={"subdistrict": 40, "community": 30, "residents": 30,
                                                             "units": 100})
    add_raters_a(cast, campaign)
    actions.do_add_rater(campaign, acting_user=cast.subdistrict_staff_a, kind="units", user=cast.liaison)
    actions.do_open_campaign(campaign, acting_user=cast.subdistrict_staff_a)
    community_ratee = campaign.ratees.get(kind="community")
    with pytest.raises(PermissionDenied):
        actions.do_rate(community_ratee, grade="excellent", acting_user=cast.resident_user)
    with pytest.raises(PermissionDenied):
        actions.do_rate(unit_ratee(campaign), grade="excellent", acting_user=cast.liaison)
    actions.do_rate(community_ratee, grade="excellent", acting_user=cast.liaison)
    # Not a rater at all; another subdistrict's rater.
    with pytest.raises(PermissionDenied):
        actions.do_rate(unit_ratee(campaign), grade="qualified", acting_user=cast.party_member_user)
    b = open_b(cast)
    with pytest.raises(PermissionDenied):
        actions.do_rate(unit_ratee(campaign), grade="qualified", acting_user=cast.worker_b)
    with pytest.raises(PermissionDenied):
        actions.do_rate(unit_ratee(b), grade="qualified", acting_user=cast.worker_a)
    assert Rating.objects.count() == 1


def test_a_rater_of_another_community_in_the_campaign_cannot_rate(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    """A campaign at the district covers both communities: community A's worker does not rate community B's unit
    (404: not even visible) and B's worker rates it."""
    side_b(cast)
    from .test_campaigns_scene import campaign_kwargs, part_time_member

    part_time_member(cast)
    campaign = actions.do_create_campaign(acting_user=cast.district_admin, area=cast.district,
                                          **campaign_kwargs(groups={"community": 100}))
    for user in (cast.worker_a, cast.worker_b):
        actions.do_add_rater(campaign, acting_user=cast.district_admin, kind="community", user=user)
    actions.do_open_campaign(campaign, acting_user=cast.district_admin)
    b_unit = campaign.ratees.get(kind="unit", community=cast.community_b)
    client.force_login(cast.worker_a)
    assert client.get(reverse("evaluation:rate", args=[b_unit.pk])).status_code == 404
    assert client.post(reverse("evaluation:rate", args=[b_unit.pk]), {"grade": "excellent"}).status_code == 404
    with pytest.raises(PermissionDenied):
        actions.do_rate(b_unit, grade="excellent", acting_user=cast.worker_a)
    client.force_login(cast.worker_b)
    assert client.get(reverse("evaluation:rate", args=[b_unit.pk])).status_code == 200
    assert not Rating.objects.exists()


def test_a_resident_never_sees_another_raters_rating(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    campaign = open_a(cast)
    rep2 = resident_rep(cast)
    actions.do_add_rater(campaign, acting_user=cast.subdistrict_staff_a, kind="residents", user=rep2)
    ratee = unit_ratee(campaign)
    actions.do_rate(ratee, grade="unqualified", comment="从不参加会议，认领项目逾期", acting_user=rep2)
    client.force_login(cast.resident_user)
    page = client.get(reverse("evaluation:rate", args=[ratee.pk])).content.decode()
    assert "从不参加会议" not in page
    assert 'checked' not in page  # nothing pre-chosen: the resident has not rated
    tasks = client.get(reverse("evaluation:rating_tasks")).content.decode()
    assert "已评" not in tasks.split("data-testid=\"task-ratee\"")[1].split("</li>")[0]
    response = client.get(f"/api/evaluation/campaigns/{campaign.pk}/ratees")
    assert response.status_code == 200
    assert {r["my_grade"] for r in response.json()} == {None}
    assert client.get(f"/api/evaluation/ratees/{ratee.pk}/rating").status_code == 404
    assert client.get(f"/api/evaluation/campaigns/{campaign.pk}/raters").status_code == 403
    # The ratee's own side (the unit's liaison) sees nothing of the campaign while it is open.
    client.force_login(cast.liaison)
    assert client.get(reverse("evaluation:campaign", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("evaluation:rate", args=[ratee.pk])).status_code == 404


def test_the_phone_pages_evidence_first_then_the_next_ratee(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    campaign = open_a(cast)
    unit = unit_ratee(campaign)
    member = campaign.ratees.get(kind=Ratee.Kind.MEMBER)
    client.force_login(cast.resident_user)
    tasks = client.get(reverse("evaluation:rating_tasks"))
    assert tasks.status_code == 200
    body = tasks.content.decode()
    assert "已评 0 / 共 2" in body and "和平物业服务有限公司" in body
    ordered = [r.pk for r in queries.ratees_of(campaign.raters.get(user=cast.resident_user))]
    first, second = (Ratee.objects.get(pk=pk) for pk in ordered)
    page = client.get(reverse("evaluation:rate", args=[first.pk])).content.decode()
    assert page.index('data-testid="evidence"') < page.index('data-testid="rating-form"')
    response = client.post(reverse("evaluation:rate", args=[first.pk]), {"grade": "qualified", "comment": ""})
    assert response.status_code == 302 and response.url == reverse("evaluation:rate", args=[second.pk])
    response = client.post(reverse("evaluation:rate", args=[second.pk]), {"grade": "excellent"})
    assert response.status_code == 302 and response.url == reverse("evaluation:rating_tasks")
    assert "已评 2 / 共 2" in client.get(reverse("evaluation:rating_tasks")).content.decode()
    # Changing it: the page shows the rater's own grade chosen; a bad post is a 400 and changes nothing.
    page = client.get(reverse("evaluation:rate", args=[unit.pk])).content.decode()
    assert "截止前可以修改" in page
    response = client.post(reverse("evaluation:rate", args=[unit.pk]), {"grade": ""})
    assert response.status_code == 400 and "请选择优秀、合格或不合格" in response.content.decode()
    assert {r.grade for r in Rating.objects.all()} == {"qualified", "excellent"}
    assert member.pk in ordered
    # After the deadline the page says so and a post is refused.
    Campaign.objects.filter(pk=campaign.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    page = client.get(reverse("evaluation:rate", args=[unit.pk]))
    assert page.status_code == 200 and "截止" in page.content.decode()
    response = client.post(reverse("evaluation:rate", args=[unit.pk]), {"grade": "unqualified"})
    assert response.status_code == 400 and "截止" in response.content.decode()
    assert not Rating.objects.filter(grade="unqualified").exists()


def test_home_task_counts_what_is_left_and_is_urgent_near_the_deadline(cast: Cast) -> None:
    campaign = open_a(cast)
    assert [(t.count, t.kind) for t in rating_tasks(cast.resident_user)] == [(2, "")]
    actions.do_rate(unit_ratee(campaign), grade="qualified", acting_user=cast.resident_user)
    Campaign.objects.filter(pk=campaign.pk).update(deadline=timezone.now() + timedelta(days=2))
    assert [(t.count, t.kind) for t in rating_tasks(cast.resident_user)] == [(1, "soon")]
    assert rating_tasks(cast.party_member_user) == []
    Campaign.objects.filter(pk=campaign.pk).update(deadline=timezone.now() - timedelta(days=1))
    assert rating_tasks(cast.resident_user) == []
