"""The schedule walked through on a phone in Debian's Chromium: an organizer sets up an alliance's rotating joint
meeting and schedules the next one, whose host is the next community in the rotation (and stays so when that
meeting is skipped); an invitee signs in on a phone with the short code shown in the room. Screenshots go to
GONGZHI_SHOTS_DIR (/tmp/gongzhi-shots/)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.meetings.actions import schedule as actions
from gongzhi.meetings.models import Invitation, Meeting
from gongzhi.test import PHONE, SHOTS, signed_in

pytestmark = pytest.mark.django_db(transaction=True)


MAIN_WIDTH = "document.documentElement.scrollWidth"
# What sticks out of a phone's width (named in a failure), the folded parts unfolded.
WIDE = """() => { document.querySelectorAll('main details').forEach(d => { d.open = true; }); return [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 392)
  .map(e => e.tagName + '.' + e.className + ' ' + e.textContent.trim().slice(0, 30)).slice(0, 6); }"""


def flash(page: Any) -> str:
    return str(page.locator(".messages").inner_text()) if page.locator(".messages").count() else ""


def test_an_organizer_schedules_an_alliance_meeting_hosted_by_the_next_in_rotation(
        browser: Any, live_server: Any, cast: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    core_actions.do_create_alliance(name="和平安定联盟", communities=[cast.community_a, cast.community_b],
                                    acting_user=None)
    page = signed_in(browser, live_server, cast.worker_a, **PHONE)
    page.goto(f"{live_server.url}/meetings/")
    page.click("[data-testid=new-series]")
    page.select_option("#id_kind", "alliance")
    page.select_option("#id_alliance", label="和平安定联盟")
    page.fill("#id_title", "和平安定党建轮值联席会议")
    page.fill("#id_first_starts_at", "2027-01-15T14:00")
    page.fill("#id_place", "党群服务中心")
    page.click("[data-testid=series-form] button[type=submit]")
    assert "周期会议已创建" in flash(page)
    assert page.locator("[data-testid=meeting-host-area]").inner_text() == "和平里社区"
    page.wait_for_load_state("load")  # the stylesheet applied (a click returns once the new page has begun)
    assert page.evaluate(MAIN_WIDTH) <= 390, page.evaluate(WIDE)

    page.goto(f"{live_server.url}/meetings/")
    page.click("[data-testid=schedule-next]")
    assert "由安定门社区承办" in flash(page)
    assert page.locator("[data-testid=meeting-host-area]").inner_text() == "安定门社区"
    assert "2027-03-15 14:00" in page.locator("[data-testid=meeting-time]").inner_text()
    assert page.locator("[data-testid=rotation] strong").inner_text() == "安定门社区"
    page.screenshot(path=str(SHOTS / "meetings-alliance-next-phone.png"), full_page=True)

    # B's meeting is skipped: B keeps its turn for the next one.
    page.locator("[data-testid=manage-meeting] summary").click()
    page.fill("#skip-reason", "安定门社区换届选举")
    page.click("[data-testid=skip]")
    assert "本次会议已跳过" in flash(page)
    assert page.locator("[data-testid=meeting-status]").inner_text() == "本期轮空"
    page.goto(f"{live_server.url}/meetings/")
    page.click("[data-testid=schedule-next]")
    assert page.locator("[data-testid=meeting-host-area]").inner_text() == "安定门社区"
    assert "2027-05-15 14:00" in page.locator("[data-testid=meeting-time]").inner_text()
    third = Meeting.objects.get(number=3)
    assert (third.area, third.rotation_index) == (cast.community_b, 1)


def test_an_invitee_signs_in_on_a_phone_with_the_short_code(browser: Any, live_server: Any, cast: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    meeting = actions.do_create_meeting(acting_user=cast.worker_a, area=cast.community_a, title="和平里社区联席会议",
                                        kind="committee", starts_at=timezone.now() + timedelta(minutes=15),
                                        place="党群服务中心")
    actions.do_invite(meeting, acting_user=cast.worker_a, units=[cast.member_unit])
    organizer = signed_in(browser, live_server, cast.worker_a, **PHONE)
    organizer.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    organizer.wait_for_function("() => { const img = document.querySelector('[data-testid=checkin-box] img.qr'); "
                                "return img && img.complete && img.naturalWidth > 0; }", timeout=15000)
    code = organizer.locator("[data-testid=checkin-code]").inner_text().strip()
    assert code == meeting.checkin_code
    organizer.screenshot(path=str(SHOTS / "meetings-checkin-room-phone.png"), full_page=True)

    phone = signed_in(browser, live_server, cast.liaison, **PHONE)
    phone.goto(f"{live_server.url}/meetings/")
    phone.click("[data-testid=checkin-code-link]")
    phone.fill("#id_code", "000000" if code != "000000" else "111111")
    phone.click("[data-testid=submit-code]")
    assert "没有这个签到码" in phone.locator("[data-testid=code-form]").inner_text()
    phone.fill("#id_code", code)
    phone.click("[data-testid=submit-code]")
    assert "已于" in phone.locator("[data-testid=checked-in]").inner_text()
    phone.wait_for_load_state("load")
    assert phone.evaluate(MAIN_WIDTH) <= 390, phone.evaluate(WIDE)
    phone.screenshot(path=str(SHOTS / "meetings-checkin-phone.png"), full_page=True)
    row = Invitation.objects.get(meeting=meeting, unit=cast.member_unit)
    assert row.attendance == "present"

    organizer.reload()
    assert "出席" in organizer.locator("[data-testid=invitation]").first.inner_text()
