"""The demo's joint meetings (step meetings.schedule, order 50): each kind past and upcoming at sq_worker's
community, the cross-province alliance's rotation with a skipped meeting keeping its host's turn."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.demo.data import ALLIANCE_CROSS_PROVINCE
from gongzhi.core.models import Grant, User
from gongzhi.meetings.models import Invitation, Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(demo_city: Any) -> str:
    return str(demo_city.output)


def test_the_demo_has_each_kind_past_and_upcoming(demo: str) -> None:
    now = timezone.now()
    for kind in ("committee", "council", "alliance"):
        assert Meeting.objects.filter(kind=kind, status="held", starts_at__lt=now).exists(), kind
        assert Meeting.objects.filter(kind=kind, status="scheduled", starts_at__gt=now).exists(), kind
    assert Meeting.objects.filter(kind="ad_hoc", status="scheduled").exists()
    held = Meeting.objects.get(kind="committee", status="held")
    assert held.area.name == "锦华社区"
    assert held.invitations.filter(attendance="present").count() >= 2
    assert held.invitations.filter(attendance="absent").exclude(absence_reason="").count() == 1
    assert held.invitations.filter(role=Invitation.Role.PART_TIME_MEMBER).exists()
    liaison_unit = Grant.objects.get(user__username="unit_liaison").unit_id
    assert liaison_unit is not None
    assert Meeting.objects.get(kind="committee", status="scheduled").invitations.filter(unit_id=liaison_unit).exists()
    assert "meetings:" in demo


def test_the_alliance_rotation_crosses_the_border_and_the_skipped_meeting_keeps_its_turn(demo: str) -> None:
    meetings = list(Meeting.objects.filter(alliance__name=ALLIANCE_CROSS_PROVINCE).order_by("number"))
    assert [(m.number, m.status) for m in meetings] == [(1, "held"), (2, "skipped"), (3, "scheduled")]
    assert meetings[0].area.name == "枫溪社区"
    assert meetings[1].area.name == meetings[2].area.name == "新塘社区"
    assert meetings[1].rotation_index == meetings[2].rotation_index == 1
    assert meetings[1].status_reason
    assert meetings[0].area.province != meetings[2].area.province or \
        meetings[0].area.ancestors().first() != meetings[2].area.ancestors().first()


def test_the_liaison_sees_the_invited_meetings_only(demo: str) -> None:
    client = Client()
    client.force_login(User.objects.get(username="unit_liaison"))
    page = client.get(reverse("meetings:list")).content.decode()
    upcoming = Meeting.objects.get(kind="committee", status="scheduled")
    assert upcoming.title in page
    assert "居民议事会（" not in page
