from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connections, transaction
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


# --- One demo city per test process -------------------------------------------------------------------------------
# Building the demo city takes 15-40 s. Every demo test module used to build its own; now the first test that needs
# it (through the `demo_city` fixture) builds it inside a transaction that stays open while the following tests use
# it, each in a savepoint of its own as usual, and is rolled back as soon as the next test does not need it. The
# tests that need it run first (pytest_collection_modifyitems), so each process builds it about once. A test that
# changes the city changes it only inside its own savepoint.


@dataclass(frozen=True)
class DemoCity:
    output: str  # what `gongzhi demo` printed


class _SharedDemo:
    def __init__(self) -> None:
        self.city: DemoCity | None = None
        self._atomic: Any = None
        self._blocker: Any = None
        self._media: Any = None

    def open(self, blocker: Any, media_root: str) -> DemoCity:
        from django.conf import settings
        from django.core.management import call_command

        blocker.unblock()
        self._blocker, self._media = blocker, settings.MEDIA_ROOT
        settings.MEDIA_ROOT = media_root  # the demo's photos and files go to a scratch directory
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        try:
            out = io.StringIO()
            call_command("demo", stdout=out)
        except BaseException:
            self.close()
            raise
        self.city = DemoCity(output=out.getvalue())
        return self.city

    def close(self) -> None:
        from django.conf import settings

        if self._atomic is None:
            return
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        self._atomic, self.city = None, None
        settings.MEDIA_ROOT = self._media
        self._blocker.restore()


_shared_demo = _SharedDemo()


@pytest.fixture(scope="module")
def demo_city(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> DemoCity:
    """The demo city (`gongzhi demo`), shared by consecutive tests; it is rolled back after the last of them."""
    return _shared_demo.city or _shared_demo.open(django_db_blocker, str(tmp_path_factory.mktemp("demo-media")))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    yield  # the test's own fixtures are torn down first (its savepoint is rolled back)
    if _shared_demo.city is not None and (nextitem is None or "demo_city" not in getattr(nextitem, "fixturenames", ())):
        _shared_demo.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests on the demo city first, together, so that one build serves them all."""
    items.sort(key=lambda item: "demo_city" not in getattr(item, "fixturenames", ()))
