"""Issue 22's second browser test, on a phone (390×844) in Debian's Chromium: a part-time member who attended no
meeting and filed no duty report is flagged when the subdistrict runs the check; the subdistrict's staff reviews
the facts and removes the member; the unit's liaison sees the notice (the notification, the flag's page and the
letter). Screenshots go to GONGZHI_SHOTS_DIR (/tmp/gongzhi-shots/)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document

from gongzhi.core.models import CommitteeMembership
from gongzhi.evaluation.models import TitleOnlyFlag
from gongzhi.test import PHONE, SHOTS, signed_in

from .members_scene import NAME, invited, seat

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = "document.documentElement.scrollWidth"


def fits(page: Any, name: str) -> None:
    assert page.evaluate(WIDTH) <= 390, name
    page.screenshot(path=str(SHOTS / f"members-flow-{name}.png"), full_page=True)


def test_a_title_only_member_is_flagged_reviewed_removed_and_the_unit_told(
        browser: Any, live_server: Any, cast: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    m = seat(cast)
    invited(cast, m, present=False)  # invited to a meeting, absent; no claims, no duty reports

    # 1. The subdistrict runs the check: the member is flagged.
    staff = signed_in(browser, live_server, cast.subdistrict_staff_a, **PHONE)
    staff.goto(f"{live_server.url}/evaluation/flags/")
    staff.click("[data-testid=run-check-submit]")
    row = staff.locator("[data-testid=flag-row][data-status=open]").first
    assert NAME in row.inner_text()
    fits(staff, "1-flagged")

    # 2. The flag's page shows what the record holds; the staff removes the member with a reason.
    row.locator("a").first.click()
    assert "未参加会议" in staff.locator("[data-testid=flag-reasons]").inner_text()
    assert "受邀1次，参加0次" in staff.locator("[data-testid=evidence-meetings_attended]").inner_text()
    assert staff.locator("[data-testid=evidence-duty_reports_filed]").inner_text().split()[-1] == "0"
    fits(staff, "2-facts")
    staff.click("[data-testid=remove-box] summary")
    staff.fill("#remove-reason", "半年内未参加大党委会议，未提交述职报告")
    fits(staff, "3-remove-form")
    staff.click("[data-testid=remove-submit]")
    staff.wait_for_selector("[data-testid=review-note]")
    assert "已免去" in staff.locator("h1 [data-testid=flag-status]").inner_text()
    fits(staff, "4-removed")
    membership = CommitteeMembership.objects.get(pk=m.pk)
    assert not membership.active and membership.end_reason.endswith("半年内未参加大党委会议，未提交述职报告")
    flag = TitleOnlyFlag.objects.get(membership=m)
    assert flag.status == TitleOnlyFlag.Status.REMOVED and flag.reviewed_by == cast.subdistrict_staff_a

    # 3. The unit's liaison opens the notification, lands on the flag's page and downloads the letter.
    liaison = signed_in(browser, live_server, cast.liaison, **PHONE)
    liaison.goto(f"{live_server.url}/notifications/")
    notice = liaison.locator("button.notif", has_text=NAME).first
    assert "免去" in notice.inner_text()
    fits(liaison, "5-notification")
    notice.click()
    liaison.wait_for_selector("[data-testid=letter-download]")
    assert liaison.url.endswith(f"/evaluation/flags/{flag.pk}/")
    assert "半年内未参加大党委会议" in liaison.locator("[data-testid=review-note]").inner_text()
    fits(liaison, "6-liaison-flag")
    with liaison.expect_download() as info:
        liaison.click("[data-testid=letter-download]")
    path = info.value.path()
    text = "\n".join(p.text for p in Document(io.BytesIO(open(path, "rb").read())).paragraphs)
    assert f"关于免去{NAME}同志" in text and "和平物业服务有限公司" in text
