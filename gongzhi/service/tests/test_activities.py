"""Activities and their sign-ups: create and cancel with a reason, who may join, the waitlist and its promotion
(notified), the day-before reminders (once), the hours (capped, confirmed once into the time bank, closed when all
are confirmed), corrections (the old credit reversed, certificates superseded, refused when the credits are spent),
recurring activities, residents' feedback with a phone code."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.core.notifications import MemorySmsBackend
from gongzhi.service import ledger
from gongzhi.service.actions import activities as actions
from gongzhi.service.models import (
    Activity,
    ActivityFeedback,
    ActivityKind,
    Certificate,
    SignUp,
    TimeBankAccount,
    TimeBankTransaction,
)
from gongzhi.test import Cast

from .activities_scene import activity, held, served

pytestmark = pytest.mark.django_db


def test_it_creates_an_activity_with_an_audit_row(cast: Cast) -> None:
    a = activity(cast, skills="急救")
    assert a.organizer == cast.worker_a and a.status == Activity.Status.PUBLISHED
    assert len(a.checkin_secret) == 64 and a.public_code
    assert AuditEvent.objects.filter(verb="service.activity.create", object_id=str(a.pk)).exists()


def test_only_community_workers_and_up_create(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        activity(cast, worker=cast.party_member_user)
    with pytest.raises(PermissionDenied):
        activity(cast, worker=cast.worker_b)  # another community
    now = timezone.now()
    with pytest.raises(ActionError, match="结束"):
        actions.do_create_activity(acting_user=cast.worker_a, community=cast.community_a, title="x", place="y",
                                   starts_at=now, ends_at=now, capacity=3)


def test_the_waitlist_is_promoted_in_order_and_told(cast: Cast) -> None:
    a = activity(cast, capacity=1)
    first = actions.do_sign_up(a, acting_user=cast.party_member_user)
    second = actions.do_sign_up(a, acting_user=cast.volunteer)
    third = actions.do_sign_up(a, acting_user=cast.resident_user)
    assert first.status == SignUp.Status.CONFIRMED
    assert (second.status, second.position) == (SignUp.Status.WAITLISTED, 1)
    assert (third.status, third.position) == (SignUp.Status.WAITLISTED, 2)
    with pytest.raises(ActionError, match="已经报名"):
        actions.do_sign_up(a, acting_user=cast.volunteer)

    actions.do_cancel_signup(first, acting_user=cast.party_member_user)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == SignUp.Status.CONFIRMED and second.promoted_at is not None and second.position == 0
    assert third.status == SignUp.Status.WAITLISTED
    note = Notification.objects.get(user=cast.volunteer, verb="service.activity.promote")
    assert "名额" in note.text and a.title in note.text
    assert AuditEvent.objects.filter(verb="service.activity.promote").count() == 1
    # A waitlisted person cancelling frees no seat.
    actions.do_cancel_signup(third, acting_user=cast.resident_user)
    assert SignUp.objects.filter(activity=a, status=SignUp.Status.CONFIRMED).count() == 1


def test_more_seats_promote_and_fewer_than_taken_is_refused(cast: Cast) -> None:
    a = activity(cast, capacity=1)
    actions.do_sign_up(a, acting_user=cast.party_member_user)
    waiting = actions.do_sign_up(a, acting_user=cast.volunteer)
    actions.do_update_activity(a, acting_user=cast.worker_a, capacity=2)
    waiting.refresh_from_db()
    assert waiting.status == SignUp.Status.CONFIRMED
    with pytest.raises(ActionError, match="2"):
        actions.do_update_activity(a, acting_user=cast.worker_a, capacity=1)


def test_who_may_join(cast: Cast) -> None:
    party_day = activity(cast, kind=ActivityKind.PARTY_DAY, open_to_volunteers=False, open_to_residents=False)
    actions.do_sign_up(party_day, acting_user=cast.party_member_user)
    with pytest.raises(PermissionDenied, match="党员"):
        actions.do_sign_up(party_day, acting_user=cast.volunteer)
    with pytest.raises(PermissionDenied):
        actions.do_sign_up(activity(cast, community=cast.community_b), acting_user=cast.party_member_user)


def test_cancelling_tells_everyone_and_needs_a_reason(cast: Cast) -> None:
    a = activity(cast, capacity=1)
    actions.do_sign_up(a, acting_user=cast.party_member_user)
    actions.do_sign_up(a, acting_user=cast.volunteer)
    with pytest.raises(ActionError, match="原因"):
        actions.do_cancel_activity(a, acting_user=cast.worker_a, reason=" ")
    with pytest.raises(PermissionDenied):
        actions.do_cancel_activity(a, acting_user=cast.volunteer, reason="下雨")
    actions.do_cancel_activity(a, acting_user=cast.worker_a, reason="暴雨预警，改期举行")
    a.refresh_from_db()
    assert a.status == Activity.Status.CANCELLED and a.cancel_reason == "暴雨预警，改期举行"
    assert Notification.objects.filter(verb="service.activity.cancel").count() == 2
    with pytest.raises(InvalidTransition):
        actions.do_sign_up(a, acting_user=cast.resident_user)


def test_the_reminders_are_a_scheduled_check() -> None:
    from gongzhi.core.registry import registry

    assert any(c.name.endswith("reg_activities.remind_activities") and c.every_seconds == 300
               for c in registry.scheduled_checks)


def test_the_reminder_goes_once_to_the_confirmed(cast: Cast) -> None:
    a = activity(cast, capacity=1, days=0.5)
    actions.do_sign_up(a, acting_user=cast.party_member_user)
    actions.do_sign_up(a, acting_user=cast.volunteer)  # waitlisted: no reminder
    later = activity(cast, days=3)
    actions.do_sign_up(later, acting_user=cast.party_member_user)
    assert actions.do_remind_activities() == 1
    assert actions.do_remind_activities() == 0
    a.refresh_from_db()
    assert a.reminded_at is not None
    assert list(Notification.objects.filter(verb="service.activity.remind").values_list("user", flat=True)) == [
        cast.party_member_user.pk]


def test_minutes_are_capped_at_the_activity_and_counted_within_its_time(cast: Cast) -> None:
    a = activity(cast, minutes=120)
    start = a.starts_at
    assert actions.minutes_served(a, start - timedelta(minutes=25), start + timedelta(minutes=60)) == 60
    assert actions.minutes_served(a, start + timedelta(minutes=10), start + timedelta(hours=5)) == 110
    assert actions.minutes_served(a, start - timedelta(minutes=20), start + timedelta(hours=5)) == 120
    assert actions.minutes_served(a, start, None) == 0
    _a, signup = served(cast, minutes_in=170)
    assert signup.minutes == 120


def test_confirming_credits_the_time_bank_once_and_closes(cast: Cast) -> None:
    a, signup = served(cast, minutes_in=90)
    assert signup.minutes == 90
    actions.do_confirm_hours(a, acting_user=cast.worker_a)
    signup.refresh_from_db()
    a.refresh_from_db()
    assert signup.hours_confirmed_at is not None and signup.hours_confirmed_by == cast.worker_a
    assert a.status == Activity.Status.CLOSED
    account = TimeBankAccount.objects.get(user=cast.party_member_user)
    assert account.balance == Decimal("1.50") == ledger.balance_from_entries(account)
    assert TimeBankTransaction.objects.filter(signup=signup, kind=TimeBankTransaction.Kind.CREDIT).count() == 1
    with pytest.raises(ActionError, match="没有"):
        actions.do_confirm_hours(a, acting_user=cast.worker_a)
    assert TimeBankTransaction.objects.filter(signup=signup).count() == 1
    assert ledger.check_balances() == [] and ledger.unbalanced_transactions() == []


def test_confirming_one_leaves_the_activity_open_and_others_may_not(cast: Cast) -> None:
    a, signup = served(cast)
    a = held(a, a.starts_at)  # keep its time
    Activity.objects.filter(pk=a.pk).update(ends_at=timezone.now() + timedelta(hours=1))
    actions.do_sign_up(a, acting_user=cast.volunteer)
    Activity.objects.filter(pk=a.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(PermissionDenied):
        actions.do_confirm_hours(a, acting_user=cast.worker_b)
    with pytest.raises(PermissionDenied):
        actions.do_confirm_hours(a, acting_user=cast.party_member_user)
    actions.do_confirm_hours(a, acting_user=cast.worker_a, signups=[signup])
    a.refresh_from_db()
    assert a.status == Activity.Status.PUBLISHED
    actions.do_confirm_hours(a, acting_user=cast.worker_a)  # the volunteer never came: none
    a.refresh_from_db()
    assert a.status == Activity.Status.CLOSED
    assert TimeBankAccount.objects.filter(user=cast.volunteer).count() == 0


def test_hours_wait_for_the_end(cast: Cast) -> None:
    a = activity(cast)
    actions.do_sign_up(a, acting_user=cast.party_member_user)
    with pytest.raises(InvalidTransition, match="结束"):
        actions.do_confirm_hours(a, acting_user=cast.worker_a)


def test_a_correction_reverses_the_credit_supersedes_certificates_and_is_audited(cast: Cast) -> None:
    a, signup = served(cast, minutes_in=90)
    actions.do_confirm_hours(a, acting_user=cast.worker_a)
    certificate = Certificate.objects.create(code="CERT0001", user=cast.party_member_user,
                                             community=cast.community_a, name="王红", organisation="和平里社区",
                                             period_start=timezone.localdate(), period_end=timezone.localdate(),
                                             content="楼道清洁", hours=Decimal("1.50"))
    certificate.signups.add(signup)
    with pytest.raises(ActionError, match="原因"):
        actions.do_correct_hours(signup, acting_user=cast.worker_a, minutes=60, reason="")
    with pytest.raises(ActionError, match="120"):
        actions.do_correct_hours(signup, acting_user=cast.worker_a, minutes=121, reason="x")
    actions.do_correct_hours(signup, acting_user=cast.worker_a, minutes=60, reason="提前离场，按签到表核实")
    signup.refresh_from_db()
    assert signup.minutes == 60 and signup.correction_reason == "提前离场，按签到表核实"
    account = TimeBankAccount.objects.get(user=cast.party_member_user)
    assert account.balance == Decimal("1.00")
    credits = TimeBankTransaction.objects.filter(signup=signup, kind=TimeBankTransaction.Kind.CREDIT)
    assert credits.count() == 2
    old = credits.order_by("pk").first()
    assert old is not None and TimeBankTransaction.objects.filter(reverses=old).exists()
    certificate.refresh_from_db()
    assert certificate.superseded_at is not None and "签到表" in certificate.superseded_reason
    event = AuditEvent.objects.get(verb="service.activity.correct_hours")
    assert event.before is not None and event.after is not None
    assert event.before["minutes"] == 90 and event.after["minutes"] == 60
    assert ledger.check_balances() == [] and ledger.unbalanced_transactions() == []


def test_a_correction_is_refused_when_the_credits_are_spent(cast: Cast) -> None:
    a, signup = served(cast, minutes_in=120)
    actions.do_confirm_hours(a, acting_user=cast.worker_a)
    account = TimeBankAccount.objects.get(user=cast.party_member_user)
    with transaction_atomic():
        ledger.post(TimeBankTransaction.Kind.TRANSFER, "转给母亲",
                    [(account, Decimal("-1.50")), (ledger.account_of_user(cast.volunteer), Decimal("1.50"))],  # type: ignore[list-item]
                    acting_user=cast.party_member_user)
    with pytest.raises(ActionError, match="已经使用"):
        actions.do_correct_hours(signup, acting_user=cast.worker_a, minutes=30, reason="核实时长")
    signup.refresh_from_db()
    assert signup.minutes == 120 and signup.correction_reason == ""


def transaction_atomic():  # type: ignore[no-untyped-def]
    from django.db import transaction

    return transaction.atomic()


def test_a_series_makes_the_next_one_each_quarter(cast: Cast) -> None:
    first = timezone.now() + timedelta(days=5)
    series = actions.do_create_series(acting_user=cast.worker_a, community=cast.community_a, title="主题党日",
                                      place="党群服务中心", first_starts_at=first, capacity=5)
    one = actions.do_create_next(series, acting_user=cast.worker_a)
    two = actions.do_create_next(series, acting_user=cast.worker_a)
    assert one.series == series and one.kind == ActivityKind.PARTY_DAY and not one.open_to_volunteers
    assert "第 1 次" in one.title or "1" in one.title
    assert timezone.localtime(two.starts_at).month == actions.add_months(first, 3).month
    assert two.ends_at - two.starts_at == timedelta(minutes=120)
    with pytest.raises(PermissionDenied):
        actions.do_create_next(series, acting_user=cast.worker_b)


def test_feedback_once_per_phone_with_a_code(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_BACKEND = "memory"
    MemorySmsBackend.outbox = []
    a = activity(cast)
    with pytest.raises(InvalidTransition):
        actions.do_send_feedback_code(a, phone="13812345678")
    a = held(a, timezone.now() - timedelta(hours=3))
    with django_capture_on_commit():
        actions.do_send_feedback_code(a, phone="13812345678")
    found = re.search(r"\d{6}", MemorySmsBackend.outbox[-1][1])
    assert found is not None
    code = found.group(0)
    with pytest.raises(ActionError, match="验证码"):
        actions.do_leave_feedback(a, phone="13812345678", code="000000" if code != "000000" else "111111", score=5)
    feedback = actions.do_leave_feedback(a, phone="13812345678", code=code, score=4, comment="很好")
    assert feedback.score == 4 and ActivityFeedback.objects.filter(activity=a).count() == 1
    with pytest.raises(ActionError, match="已经评价"):
        actions.do_send_feedback_code(a, phone="138 1234 5678")


def django_capture_on_commit():  # type: ignore[no-untyped-def]
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
