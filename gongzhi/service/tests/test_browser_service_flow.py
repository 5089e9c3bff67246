"""The whole service mechanism on a phone (390×844) in Debian's Chromium, as issue 21 describes it: a party member
registers at the community and the community worker confirms; the member signs up for a full party-day activity
and is waitlisted, then promoted when the volunteer ahead cancels; checks in and out with the code the organizer
reads out; the organizer confirms the hours, which appear in the member's time bank; the member redeems a reward;
the member's star rating shows its breakdown. Screenshots go to GONGZHI_SHOTS_DIR (/tmp/gongzhi-shots/)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core.models import Registration
from gongzhi.service.actions import activities as activity_actions
from gongzhi.service.actions import bank as bank_actions
from gongzhi.service.models import Activity, ActivityKind, Redemption, SignUp, TimeBankAccount
from gongzhi.test import PHONE, SHOTS, signed_in

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = "document.documentElement.scrollWidth"


def fits(page: Any, name: str) -> None:
    assert page.evaluate(WIDTH) <= 390, name
    page.screenshot(path=str(SHOTS / f"service-flow-{name}.png"), full_page=True)


def test_a_party_member_registers_serves_is_credited_redeems_and_sees_the_stars(
        browser: Any, live_server: Any, cast: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    # A party day that began 100 minutes ago (2 hours long) with one seat, taken by the volunteer.
    party_day = activity_actions.do_create_activity(
        acting_user=cast.worker_a, community=cast.community_a, title="第四季度主题党日：楼道清洁",
        place="和平小区1号楼", starts_at=now - timedelta(minutes=100), ends_at=now + timedelta(minutes=20),
        capacity=1, kind=ActivityKind.PARTY_DAY)
    ahead = activity_actions.do_sign_up(party_day, acting_user=cast.volunteer)
    bank_actions.do_create_reward(acting_user=cast.worker_a, community=cast.community_a, title="理发服务一次",
                                  kind="service", price="1", stock=3)

    # 1. The member registers at the community where they live.
    member = signed_in(browser, live_server, cast.party_member_user, **PHONE)
    member.goto(f"{live_server.url}/service/registrations/")
    member.select_option("[data-testid=register-form] select[name=community]", str(cast.community_a.pk))
    member.click("[data-testid=register-submit]")
    row = member.locator("[data-testid=registration-row]").first
    assert row.get_attribute("data-status") == "pending"
    fits(member, "1-registered")

    # 2. The community worker confirms it.
    worker = signed_in(browser, live_server, cast.worker_a, **PHONE)
    worker.goto(f"{live_server.url}/service/registrations/")
    worker.locator("[data-testid=registration-row][data-status=pending] [data-testid=confirm-registration]").click()
    worker.wait_for_selector("[data-testid=registration-row][data-status=confirmed]")
    fits(worker, "2-confirmed")
    assert Registration.objects.get(party_member=cast.party_member_a).status == "confirmed"

    # 3. The party day is full: the member joins the waitlist ...
    member.goto(f"{live_server.url}/service/activities/{party_day.pk}/")
    member.click("[data-testid=sign-up]")
    assert "候补" in member.locator("[data-testid=my-status]").inner_text()
    fits(member, "3-waitlisted")
    # ... and moves up when the volunteer cancels.
    volunteer = signed_in(browser, live_server, cast.volunteer, **PHONE)
    volunteer.on("dialog", lambda dialog: dialog.accept())
    volunteer.goto(f"{live_server.url}/service/activities/{party_day.pk}/")
    volunteer.click("[data-testid=cancel-signup]")
    volunteer.wait_for_load_state("load")
    assert SignUp.objects.get(pk=ahead.pk).status == SignUp.Status.CANCELLED
    member.reload()
    assert member.locator("[data-testid=my-status]").inner_text().strip() == "已报名"

    # 4. The organizer shows the board; the member types the code read out, to check in ...
    worker.goto(f"{live_server.url}/service/activities/{party_day.pk}/board/")
    code = worker.locator("[data-testid=spoken-code]").inner_text().strip()
    fits(worker, "4-board")
    member.goto(f"{live_server.url}/service/activities/checkin/")
    member.fill("#id_code", code)
    member.click("[data-testid=submit-code]")
    member.wait_for_selector("[data-testid=checked-in]")
    # (the member arrived at the start: their check-in is moved back as time would have moved it)
    signup = SignUp.objects.get(activity=party_day, user=cast.party_member_user)
    SignUp.objects.filter(pk=signup.pk).update(checked_in_at=party_day.starts_at + timedelta(minutes=5))
    # ... and again to check out.
    member.goto(f"{live_server.url}/service/activities/checkin/")
    member.fill("#id_code", code)
    member.click("[data-testid=submit-code]")
    out = member.locator("[data-testid=checked-out]").inner_text()
    fits(member, "5-checked-out")
    signup.refresh_from_db()
    assert 90 <= signup.minutes <= 100 and str(signup.minutes) in out

    # 5. Once the activity is over (time moves on by 25 minutes), the organizer confirms the hours; they appear in
    # the member's time bank.
    Activity.objects.filter(pk=party_day.pk).update(starts_at=party_day.starts_at - timedelta(minutes=25),
                                                    ends_at=party_day.ends_at - timedelta(minutes=25))
    worker.on("dialog", lambda dialog: dialog.accept())
    worker.goto(f"{live_server.url}/service/activities/{party_day.pk}/")
    worker.click("[data-testid=confirm-all]")
    worker.wait_for_selector("[data-testid=hours-confirmed]")
    hours = (Decimal(signup.minutes) / 60).quantize(Decimal("0.01"))
    member.goto(f"{live_server.url}/service/bank/")
    assert member.locator("[data-testid=balance]").inner_text().strip() == str(hours)
    assert member.locator("[data-testid=entry-amount]").first.inner_text().strip() == f"+{hours}"
    fits(member, "6-time-bank")

    # 6. The member redeems a reward for 1 credit.
    member.on("dialog", lambda dialog: dialog.accept())
    member.goto(f"{live_server.url}/service/rewards/")
    member.locator("[data-testid=reward]", has_text="理发服务一次").locator("[data-testid=redeem]").click()
    member.wait_for_load_state("load")
    redemption = Redemption.objects.get(user=cast.party_member_user)
    assert redemption.status == Redemption.Status.PENDING
    assert TimeBankAccount.objects.get(user=cast.party_member_user).balance == hours - 1
    fits(member, "7-redeemed")

    # 7. The member's stars, with the breakdown of what earned them.
    member.goto(f"{live_server.url}/service/stars/")
    breakdown = member.locator("[data-testid=my-rating] [data-testid=star-breakdown]")
    assert str(hours) in breakdown.locator("[data-testid=breakdown-hours] [data-testid=breakdown-value]").inner_text()
    party_days = breakdown.locator("[data-testid=breakdown-party_days] [data-testid=breakdown-value]").inner_text()
    assert "1" in party_days
    assert member.locator("[data-testid=my-stars-value]").count() == 1
    fits(member, "8-stars")
