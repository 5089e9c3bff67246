"""The activities pages through the test client: the list (kinds, my sign-ups), new and edit forms, cancel, the
activity page with the organizer's people and hours (confirm, correct), sign-up and cancel, recurring activities,
the attendance records, the public feedback page; another community's activity is 404, a forbidden action 403."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.notifications import MemorySmsBackend
from gongzhi.service.actions import activities as actions
from gongzhi.service.models import Activity, ActivityFeedback, ActivitySeries, SignUp, TimeBankAccount
from gongzhi.test import Cast

from .activities_scene import activity, held, served

pytestmark = pytest.mark.django_db


def when(days: float, hours: float = 0) -> str:
    return timezone.localtime(timezone.now() + timedelta(days=days, hours=hours)).strftime("%Y-%m-%dT%H:%M")


def test_a_worker_publishes_and_changes_an_activity(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    assert client.get(reverse("service:activity_new")).status_code == 200
    bad = client.post(reverse("service:activity_new"), {"community": cast.community_a.pk, "kind": "clean_up",
                                                        "title": "清洁", "place": "", "starts_at": when(2),
                                                        "ends_at": when(2, 2), "capacity": 5})
    assert bad.status_code == 400
    done = client.post(reverse("service:activity_new"), {
        "community": cast.community_a.pk, "kind": "clean_up", "title": "河道清洁", "place": "滨河路",
        "starts_at": when(2), "ends_at": when(2, 2), "capacity": 5, "open_to_volunteers": "on"})
    a = Activity.objects.get(title="河道清洁")
    assert done.status_code == 302 and a.open_to_volunteers and not a.open_to_party_members
    edit = client.post(reverse("service:activity_edit", args=[a.pk]), {
        "kind": "clean_up", "title": "河道清洁（改期）", "place": "滨河路", "starts_at": when(3),
        "ends_at": when(3, 2), "capacity": 8, "open_to_volunteers": "on", "open_to_party_members": "on"})
    assert edit.status_code == 302
    a.refresh_from_db()
    assert a.capacity == 8 and a.title.endswith("（改期）")
    client.force_login(cast.party_member_user)
    assert client.get(reverse("service:activity_new")).status_code == 403
    assert client.get(reverse("service:activity_edit", args=[a.pk])).status_code == 403
    client.force_login(cast.worker_b)
    assert client.get(reverse("service:activity_edit", args=[a.pk])).status_code == 404


def test_the_list_filters_and_shows_my_sign_ups(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    a = activity(cast, capacity=1)
    other = activity(cast, kind="clean_up")
    actions.do_sign_up(a, acting_user=cast.volunteer)
    client.force_login(cast.party_member_user)
    actions.do_sign_up(a, acting_user=cast.party_member_user)
    page = client.get(reverse("service:activities") + "?mine=1").content.decode()
    assert a.title in page and "候补中" in page and reverse("service:activity", args=[other.pk]) not in page
    page = client.get(reverse("service:activities") + "?kind=clean_up").content.decode()
    assert reverse("service:activity", args=[other.pk]) in page
    assert reverse("service:activity", args=[a.pk]) not in page


def test_signing_up_and_cancelling_on_the_page(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    a = activity(cast, capacity=1)
    client.force_login(cast.party_member_user)
    assert 'data-testid="sign-up"' in client.get(reverse("service:activity", args=[a.pk])).content.decode()
    client.post(reverse("service:activity_sign_up", args=[a.pk]))
    client.force_login(cast.volunteer)
    page = client.post(reverse("service:activity_sign_up", args=[a.pk]), follow=True).content.decode()
    assert "候补" in page and "第 1 位" in page
    mine = SignUp.objects.get(activity=a, user=cast.party_member_user)
    assert client.post(reverse("service:activity_signup_cancel", args=[mine.pk])).status_code == 404
    client.force_login(cast.party_member_user)
    client.post(reverse("service:activity_signup_cancel", args=[mine.pk]))
    assert SignUp.objects.get(activity=a, user=cast.volunteer).status == SignUp.Status.CONFIRMED


def test_the_organizer_confirms_and_corrects_hours_on_the_page(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    a, signup = served(cast, minutes_in=90)
    client.force_login(cast.party_member_user)
    assert client.post(reverse("service:activity_confirm_hours", args=[a.pk])).status_code == 403
    client.force_login(cast.worker_b)
    assert client.post(reverse("service:activity_confirm_hours", args=[a.pk])).status_code == 404
    client.force_login(cast.worker_a)
    page = client.get(reverse("service:activity", args=[a.pk])).content.decode()
    assert 'data-testid="confirm-all"' in page and "90" in page
    client.post(reverse("service:activity_confirm_hours", args=[a.pk]))
    assert TimeBankAccount.objects.get(user=cast.party_member_user).balance == 1.5
    client.post(reverse("service:activity_correct_hours", args=[signup.pk]), {"minutes": 75, "reason": "核实"})
    signup.refresh_from_db()
    assert signup.minutes == 75
    page = client.get(reverse("service:activity", args=[a.pk]), follow=True).content.decode()
    assert "已更正：核实" in page
    client.force_login(cast.party_member_user)
    assert client.post(reverse("service:activity_correct_hours", args=[signup.pk]),
                       {"minutes": 120, "reason": "x"}).status_code == 403
    record = client.get(reverse("service:activity_attendance")).content.decode()
    assert a.title in record and "1.25" in record


def test_cancelling_an_activity_on_the_page(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    a = activity(cast)
    client.force_login(cast.volunteer)
    assert client.post(reverse("service:activity_cancel", args=[a.pk]), {"reason": "x"}).status_code == 403
    client.force_login(cast.worker_a)
    client.post(reverse("service:activity_cancel", args=[a.pk]), {"reason": "台风停课"})
    a.refresh_from_db()
    assert a.status == Activity.Status.CANCELLED and a.cancel_reason == "台风停课"


def test_a_series_and_its_next_activity(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    done = client.post(reverse("service:activity_series_new"), {
        "community": cast.community_a.pk, "kind": "party_day", "title": "主题党日", "place": "党群服务中心",
        "first_starts_at": when(7), "every_months": 3, "duration_minutes": 120, "capacity": 20})
    assert done.status_code == 302
    series = ActivitySeries.objects.get()
    assert client.post(reverse("service:activity_series_next", args=[series.pk])).status_code == 302
    assert series.activities.count() == 2
    client.force_login(cast.worker_b)
    assert client.post(reverse("service:activity_series_next", args=[series.pk])).status_code == 404
    assert client.get(reverse("service:activity_series_new")).status_code == 200  # their own community


def test_the_community_attendance_for_staff(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    a, _signup = served(cast)
    actions.do_confirm_hours(a, acting_user=cast.worker_a)
    client.force_login(cast.worker_a)
    page = client.get(reverse("service:activity_attendance_community")).content.decode()
    assert "王红" in page and "1.5" in page
    person = client.get(reverse("service:activity_attendance_community") + f"?person={cast.party_member_user.pk}")
    assert person.status_code == 200 and a.title in person.content.decode()
    assert client.get(reverse("service:activity_attendance_community") +
                      f"?community={cast.community_b.pk}").status_code == 404
    client.force_login(cast.worker_b)
    assert client.get(reverse("service:activity_attendance_community") +
                      f"?person={cast.party_member_user.pk}").status_code == 404
    client.force_login(cast.party_member_user)
    assert client.get(reverse("service:activity_attendance_community")).status_code == 403


def test_the_public_feedback_page(client, cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_BACKEND = "memory"
    MemorySmsBackend.outbox = []
    a = held(activity(cast), timezone.now() - timedelta(hours=3))
    url = reverse("service:activity_feedback", args=[a.public_code])
    assert str(a.pk) not in url.split("/")
    assert client.get(url).status_code == 200
    with django_capture_on_commit():
        sent = client.post(url, {"phone": "13812345678", "send": "1"})
    assert sent.status_code == 200 and "138****5678" in sent.content.decode()
    found = re.search(r"\d{6}", MemorySmsBackend.outbox[-1][1])
    assert found is not None
    done = client.post(url, {"phone": "13812345678", "code": found.group(0), "score": 5, "comment": "好",
                             "submit": "1"})
    assert done.status_code == 200 and 'data-testid="feedback-done"' in done.content.decode()
    assert ActivityFeedback.objects.get().score == 5
    again = client.post(url, {"phone": "13812345678", "send": "1"})
    assert again.status_code == 400 and "已经评价" in again.content.decode()
    assert client.get(reverse("service:activity_feedback", args=["nope"])).status_code == 404


def django_capture_on_commit():  # type: ignore[no-untyped-def]
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
