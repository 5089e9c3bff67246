from __future__ import annotations

import importlib

import pytest
from django.test import override_settings


@pytest.fixture(autouse=True)
def _fast_settings(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.AXES_ENABLED = True
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
    """Transactional tests (browser, concurrency) flush the tables, seeded rows included: put them back."""
    from django.apps import apps

    from gongzhi.appeals.models import Category

    if not Category.objects.exists():
        importlib.import_module("gongzhi.appeals.migrations.0002_seed_defaults").seed(apps, None)
