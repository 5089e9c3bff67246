"""Notifications and API keys are core services: any app notifies people; the page, the API and keys live in core."""

from __future__ import annotations

import pytest
from django.db import transaction

from gongzhi.core import actions
from gongzhi.core.models import ApiKey, Notification
from gongzhi.core.notifications import MemorySmsBackend, notify, send_sms


def test_it_notifies_each_user_once_and_shows_only_their_own(client, cast) -> None:  # type: ignore[no-untyped-def]
    assert notify([cast.worker_a, cast.worker_a, None, cast.superuser], "lists.test", "新需求待处理", "/lists/demands/") == 2
    client.force_login(cast.superuser)  # a superuser's list holds their own notifications too, nobody else's
    html = client.get("/notifications/").content.decode()
    assert html.count("新需求待处理") == 1 and "1 条未读" in html
    client.force_login(cast.worker_a)
    mine = Notification.objects.get(user=cast.worker_a)
    response = client.post(f"/notifications/{mine.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/lists/demands/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert Notification.objects.get(user=cast.superuser).read_at is None
    assert actions.do_mark_notifications_read(cast.superuser) == 1
    # The old address of the page leads to the new one.
    old = client.get("/appeals/notifications/?unread=1")
    assert old.status_code == 301 and old["Location"] == "/notifications/?unread=1"


def test_it_serves_notifications_to_an_api_key(client, cast) -> None:  # type: ignore[no-untyped-def]
    notify([cast.worker_a], "lists.test", "新需求待处理")
    _, raw = ApiKey.issue(user=cast.worker_a, name="对接")
    rows = client.get("/api/core/notifications?unread_only=true", headers={"X-API-Key": raw}).json()
    assert [r["text"] for r in rows] == ["新需求待处理"]
    assert client.get("/api/appeals/notifications", headers={"X-API-Key": raw}).json() == rows  # the old address
    read = client.post(f"/api/core/notifications/{rows[0]['id']}/read", headers={"X-API-Key": raw}).json()
    assert read == {"ok": True, "id": rows[0]["id"]}
    assert client.get("/api/core/notifications", headers={"X-API-Key": "nope"}).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_it_sends_sms_after_commit_with_the_configured_backend(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_BACKEND = "memory"
    MemorySmsBackend.outbox.clear()
    with transaction.atomic():
        send_sms("13800000001", "您的诉求已答复")
        assert MemorySmsBackend.outbox == []
    assert MemorySmsBackend.outbox == [("13800000001", "您的诉求已答复")]
