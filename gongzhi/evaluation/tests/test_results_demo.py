"""The results part's demo step (order 71): a final campaign at 锦华街道 for 2025 with results for every ratee, a
part-time member rated 不合格, two objections from unit_liaison (one upheld with the outcome changed, one dismissed),
times in January 2026; the liaison sees its unit's result and the unit page's panel."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import User
from gongzhi.evaluation.demo_results import TITLE
from gongzhi.evaluation.models import Campaign, Grade, Objection, Ratee, RaterGroup


@pytest.fixture(scope="module")
def demo(demo_city: Any) -> str:
    return str(demo_city.output)


@pytest.mark.django_db
def test_it_builds_a_final_campaign_with_results(demo) -> None:  # type: ignore[no-untyped-def]
    output = demo
    campaign = Campaign.objects.get(title=TITLE)
    assert campaign.status == Campaign.Status.FINAL and campaign.area.name == "锦华街道"
    assert timezone.localtime(campaign.finalized_at).date() == date(2026, 1, 11)
    assert timezone.localtime(campaign.notice_ends_at).date() == date(2026, 1, 10)
    assert {g.kind: g.weight for g in campaign.groups.all()} == {"subdistrict": 30, "community": 40,
                                                                 "residents": 30}
    ratees = list(Ratee.objects.filter(campaign=campaign))
    assert len(ratees) >= 6 and all(r.ratings.exists() for r in ratees)
    assert all(r.outcome and r.rank for r in ratees)
    assert any(r.kind == Ratee.Kind.MEMBER and r.outcome == Grade.UNQUALIFIED for r in ratees)
    assert {r.kind for r in ratees} == {Ratee.Kind.UNIT, Ratee.Kind.MEMBER}
    rater_users = set(campaign.raters.values_list("user__username", flat=True))
    assert {"jd_staff", "sq_worker", "resident"} <= rater_users
    assert campaign.raters.filter(group__kind=RaterGroup.Kind.RESIDENTS).count() >= 3
    assert not User.objects.get(username="jh_rep1").has_usable_password()
    assert "双向评议" in output


@pytest.mark.django_db
def test_it_has_an_upheld_and_a_dismissed_objection_from_the_liaison(demo) -> None:  # type: ignore[no-untyped-def]
    objections = {o.status: o for o in Objection.objects.filter(ratee__campaign__title=TITLE)
                  .select_related("raised_by", "ratee")}
    assert set(objections) == {Objection.Status.UPHELD, Objection.Status.DISMISSED}
    upheld = objections[Objection.Status.UPHELD]
    assert upheld.raised_by.username == "unit_liaison"
    assert (upheld.outcome_before, upheld.outcome_after) == (Grade.QUALIFIED, Grade.EXCELLENT)
    assert upheld.ratee.outcome == Grade.EXCELLENT
    assert upheld.ratee.breakdown["adjustments"][0]["after"] == Grade.EXCELLENT
    assert timezone.localtime(upheld.answered_at).date() == date(2026, 1, 8)
    assert objections[Objection.Status.DISMISSED].ratee.outcome == Grade.UNQUALIFIED


@pytest.mark.django_db
def test_the_liaison_sees_its_result_and_the_panel(demo) -> None:  # type: ignore[no-untyped-def]
    liaison = User.objects.get(username="unit_liaison")
    ratee = Ratee.objects.get(campaign__title=TITLE, kind=Ratee.Kind.UNIT,
                              unit__grants__user=liaison)
    client = Client()
    client.force_login(liaison)
    page = client.get(reverse("evaluation:result", args=[ratee.pk]))
    assert page.status_code == 200 and "优秀" in page.content.decode()
    assert ratee.unit is not None
    unit_page = client.get(reverse("core:unit_detail", args=[ratee.unit.pk]))
    assert unit_page.status_code == 200
    assert 'data-testid="evaluation-results-panel"' in unit_page.content.decode()
    staff = User.objects.get(username="jd_staff")
    client.force_login(staff)
    results = client.get(reverse("evaluation:results", args=[ratee.campaign_id]))
    assert results.status_code == 200 and 'data-testid="results-docx"' in results.content.decode()
    assert client.get(reverse("evaluation:results_docx", args=[ratee.campaign_id])).status_code == 200
