"""On phones in Debian's Chromium: the organizer opens the check-in board (the QR code and the code to read out,
fitting a 390px screen); a signed-up party member types the code on their phone and is checked in. Screenshots go
to GONGZHI_SHOTS_DIR (/tmp/gongzhi-shots/)."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.service.actions import activities as actions
from gongzhi.service.models import SignUp
from gongzhi.test import PHONE, SHOTS, signed_in

from .activities_scene import activity

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = "document.documentElement.scrollWidth"


def test_the_organizer_shows_the_board_and_a_member_checks_in_with_the_code(
        browser: Any, live_server: Any, cast: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    a = activity(cast, days=10 / 1440)
    actions.do_sign_up(a, acting_user=cast.party_member_user)

    board = signed_in(browser, live_server, cast.worker_a, **PHONE)
    board.goto(f"{live_server.url}/service/activities/{a.pk}/")
    board.click("[data-testid=open-board]")
    board.wait_for_load_state("load")
    assert board.locator("[data-testid=checkin-qr] svg").count() == 1
    code = board.locator("[data-testid=spoken-code]").inner_text().strip()
    assert len(code) == 6 and code.isdigit()
    assert board.evaluate(WIDTH) <= 390
    board.screenshot(path=str(SHOTS / "service-checkin-board-phone.png"), full_page=True)

    phone = signed_in(browser, live_server, cast.party_member_user, **PHONE)
    phone.goto(f"{live_server.url}/service/activities/")
    phone.click("[data-testid=checkin-code-link]")
    phone.fill("#id_code", code)
    phone.click("[data-testid=submit-code]")
    assert "签到成功" in phone.locator("[data-testid=checked-in]").inner_text()
    assert phone.evaluate(WIDTH) <= 390
    phone.screenshot(path=str(SHOTS / "service-checked-in-phone.png"), full_page=True)
    assert SignUp.objects.get(activity=a).checked_in_at is not None
    # The board counts the check-in at its next refresh (htmx polls the fragment).
    board.wait_for_selector("[data-testid=board-counts]:has-text('已签到 1 人')", timeout=15000)
