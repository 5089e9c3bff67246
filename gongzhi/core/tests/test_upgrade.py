"""Upgrades: the previous release's demo city (built by that release's own code, `bench/build_upgrade_fixture.py`)
migrated to today's schema by `gongzhi migrate`, on the suite's engine (CI: PostgreSQL), keeps its data: every row
that moved between apps in the platform restructuring is found in its new table with the same values, nothing is
lost, and the migrated city's pages open.

The database is a scratch copy of the fixture, never the test database; the servers are real `manage.py` runs."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
DATA = Path(__file__).resolve().parent / "data"

# Counts in the previous release's tables, and where the same rows are after migrating.
BEFORE = {
    "notifications": "select count(*) from appeals_notification",
    "api_keys": "select count(*) from appeals_apikey",
    "stored_suggestions": "select count(*) from appeals_appeal where suggestion_version is not null",
    "auto_dispatch_configs": "select count(*) from appeals_autodispatchconfig",
    "auto_dispatched_cases": "select count(*) from appeals_case where auto_dispatched",
    "subdistricts": "select count(*) from core_area where level = 'subdistrict'",
    "appeals": "select count(*) from appeals_appeal",
    "cases": "select count(*) from appeals_case",
    "residents": "select count(*) from core_resident",
    "audit_events": "select count(*) from core_auditevent",
}
AFTER = {
    "notifications": "select count(*) from core_notification",
    "api_keys": "select count(*) from core_apikey",
    "stored_suggestions": "select count(*) from intelligence_appealsuggestion where version is not null",
    "auto_dispatch_configs": "select count(*) from intelligence_autodispatchconfig",
    "auto_dispatched_cases": "select count(*) from appeals_case where auto_dispatched",
    "subdistricts": "select count(*) from appeals_subdistrictoffice",
    "appeals": "select count(*) from appeals_appeal",
    "cases": "select count(*) from appeals_case",
    "residents": "select count(*) from core_resident",
    "audit_events": "select count(*) from core_auditevent where verb not like 'appeals.subdistrict_office%'",
}
SUGGESTIONS_BEFORE = ("select id, suggested_category_id, suggestion_confidence, suggestion_version from appeals_appeal"
                      " where suggestion_version is not null order by id")
SUGGESTIONS_AFTER = ("select appeal_id, category_id, confidence, version from intelligence_appealsuggestion"
                     " order by appeal_id")
LINKS_AFTER = ("select l.kind, l.from_id, l.to_id from core_link l order by l.kind, l.from_id, l.to_id")

PAGES_SCRIPT = r'''
import json
from django.test import Client
from django.test.utils import override_settings
from gongzhi.appeals.models import Case
from gongzhi.core.models import User
from gongzhi.lists.models import Demand
client = Client()
client.force_login(User.objects.get(username="city_admin"))
pages = ["/", "/appeals/", "/notifications/", "/intelligence/hot/", "/intelligence/classifier/", "/lists/demands/",
         "/residents/"]
case = Case.objects.filter(auto_dispatched=True).order_by("pk").first()
pages.append(f"/appeals/cases/{case.pk}/")
pages.append(f"/lists/demands/{Demand.objects.order_by('pk').first().pk}/")
plain = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=plain):
    print("PAGES " + json.dumps({url: client.get(url).status_code for url in pages}))
'''


class Scratch:
    """A copy of the fixture in a database of its own, queried with plain DB-API connections."""

    def __init__(self, vendor: str, tmp: Path) -> None:
        self.vendor = vendor
        if vendor == "postgresql":
            db = connection.settings_dict
            self.pg = {"host": db.get("HOST") or "127.0.0.1", "port": str(db.get("PORT") or 5432),
                       "user": db.get("USER") or "postgres", "password": db.get("PASSWORD") or ""}
            self.name = f"gz_upgrade_{os.getpid()}"
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
            self._admin(f'CREATE DATABASE "{self.name}"')
            env = {**os.environ, "PGPASSWORD": self.pg["password"]}
            subprocess.run(["pg_restore", "-h", self.pg["host"], "-p", self.pg["port"], "-U", self.pg["user"],
                            "--no-owner", "--no-privileges", "-d", self.name, str(DATA / "previous_release.pgdump")],
                           check=True, env=env, capture_output=True)
            auth = f"{self.pg['user']}:{self.pg['password']}@" if self.pg["password"] else f"{self.pg['user']}@"
            self.url = f"postgres://{auth}{self.pg['host']}:{self.pg['port']}/{self.name}"
        else:
            self.path = tmp / "previous.sqlite3"
            with gzip.open(DATA / "previous_release.sqlite3.gz", "rb") as src, self.path.open("wb") as out:
                shutil.copyfileobj(src, out)
            self.url = f"sqlite:///{self.path}"

    def _conninfo(self, dbname: str) -> str:
        from psycopg.conninfo import make_conninfo

        return make_conninfo(dbname=dbname, **{k: v for k, v in self.pg.items() if v})

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self._conninfo("postgres"), autocommit=True) as c:
            c.execute(sql)  # type: ignore[arg-type]

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.vendor == "postgresql":
            import psycopg

            with psycopg.connect(self._conninfo(self.name)) as c:
                return [tuple(r) for r in c.execute(sql).fetchall()]  # type: ignore[arg-type]
        with sqlite3.connect(self.path) as c:
            return [tuple(r) for r in c.execute(sql).fetchall()]

    def count(self, sql: str) -> int:
        return int(self.rows(sql)[0][0])

    def json_list(self, value: Any) -> list[int]:
        return sorted(value if isinstance(value, list) else json.loads(value))

    def manage(self, *argv: str, tmp: Path) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DATABASE_URL": self.url, "GONGZHI_VAR_DIR": str(tmp / "var"), "LOG_LEVEL": "WARNING",
               "DJANGO_SETTINGS_MODULE": "gongzhi.settings", "SMS_BACKEND": "none"}
        result = subprocess.run([sys.executable, "manage.py", *argv], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        return result

    def drop(self) -> None:
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def previous(tmp_path: Path) -> Iterator[Scratch]:
    scratch = Scratch(connection.vendor, tmp_path)
    try:
        yield scratch
    finally:
        scratch.drop()


def test_the_previous_release_migrates_without_losing_anything(previous: Scratch, tmp_path: Path) -> None:
    before = {name: previous.count(sql) for name, sql in BEFORE.items()}
    suggestions = previous.rows(SUGGESTIONS_BEFORE)
    demands = {pk: previous.json_list(ids) for pk, ids in previous.rows("select id, appeal_ids from lists_demand")}
    themes = {pk: previous.json_list(ids)
              for pk, ids in previous.rows("select id, appeal_ids from lists_monthlytheme")}
    # The fixture holds every kind of row that moves (else the test would prove nothing).
    assert all(before[name] > 0 for name in before), before
    assert demands and themes and all(demands.values()) and all(themes.values())

    previous.manage("migrate", "--noinput", tmp=tmp_path)
    previous.manage("migrate", "--check", tmp=tmp_path)  # nothing left unapplied

    after = {name: previous.count(sql) for name, sql in AFTER.items()}
    assert after == before
    assert previous.rows(SUGGESTIONS_AFTER) == suggestions
    links = previous.rows(LINKS_AFTER)
    assert {pk: sorted(t for k, f, t in links if k == "lists.demand_appeal" and f == pk) for pk in demands} == demands
    assert {pk: sorted(t for k, f, t in links if k == "lists.theme_appeal" and f == pk) for pk in themes} == themes

    pages = previous.manage("shell", "-c", PAGES_SCRIPT, tmp=tmp_path).stdout
    statuses = json.loads(pages.split("PAGES ", 1)[1])
    assert statuses and set(statuses.values()) == {200}, statuses
