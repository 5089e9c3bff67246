"""Star ratings (星级管理): each measure's points, the thresholds, partly kept counts half, residents' feedback,
the members considered, an adjustment kept over a recompute, the rules' validation, the nightly recompute and the
distribution."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.core.errors import ActionError
from gongzhi.core.models import AuditEvent, PartyMember
from gongzhi.service import stars
from gongzhi.service.actions import commitments as actions
from gongzhi.service.models import ActivityKind, Pledge, SignUp, StarRating, StarRule
from gongzhi.test import Cast

from .test_stars_scene import activity, at, feedback, pledge, post, registered_member, served, year_term

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def result(cast: Cast, member: PartyMember | None = None, year: int = YEAR) -> stars.Result:
    member = member or cast.party_member_a
    return next(r for r in stars.compute(cast.community_a, year) if r.member_id == member.pk)


def points(res: stars.Result, measure: str) -> Decimal:
    return Decimal(res.breakdown[measure]["points"])


def test_it_counts_confirmed_hours_of_the_year_at_the_community(cast: Cast) -> None:
    user = cast.party_member_user
    a = activity(cast.community_a)
    served(a, user, 90, at(YEAR, 3, 1))
    served(activity(cast.community_a), user, 30, at(YEAR, 5, 1))
    served(activity(cast.community_a), user, 600, at(YEAR - 1, 12, 31, 23))  # last year
    unconfirmed = served(activity(cast.community_a), user, 60)
    SignUp.objects.filter(pk=unconfirmed.pk).update(hours_confirmed_at=None)
    served(activity(cast.community_b), user, 120, at(YEAR, 3, 1))  # another community
    served(activity(cast.community_a), user, 45, at(YEAR, 3, 1), status=SignUp.Status.CANCELLED)
    res = result(cast)
    assert res.breakdown["hours"]["value"] == "2.00"
    assert points(res, "hours") == Decimal("4.00")  # 2 points per hour by default
    assert res.points == Decimal("4.00") and res.stars == 1


def test_it_counts_party_days_attended(cast: Cast) -> None:
    user = cast.party_member_user
    served(activity(cast.community_a, kind=ActivityKind.PARTY_DAY), user, 120, at(YEAR, 3, 20))
    served(activity(cast.community_a, kind=ActivityKind.PARTY_DAY), user, 0, at(YEAR, 6, 20))  # did not come
    served(activity(cast.community_a, kind=ActivityKind.VOLUNTEER), user, 60, at(YEAR, 6, 20))
    res = result(cast)
    assert res.breakdown["party_days"]["value"] == 1
    assert points(res, "party_days") == Decimal("10.00")
    assert points(res, "hours") == Decimal("6.00")


def test_a_pledge_partly_kept_counts_half(cast: Cast) -> None:
    kept, partly, not_kept = pledge(cast, text="甲"), pledge(cast, text="乙"), pledge(cast, text="丙")
    pledge(cast, text="尚未评定")
    pledge(cast, text="去年的", year=YEAR - 1)
    actions.do_assess_pledge(kept, acting_user=cast.worker_a, status=Pledge.Status.KEPT)
    actions.do_assess_pledge(partly, acting_user=cast.worker_a, status=Pledge.Status.PARTLY, evidence="上半年做到")
    actions.do_assess_pledge(not_kept, acting_user=cast.worker_a, status=Pledge.Status.NOT_KEPT, evidence="未参加")
    res = result(cast)
    assert res.breakdown["pledges_kept"]["value"] == "1.50"
    assert points(res, "pledges_kept") == Decimal("15.00")


def test_posts_held_are_terms_overlapping_the_year(cast: Cast) -> None:
    p, q, old = post(cast), post(cast, name="政策宣传员"), post(cast, name="文明引导员")
    year_term(cast, p, cast.party_member_a)
    term = actions.do_assign_post_term(q, acting_user=cast.worker_a, party_member=cast.party_member_a,
                                       starts_on=date(YEAR - 1, 7, 1), ends_on=date(YEAR + 1, 6, 30))
    actions.do_end_post_term(term, acting_user=cast.worker_a, ended_on=date(YEAR, 1, 31))  # left early this year
    ended = actions.do_assign_post_term(old, acting_user=cast.worker_a, party_member=cast.party_member_a,
                                        starts_on=date(YEAR - 1, 1, 1), ends_on=date(YEAR - 1, 12, 31))
    assert ended.ends_on.year == YEAR - 1
    res = result(cast)
    assert res.breakdown["posts"]["value"] == 2
    assert points(res, "posts") == Decimal("20.00")


def test_residents_feedback_above_three_gives_points(cast: Cast) -> None:
    user = cast.party_member_user
    a, b = activity(cast.community_a), activity(cast.community_a)
    served(a, user, 60, at(YEAR, 4, 1))
    served(b, user, 60, at(YEAR, 4, 2))
    feedback(a, 5, 5, 4)
    feedback(b, 4)
    feedback(activity(cast.community_a), 1, 1)  # an activity they did not serve
    res = result(cast)
    assert res.breakdown["feedback"]["value"] == "4.50" and res.breakdown["feedback"]["answers"] == 4
    assert points(res, "feedback") == Decimal("7.50")  # (4.5 - 3) × 5


def test_feedback_at_or_below_three_or_none_gives_nothing(cast: Cast) -> None:
    a = activity(cast.community_a)
    served(a, cast.party_member_user, 60, at(YEAR, 4, 1))
    res = result(cast)
    assert res.breakdown["feedback"]["value"] is None and points(res, "feedback") == 0
    feedback(a, 2, 3)
    assert points(result(cast), "feedback") == 0


def test_the_thresholds_give_the_stars(cast: Cast) -> None:
    rule = StarRule(community=cast.community_a, two_stars=20, three_stars=40, four_stars=60, five_stars=80)
    expected = {Decimal(0): 1, Decimal("19.99"): 1, Decimal(20): 2, Decimal("39.5"): 2, Decimal(40): 3,
                Decimal(60): 4, Decimal("79.99"): 4, Decimal(80): 5, Decimal(500): 5}
    assert {p: stars.stars_for(p, rule) for p in expected} == expected


def test_the_community_rules_set_the_points(cast: Cast) -> None:
    actions.do_update_star_rule(cast.community_a, acting_user=cast.worker_a, points_per_hour="5",
                                points_per_post=20, two_stars=10, three_stars=25, four_stars=30, five_stars=45)
    served(activity(cast.community_a), cast.party_member_user, 120, at(YEAR, 2, 1))
    year_term(cast, post(cast), cast.party_member_a)
    res = result(cast)
    assert points(res, "hours") == Decimal(10) and points(res, "posts") == Decimal(20)
    assert res.points == Decimal(30) and res.stars == 4


def test_the_members_considered(cast: Cast) -> None:
    registered = registered_member(cast)
    pending = core_actions.do_create_party_member(acting_user=None, home_area=cast.community_b, name="赵六")
    core_actions.do_register_party_member(pending, community=cast.community_a, acting_user=None)
    from gongzhi.core.models import Registration

    Registration.objects.filter(party_member=pending).update(status=Registration.Status.PENDING)
    assert set(stars.members_of(cast.community_a)) == {cast.party_member_a, registered}
    assert set(stars.members_of(cast.community_b)) == {registered, pending}


def test_an_adjustment_is_kept_over_a_recompute(cast: Cast) -> None:
    assert actions.do_recompute_star_ratings(cast.community_a, acting_user=cast.worker_a) == 1
    rating = StarRating.objects.get(party_member=cast.party_member_a, year=YEAR)
    assert rating.computed_stars == 1
    actions.do_adjust_star_rating(rating, acting_user=cast.worker_a, stars_given=4, reason="抗洪抢险表现突出")
    served(activity(cast.community_a), cast.party_member_user, 1200, at(YEAR, 2, 1))  # 20 hours: 40 points
    actions.do_recompute_star_ratings(cast.community_a, acting_user=cast.worker_a)
    rating.refresh_from_db()
    assert (rating.computed_stars, rating.adjusted_stars, rating.stars) == (3, 4, 4)
    assert rating.points == Decimal(40) and rating.breakdown["hours"]["value"] == "20.00"
    assert rating.adjust_reason == "抗洪抢险表现突出"
    event = AuditEvent.objects.get(verb="service.stars.adjust")
    assert (event.before or {})["adjusted_stars"] is None and (event.after or {})["adjusted_stars"] == 4
    assert AuditEvent.objects.filter(verb="service.stars.recompute").count() == 2
    actions.do_adjust_star_rating(rating, acting_user=cast.worker_a, stars_given=None, reason="恢复按规则计算")
    rating.refresh_from_db()
    assert rating.stars == 3


def test_an_adjustment_needs_a_reason_and_stars_from_1_to_5(cast: Cast) -> None:
    actions.do_recompute_star_ratings(cast.community_a, acting_user=cast.worker_a)
    rating = StarRating.objects.get()
    with pytest.raises(ActionError) as err:
        actions.do_adjust_star_rating(rating, acting_user=cast.worker_a, stars_given=5, reason="  ")
    assert "理由" in err.value.message
    with pytest.raises(ActionError):
        actions.do_adjust_star_rating(rating, acting_user=cast.worker_a, stars_given=6, reason="x")
    with pytest.raises(PermissionDenied):
        actions.do_adjust_star_rating(rating, acting_user=cast.worker_b, stars_given=5, reason="x")
    with pytest.raises(PermissionDenied):
        actions.do_adjust_star_rating(rating, acting_user=cast.party_member_user, stars_given=5, reason="x")
    rating.refresh_from_db()
    assert rating.adjusted_stars is None and not AuditEvent.objects.filter(verb="service.stars.adjust").exists()


def test_the_rules_refuse_unordered_thresholds_in_chinese(cast: Cast) -> None:
    with pytest.raises(ActionError) as err:
        actions.do_update_star_rule(cast.community_a, acting_user=cast.worker_a, two_stars=50, three_stars=40)
    assert err.value.field == "three_stars" and "3 星" in err.value.message
    with pytest.raises(ActionError) as err:
        actions.do_update_star_rule(cast.community_a, acting_user=cast.worker_a, points_per_hour="-1")
    assert err.value.field == "points_per_hour"
    with pytest.raises(ActionError):
        actions.do_update_star_rule(cast.community_a, acting_user=cast.worker_a, five_stars="很多")
    with pytest.raises(PermissionDenied):
        actions.do_update_star_rule(cast.community_a, acting_user=cast.worker_b, two_stars=5)
    with pytest.raises(PermissionDenied):
        actions.do_update_star_rule(cast.community_a, acting_user=cast.grid_worker_a, two_stars=5)
    assert not StarRule.objects.exists()
    rule = actions.do_update_star_rule(cast.community_a, acting_user=cast.worker_a, two_stars=5)
    assert (rule.two_stars, rule.three_stars) == (5, 40)
    event = AuditEvent.objects.get(verb="service.stars.rule")
    assert event.before is None and (event.after or {})["two_stars"] == 5


def test_the_nightly_recompute_runs_once_a_day(cast: Cast) -> None:
    actions.do_update_star_rule(cast.community_a, acting_user=cast.worker_a, two_stars=5)
    assert actions.recompute_due() == {"communities": 1, "ratings": 1}
    assert actions.recompute_due() == {"communities": 0, "ratings": 0}
    StarRating.objects.update(computed_at=timezone.now() - timedelta(days=1))
    assert actions.recompute_due()["communities"] == 1


def test_the_distribution_counts_the_adjusted_stars(cast: Cast) -> None:
    registered = registered_member(cast)
    served(activity(cast.community_a), registered.user, 1200, at(YEAR, 2, 1))  # 40 points: 3 stars
    actions.do_recompute_star_ratings(cast.community_a, acting_user=cast.worker_a)
    assert stars.distribution(cast.community_a, YEAR) == [1, 0, 1, 0, 0]
    rating = StarRating.objects.get(party_member=cast.party_member_a)
    actions.do_adjust_star_rating(rating, acting_user=cast.worker_a, stars_given=5, reason="表彰")
    assert stars.distribution(cast.community_a, YEAR) == [0, 0, 1, 0, 1]


def test_the_computation_takes_a_fixed_number_of_queries(cast: Cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def members(n: int, start: int) -> None:
        for k in range(start, start + n):
            m = registered_member(cast, username=f"m{k}", name=f"党员{k}")
            a = activity(cast.community_a)
            served(a, m.user, 60, at(YEAR, 3, 1))
            feedback(a, 5)
            pledge(cast, member=m)

    members(1, 0)
    with CaptureQueriesContext(connection) as few:
        actions.do_recompute_star_ratings(cast.community_a, acting_user=None)
    members(6, 1)
    with CaptureQueriesContext(connection) as many:
        actions.do_recompute_star_ratings(cast.community_a, acting_user=None)
    assert StarRating.objects.count() == 8
    assert len(many) <= len(few) + 1 <= 17  # the first run only creates, the second also updates


def test_the_worker_runs_the_recompute_and_the_verbs_have_names(cast: Cast) -> None:
    from gongzhi.core.registry import registry

    check = next(c for c in registry.scheduled_checks if c.name.endswith("recompute_star_ratings"))
    actions.do_update_star_rule(cast.community_a, acting_user=cast.worker_a, two_stars=5)
    assert check.fn() == {"communities": 1, "ratings": 1}
    verbs = {"service.post.create", "service.post.update", "service.post.assign", "service.post.end_term",
             "service.pledge.create", "service.pledge.update", "service.pledge.assess", "service.stars.rule",
             "service.stars.recompute", "service.stars.adjust"}
    assert verbs <= set(registry.verb_labels)
    used = set(AuditEvent.objects.values_list("verb", flat=True))
    assert used <= verbs | {v for v in used if not v.startswith("service.")}
