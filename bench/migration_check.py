"""Does existing data survive the migrations? Restores a pg_dump made with an older release's demo city (see
`bench/previous_demo_extras.py`) into a scratch PostgreSQL database, counts the rows that move between apps,
migrates with this release, counts them again in their new tables, and prints both. Exits 1 on a loss.

    python bench/migration_check.py --dump /tmp/olddemo.dump [--database migcheck]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = ["-h", "127.0.0.1", "-U", "postgres"]

BEFORE = {
    "notifications": "select count(*) from appeals_notification",
    "api_keys": "select count(*) from appeals_apikey",
    "stored_suggestions": "select count(*) from appeals_appeal where suggestion_version is not null",
    "auto_dispatch_configs": "select count(*) from appeals_autodispatchconfig",
    "auto_dispatched_cases": "select count(*) from appeals_case where auto_dispatched",
    "demand_appeal_links": "select coalesce(sum(jsonb_array_length(appeal_ids::jsonb)), 0) from lists_demand",
    "theme_appeal_links": "select coalesce(sum(jsonb_array_length(appeal_ids::jsonb)), 0) from lists_monthlytheme",
    "subdistricts": "select count(*) from core_area where level = 'subdistrict'",
    "appeals": "select count(*) from appeals_appeal",
    "cases": "select count(*) from appeals_case",
}


def sql(database: str, query: str) -> str:
    return subprocess.run(["psql", *PG, "-d", database, "-tAc", query], check=True, capture_output=True,
                          text=True).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dump", required=True)
    parser.add_argument("--database", default="migcheck")
    args = parser.parse_args()
    db = args.database
    subprocess.run(["psql", *PG, "-qc", f'drop database if exists "{db}"'], check=True)
    subprocess.run(["psql", *PG, "-qc", f'create database "{db}"'], check=True)
    subprocess.run(["pg_restore", *PG, "-d", db, "--no-owner", args.dump], check=True)
    before = {name: int(sql(db, q)) for name, q in BEFORE.items()}
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}", "LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from gongzhi.appeals.models import Appeal, Case, SubdistrictOffice
    from gongzhi.core.models import ApiKey, Link, Notification
    from gongzhi.intelligence.models import AppealSuggestion, AutoDispatchConfig
    from gongzhi.lists.models import Demand, MonthlyTheme

    after = {
        "notifications": Notification.objects.count(),
        "api_keys": ApiKey.objects.count(),
        "stored_suggestions": AppealSuggestion.objects.exclude(version=None).count(),
        "auto_dispatch_configs": AutoDispatchConfig.objects.count(),
        "auto_dispatched_cases": Case.objects.filter(auto_dispatched=True).count(),
        "demand_appeal_links": sum(len(d.appeal_ids) for d in Demand.objects.all()),
        "theme_appeal_links": sum(len(t.appeal_ids) for t in MonthlyTheme.objects.all()),
        "subdistricts": SubdistrictOffice.objects.count(),
        "appeals": Appeal.objects.count(),
        "cases": Case.objects.count(),
    }
    lost = False
    print(f"{'rows':24} {'before':>8} {'after':>8}")
    for name in BEFORE:
        ok = after[name] == before[name]
        lost |= not ok
        print(f"{name:24} {before[name]:>8} {after[name]:>8} {'' if ok else 'LOST'}")
    print(f"links_total={Link.objects.count()}")
    # The migrated rows show on the pages: the city admin opens an auto-dispatched case (its suggestion), the
    # notifications page, the demand with its linked appeals and the classifier page.
    from django.test import Client
    from django.test.utils import override_settings

    from gongzhi.core.models import User

    client = Client()
    client.force_login(User.objects.get(username="city_admin"))
    case = Case.objects.filter(auto_dispatched=True).order_by("pk").first()
    demand = Demand.objects.order_by("pk").first()
    pages = ["/", "/appeals/", "/notifications/", "/intelligence/hot/", "/intelligence/classifier/", "/lists/demands/"]
    if case is not None:
        pages.append(f"/appeals/cases/{case.pk}/")
    if demand is not None:
        pages.append(f"/lists/demands/{demand.pk}/")
    plain_static = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(ALLOWED_HOSTS=["testserver"], STORAGES=plain_static):
        for url in pages:
            status = client.get(url).status_code
            lost |= status != 200
            print(f"page {url} {status}")
    return 1 if lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
