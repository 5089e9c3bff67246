"""Two workers running the overdue check at once (PostgreSQL row locks; skipped on SQLite): each overdue notice is
flagged once and the community told once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gongzhi.core.models import AuditEvent, Notification
from gongzhi.evaluation.actions import property as actions
from gongzhi.test import Cast, race, require_postgresql

from .test_property_scene import contract, notice

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_overdue_checks_at_once_tell_the_community_once(cast: Cast) -> None:
    require_postgresql("PostgreSQL row locks")
    n = notice(cast, contract(cast))
    later = n.deadline + timedelta(days=1)
    results = race(lambda: actions.do_flag_overdue_rectifications(later),
                   lambda: actions.do_flag_overdue_rectifications(later))
    assert sorted(results) == [0, 1], results
    assert AuditEvent.objects.filter(verb="evaluation.rectification.overdue", object_id=str(n.pk)).count() == 1
    assert Notification.objects.filter(user=cast.worker_a, verb="evaluation.rectification.overdue").count() == 1
