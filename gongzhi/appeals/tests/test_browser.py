"""One appeal walked end to end through the pages in Debian's Chromium.

A resident submits it on the public form; the community worker dispatches it (the routing rule's
suggestion is pre-filled); the department accepts it; the community whistles a second department, which
reports (报到) and finishes; the department answers; the resident rates it 不满意 on the tracking page, with
the one-time code sent to the phone (a rating without it is refused); the community reopens it (重办); it is
answered again, rated 满意 (a new code), which closes it; the ranking changes; the resident's tracking page shows the
answer. Staff pages show the tracking code masked. Screenshots go to /tmp/gongzhi-shots/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache

from gongzhi.appeals import actions
from gongzhi.appeals.models import Appeal, Case, Whistle
from gongzhi.core.notifications import MemorySmsBackend
from gongzhi.test import DESKTOP, PASSWORD, PHONE, SHOTS, signed_in

pytestmark = pytest.mark.django_db(transaction=True)



@pytest.fixture
def scene(cast: Any, ac: Any, settings: Any) -> Any:
    """The cast plus a routing rule (垃圾清运 → 住建委) and a second department with its handler (from `ac`); text
    messages kept in memory (the live server runs in this process), so the test reads the one-time codes."""
    settings.SMS_BACKEND = "memory"
    MemorySmsBackend.outbox.clear()
    cache.clear()
    actions.do_create_routing_rule(acting_user=None, lead_unit=cast.department, category=ac.leaf)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return ac


def flash(page: Any) -> str:
    return str(page.locator(".messages").inner_text()) if page.locator(".messages").count() else ""


def rate_with_a_code(page: Any, *, solved: str, satisfaction: str, shot: str = "") -> None:
    """On the tracking page: ask for the code, read it from the text message, rate with it."""
    sent = len(MemorySmsBackend.outbox)
    page.click("[data-testid=send-code] button")
    assert "验证码已发送至手机 138****8000" in flash(page)
    assert len(MemorySmsBackend.outbox) == sent + 1
    phone, text = MemorySmsBackend.outbox[-1]
    assert phone == "13800138000"
    otp = re.search(r"\d{6}", text).group()  # type: ignore[union-attr]
    page.fill("#id_code", otp)
    page.check(f"input[name=solved][value={solved}]")
    page.check(f"input[name=satisfaction][value={satisfaction}]")
    if shot:
        page.screenshot(path=str(SHOTS / shot), full_page=True)
    page.click("[data-testid=rate-form] button[type=submit]")
    assert "评价已记录" in flash(page)


def dept_row(page: Any, name: str) -> Any:
    return page.locator(f"[data-testid=department-rates] tr[data-name='{name}']")


def test_it_walks_one_appeal_end_to_end(browser: Any, live_server: Any, cast: Any, scene: Any) -> None:
    url = live_server.url
    ac = scene

    # --- A resident submits the appeal on the public form (phone-sized screen). ---------------------------
    resident = browser.new_context(**PHONE).new_page()
    resident.goto(f"{url}/appeals/submit/")
    assert "提交诉求" in resident.inner_text("h1")
    resident.select_option("#id_appeal_type", "complaint")
    resident.fill("#id_title", "小区门口垃圾堆积")
    resident.fill("#id_body", "和平小区东门垃圾三天没人清运，气味很大。")
    resident.select_option("#id_community", str(cast.community_a.pk))
    resident.wait_for_selector(f"#id_estate option[value='{cast.estate_a.pk}']", state="attached")
    resident.select_option("#id_estate", str(cast.estate_a.pk))
    resident.wait_for_selector(f"#id_building option[value='{cast.building_a.pk}']", state="attached")
    resident.select_option("#id_building", str(cast.building_a.pk))
    resident.fill("#id_callback_name", "张女士")
    resident.fill("#id_callback_phone", "13800138000")
    resident.screenshot(path=str(SHOTS / "public-form-phone.png"), full_page=True)
    resident.click("button[type=submit].big")
    code = resident.inner_text("[data-testid=tracking-code]").strip()
    appeal = Appeal.objects.get(tracking_code=code)
    assert appeal.area_id == cast.building_a.pk
    case_id = appeal.case_id
    assert case_id is not None
    resident.screenshot(path=str(SHOTS / "public-done-phone.png"), full_page=True)

    # --- The community worker logs in and looks at the ranking before anything is rated. -----------------
    dispatcher = browser.new_context(**DESKTOP).new_page()
    dispatcher.goto(f"{url}/accounts/login/?next=/appeals/")
    dispatcher.fill("input[name=username]", cast.worker_a.username)
    dispatcher.fill("input[name=password]", PASSWORD)
    dispatcher.click("button[type=submit]")
    dispatcher.wait_for_url(re.compile(r"/appeals/"))
    assert "待派单" in dispatcher.inner_text(".tabs")
    dispatcher.goto(f"{url}/appeals/rates/")
    assert dept_row(dispatcher, cast.department.name).count() == 0  # before: no follow-up this month

    # --- It dispatches: choosing the category pre-fills the routing rule's lead unit. --------------------
    dispatcher.goto(f"{url}/appeals/worklist/pending_dispatch/")
    dispatcher.click(f"a[href='/appeals/cases/{case_id}/'] >> nth=0")
    assert code not in dispatcher.content() and code[:4] + "********" in dispatcher.inner_text("main")
    dispatcher.select_option("#id_category", str(ac.leaf.pk))
    dispatcher.wait_for_function(f"() => document.querySelector('#id_lead_unit').value === '{cast.department.pk}'")
    dispatcher.click("form[action$='/dispatch/'] button[type=submit]")
    assert "工单已派出" in flash(dispatcher)
    assert Case.objects.get(pk=case_id).status == Case.Status.DISPATCHED

    # --- The department handler accepts. ------------------------------------------------------------------
    handler = signed_in(browser, live_server, cast.handler)
    handler.goto(f"{url}/appeals/worklist/to_accept/")
    handler.click(f"a[href='/appeals/cases/{case_id}/'] >> nth=0")
    handler.click("form[action$='/accept/'] button")
    assert "您已签收" in flash(handler)
    assert Case.objects.get(pk=case_id).status == Case.Status.IN_PROGRESS

    # --- The community whistles a second department, which reports and finishes. -------------------------
    dispatcher.goto(f"{url}/appeals/cases/{case_id}/")
    dispatcher.click("summary:has-text('吹哨')")
    dispatcher.fill("form[action$='/whistle/'] input[name=title]", "东门垃圾堆积联合整治")
    dispatcher.select_option("form[action$='/whistle/'] select[name=units]", [str(ac.department2.pk)])
    dispatcher.click("form[action$='/whistle/'] button[type=submit]")
    assert "已吹哨召集部门" in flash(dispatcher)
    whistle = Whistle.objects.get(case_id=case_id)

    water = signed_in(browser, live_server, ac.handler2)
    water.goto(f"{url}/appeals/whistles/")
    water.click(f"a[href='/appeals/whistles/{whistle.pk}/']")
    water.click("button[data-action=report]")
    assert "本部门已报到" in flash(water)
    water.fill("textarea[name=action_taken]", "已派人清理东门排水沟并清运垃圾。")
    water.click("button[data-action=done]")
    assert "已记录" in flash(water)
    assert (
        "已关闭" in water.inner_text("[data-testid=whistle-status]")
        or Whistle.objects.get(pk=whistle.pk).status == Whistle.Status.CLOSED
    )

    # --- The department answers. --------------------------------------------------------------------------
    handler.goto(f"{url}/appeals/cases/{case_id}/")
    handler.fill("#id_reply_body", "已安排环卫车辆清运，今后每日清运一次。")
    handler.click("form[action$='/reply/'] button[type=submit]")
    assert "答复已发送" in flash(handler)

    # --- The resident rates it 不满意 on the tracking page. ------------------------------------------------
    resident.goto(f"{url}/appeals/track/")
    resident.fill("#id_code", code)
    resident.fill("#id_last4", "8000")
    resident.click("button[type=submit]")
    assert "已安排环卫车辆清运" in resident.inner_text("[data-testid=track-answer]")
    # Without the code sent to the phone the rating is refused (the code and the last four digits are not enough).
    resident.check("input[name=solved][value=no]")
    resident.check("input[name=satisfaction][value=unsatisfied]")
    resident.click("[data-testid=rate-form] button[type=submit]")
    assert "请输入发送到您手机的 6 位验证码" in resident.inner_text("#rate")
    assert Case.objects.get(pk=case_id).followed_up_at is None
    rate_with_a_code(resident, solved="no", satisfaction="unsatisfied", shot="track-rate-code-phone.png")

    dispatcher.goto(f"{url}/appeals/rates/")
    row = dept_row(dispatcher, cast.department.name)
    assert row.locator("[data-figure=satisfaction]").inner_text() == "0.0%"
    assert row.locator("[data-figure=response]").inner_text() == "100.0%"

    # --- The community reopens it (重办); it is answered again. --------------------------------------------
    dispatcher.goto(f"{url}/appeals/cases/{case_id}/")
    dispatcher.fill("form[action$='/reopen/'] textarea[name=note]", "居民不满意，垃圾仍未清完。")
    dispatcher.click("button[data-action=reopen]")
    assert "工单已重办" in flash(dispatcher)
    handler.goto(f"{url}/appeals/cases/{case_id}/")
    handler.select_option("#id_template", label="已解决")
    handler.click("form[action$='/reply/'] button[type=submit]")
    assert "答复已发送" in flash(handler)

    # --- Rated 满意 by the resident, then closed. ------------------------------------------------------------
    resident.goto(f"{url}/appeals/track/")
    rate_with_a_code(resident, solved="yes", satisfaction="satisfied")
    dispatcher.goto(f"{url}/appeals/cases/{case_id}/")
    # The resident's 满意 is the follow-up: the case closed itself (APPEALS_AFTER_RATING), nothing left to press.
    assert dispatcher.locator("button[data-action=close]").count() == 0
    assert dispatcher.inner_text("[data-testid=case-status]") == "已办结"
    timeline = dispatcher.inner_text("ol.timeline")
    for step in ("派单", "签收", "吹哨", "重办", "回访"):
        assert step in timeline
    dispatcher.set_viewport_size({"width": 1280, "height": 900})
    dispatcher.screenshot(path=str(SHOTS / "case-desktop.png"), full_page=True)

    # --- The ranking changes accordingly. -----------------------------------------------------------------
    dispatcher.goto(f"{url}/appeals/rates/")
    row = dept_row(dispatcher, cast.department.name)
    assert row.locator("[data-figure=response]").inner_text() == "100.0%"
    assert row.locator("[data-figure=resolution]").inner_text() == "100.0%"
    assert row.locator("[data-figure=satisfaction]").inner_text() == "100.0%"
    assert row.locator("[data-figure=composite]").inner_text() == "100.0"
    dispatcher.wait_for_selector("#chart-departments canvas")
    dispatcher.screenshot(path=str(SHOTS / "rates-desktop.png"), full_page=True)
    dispatcher.click(
        f"[data-testid=department-rates] tr[data-name='{cast.department.name}'] a[data-figure=satisfaction]"
    )
    assert "小区门口垃圾堆积" in dispatcher.inner_text("#worklist-table")

    # --- The resident's tracking page shows the answer. ---------------------------------------------------
    resident.goto(f"{url}/appeals/track/")
    assert "已办结" in resident.inner_text("[data-testid=track-status]")
    assert "已由我单位处理完毕" in resident.inner_text("[data-testid=track-answer]")
    resident.screenshot(path=str(SHOTS / "track-phone.png"), full_page=True)

    # Phone-sized shots of the case and ranking pages.
    phone = signed_in(browser, live_server, cast.worker_a, **PHONE)
    phone.goto(f"{url}/appeals/cases/{case_id}/")
    phone.screenshot(path=str(SHOTS / "case-phone.png"), full_page=True)
    phone.goto(f"{url}/appeals/rates/")
    phone.wait_for_selector("#chart-departments canvas")
    phone.screenshot(path=str(SHOTS / "rates-phone.png"), full_page=True)
    desktop = browser.new_context(**DESKTOP).new_page()
    desktop.goto(f"{url}/appeals/submit/")
    desktop.screenshot(path=str(SHOTS / "public-form-desktop.png"), full_page=True)


def test_an_administrator_adds_and_removes_a_routing_rule_on_a_phone(
    browser: Any, live_server: Any, cast: Any, ac: Any
) -> None:
    from gongzhi.appeals.models import RoutingRule

    cache.clear()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = signed_in(browser, live_server, cast.district_admin, **PHONE)
    page.goto(f"{live_server.url}/appeals/config/routing/")
    page.select_option("#id_category", str(ac.leaf.parent_id))
    page.select_option("#id_area", str(cast.district.pk))
    page.select_option("#id_lead_unit", str(cast.department.pk))
    page.get_by_role("button", name="添加规则").click()
    assert "派单规则已添加" in flash(page)
    rule = RoutingRule.objects.get()
    assert rule.lead_unit == cast.department and rule.category_id == ac.leaf.parent_id

    lead = page.locator(f"#rule-{rule.pk} td[data-label='主办单位']")
    assert lead.inner_text() == cast.department.name
    assert lead.bounding_box()["width"] > 300  # one card per rule on a phone, not columns of two characters
    page.screenshot(path=str(SHOTS / "routing-rules-phone.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())  # "确定删除这条派单规则吗？"
    page.locator(f"#rule-{rule.pk}").get_by_role("button", name="删除").click()
    assert "派单规则已删除" in flash(page)
    assert not RoutingRule.objects.filter(active=True).exists()
