"""In Debian's Chromium: subdistrict staff set a campaign up on a desktop (the form, the suggested raters, a resident
representative by username) and open it; the resident representative rates the member unit on a phone (390 px),
the evidence block above the grade, and goes on to the next one. Screenshots go to GONGZHI_SHOTS_DIR."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.evaluation.models import Campaign, Rating
from gongzhi.test import DESKTOP, PHONE, SHOTS, signed_in

from .test_campaigns_scene import part_time_member

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = "document.documentElement.scrollWidth"


def test_staff_set_up_and_open_a_campaign_and_a_resident_rates_on_a_phone(
        browser: Any, live_server: Any, cast: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    part_time_member(cast)

    desk = signed_in(browser, live_server, cast.subdistrict_staff_a, **DESKTOP)
    desk.on("dialog", lambda dialog: dialog.accept())
    desk.goto(f"{live_server.url}/evaluation/campaigns/")
    desk.click("[data-testid=new-campaign]")
    desk.fill("#id_title", "和平街道成员单位和兼职委员双向评议")
    deadline = timezone.localtime() + timedelta(days=10)
    desk.fill("#id_deadline", deadline.strftime("%Y-%m-%dT%H:%M"))
    desk.fill("#id_weight_subdistrict", "40")
    desk.fill("#id_weight_community", "30")
    desk.fill("#id_weight_residents", "30")
    desk.fill("#id_weight_estate", "")
    desk.screenshot(path=str(SHOTS / "evaluation-campaign-form-desktop.png"), full_page=True)
    desk.click("[data-testid=save-campaign]")
    desk.wait_for_selector("[data-testid=ratees]")
    assert desk.locator("[data-testid=ratee-row]").count() == 2
    assert "草稿" in desk.locator("[data-testid=campaign-status]").inner_text()
    desk.click("[data-testid=raters-link]")
    desk.click("[data-testid=suggest-subdistrict]")
    desk.click("[data-testid=suggest-community]")
    desk.select_option("#id_kind", "residents")
    desk.fill("#id_username", "resident_user")
    desk.click("[data-testid=add-rater-submit]")
    desk.wait_for_selector("[data-testid=raters-residents] [data-testid=rater-row]")
    assert desk.locator("[data-testid=rater-row]").count() == 3
    desk.screenshot(path=str(SHOTS / "evaluation-campaign-raters-desktop.png"), full_page=True)
    desk.goto(f"{live_server.url}/evaluation/campaigns/{Campaign.objects.get().pk}/")
    desk.click("[data-testid=open]")
    desk.wait_for_selector("[data-testid=progress]")
    assert "评议中" in desk.locator("[data-testid=campaign-status]").inner_text()
    desk.screenshot(path=str(SHOTS / "evaluation-campaign-open-desktop.png"), full_page=True)
    assert Campaign.objects.get().status == "open"

    phone = signed_in(browser, live_server, cast.resident_user, **PHONE)
    phone.goto(f"{live_server.url}/evaluation/rating/")
    assert "已评 0 / 共 2" in phone.locator("[data-testid=task-progress]").inner_text()
    assert phone.evaluate(WIDTH) <= 390
    phone.screenshot(path=str(SHOTS / "evaluation-rating-tasks-phone.png"), full_page=True)
    phone.click("[data-testid=task-ratee][data-kind=unit] a")
    phone.wait_for_selector("[data-testid=evidence]")
    evidence_top = phone.locator("[data-testid=evidence]").bounding_box()
    form_top = phone.locator("[data-testid=rating-form]").bounding_box()
    assert evidence_top is not None and form_top is not None and evidence_top["y"] < form_top["y"]
    phone.click("[data-testid=grade-excellent]")
    box = phone.locator("[data-testid=grade-excellent]").bounding_box()
    assert box is not None and box["height"] >= 44  # a thumb's target
    phone.fill("#id_comment", "认领的项目按期完成")
    assert phone.evaluate(WIDTH) <= 390
    phone.screenshot(path=str(SHOTS / "evaluation-rate-phone.png"), full_page=True)
    phone.click("[data-testid=save-rating]")
    phone.wait_for_selector("[data-testid=ratee-name]:has-text('赵兼职')")
    assert "已保存" in phone.locator(".messages").inner_text()
    rating = Rating.objects.get()
    assert (rating.grade, rating.ratee.name, rating.rater.user) == ("excellent", "和平物业服务有限公司",
                                                                     cast.resident_user)
