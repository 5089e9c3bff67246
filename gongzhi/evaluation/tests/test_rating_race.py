"""A rater's double submit (two requests at the same moment, e.g. a phone's double tap): one rating row, the second
request replacing the first (the rater's row is locked; PostgreSQL, skipped on SQLite). Two raters rating the same
ratee at once each keep their own rating."""

from __future__ import annotations

import pytest

from gongzhi.core.models import AuditEvent
from gongzhi.evaluation.actions import campaigns as actions
from gongzhi.evaluation.models import Ratee, Rating
from gongzhi.test import Cast, race, require_postgresql

from .test_campaigns_scene import open_a, unit_ratee

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_double_submit_gives_one_rating(cast: Cast) -> None:
    require_postgresql("PostgreSQL row locks")
    ratee = unit_ratee(open_a(cast))

    def rate(grade: str) -> object:
        return actions.do_rate(Ratee.objects.get(pk=ratee.pk), grade=grade, acting_user=cast.resident_user)

    results = race(lambda: rate("qualified"), lambda: rate("excellent"))
    assert all(isinstance(r, Rating) for r in results), results
    assert Rating.objects.filter(ratee=ratee).count() == 1
    assert AuditEvent.objects.filter(verb="evaluation.rate").count() == 1
    assert AuditEvent.objects.filter(verb="evaluation.rate_changed").count() == 1


def test_two_raters_at_once_keep_their_own(cast: Cast) -> None:
    require_postgresql("PostgreSQL row locks")
    ratee = unit_ratee(open_a(cast))
    results = race(lambda: actions.do_rate(ratee, grade="qualified", acting_user=cast.resident_user),
                   lambda: actions.do_rate(ratee, grade="excellent", acting_user=cast.worker_a))
    assert all(isinstance(r, Rating) for r in results), results
    assert sorted(Rating.objects.values_list("grade", flat=True)) == ["excellent", "qualified"]
