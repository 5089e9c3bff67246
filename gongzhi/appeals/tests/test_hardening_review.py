"""A second attacker's review of issue 17's fixes: the holes it found, each with the test that failed before.

- Finding 1 ("staff never see a whole tracking code"): the API's intake answer and "my appeals" gave staff the whole
  code of every appeal they filed (hotline, patrol): with the phone's last digits, the tracking page.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gongzhi.appeals.models import Appeal
from gongzhi.core.models import ApiKey

pytestmark = pytest.mark.django_db

BODY = {"title": "路灯不亮", "body": "1号楼前路灯坏了", "callback_phone": "13700137000"}


def test_staff_get_tracking_codes_masked_from_the_api_also_for_what_they_filed(client: Any, cast: Any) -> None:
    # A hotline appeal entered on the page, a patrol finding, and one sent through the API by the same staff.
    client.force_login(cast.worker_a)
    client.post(reverse("appeals:hotline"), {
        "appeal_type": "help", "urgency": "normal", "title": "路灯不亮", "body": "小区路灯坏了",
        "callback_name": "李先生", "callback_phone": "13700137001", "community": cast.community_a.pk,
        "address": "", "source_ref": "", "category": "",
    })
    sent = client.post("/api/appeals/submit", data={**BODY, "area_id": cast.building_a.pk},
                       content_type="application/json")
    assert sent.status_code == 201, sent.content
    filed = list(Appeal.objects.filter(submitted_by=cast.worker_a))
    assert len(filed) == 2
    assert sent.json()["tracking_code"] == Appeal.objects.get(pk=sent.json()["id"]).masked_code
    mine = client.get("/api/appeals/appeals/mine").json()
    assert {a["id"] for a in mine} == {a.pk for a in filed}
    for appeal in filed:
        assert appeal.tracking_code not in str(mine)
        assert appeal.masked_code in str(mine)

    client.force_login(cast.grid_worker_a)
    patrol = client.post("/api/appeals/submit", data={**BODY, "area_id": cast.grid_a.pk, "channel": "grid_patrol"},
                         content_type="application/json")
    assert patrol.status_code == 201, patrol.content
    appeal = Appeal.objects.get(pk=patrol.json()["id"])
    assert appeal.tracking_code not in patrol.content.decode()
    assert appeal.tracking_code not in client.get("/api/appeals/appeals/mine").content.decode()


def test_the_resident_and_an_integration_still_get_the_whole_code(client: Any, cast: Any) -> None:
    client.force_login(cast.resident_user)
    own = client.post("/api/appeals/submit", data={**BODY, "area_id": cast.building_a.pk},
                      content_type="application/json").json()
    appeal = Appeal.objects.get(pk=own["id"])
    assert own["tracking_code"] == appeal.tracking_code
    assert [a["tracking_code"] for a in client.get("/api/appeals/appeals/mine").json()] == [appeal.tracking_code]
    client.logout()
    _, raw = ApiKey.issue(user=cast.worker_a, name="12345 对接")
    passed_on = client.post("/api/appeals/submit", data={**BODY, "area_id": cast.building_a.pk},
                            content_type="application/json", headers={"X-API-Key": raw}).json()
    assert passed_on["tracking_code"] == Appeal.objects.get(pk=passed_on["id"]).tracking_code
