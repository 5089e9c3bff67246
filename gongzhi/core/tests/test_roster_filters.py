"""Resident and party-member lists: place filter, sort, and an export of exactly the list shown (Chinese name)."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.models import AuditEvent, Resident
from gongzhi.test import Cast

pytestmark = pytest.mark.django_db


def _names(response: Any) -> list[str]:
    return [p.name for p in response.context["page"].object_list]


def test_it_sorts_and_filters_residents(cast: Cast, client: Client) -> None:
    Resident.objects.create(name="艾青", area=cast.building_a, phone="13800000001")
    client.force_login(cast.subdistrict_staff_a)
    url = reverse("core:resident_list")
    assert _names(client.get(url, {"sort": "-added"}))[0] == "艾青"
    names = _names(client.get(url, {"sort": "name"}))
    assert names == sorted(names)
    assert set(_names(client.get(url, {"area": cast.estate_a.pk}))) == {"张桂兰", "艾青"}
    assert client.get(url, {"sort": "bogus"}).status_code == 400
    client.force_login(cast.worker_a)
    assert client.get(url, {"area": cast.community_b.pk}).status_code == 404


def test_the_export_is_the_list_shown(cast: Cast, client: Client) -> None:
    cache.clear()
    Resident.objects.create(name="艾青", area=cast.building_a, phone="13800000001")
    client.force_login(cast.worker_a)
    params: dict[str, Any] = {"q": "13800000001", "area": cast.community_a.pk}
    shown = _names(client.get(reverse("core:resident_list"), params))
    assert shown == ["艾青"]
    response = client.get(reverse("core:roster_export", args=["residents"]), params)
    assert response.status_code == 200
    name = unquote(response["Content-Disposition"].split("''", 1)[1])
    assert name.startswith("居民名册-和平里社区-") and name.endswith(".xlsx")
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active  # type: ignore[attr-defined]
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == shown
    assert AuditEvent.objects.filter(verb="core.pii.search", actor=cast.worker_a).count() == 2  # page and export
