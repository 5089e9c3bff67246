"""Two people take the last seat at the same moment: one is signed up, the other waitlisted (the activity row is
locked, PostgreSQL; skipped on SQLite). Two organizers confirming the hours at once credit the time bank once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.core.errors import ActionError
from gongzhi.service.actions import activities as actions
from gongzhi.service.models import Activity, SignUp, TimeBankTransaction
from gongzhi.test import Cast, race, require_postgresql

from .activities_scene import activity, check, held

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_people_racing_for_the_last_seat_never_both_get_it(cast: Cast) -> None:
    require_postgresql("PostgreSQL row locks")
    a = activity(cast, capacity=2)
    actions.do_sign_up(a, acting_user=cast.resident_user)  # one seat left

    def take(user: object) -> Callable[[], object]:
        return lambda: actions.do_sign_up(Activity.objects.get(pk=a.pk), acting_user=user)  # type: ignore[arg-type]

    results = race(take(cast.party_member_user), take(cast.volunteer))
    assert all(isinstance(r, SignUp) for r in results), results
    statuses = sorted(r.status for r in results)
    assert statuses == [SignUp.Status.CONFIRMED, SignUp.Status.WAITLISTED]
    assert SignUp.objects.filter(activity=a, status=SignUp.Status.CONFIRMED).count() == 2
    assert SignUp.objects.get(activity=a, status=SignUp.Status.WAITLISTED).position == 1


def test_two_confirmations_at_once_credit_once(cast: Cast) -> None:
    require_postgresql("PostgreSQL row locks")
    a = activity(cast)
    actions.do_sign_up(a, acting_user=cast.party_member_user)
    start = timezone.now() - timedelta(hours=3)
    a = held(a, start)
    check(a, cast.party_member_user, start)
    check(a, cast.party_member_user, start + timedelta(minutes=60))

    def confirm(user: object) -> Callable[[], object]:
        return lambda: actions.do_confirm_hours(Activity.objects.get(pk=a.pk), acting_user=user)  # type: ignore[arg-type]

    results = race(confirm(cast.worker_a), confirm(cast.subdistrict_staff_a))
    assert sum(isinstance(r, list) for r in results) == 1
    assert sum(isinstance(r, ActionError) for r in results) == 1, results
    assert TimeBankTransaction.objects.filter(kind=TimeBankTransaction.Kind.CREDIT).count() == 1
