"""Issue 18 in Debian's Chromium on a phone-sized screen: an answer with a placeholder left in it is refused (and
kept for correcting); a resident's 满意 closes the case and every page shows the same status; a signed-in resident
submits an appeal from the menu and finds it under 我的诉求. Screenshots go to /tmp/gongzhi-shots/."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from gongzhi.appeals.models import Appeal, Case, Reply
from gongzhi.test import PHONE, SHOTS, signed_in

from .conftest import in_progress, replied

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh(settings: Any) -> None:
    settings.SMS_BACKEND = "memory"
    cache.clear()
    SHOTS.mkdir(parents=True, exist_ok=True)


def flash(page: Any) -> str:
    return str(page.locator(".messages").inner_text()) if page.locator(".messages").count() else ""


def test_an_answer_with_a_placeholder_left_is_refused(browser: Any, live_server: Any, cast: Any, ac: Any) -> None:
    case = in_progress(cast, ac)
    handler = signed_in(browser, live_server, cast.handler, **PHONE)
    handler.goto(f"{live_server.url}/appeals/cases/{case.pk}/")
    handler.select_option("#id_template", label="已答复咨询")
    assert "{答复内容}" in handler.input_value("#id_reply_body")  # the template written into the field
    handler.click("form[action$='/reply/'] button[type=submit]")
    assert "答复中还有未填写的占位符：{答复内容}" in flash(handler)
    handler.screenshot(path=str(SHOTS / "daily-reply-placeholder-refused-phone.png"), full_page=True)
    assert Case.objects.get(pk=case.pk).status == Case.Status.IN_PROGRESS and not Reply.objects.exists()
    kept = handler.input_value("#id_reply_body")
    assert "{答复内容}" in kept  # the text comes back to be corrected
    handler.fill("#id_reply_body", kept.replace("{答复内容}", "垃圾已于今日清运"))
    handler.click("form[action$='/reply/'] button[type=submit]")
    assert "答复已发送" in flash(handler)
    body = Reply.objects.get().body
    assert "垃圾已于今日清运" in body and "{" not in body


def test_a_satisfied_rating_closes_the_case_and_every_page_agrees(browser: Any, live_server: Any, cast: Any,
                                                                  ac: Any) -> None:
    url = live_server.url
    case = replied(cast, ac)
    appeal = case.appeals.get()
    resident = signed_in(browser, live_server, cast.resident_user, **PHONE)
    resident.goto(f"{url}/appeals/mine/")
    assert resident.inner_text("[data-testid=my-appeals] [data-testid=track-status]") == "待回访"
    resident.click(f"a[href='/appeals/mine/{appeal.pk}/']")
    resident.check("input[name=solved][value=yes]")
    resident.check("input[name=satisfaction][value=satisfied]")
    resident.click("[data-testid=rate-form] button[type=submit]")
    assert "评价已记录" in flash(resident)
    assert resident.inner_text("[data-testid=track-status]") == "已办结"
    assert resident.locator("[data-testid=rate-form]").count() == 0
    resident.screenshot(path=str(SHOTS / "daily-rated-closed-phone.png"), full_page=True)
    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED

    shown = {"own page": resident.inner_text("[data-testid=track-status]")}
    resident.goto(f"{url}/appeals/mine/")
    shown["my appeals"] = resident.inner_text("[data-testid=my-appeals] [data-testid=track-status]")
    shown["api mine"] = resident.request.get(f"{url}/api/appeals/appeals/mine").json()[0]["status_label"]

    public = browser.new_context(**PHONE).new_page()  # the public tracking page, with the code and digits
    public.goto(f"{url}/appeals/track/")
    public.fill("#id_code", appeal.tracking_code)
    public.fill("#id_last4", "8000")
    public.click("button[type=submit]")
    shown["public page"] = public.inner_text("[data-testid=track-status]")
    assert "已完成回访" in public.inner_text("ol.timeline")

    worker = signed_in(browser, live_server, cast.worker_a, **PHONE)
    worker.goto(f"{url}/appeals/cases/{case.pk}/")
    shown["case page"] = worker.inner_text("[data-testid=case-status]")
    assert worker.locator("form[action$='/follow_up/']").count() == 0  # the follow-up form is gone
    assert worker.locator("button[data-action=close]").count() == 0  # nothing left to close
    shown["api case"] = worker.request.get(f"{url}/api/appeals/cases/{case.pk}").json()["status_label"]
    worker.screenshot(path=str(SHOTS / "daily-closed-case-phone.png"), full_page=True)
    assert set(shown.values()) == {"已办结"}, shown


def test_a_signed_in_resident_submits_and_finds_it_under_my_appeals(browser: Any, live_server: Any,
                                                                    cast: Any) -> None:
    url = live_server.url
    resident = signed_in(browser, live_server, cast.resident_user, **PHONE)
    resident.goto(f"{url}/")
    submit_link = resident.locator("a[href='/appeals/submit/']")
    mine_link = resident.locator("a[href='/appeals/mine/']")
    assert submit_link.count() > 0 and mine_link.count() > 0  # in the menu
    resident.goto(url + str(submit_link.first.get_attribute("href")))
    resident.fill("#id_title", "楼道灯不亮")
    resident.fill("#id_body", "1号楼2单元楼道灯坏了一周，晚上看不见台阶。")
    resident.select_option("#id_community", str(cast.community_a.pk))
    resident.fill("#id_callback_name", "张桂兰")
    resident.fill("#id_callback_phone", "13800138000")
    resident.click("button[type=submit].big")
    code = resident.inner_text("[data-testid=tracking-code]").strip()
    assert resident.locator("[data-testid=copy-code]").count() == 1
    assert resident.locator("[data-testid=save-code]").count() == 1
    resident.screenshot(path=str(SHOTS / "daily-submitted-phone.png"), full_page=True)
    appeal = Appeal.objects.get(tracking_code=code)
    assert appeal.submitted_by_id == cast.resident_user.pk

    resident.click("[data-testid=to-my-appeals]")
    listed = resident.locator("[data-testid=my-appeals] li")
    assert listed.count() == 1 and "楼道灯不亮" in listed.inner_text() and code in listed.inner_text()
    resident.screenshot(path=str(SHOTS / "daily-my-appeals-phone.png"), full_page=True)
    resident.click(f"a[href='/appeals/mine/{appeal.pk}/']")
    assert resident.inner_text("[data-testid=track-status]") == "待派单"
    assert code in resident.inner_text("[data-testid=track-result]")
