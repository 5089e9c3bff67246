"""The audit log filters by who, what object and area as well as by action and date; dates in Chinese order."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import actions
from gongzhi.test import Cast

pytestmark = pytest.mark.django_db


def _events(client: Client, **params: Any) -> list[Any]:
    response = client.get(reverse("core:audit_log"), params)
    assert response.status_code == 200, response.content.decode()[:500]
    return list(response.context["page"].object_list)


def test_it_filters_by_who_object_and_area(cast: Cast, client: Client) -> None:
    actions.do_reveal_personal_data(cast.resident_a, acting_user=cast.worker_a)
    actions.do_reveal_personal_data(cast.resident_b, acting_user=cast.worker_b)
    client.force_login(cast.district_admin)
    reveals = {"verb": "core.pii.reveal"}
    assert {e.actor for e in _events(client, **reveals)} == {cast.worker_a, cast.worker_b}
    assert {e.actor for e in _events(client, **reveals, who="和平里")} == {cast.worker_a}
    assert {e.actor for e in _events(client, **reveals, who="worker_b")} == {cast.worker_b}
    found = _events(client, **reveals, object_type="core.resident", object_id=str(cast.resident_b.pk))
    assert [e.object_id for e in found] == [str(cast.resident_b.pk)]
    assert {e.actor for e in _events(client, **reveals, area=cast.subdistrict_a.pk)} == {cast.worker_a}
    response = client.get(reverse("core:audit_log"))
    assert ("core.resident", "居民") in response.context["object_types"]


def test_dates_are_entered_in_chinese_order(cast: Cast, client: Client) -> None:
    actions.do_reveal_personal_data(cast.resident_a, acting_user=cast.worker_a)
    client.force_login(cast.district_admin)
    event = _events(client, verb="core.pii.reveal")[0]
    day = timezone.localtime(event.created_at).date()
    assert _events(client, verb="core.pii.reveal", date_from=f"{day.year}年{day.month}月{day.day}日") == [event]
    assert _events(client, verb="core.pii.reveal", date_to=day.replace(year=day.year - 1).isoformat()) == []
    response = client.get(reverse("core:audit_log"), {"date_from": f"{day.month:02d}/{day.day:02d}/{day.year}"})
    assert response.status_code == 400
    assert "年-月-日" in response.content.decode()
    html = response.content.decode()
    assert f"{day:%Y-%m-%d}" in client.get(reverse("core:audit_log")).content.decode()
    assert "errorlist" in html


def test_an_area_outside_the_scope_is_refused(cast: Cast, client: Client) -> None:
    west = actions.do_create_area(parent=cast.city, name="西城区", level="district", acting_user=None)
    actions.do_reveal_personal_data(cast.resident_b, acting_user=cast.worker_b)
    client.force_login(cast.district_admin)
    response = client.get(reverse("core:audit_log"), {"area": west.pk})
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.content.decode()
    assert all(e.area_path.startswith(cast.district.path) for e in response.context["page"].object_list)
    assert client.get(reverse("core:audit_log"), {"object_id": "x" * 41}).status_code == 400
