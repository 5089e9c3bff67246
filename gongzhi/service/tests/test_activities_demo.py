"""The demo step of activities at the organizer's community: nothing without the demo accounts; with them, a held
party day whose hours are in the time bank, a full upcoming one with a waitlist, a past clean-up with a correction
and feedback, a past visit awaiting confirmation, upcoming events, and a sound ledger."""

from __future__ import annotations

from gongzhi.core import actions as core_actions
from gongzhi.core.models import User
from gongzhi.core.registry import DemoContext
from gongzhi.service import ledger
from gongzhi.service.demo_activities import build_demo_activities
from gongzhi.service.models import Activity, ActivityFeedback, ActivitySeries, SignUp, TimeBankAccount
from gongzhi.test import Cast


def test_it_does_nothing_without_the_demo_accounts(cast: Cast) -> None:
    assert build_demo_activities(DemoContext(seed=1)) == {}


def test_it_builds_every_state(cast: Cast) -> None:
    for user, name in ((cast.worker_a, "sq_worker"), (cast.party_member_user, "party_member"),
                       (cast.volunteer, "volunteer")):
        User.objects.filter(pk=user.pk).update(username=name)
    for n in range(9):
        core_actions.do_create_party_member(acting_user=None, home_area=cast.community_a, name=f"党员{n}",
                                            phone=f"1370013{n:04d}", in_service=True)
    counts = build_demo_activities(DemoContext(seed=1))
    assert counts["activities"] == 6 and counts["waitlisted"] == 2 and counts["feedback"] == 2
    series = ActivitySeries.objects.get()
    held, upcoming = series.activities.order_by("starts_at")
    assert held.status == Activity.Status.CLOSED
    assert upcoming.status == Activity.Status.PUBLISHED and not upcoming.open_to_volunteers
    assert upcoming.signups.filter(status=SignUp.Status.CONFIRMED).count() == upcoming.capacity
    assert upcoming.signups.filter(user=cast.party_member_user, status=SignUp.Status.CONFIRMED).exists()
    member = TimeBankAccount.objects.get(user=cast.party_member_user)
    assert member.balance > 0
    awaiting = Activity.objects.get(title="走访慰问独居老人")
    assert awaiting.signups.filter(hours_confirmed_at__isnull=True, checked_out_at__isnull=False).count() == 4
    assert SignUp.objects.exclude(correction_reason="").count() == 1
    assert ActivityFeedback.objects.count() == 2
    assert Activity.objects.get(title="反诈宣传进小区志愿服务").signups.filter(user=cast.volunteer).exists()
    assert ledger.check_balances() == [] and ledger.unbalanced_transactions() == []
