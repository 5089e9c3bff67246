"""Roster import and export benchmark, through the real background worker (django-tasks database backend).

    .venv/bin/python bench/import_rosters.py --rows 10000
    .venv/bin/python bench/import_rosters.py --rows 50000 --database-url postgres://postgres@127.0.0.1:5432/gongzhi_bench

Builds a fresh database (SQLite in a temporary directory unless --database-url is given) with the test
cast, writes an .xlsx of N residents, creates an ImportJob as worker_a, enqueues `run_import_job`,
runs `gongzhi worker --once` in a separate process and polls the job's progress from this one (as the
job page does), then exports the roster masked. The very last line is:
rows=N import_s=N progress_updates_seen=N export_s=N
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="gongzhi-bench-rosters-"))
    env = {**os.environ, "GONGZHI_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
           "TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "LOG_LEVEL": "WARNING",
           "PYTHONPATH": str(ROOT)}  # this checkout, whatever the editable install points at
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # the worker refuses the built-in key outside DEBUG
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    os.environ.update(env)
    gongzhi = str(ROOT / ".venv" / "bin" / "gongzhi")
    subprocess.run([gongzhi, "migrate", "--noinput", "-v", "0"], check=True, env=env)

    import django

    django.setup()
    from openpyxl import Workbook

    from gongzhi.core.exports import export_roster
    from gongzhi.core.models import ImportJob, User
    from gongzhi.core.roster_import import do_create_import_job
    from gongzhi.core.rosters import SPECS
    from gongzhi.core.tasks import run_import_job
    from gongzhi.lib.validators import id_check_digit
    from gongzhi.test import make_cast

    cast = make_cast() if not User.objects.filter(username="worker_a").exists() else None
    worker = User.objects.get(username="worker_a")
    scope = cast.community_a if cast else worker.grants.get().area
    building = "示范市/东城区/和平街道/和平里社区/和平小区/和平小区第一网格/1号楼"

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("居民名册")
    ws.append(SPECS["residents"].headers)
    for i in range(args.rows):
        day = i // 1000  # a different birth date every 1000 rows, sequence number i % 1000
        first17 = f"110101{1940 + day // 336}{day // 28 % 12 + 1:02d}{day % 28 + 1:02d}{i % 1000:03d}"
        ws.append([f"居民{i}", "", "", f"13{i:09d}", first17 + id_check_digit(first17), building,
                   f"{i // 40 + 1}-{i % 40 + 1}", f"和平小区1号楼{i}"])
    content = io.BytesIO()
    wb.save(content)
    content.seek(0)

    start = time.perf_counter()
    job = do_create_import_job(acting_user=worker, kind="residents", scope_area=scope, upload=content,
                               name="bench.xlsx", size=len(content.getvalue()))
    run_import_job.enqueue(job.pk)
    process = subprocess.Popen([gongzhi, "worker", "--once"], env=env)
    seen: set[int] = set()
    while process.poll() is None:
        job.refresh_from_db()
        seen.add(job.processed_rows)
        print(f"{job.get_status_display()} {job.processed_rows}/{job.total_rows} {job.message}", flush=True)
        time.sleep(0.5)
    elapsed = time.perf_counter() - start
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, (job.message, job.errors[:5])
    assert job.processed_rows == job.total_rows == job.created_rows == args.rows

    start = time.perf_counter()
    export = export_roster(worker, "residents")
    export_s = time.perf_counter() - start
    print(f"exported {export.count} rows")
    print(f"rows={args.rows} import_s={elapsed:.1f} progress_updates_seen={len(seen)} export_s={export_s:.1f}")


if __name__ == "__main__":
    main()
