"""The cases part's browser test, on a phone (390×844) in Debian's Chromium: a community worker records a walk-in
dispute with two parties, assigns it to the community's mediator (the 矛盾调解员 post holder); the mediator sees the
content (the phone masked until "show"), records a session and then no agreement. Screenshots go to
GONGZHI_SHOTS_DIR (/tmp/gongzhi-shots/)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.disputes.models import Dispute
from gongzhi.test import PHONE, SHOTS, signed_in

from .test_cases_scene import mediator_post

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = "document.documentElement.scrollWidth"


def fits(page: Any, name: str) -> None:
    assert page.evaluate(WIDTH) <= 390, name
    page.screenshot(path=str(SHOTS / f"disputes-cases-{name}.png"), full_page=True)


def test_a_walk_in_is_recorded_assigned_mediated_and_not_agreed(browser: Any, live_server: Any, cast: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    mediator_post(cast, cast.party_member_a, cast.community_a)

    # 1. The community worker records a walk-in with two parties.
    desk = signed_in(browser, live_server, cast.worker_a, **PHONE)
    desk.goto(f"{live_server.url}/disputes/cases/")
    desk.click("[data-testid=dispute-new]")
    desk.fill("#d-title", "楼上漏水纠纷")
    desk.fill("#d-stakes", "楼上卫生间漏水，楼下天花板受损，要求维修并赔偿。")
    desk.select_option("#d-risk", "medium")
    desk.fill("#p1-name", "张桂兰")
    desk.fill("#p1-phone", "1380013")  # a wrong phone: refused in Chinese, the form kept
    desk.fill("#p2-name", "李四海")
    fits(desk, "1-form")
    desk.click("[data-testid=dispute-submit]")
    error = desk.locator("[data-testid=form-error]")
    assert "第1方当事人：手机号 1380013 无效" in error.inner_text()
    assert desk.input_value("#p2-name") == "李四海" and desk.input_value("#d-title") == "楼上漏水纠纷"
    desk.fill("#p1-phone", "13800138000")
    desk.click("[data-testid=dispute-submit]")
    desk.wait_for_selector("[data-testid=dispute-reference]")
    d = Dispute.objects.get(title="楼上漏水纠纷")
    assert desk.locator("[data-testid=dispute-reference]").inner_text() == d.reference
    assert "138****8000" in desk.locator("[data-testid=dispute-parties]").inner_text()
    fits(desk, "2-recorded")

    # 2. …and assigns it to the community's mediator.
    desk.select_option("[data-testid=assignee]", f"user:{cast.party_member_user.pk}")
    desk.click("[data-testid=assign-submit]")
    desk.wait_for_selector("[data-testid=assigned-to]")
    assert "王红" in desk.locator("[data-testid=assigned-to]").inner_text()
    assert "已分派" in desk.locator("h1 [data-testid=dispute-status]").inner_text()
    fits(desk, "3-assigned")

    # 3. The mediator opens it from the list, shows a party's phone (audited), records a session.
    mediator = signed_in(browser, live_server, cast.party_member_user, **PHONE)
    mediator.goto(f"{live_server.url}/disputes/cases/?mine=on")
    mediator.locator("[data-testid=dispute-row] a").first.click()
    mediator.wait_for_selector("[data-testid=dispute-stakes]")
    applicant = mediator.locator("[data-testid=party][data-side=applicant]")
    applicant.locator("[data-testid=party-reveal]").click()
    mediator.wait_for_selector("[data-testid=party-revealed]")
    assert "13800138000" in mediator.locator("[data-testid=party][data-side=applicant]").inner_text()
    assert AuditEvent.objects.filter(verb="disputes.party.reveal", actor=cast.party_member_user).count() == 1
    mediator.click("[data-testid=session-box] summary")
    mediator.fill("#s-held", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    mediator.fill("#s-place", "和平里社区调解室")
    mediator.fill("#s-attendees", "张桂兰、李四海、调解员王红")
    mediator.fill("#s-notes", "双方到场陈述，楼上同意请人检查防水，赔偿金额分歧较大。")
    fits(mediator, "4-session-form")
    mediator.click("[data-testid=session-submit]")
    mediator.wait_for_selector("[data-testid=session]")
    assert "调解中" in mediator.locator("h1 [data-testid=dispute-status]").inner_text()
    assert "赔偿金额分歧较大" in mediator.locator("[data-testid=session-notes]").inner_text()

    # 4. …and no agreement, with the reason.
    mediator.click("[data-testid=outcome-box] summary")
    mediator.select_option("[data-testid=outcome]", "not_agreed")
    mediator.fill("[data-testid=outcome-reason-input]", "赔偿金额差距过大，双方不同意再次调解。")
    fits(mediator, "5-outcome-form")
    mediator.click("[data-testid=outcome-submit]")
    mediator.wait_for_selector("[data-testid=outcome-reason]")
    assert "调解未成" in mediator.locator("h1 [data-testid=dispute-status]").inner_text()
    fits(mediator, "6-not-agreed")
    d.refresh_from_db()
    assert d.status == Dispute.Status.NOT_AGREED and d.resolved_at is not None and d.sessions.count() == 1
    views = AuditEvent.objects.filter(verb="disputes.view", object_id=str(d.pk))
    assert views.filter(actor=cast.party_member_user).count() >= 3 and views.filter(actor=cast.worker_a).exists()
