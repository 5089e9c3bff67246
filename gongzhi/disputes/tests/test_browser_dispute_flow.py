"""Issue 23's second browser test, in Debian's Chromium on a phone (390×844): a resident's appeal about a neighbours'
conflict is turned into a dispute from the appeal's case page, assigned to the alliance's cross-border mediation
office, a session is recorded, the agreement is reached (signed), the .docx downloads with both parties (opened and
read), and the 30-day follow-up visit appears on the dispute and in the list of visits. Screenshots go to
GONGZHI_SHOTS_DIR (/tmp/gongzhi-shots/)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from docx import Document

from gongzhi.appeals import actions as appeal_actions
from gongzhi.core.models import Notification
from gongzhi.disputes.actions import bodies as body_actions
from gongzhi.disputes.models import Dispute, FollowUp, MediationBody
from gongzhi.test import make_alliance

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = "document.documentElement.scrollWidth"


def shot(page: Any, name: str) -> None:
    from gongzhi.test import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    assert page.evaluate(WIDTH) <= 392, name
    page.screenshot(path=str(SHOTS / f"disputes-agreement-{name}.png"), full_page=True)


def test_appeal_to_dispute_to_agreement_to_follow_up(browser: Any, live_server: Any, cast: Any,
                                                     tmp_path: Path) -> None:
    from gongzhi.test import PHONE, signed_in

    scene = make_alliance(cast)
    office = body_actions.do_create_body(acting_user=None, kind=MediationBody.Kind.ALLIANCE_OFFICE,
                                         name="和平—新塘跨界矛盾化解处", alliance=scene.alliance,
                                         head=scene.worker_c, members=[cast.worker_a, scene.worker_c])
    appeal = appeal_actions.do_submit_appeal(
        acting_user=cast.resident_user, title="楼上邻居深夜装修噪音扰民",
        body="楼上住户连续一周晚上十点后还在装修，电钻声不断，上门沟通被拒，双方已发生口角。",
        callback_phone="13800138000", area=cast.building_a)
    assert appeal.case is not None
    base = live_server.url
    page = signed_in(browser, live_server, cast.worker_a, **PHONE)
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. The appeal's case page: turn it into a dispute (the resident is the applicant; add the neighbour).
    page.goto(f"{base}/appeals/cases/{appeal.case.pk}/")
    page.click("[data-testid=appeal-to-dispute]")
    page.wait_for_selector("[data-testid=dispute-form]")
    page.select_option("#d-kind", "neighbours")
    page.select_option("#p2-side", "respondent")
    page.fill("#p2-name", "陈美华")
    page.select_option("#p2-community", str(scene.community_c.pk))
    page.fill("#p2-id_number", "320102198003035671")
    page.fill("#p2-phone", "13600136000")
    page.fill("#p2-address", "新塘花园3号楼502")
    shot(page, "1-from-appeal")
    page.click("[data-testid=dispute-submit]")
    page.wait_for_selector("[data-testid=dispute-assignment], [data-testid=form-error]")
    assert page.locator("[data-testid=form-error]").count() == 0, page.locator("[data-testid=form-error]").inner_text()
    dispute = Dispute.objects.get(source=Dispute.Source.APPEAL)

    # 2. Assign to the alliance's mediation office; 3. record a session.
    page.select_option("[data-testid=assignee]", f"body:{office.pk}")
    page.click("[data-testid=assign-submit]")
    page.wait_for_selector("[data-testid=assigned-to]")
    assert office.name in page.locator("[data-testid=assigned-to]").inner_text()
    page.click("[data-testid=session-box] summary")
    page.fill("#s-place", "和平里社区党群服务站调解室")
    page.fill("#s-attendees", "张桂兰、陈美华、跨界矛盾化解处调解员")
    page.fill("#s-notes", "双方陈述意见，楼上住户同意晚八点后停止装修，并赔偿楼下住户精神损失。")
    page.click("[data-testid=session-submit]")
    page.wait_for_selector("[data-testid=session]")

    # 4. The agreement (the panel loads with htmx), signed today.
    page.wait_for_selector("[data-testid=agreement-form]")
    page.fill("#id_facts", "被申请人陈美华家装修期间连续一周晚十点后施工，噪音影响申请人张桂兰休息，双方发生口角。")
    page.fill("#id_terms", "被申请人每日晚八点后、中午十二点至两点不进行产生噪音的施工。\n被申请人向申请人赔礼道歉。")
    page.fill("#id_performance", "自协议签订之日起执行，至装修结束；社区调解员回访确认。")
    page.fill("#id_signed_on", timezone.localdate().isoformat())
    shot(page, "2-agreement-form")
    page.click("[data-testid=agreement-save]")
    page.wait_for_selector("[data-testid=agreement-docx]")
    assert "签署" in page.locator("[data-testid=agreement-state]").inner_text()
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert page.locator("[data-testid=follow-up-due]").first.inner_text() == due
    shot(page, "3-signed")

    # 5. The Word document downloads with both parties.
    with page.expect_download() as info:
        page.click("[data-testid=agreement-docx]")
    download = info.value
    assert download.suggested_filename == f"人民调解协议书-{dispute.reference}.docx"
    target = tmp_path / "agreement.docx"
    download.save_as(str(target))
    text = "\n".join(p.text for p in Document(io.BytesIO(target.read_bytes())).paragraphs)
    assert "申请人：张桂兰" in text and "110101195001011239" in text
    assert "被申请人：陈美华" in text and "320102198003035671" in text
    assert "一、被申请人每日晚八点后" in text and "本协议一式三份" in text

    # 6. The 30-day visit in the list of visits.
    page.goto(f"{base}/disputes/follow-ups/?when=open")
    row = page.locator("[data-testid=follow-up-row]")
    assert row.count() == 1 and dispute.reference in row.inner_text() and due in row.inner_text()
    shot(page, "4-follow-ups")
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.AGREED
    assert FollowUp.objects.get(dispute=dispute).due_on.isoformat() == due
    # 7. The appeal's resident learns the end on their account (only the outcome, nothing of the content).
    told = Notification.objects.get(user=cast.resident_user, verb="disputes.outcome_told")
    assert dispute.reference in told.text and "已调解成功" in told.text and "陈美华" not in told.text
