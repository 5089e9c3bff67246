"""Check-in and check-out: the QR token rotates every minute (the previous minute's still works, one from three
minutes ago is refused with a clear message), the read-out code every five; the first scan checks in, the second
out; only the signed-up may; the organizer's board shows the QR code (SVG made here) and the code, refreshed by
htmx; the phone pages through the test client."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import AuditEvent
from gongzhi.lib import rotating_codes
from gongzhi.service.actions import activities as actions
from gongzhi.service.models import SignUp
from gongzhi.test import Cast

from .activities_scene import activity

pytestmark = pytest.mark.django_db


def starting(cast: Cast, minutes: int = 120):  # type: ignore[no-untyped-def]
    """An activity starting in ten minutes, the party member signed up."""
    a = activity(cast, days=10 / 1440, minutes=minutes)
    actions.do_sign_up(a, acting_user=cast.party_member_user)
    return a


def test_the_qr_token_rotates_every_minute(cast: Cast) -> None:
    a = starting(cast)
    now = timezone.now()
    at = now.timestamp()
    current = rotating_codes.qr_token(a.checkin_secret, at)
    previous = rotating_codes.qr_token(a.checkin_secret, at - 60)
    stale = rotating_codes.qr_token(a.checkin_secret, at - 180)
    assert len({current, previous, stale}) == 3
    assert rotating_codes.check_qr_token(a.checkin_secret, previous, at)
    assert not rotating_codes.check_qr_token(a.checkin_secret, stale, at)
    with pytest.raises(ActionError, match="二维码已过期") as refused:
        actions.do_check_in(a, acting_user=cast.party_member_user, token=stale, now=now)
    assert "每分钟" in refused.value.message
    result = actions.do_check_in(a, acting_user=cast.party_member_user, token=previous, now=now)
    assert result.step == "in"


def test_a_photo_of_the_code_stops_working_a_few_minutes_later(cast: Cast) -> None:
    a = starting(cast)
    photo_taken = timezone.now()
    token = rotating_codes.qr_token(a.checkin_secret, photo_taken.timestamp())
    with time_machine.travel(photo_taken + timedelta(minutes=3), tick=False):
        with pytest.raises(ActionError, match="过期"):
            actions.do_check_in(a, acting_user=cast.party_member_user, token=token)
    assert SignUp.objects.get(activity=a).checked_in_at is None


def test_the_spoken_code_rotates_every_five_minutes(cast: Cast) -> None:
    a = starting(cast)
    at = timezone.now().timestamp()
    code = rotating_codes.spoken_code(a.checkin_secret, at)
    assert len(code) == 6 and code.isdigit()
    assert rotating_codes.check_spoken_code(a.checkin_secret, code, at + 299)
    assert not rotating_codes.check_spoken_code(a.checkin_secret, code, at + 3 * 300)


def test_first_in_then_out_and_the_minutes(cast: Cast) -> None:
    a = starting(cast, minutes=60)
    arrive = a.starts_at - timedelta(minutes=5)
    code = rotating_codes.spoken_code(a.checkin_secret, arrive.timestamp())
    assert actions.do_check_in_with_code(code, acting_user=cast.party_member_user, now=arrive).step == "in"
    with pytest.raises(InvalidTransition, match="刚刚签到"):
        actions.do_check_in_with_code(code, acting_user=cast.party_member_user, now=arrive + timedelta(seconds=20))
    leave = a.starts_at + timedelta(minutes=45)
    code = rotating_codes.spoken_code(a.checkin_secret, leave.timestamp())
    result = actions.do_check_in_with_code(code, acting_user=cast.party_member_user, now=leave)
    assert result.step == "out" and result.signup.minutes == 45
    with pytest.raises(InvalidTransition, match="已经签退"):
        actions.do_check_in_with_code(code, acting_user=cast.party_member_user, now=leave + timedelta(minutes=2))


def test_the_double_tap_guard_is_a_setting(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SERVICE_CHECKOUT_AFTER_SECONDS = 0
    a = starting(cast)
    now = a.starts_at
    code = rotating_codes.spoken_code(a.checkin_secret, now.timestamp())
    assert actions.do_check_in_with_code(code, acting_user=cast.party_member_user, now=now).step == "in"
    assert actions.do_check_in_with_code(code, acting_user=cast.party_member_user,
                                         now=now + timedelta(seconds=5)).step == "out"
    assert AuditEvent.objects.filter(verb__in=["service.activity.check_in", "service.activity.check_out"]).count() == 2


def test_only_the_signed_up_and_only_around_its_time(cast: Cast) -> None:
    a = starting(cast)
    now = timezone.now()
    token = rotating_codes.qr_token(a.checkin_secret, now.timestamp())
    with pytest.raises(ActionError, match="没有报名"):
        actions.do_check_in(a, acting_user=cast.volunteer, token=token, now=now)
    with pytest.raises(ActionError, match="没有这个数字"):
        actions.do_check_in_with_code(rotating_codes.spoken_code(a.checkin_secret), acting_user=cast.volunteer)
    early = a.starts_at - timedelta(hours=1)
    with pytest.raises(InvalidTransition, match="半小时"):
        actions.do_check_in(a, acting_user=cast.party_member_user,
                            token=rotating_codes.qr_token(a.checkin_secret, early.timestamp()), now=early)


def test_the_organizer_board_shows_a_local_svg_qr_and_the_code(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    a = starting(cast)
    client.force_login(cast.worker_a)
    page = client.get(reverse("service:activity_board", args=[a.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and 'hx-trigger="every 10s"' in body
    assert rotating_codes.spoken_code(a.checkin_secret) in body
    assert "<script" not in body.split("<main", 1)[-1].split("</main>")[0]
    fragment = client.get(reverse("service:activity_board_qr", args=[a.pk]))
    assert fragment.status_code == 200 and fragment["Cache-Control"] == "no-store"
    assert "<svg" in fragment.content.decode()
    client.force_login(cast.party_member_user)
    assert client.get(reverse("service:activity_board", args=[a.pk])).status_code == 403
    client.force_login(cast.worker_b)
    assert client.get(reverse("service:activity_board", args=[a.pk])).status_code == 404


def test_the_phone_checks_in_by_the_link_and_out_by_the_code(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    a = starting(cast)
    client.force_login(cast.party_member_user)
    token = rotating_codes.qr_token(a.checkin_secret)
    url = reverse("service:activity_checkin", args=[a.pk, token])
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="confirm-checkin"' in page.content.decode()
    assert SignUp.objects.get(activity=a).checked_in_at is None  # opening the link alone changes nothing
    done = client.post(url)
    assert done.status_code == 200 and 'data-testid="checked-in"' in done.content.decode()
    signup = SignUp.objects.get(activity=a)
    SignUp.objects.filter(pk=signup.pk).update(checked_in_at=timezone.now() - timedelta(minutes=30))
    code = rotating_codes.spoken_code(a.checkin_secret)
    out = client.post(reverse("service:activity_checkin_code"), {"code": code})
    assert out.status_code == 200 and 'data-testid="checked-out"' in out.content.decode()
    signup.refresh_from_db()
    assert signup.checked_out_at is not None


def test_an_old_link_says_it_expired(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    a = starting(cast)
    client.force_login(cast.party_member_user)
    stale = rotating_codes.qr_token(a.checkin_secret, timezone.now().timestamp() - 180)
    page = client.get(reverse("service:activity_checkin", args=[a.pk, stale]))
    assert page.status_code == 400 and "二维码已过期" in page.content.decode()
    page = client.post(reverse("service:activity_checkin", args=[a.pk, stale]))
    assert page.status_code == 400 and "二维码已过期" in page.content.decode()
    wrong = client.post(reverse("service:activity_checkin_code"), {"code": "12345"})
    assert wrong.status_code == 400
    client.force_login(cast.worker_b)
    assert client.get(reverse("service:activity_checkin", args=[a.pk, stale])).status_code == 404


def test_checkin_over_the_api(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    a = starting(cast)
    client.force_login(cast.party_member_user)
    token = rotating_codes.qr_token(a.checkin_secret)
    response = client.post("/api/service/activities/checkin", {"activity_id": a.pk, "token": token},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["step"] == "in"
    stale = rotating_codes.qr_token(a.checkin_secret, timezone.now().timestamp() - 180)
    response = client.post("/api/service/activities/checkin", {"activity_id": a.pk, "token": stale},
                           content_type="application/json")
    assert response.status_code == 400 and "过期" in str(response.json())
