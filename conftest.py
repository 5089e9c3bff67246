from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.test import override_settings

CHROMIUM = "/usr/bin/chromium"  # Debian's, never a downloaded browser
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]


@pytest.fixture(autouse=True)
def _fast_settings(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.AXES_ENABLED = True
    # Tests run inside a transaction that never commits: hooks (gongzhi.core.registry) run at once there.
    settings.GONGZHI_HOOKS_EAGER = True
    # Production shares the database cache between processes; tests need no table for it.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def _clear_process_caches():  # type: ignore[no-untyped-def]
    """Hot-path caches (gongzhi.lib.ttl) must not carry rows from one test's database into the next."""
    from gongzhi.lib.ttl import clear_all

    clear_all()
    yield
    clear_all()


@pytest.fixture
def cast(db):  # type: ignore[no-untyped-def]
    from gongzhi.test import make_cast

    _restore_seed_data()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        return make_cast()


def _restore_seed_data() -> None:
    """Transactional tests (browser, concurrency) flush the tables, seeded rows included: every app's seeds
    (`registry.seed`) put theirs back."""
    from gongzhi.core.registry import registry

    for _name, seed in registry.seeds():
        seed()


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Debian's Chromium, driven by Playwright; the test is skipped where it is not installed (make browser)."""
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make browser)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright runs an event loop in this thread; the ORM calls made by the test itself are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # While that loop runs, Django keeps the test's ORM calls on connections of their own (asgiref's
            # Local is per context then); close them here, or PostgreSQL refuses to drop the test database
            # at the end of the run ("is being accessed by other users").
            connections.close_all()
