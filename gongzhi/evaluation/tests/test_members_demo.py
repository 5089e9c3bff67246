"""The members part's demo step (order 72): at 锦华社区 a part-time member removed by jd_staff in January 2026 (the
membership ended, the unit's liaison told, the letter ready), one kept with a note and one waiting for review."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest

from gongzhi.core.models import CommitteeMembership, Grant, Notification, Role
from gongzhi.evaluation import members_check
from gongzhi.evaluation.letter_docx import letter_document
from gongzhi.evaluation.models import TitleOnlyFlag


@pytest.fixture(scope="module")
def demo(demo_city: Any) -> str:
    return str(demo_city.output)


@pytest.mark.django_db
def test_it_shows_a_removal_a_keep_and_a_flag_to_review(demo: str) -> None:
    flags = {f.status: f for f in TitleOnlyFlag.objects.select_related("membership", "membership__unit",
                                                                       "reviewed_by", "community")}
    assert set(flags) == {"open", "kept", "removed"}
    assert all(f.community.name == "锦华社区" for f in flags.values())
    removed = flags["removed"]
    assert removed.reviewed_by is not None and removed.reviewed_at is not None
    assert removed.reviewed_by.username == "jd_staff" and removed.reviewed_at.date() == date(2026, 1, 12)
    m = removed.membership
    assert not m.active and m.ended_on == date(2026, 1, 12) and m.end_reason.startswith("因履职不到位（空挂）")
    liaison_unit = Grant.objects.get(user__username="unit_liaison", role=Role.UNIT_LIAISON).unit_id
    told = Notification.objects.filter(verb="evaluation.member_removed").values_list("user__username", flat=True)
    seats = CommitteeMembership.objects.filter(party_org=m.party_org, role="part_time_member")
    if liaison_unit is not None and seats.filter(unit_id=liaison_unit).exists():  # the demo's liaison sees the notice
        assert m.unit_id == liaison_unit and "unit_liaison" in told
    kept_by = flags["kept"].reviewed_by
    assert flags["kept"].review_note and kept_by is not None and kept_by.username == "jd_staff"
    assert flags["open"].reviewed_by is None
    assert letter_document(removed)[:2] == b"PK"
    assert "兼职委员" in demo


@pytest.mark.django_db
def test_the_daily_check_leaves_the_demo_s_flags_as_they_are(demo: str) -> None:
    before = set(TitleOnlyFlag.objects.values_list("pk", "status"))
    started = time.monotonic()
    members_check.run_check()
    assert time.monotonic() - started < 10
    after = set(TitleOnlyFlag.objects.values_list("pk", "status"))
    assert before <= after
    assert TitleOnlyFlag.objects.filter(status="kept").count() == 1
