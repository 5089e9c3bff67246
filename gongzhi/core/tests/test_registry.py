"""The registry: hooks run after the sender's transaction commits (never after a rollback), in order, each in its
own transaction, a failing subscriber logged and not raised; every app's stats answer for an area; the demo
builders run in their declared order; every navigation entry and URL include resolves."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from gongzhi.core.models import Area
from gongzhi.core.registry import Registry, registry


@pytest.fixture
def fresh(settings: Any) -> Registry:
    settings.GONGZHI_HOOKS_EAGER = False
    return Registry()


@pytest.mark.django_db(transaction=True)
def test_it_sends_a_hook_after_the_commit_in_order(fresh: Registry) -> None:
    seen: list[str] = []
    fresh.hook("x.happened", lambda **kw: seen.append(f"second {kw['n']}"), order=2)
    fresh.hook("x.happened", lambda **kw: seen.append(f"first {kw['n']}"), order=1)
    with transaction.atomic():
        fresh.send_on_commit("x.happened", n=1)
        assert seen == []  # not before the commit
    assert seen == ["first 1", "second 1"]


@pytest.mark.django_db(transaction=True)
def test_it_sends_nothing_after_a_rollback(fresh: Registry) -> None:
    seen: list[int] = []
    fresh.hook("x.happened", lambda **kw: seen.append(kw["n"]))
    with pytest.raises(RuntimeError), transaction.atomic():
        fresh.send_on_commit("x.happened", n=1)
        raise RuntimeError("the sender failed")
    assert seen == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_is_logged_and_the_others_still_run(fresh: Registry, caplog: Any) -> None:
    seen: list[int] = []

    def broken(**kw: Any) -> None:
        Area.objects.create(name="不该留下", level="city", path="/x/")
        raise ValueError("boom")

    fresh.hook("x.happened", broken, order=1)
    fresh.hook("x.happened", lambda **kw: seen.append(kw["n"]), order=2)
    with caplog.at_level(logging.ERROR, logger="gongzhi.registry"), transaction.atomic():
        fresh.send_on_commit("x.happened", n=7)
    assert seen == [7]
    assert not Area.objects.filter(name="不该留下").exists()  # its own transaction was rolled back
    assert "boom" in caplog.text or "failed" in caplog.text


@pytest.mark.django_db
def test_the_eager_mode_of_the_test_suite_raises(settings: Any) -> None:
    local = Registry()
    settings.GONGZHI_HOOKS_EAGER = True

    def broken(**kw: Any) -> None:
        raise ValueError("boom")

    local.hook("x.happened", broken)
    with pytest.raises(ValueError):
        local.send_on_commit("x.happened")


def test_it_keeps_one_subscriber_once() -> None:
    local = Registry()

    def fn(**kw: Any) -> None:
        return None

    local.hook("x", fn)
    local.hook("x", fn)
    assert local.hooks("x") == [fn]


def test_every_stat_answers_for_an_area(cast: Any) -> None:
    assert {"appeals.open_cases", "appeals.overdue_cases", "lists.open_demands"} <= set(registry.stats)
    for stat in registry.stats.values():
        value = stat.fn(cast.city)
        assert isinstance(value, (int, float)) and value >= 0, stat.key
        assert str(stat.label)


def test_the_demo_builders_run_in_their_declared_order() -> None:
    names = [name for name, _fn in registry.demo_builders()]
    assert names.index("appeals") < names.index("intelligence")


def test_every_navigation_entry_and_url_include_resolves() -> None:
    for entry in registry.nav_entries:
        try:
            reverse(entry.url_name)
        except NoReverseMatch:  # pragma: no cover - reported below
            pytest.fail(f"navigation entry {entry.key} names an unknown page {entry.url_name}")
    prefixes = {item.prefix for item in registry.url_includes}
    assert {"appeals/", "intelligence/", "lists/"} <= prefixes
    assert {"/core/", "/appeals/", "/intelligence/"} <= {r.prefix for r in registry.api_routers}
