"""The aggregation rule (gongzhi.evaluation.results): points per grade, weights renormalized over the groups that
rated, the residents' group only from three ratings, outcomes, shared ranks, criterion scores; and
`compute_results` over a campaign in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.evaluation.models import Criterion, Grade, Ratee
from gongzhi.evaluation.results import (
    COUNTED,
    NO_RATINGS,
    TOO_FEW,
    aggregate,
    compute_results,
    normalized_scores,
    outcome_for,
    rank,
)

from .results_scene import E, Q, U, make_scene, rate, rate_all, refreshed

GROUPS = [("subdistrict", 30), ("community", 40), ("residents", 30)]


def test_it_weights_the_groups_means() -> None:
    agg = aggregate(GROUPS, [("subdistrict", E, None), ("community", Q, None), ("residents", E, None),
                             ("residents", Q, None), ("residents", U, None)])
    # 30×100 + 40×80 + 30×76.67 = 8500.1 → 85.00
    assert agg.score == Decimal("85.00")
    assert agg.outcome == Grade.QUALIFIED
    by = {g.kind: g for g in agg.groups}
    assert by["residents"].mean == Decimal("76.67")
    assert by["residents"].distribution == {E: 1, Q: 1, U: 1}
    assert all(g.status == COUNTED for g in agg.groups)


def test_it_leaves_out_a_group_with_no_ratings_and_renormalizes() -> None:
    agg = aggregate(GROUPS, [("subdistrict", E, None), ("community", U, None)])
    by = {g.kind: g for g in agg.groups}
    assert by["residents"].status == NO_RATINGS and by["residents"].mean is None
    # (30×100 + 40×50) / 70 = 71.43
    assert agg.score == Decimal("71.43")
    assert by["subdistrict"].share == Decimal("42.86") and by["community"].share == Decimal("57.14")
    assert agg.outcome == Grade.QUALIFIED


def test_it_does_not_count_fewer_than_three_resident_ratings() -> None:
    agg = aggregate(GROUPS, [("subdistrict", E, None), ("community", E, None), ("residents", U, None),
                             ("residents", U, None)])
    by = {g.kind: g for g in agg.groups}
    assert by["residents"].status == TOO_FEW
    assert by["residents"].count == 2
    assert by["residents"].mean is None and by["residents"].distribution == {}
    assert agg.score == Decimal("100.00") and agg.outcome == Grade.EXCELLENT
    # Three resident ratings count.
    agg = aggregate(GROUPS, [("subdistrict", E, None), ("community", E, None)] + [("residents", U, None)] * 3)
    assert agg.score == Decimal("85.00")


def test_it_gives_no_outcome_without_ratings() -> None:
    agg = aggregate(GROUPS, [])
    assert agg.score is None and agg.outcome == ""
    assert [g.status for g in agg.groups] == [NO_RATINGS] * 3
    # Only two residents: nothing counts either.
    agg = aggregate(GROUPS, [("residents", E, None), ("residents", E, None)])
    assert agg.score is None and agg.outcome == ""


def test_it_draws_the_outcome_lines_at_90_and_60() -> None:
    assert outcome_for(Decimal("90")) == Grade.EXCELLENT
    assert outcome_for(Decimal("89.99")) == Grade.QUALIFIED
    assert outcome_for(Decimal("60")) == Grade.QUALIFIED
    assert outcome_for(Decimal("59.99")) == Grade.UNQUALIFIED
    assert outcome_for(None) == ""


def test_it_ignores_ratings_of_groups_that_do_not_rate_the_kind() -> None:
    agg = aggregate([("units", 100)], [("subdistrict", U, None), ("units", E, None)])
    assert agg.score == Decimal("100.00")


def test_it_takes_the_plain_mean_when_the_weights_are_zero() -> None:
    agg = aggregate([("subdistrict", 0), ("community", 0)], [("subdistrict", E, None), ("community", U, None)])
    assert agg.score == Decimal("75.00")


def test_it_uses_criterion_scores_over_their_maxima() -> None:
    assert normalized_scores({"1": 8, "2": 9}, {"1": 10, "2": 10}) == Decimal(85)
    # A missing criterion counts 0; an unknown one is ignored; a score above its maximum is clamped.
    assert normalized_scores({"1": 12, "9": 5}, {"1": 10, "2": 10}) == Decimal(50)
    assert normalized_scores({}, {"1": 10}) is None
    agg = aggregate([("subdistrict", 100)], [("subdistrict", Q, Decimal(95)), ("subdistrict", Q, None)])
    assert agg.score == Decimal("87.50")  # (95 + 80) / 2


def test_it_ranks_ties_together_then_by_name() -> None:
    ranks = rank([("a", "unit", Decimal(90), "乙"), ("b", "unit", Decimal(85), "丙"),
                  ("c", "unit", Decimal(85), "甲"), ("d", "unit", Decimal(70), "丁"),
                  ("e", "unit", None, "戊"), ("f", "member", Decimal(60), "己")])
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4, "e": None, "f": 1}


grades = st.sampled_from([E, Q, U])
kinds = st.sampled_from(["subdistrict", "community", "residents"])


@settings(max_examples=200, deadline=None)
@given(weights=st.lists(st.integers(min_value=0, max_value=100), min_size=3, max_size=3),
       ratings=st.lists(st.tuples(kinds, grades, st.one_of(st.none(), st.integers(0, 100).map(Decimal))),
                        max_size=30))
def test_it_keeps_the_score_between_the_lowest_and_highest_group_mean(weights: list[int], ratings: list) -> None:
    groups = list(zip(["subdistrict", "community", "residents"], weights, strict=True))
    agg = aggregate(groups, ratings)
    means = [g.mean for g in agg.groups if g.status == COUNTED and g.mean is not None]
    if not means:
        assert agg.score is None and agg.outcome == ""
        return
    assert agg.score is not None
    assert min(means) - Decimal("0.01") <= agg.score <= max(means) + Decimal("0.01")
    assert agg.outcome == outcome_for(agg.score)
    for g in agg.groups:
        if g.kind == "residents" and 0 < g.count < 3:
            assert g.status == TOO_FEW and g.mean is None


@pytest.mark.django_db
def test_it_computes_a_campaign_in_a_fixed_number_of_queries(cast, django_assert_max_num_queries) -> None:
    scene = make_scene(cast)
    rate_all(scene)
    with django_assert_max_num_queries(5):
        compute_results(scene.campaign)
    unit, school, member = refreshed(scene.unit), refreshed(scene.school), refreshed(scene.member)
    assert (unit.score, unit.outcome, unit.rank) == (Decimal("85.00"), Grade.QUALIFIED, 1)
    assert (school.score, school.outcome, school.rank) == (Decimal("80.00"), Grade.QUALIFIED, 2)
    assert member.score == Decimal("50.00") and member.outcome == Grade.UNQUALIFIED and member.rank == 1
    assert unit.computed_at is not None
    groups = {g["kind"]: g for g in unit.breakdown["groups"]}
    assert groups["residents"]["count"] == 3 and groups["residents"]["mean"] == 76.67
    # The member had no resident rating: shown as none and left out.
    assert {g["kind"]: g["status"] for g in member.breakdown["groups"]}["residents"] == NO_RATINGS


@pytest.mark.django_db
def test_it_ranks_equal_scores_together_in_a_campaign(cast) -> None:
    scene = make_scene(cast, residents=0)
    for ratee in (scene.unit, scene.school):
        rate(scene.raters["subdistrict"], ratee, Q)
        rate(scene.raters["community"], ratee, Q)
    compute_results(scene.campaign)
    unit, school = refreshed(scene.unit), refreshed(scene.school)
    assert unit.rank == school.rank == 1
    assert unit.score == school.score == Decimal("80.00")


@pytest.mark.django_db
def test_it_scores_criteria_when_the_campaign_does(cast) -> None:
    scene = make_scene(cast, residents=0)
    scene.campaign.uses_scores = True
    scene.campaign.save(update_fields=["uses_scores"])
    c1 = Criterion.objects.create(campaign=scene.campaign, name="履职尽责", max_score=60)
    c2 = Criterion.objects.create(campaign=scene.campaign, name="群众评价", max_score=40)
    rate(scene.raters["subdistrict"], scene.unit, Q, {str(c1.pk): 57, str(c2.pk): 38})  # 95
    rate(scene.raters["community"], scene.unit, Q, {str(c1.pk): 54, str(c2.pk): 36})  # 90
    compute_results(scene.campaign)
    unit = refreshed(scene.unit)
    # (30×95 + 40×90) / 70 = 92.14
    assert unit.score == Decimal("92.14") and unit.outcome == Grade.EXCELLENT


@pytest.mark.django_db
def test_it_keeps_an_upheld_outcome_when_recomputed(cast) -> None:
    scene = make_scene(cast)
    rate_all(scene)
    compute_results(scene.campaign)
    Ratee.objects.filter(pk=scene.unit.pk).update(breakdown={
        **refreshed(scene.unit).breakdown,
        "adjustments": [{"objection": 1, "before": Q, "after": E, "reason": "补充材料"}]})
    compute_results(scene.campaign)
    unit = refreshed(scene.unit)
    assert unit.outcome == E and unit.breakdown["computed_outcome"] == Q
