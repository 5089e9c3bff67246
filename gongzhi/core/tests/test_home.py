"""The home page's tasks (registry.task) and the navigation shell: on a phone each role's main work stays on the
bar and the rest goes behind the 更多 menu; the unread count shows in the menu on every page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gongzhi.core.navigation import PHONE_MAIN, navigation_for
from gongzhi.core.notifications import notify
from gongzhi.core.registry import Registry, Task

pytestmark = pytest.mark.django_db


def test_it_collects_the_tasks_of_every_registration_in_order() -> None:
    fresh = Registry()
    fresh.task("b", lambda user: [Task("b.one", "B", 2, "/b/")], order=2)
    fresh.task("a", lambda user: [Task("a.one", "A", 0, "/a/"), Task("a.two", "A2", 1, "/a2/", "overdue")], order=1)
    fresh.task("a", lambda user: [Task("a.again", "A", 9, "/")], order=0)  # a name registers once
    assert [(t.key, t.count) for t in fresh.tasks(None)] == [("a.one", 0), ("a.two", 1), ("b.one", 2)]


def test_the_phone_bar_keeps_each_roles_main_work_and_the_rest_goes_behind_the_menu(cast: Any) -> None:
    items = navigation_for(cast.handler)
    main = [i["key"] for i in items if i["main"]]
    assert main == ["home", "appeals", "whistles", "notifications"]
    assert len(main) == PHONE_MAIN
    assert {"areas", "appeal_rates"} <= {i["key"] for i in items if not i["main"]}
    assert [i["key"] for i in navigation_for(cast.worker_a) if i["main"]] == [
        "home", "appeals", "whistles", "notifications"]
    # A member unit's liaison keeps the project list (claim, sign, progress) on the bar, after its cases.
    assert [i["key"] for i in navigation_for(cast.liaison) if i["main"]] == ["home", "appeals", "whistles", "projects"]
    # A resident keeps the appeals on the bar; service, shared places (rooms and services to book) and the areas
    # go behind the menu.
    resident = navigation_for(cast.resident_user)
    assert [i["key"] for i in resident if i["main"]] == ["home", "appeal_submit", "my_appeals", "notifications"]
    assert {i["key"] for i in resident if not i["main"]} == {"areas", "service", "venues"}
    # Service is the main work of party members and volunteers: it stays on their bar.
    assert "service" in [i["key"] for i in navigation_for(cast.party_member_user) if i["main"]]
    assert "service" in [i["key"] for i in navigation_for(cast.volunteer) if i["main"]]


def test_the_page_has_the_menu_for_a_phone_and_every_entry_for_a_wide_screen(cast: Any, client: Any) -> None:
    client.force_login(cast.handler)
    page = client.get(reverse("core:area_tree")).content.decode()
    nav = page[page.index('class="main-nav"'):page.index("</nav>", page.index('class="main-nav"'))]
    assert nav.count(">接诉即办<") == 1  # main: once, on the bar
    assert nav.count(">区域<") == 2  # behind the menu on a phone, on the bar (class nav-extra) on a wide screen
    assert '<li class="nav-extra"><a href="/areas/" aria-current="page" class="current">区域</a></li>' in nav
    menu = nav[nav.index("<details data-nav-menu>"):]
    assert '<summary class="current">更多</summary>' in menu  # the current page is behind the menu
    assert 'href="/areas/"' in menu and "接诉即办" not in menu
    client.force_login(cast.resident_user)
    resident_nav = client.get(reverse("core:home")).content.decode()
    assert 'href="/service/"' in resident_nav[resident_nav.index("<details data-nav-menu>"):]


def test_the_unread_count_shows_in_the_menu_on_every_page(cast: Any, client: Any) -> None:
    client.force_login(cast.worker_a)
    assert 'data-testid="unread-badge"' not in client.get(reverse("core:area_tree")).content.decode()
    notify([cast.worker_a, cast.worker_b], "core.test", "新的工单", "/")
    notify([cast.worker_a], "core.test", "又一条", "/")
    for url in (reverse("core:area_tree"), reverse("core:home"), reverse("appeals:worklists")):
        page = client.get(url).content.decode()
        assert 'data-testid="unread-badge" title="2 条未读">2</span>' in page, url
    home = client.get(reverse("core:home")).content.decode()
    assert 'href="/notifications/?unread=1" data-task="core.unread_notifications"' in home
    client.post(reverse("core:notifications_read_all"))
    assert 'data-testid="unread-badge"' not in client.get(reverse("core:area_tree")).content.decode()
