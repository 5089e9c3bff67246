"""The quarterly property score from fixed inputs: the weights (50/30/20 by default) renormalized over the parts
present, the levels (优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, else 不合格), the threshold; the survey's satisfaction mapping
and the appeals' three rates as read from the records."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.evaluation import grading
from gongzhi.evaluation.actions import property as actions
from gongzhi.lists.queries import survey_satisfaction
from gongzhi.test import Cast

from .test_property_scene import QUARTER, YEAR, contract, inspect, property_cases, survey


def test_it_weighs_the_three_parts() -> None:
    c = grading.combine(Decimal(80), Decimal(90), Decimal(60), (50, 30, 20))
    assert c is not None
    assert c.score == Decimal("79.00")  # 40 + 27 + 12
    assert c.level == "pass"
    assert c.used_weights == {"inspection": 50.0, "satisfaction": 30.0, "appeals": 20.0}


def test_a_missing_survey_shares_its_weight_out() -> None:
    c = grading.combine(Decimal(80), None, Decimal(60), (50, 30, 20))
    assert c is not None
    # 80 × 50/70 + 60 × 20/70 = 74.2857…
    assert c.score == Decimal("74.29")
    assert c.used_weights == {"inspection": 71.43, "appeals": 28.57}


def test_missing_appeals_and_survey_leave_the_inspections() -> None:
    c = grading.combine(Decimal("65.5"), None, None, (50, 30, 20))
    assert c is not None and c.score == Decimal("65.50") and c.used_weights == {"inspection": 100.0}
    assert grading.combine(None, None, None) is None
    # A part with a zero weight does not count either.
    only = grading.combine(Decimal(50), Decimal(100), None, (100, 0, 0))
    assert only is not None and only.score == Decimal("50.00")


@pytest.mark.parametrize(("score", "level"), [(100, "excellent"), (90, "excellent"), (Decimal("89.99"), "good"),
                                              (80, "good"), (Decimal("79.99"), "pass"), (60, "pass"),
                                              (Decimal("59.99"), "fail"), (0, "fail")])
def test_the_levels(score: Decimal, level: str) -> None:
    assert grading.level_for(score) == level


def test_the_threshold_comes_from_the_settings(settings) -> None:  # type: ignore[no-untyped-def]
    assert grading.threshold() == 70
    assert grading.below_threshold(Decimal("69.99")) and not grading.below_threshold(70)
    settings.EVALUATION_PROPERTY_THRESHOLD = 80
    assert grading.below_threshold(75)
    settings.EVALUATION_PROPERTY_WEIGHTS = (60, 20, 20)
    assert grading.weights() == (60, 20, 20)
    settings.EVALUATION_PROPERTY_WEIGHTS = (0, 0, 0)
    assert grading.weights() == (50, 30, 20)


def test_the_appeals_score_is_the_mean_of_the_available_rates() -> None:
    assert grading.appeals_score({"response_rate": 1.0, "resolution_rate": 0.5, "satisfaction_rate": 0.6}) == Decimal(
        "70.00")
    assert grading.appeals_score({"response_rate": 0.0, "resolution_rate": None, "satisfaction_rate": None}) == 0
    assert grading.appeals_score({"response_rate": None}) is None


def test_the_quarters() -> None:
    from datetime import date

    assert grading.quarter_bounds(2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert grading.quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))
    assert grading.quarter_of(date(2026, 7, 1)) == (2026, 3)
    assert grading.previous_quarter(2026, 1) == (2025, 4)


@pytest.mark.django_db
def test_the_survey_maps_the_options_to_100_down_to_0(cast: Cast) -> None:
    # Three options: 100, 50, 0; answers 满意 ×2, 一般 ×1, 不满意 ×1 → (200 + 50 + 0) / 4
    assert survey_satisfaction(survey(cast, [0, 0, 1, 2])) == (4, 62.5)
    assert survey_satisfaction(survey(cast, [], options=3)) == (0, None)
    assert survey_satisfaction(survey(cast, [0], options=1)) == (1, 100.0)
    assert survey_satisfaction(999999) == (0, None)


@pytest.mark.django_db
def test_a_grade_from_the_records(cast: Cast) -> None:
    c = contract(cast)
    inspect(cast, c, off=2)  # 6 items, 100 points: 88
    inspect(cast, c, off=0)  # 100
    property_cases(cast, total=4, contacted=4, solved=2, satisfied=2)  # rates 1.0, 0.5, 0.5 → 66.67
    sid = survey(cast, [0, 1])  # 75
    g = actions.do_compute_grade(c, YEAR, QUARTER, sid, cast.worker_a)
    assert (g.inspection_score, g.satisfaction_score, g.appeals_score) == (Decimal("94.00"), Decimal("75.00"),
                                                                           Decimal("66.67"))
    # 94 × .5 + 75 × .3 + 66.67 × .2 = 47 + 22.5 + 13.334
    assert g.score == Decimal("82.83") and g.level == "good"
    assert g.details["inspections"]["count"] == 2 and g.details["survey"]["respondents"] == 2
    assert g.details["appeals"]["followed_up"] == 4 and g.details["appeals"]["resolution_rate"] == 0.5
    assert g.details["used_weights"] == {"inspection": 50.0, "satisfaction": 30.0, "appeals": 20.0}
    # Appeals elsewhere (estate B) do not count here.
    property_cases(cast, total=3, contacted=0, solved=0, satisfied=0, area=cast.building_b)
    again = actions.do_compute_grade(c, YEAR, QUARTER, None, cast.worker_a)
    assert again.pk == g.pk and again.details["appeals"]["followed_up"] == 4
    # Without the survey: 94 × 5/7 + 66.67 × 2/7
    assert again.score == Decimal("86.19") and again.survey_id is None


def test_the_property_categories_count_at_any_level_of_the_tree(cast: Cast) -> None:
    """The seeded tree puts 物业管理 under 住房 (level 2): its subtree still counts as property appeals."""
    from gongzhi.appeals.models import Case, Category
    from gongzhi.appeals.queries import area_category_rates

    housing = Category.objects.create(name="住房", level=1)
    management = Category.objects.create(name="物业管理", parent=housing, level=2)
    service = Category.objects.create(name="物业服务", parent=management, level=3)
    other = Category.objects.create(name="房屋安全", parent=housing, level=2)
    now = timezone.now()
    for category, solved in ((service, True), (management, False), (other, True)):
        Case.objects.create(title=category.name, category=category, area=cast.building_a,
                            area_path=cast.building_a.path, followed_up_at=now, contacted=True, solved=solved,
                            satisfaction="satisfied")
    rates = area_category_rates(cast.estate_a.path, now - timedelta(days=1), now + timedelta(days=1), ["物业管理"])
    assert rates["categories"] == ["物业管理"]
    assert (rates["followed_up"], rates["solved"]) == (2, 1)  # 房屋安全 is not a property category
    assert rates["resolution_rate"] == 0.5
