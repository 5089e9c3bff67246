"""On a phone, a department handler signs in and reaches the case waiting for them from the home page in one tap;
the bar keeps 接诉即办 and the unread count in view, the other entries open from 更多."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.test import PASSWORD, PHONE, SHOTS

from .conftest import dispatched

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_handler_reaches_the_case_waiting_for_them_in_one_tap(browser: Any, live_server: Any, cast: Any,
                                                                 ac: Any) -> None:
    from playwright.sync_api import expect

    case = dispatched(cast, ac, title="小区门口垃圾堆积")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_context(**PHONE).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("handler")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    tasks = page.get_by_test_id("tasks")
    expect(tasks).to_be_visible()
    to_accept = tasks.locator("[data-task='appeals.to_accept']")
    expect(to_accept).to_contain_text("1")
    expect(to_accept).to_contain_text("待签收")
    box = to_accept.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844, "the task is below the first screen"
    # The bar: the main work and the unread count in view, nothing scrolled off to the side.
    nav = page.locator(".main-nav")
    for label in ("首页", "接诉即办", "吹哨报到", "更多"):
        item = nav.get_by_text(label, exact=True)
        expect(item).to_be_visible()
        item_box = item.bounding_box()
        assert item_box is not None and item_box["x"] + item_box["width"] <= 390, label
    expect(nav.get_by_test_id("unread-badge")).to_have_text("1")  # dispatch told the department
    page.screenshot(path=str(SHOTS / "home-handler-390.png"), full_page=True)
    nav.locator("summary").click()
    expect(nav.get_by_role("link", name="区域", exact=True)).to_be_visible()
    page.screenshot(path=str(SHOTS / "home-handler-menu-390.png"))
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="区域", exact=True)).to_be_hidden()

    to_accept.click()  # one tap
    expect(page).to_have_url(f"{live_server.url}/appeals/cases/{case.pk}/")
    expect(page.locator("h1")).to_have_text("小区门口垃圾堆积")
    expect(page.get_by_role("button", name="签收")).to_be_visible()
    assert errors == []
