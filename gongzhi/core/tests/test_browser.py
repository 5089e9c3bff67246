"""A community worker walks through the organization pages in Chromium (Debian's, never a downloaded one)."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.test import PASSWORD, SHOTS, Cast

pytestmark = pytest.mark.django_db(transaction=True)



def test_it_lets_a_community_worker_browse_down_to_a_resident(
    cast: Cast, live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # Log in through the form.
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator(".brand-name")).to_have_text("共治")
    page.screenshot(path=str(SHOTS / "login-390.png"), full_page=True)
    page.get_by_label("用户名").fill("worker_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="您好，和平里社工")).to_be_visible()
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load from the static files"

    # The area tree starts at the worker's community; open it down to the building, lazily with htmx.
    # On a phone 区域 sits behind the menu (更多); the worker's main work (接诉即办) stays on the bar.
    expect(page.locator(".main-nav").get_by_role("link", name="接诉即办")).to_be_visible()
    expect(page.get_by_role("link", name="区域", exact=True)).to_be_hidden()
    page.locator(".nav-menu summary").click()
    page.get_by_role("link", name="区域", exact=True).click()
    tree = page.locator("#area-tree")
    expect(tree.get_by_role("link", name="和平里社区")).to_be_visible()
    for area in (cast.community_a, cast.estate_a, cast.grid_a):
        page.get_by_test_id(f"expand-{area.pk}").click()
        expect(page.get_by_test_id(f"expand-{area.pk}")).to_have_attribute("aria-expanded", "true")
    expect(tree.get_by_role("link", name="1号楼")).to_be_visible()
    # Closing and reopening does not fetch again.
    page.get_by_test_id(f"expand-{cast.community_a.pk}").click()
    expect(tree.get_by_role("link", name="和平小区", exact=True)).to_be_hidden()
    page.get_by_test_id(f"expand-{cast.community_a.pk}").click()
    expect(tree.get_by_role("link", name="和平小区", exact=True)).to_be_visible()
    page.screenshot(path=str(SHOTS / "area-tree-390.png"), full_page=True)
    # Typing in the search box swaps in the matches (htmx), only from the worker's scope.
    page.get_by_label("按名称查找区域").fill("号楼")
    expect(tree).to_contain_text("有 1 个区域与“号楼”匹配")
    expect(tree.get_by_role("link", name="1号楼")).to_be_visible()
    expect(tree).not_to_contain_text("2号楼")

    # The building's page, then its residents: masked.
    tree.get_by_role("link", name="1号楼").click()
    expect(page.get_by_role("heading", name="1号楼")).to_be_visible()
    expect(page.locator(".breadcrumb")).to_contain_text("和平里社区")
    page.screenshot(path=str(SHOTS / "area-building-390.png"), full_page=True)
    page.get_by_role("link", name="1号楼的居民").click()
    page.get_by_role("link", name="张桂兰").click()
    pii = page.locator("#pii")
    expect(pii).to_contain_text("138****8000")
    expect(pii).not_to_contain_text("13800138000")
    page.screenshot(path=str(SHOTS / "resident-masked-390.png"), full_page=True)

    # Reveal with htmx (POST with the CSRF header from <body hx-headers>).
    page.get_by_role("button", name="显示完整信息").click()
    expect(pii).to_contain_text("13800138000")
    expect(pii).to_contain_text("已记入审计日志")

    # The community page on a phone.
    page.goto(f"{live_server.url}/areas/{cast.community_a.pk}/")
    expect(page.get_by_role("heading", name="和平里社区")).to_be_visible()
    page.screenshot(path=str(SHOTS / "area-community-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SHOTS / "area-community-1280.png"), full_page=True)

    # Another community is out of scope: 404.
    response = page.goto(f"{live_server.url}/areas/{cast.community_b.pk}/")
    assert response is not None and response.status == 404
    assert errors == []
