"""Appeal intake and worklist benchmark over HTTP against gunicorn on PostgreSQL.

    .venv/bin/python bench/intake.py --database-url postgres://postgres@127.0.0.1:5432/gongzhi_bench \
        --duration 30 --cases 1000000

Seeds the database once (the demo city, then N cases spread over its buildings, statuses and
deadlines) and reuses it on later runs. Starts `gongzhi serve` with several gunicorn workers, then
drives POST /api/appeals/submit from concurrent keep-alive clients for --duration seconds, then
opens worklists (GET /api/appeals/worklists/<name>) as a subdistrict dispatcher. The very last line
is: appeals_per_s=N p95_ms=N worklist_p95_ms=N
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()


def seed(cases: int) -> dict[str, str]:
    """Make the database ready; return API keys for the submitting and the dispatching user."""
    from django.core.management import call_command
    from django.utils import timezone

    from gongzhi.appeals.models import Case, Category
    from gongzhi.core.models import ApiKey, Area, Grant, Role, Unit, User

    call_command("migrate", verbosity=0, interactive=False)
    if not Area.objects.exists():
        print("seeding the demo city …", flush=True)
        call_command("demo", verbosity=0)
    existing = Case.objects.count()
    if existing < cases:
        print(f"seeding {cases - existing} cases (have {existing}) …", flush=True)
        rng = random.Random(7)
        buildings = list(Area.objects.filter(level="building").values_list("id", "path"))
        path_to_sub = {a.path: a for a in Area.objects.filter(level="subdistrict")}
        leaves = list(Category.objects.filter(children__isnull=True).values_list("id", flat=True))
        departments = list(Unit.objects.filter(kind="department").values_list("id", flat=True))
        statuses = ["pending_dispatch"] * 2 + ["dispatched"] * 2 + ["in_progress"] * 3 + ["replied"] * 1 + ["closed"] * 2
        now = timezone.now()
        batch: list[Case] = []
        started = time.perf_counter()
        for i in range(existing, cases):
            building_id, path = rng.choice(buildings)
            sub = next(a for p, a in path_to_sub.items() if path.startswith(p))
            status = rng.choice(statuses)
            created = now - timedelta(minutes=rng.randint(1, 60 * 24 * 180))
            dispatched = status != "pending_dispatch"
            due = created + timedelta(days=rng.choice([1, 7, 15])) if dispatched else None
            batch.append(Case(
                title=f"基准工单{i}", status=status, appeal_type="help",
                category_id=rng.choice(leaves) if dispatched else None, area_id=building_id, area_path=path,
                subdistrict=sub, supervising_area=sub, lead_unit_id=rng.choice(departments) if dispatched else None,
                dispatched_at=created if dispatched else None, due_at=due,
                remind_at=due - timedelta(hours=24) if due else None,
                accept_deadline=created + timedelta(hours=2) if dispatched else None,
                created_at=created,
            ))
            if len(batch) == 10000:
                Case.objects.bulk_create(batch)
                batch.clear()
                done = i + 1 - existing
                rate = done / (time.perf_counter() - started)
                print(f"  {i + 1}/{cases} cases ({rate:.0f}/s)", flush=True)
        if batch:
            Case.objects.bulk_create(batch)

    from django.db import connection

    if connection.vendor == "postgresql":
        # Fresh planner statistics for what earlier runs added (a PostgreSQL with autovacuum off, as on
        # the developers' machines, would otherwise plan with the row counts of the first seeding).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    from gongzhi.intelligence.models import ClassifierVersion

    train_csv = ROOT.parent / "shared" / "data" / "messages" / "train.csv"
    if not ClassifierVersion.objects.filter(is_active=True).exists() and train_csv.exists():
        print("training the category classifier (suggestions run inside every intake request) …", flush=True)
        call_command("classifier", "train", "--file", str(train_csv), verbosity=0)

    def key_for(username: str, role: str, area: Area) -> str:
        user, _ = User.objects.get_or_create(username=username, defaults={"display_name": username})
        Grant.objects.get_or_create(user=user, role=role, area=area, unit=None)
        ApiKey.objects.filter(user=user, name="bench").delete()
        return ApiKey.issue(user=user, name="bench")[1]

    subdistrict = Area.objects.filter(level="subdistrict").order_by("path").first()
    assert subdistrict is not None
    return {
        "submit": key_for("bench_hotline", Role.SUBDISTRICT_STAFF, subdistrict),
        "dispatch": key_for("bench_dispatcher", Role.SUBDISTRICT_STAFF, subdistrict),
        "area_ids": json.dumps(list(
            Area.objects.filter(path__startswith=subdistrict.path, level="building").values_list("id", flat=True)[:200]
        )),
    }


def start_server(database_url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "DEBUG": "false"}
    gongzhi = str(ROOT / ".venv" / "bin" / "gongzhi")
    subprocess.run([gongzhi, "collectstatic", "--noinput", "-v", "0"], env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "gongzhi.wsgi:application", "--config", "python:gongzhi.gunicorn_conf",
         "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "gthread", "--threads", "4",
         "--log-level", "warning", "--keep-alive", "30"],
        env=env, cwd=ROOT,
    )
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start")


def drive(port: int, duration: float, concurrency: int, make_request) -> tuple[list[float], int, float]:  # type: ignore[no-untyped-def]
    """Run `make_request(conn, i)` from `concurrency` threads for `duration` seconds; latencies in ms."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def client(thread_no: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local: list[float] = []
        i = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                ok = make_request(conn, thread_no * 10_000_000 + i)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            if ok:
                local.append(elapsed)
            else:
                with lock:
                    errors[0] += 1
            i += 1
        with lock:
            latencies.extend(local)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0], time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/gongzhi_bench")
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="gunicorn worker processes (default: one per core, like `gongzhi serve`)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    setup_django(args.database_url)
    keys = seed(args.cases)
    area_ids = json.loads(keys["area_ids"])
    server = start_server(args.database_url, args.port, args.workers)
    try:
        run_id = f"{os.getpid()}-{int(time.time())}"

        def submit(conn: http.client.HTTPConnection, i: int) -> bool:
            body = json.dumps({
                "title": "小区路灯不亮", "body": f"楼下路灯坏了好几天，晚上出行不便，请尽快维修。编号{i}",
                "callback_phone": f"100{i % 100_000_000:08d}", "callback_name": "基准", "appeal_type": "help",
                "channel": "api", "area_id": area_ids[i % len(area_ids)],
            })
            conn.request("POST", "/api/appeals/submit", body=body, headers={
                "Content-Type": "application/json", "X-API-Key": keys["submit"], "Idempotency-Key": f"{run_id}-{i}",
            })
            response = conn.getresponse()
            response.read()
            return response.status == 201

        print(f"submitting appeals for {args.duration:.0f} s with {args.concurrency} clients …", flush=True)
        lat, errors, elapsed = drive(args.port, args.duration, args.concurrency, submit)
        appeals_per_s = len(lat) / elapsed
        print(f"appeals: {len(lat)} in {elapsed:.1f} s = {appeals_per_s:.0f}/s, errors {errors}; "
              f"p50 {percentile(lat, 50):.1f} ms, p95 {percentile(lat, 95):.1f} ms, p99 {percentile(lat, 99):.1f} ms")

        names = ["pending_dispatch", "in_progress", "overdue", "due_soon", "to_follow_up"]

        def open_worklist(conn: http.client.HTTPConnection, i: int) -> bool:
            conn.request("GET", f"/api/appeals/worklists/{names[i % len(names)]}?limit=50",
                         headers={"X-API-Key": keys["dispatch"]})
            response = conn.getresponse()
            response.read()
            return response.status == 200

        from gongzhi.appeals.models import Case
        from gongzhi.intelligence.models import ClassifierVersion

        print(f"classifier active: {ClassifierVersion.objects.filter(is_active=True).exists()}")
        total = Case.objects.count()
        duration = max(10.0, args.duration / 2)
        print(f"opening worklists for {duration:.0f} s with 4 clients ({total} cases in the database) …", flush=True)
        wl, wl_errors, wl_elapsed = drive(args.port, duration, 4, open_worklist)
        print(f"worklists: {len(wl)} in {wl_elapsed:.1f} s = {len(wl) / wl_elapsed:.0f}/s, errors {wl_errors}; "
              f"p50 {percentile(wl, 50):.1f} ms, p95 {percentile(wl, 95):.1f} ms, p99 {percentile(wl, 99):.1f} ms")
        if lat:
            print(f"mean appeal latency {statistics.fmean(lat):.1f} ms")
        print(f"appeals_per_s={appeals_per_s:.0f} p95_ms={percentile(lat, 95):.0f} "
              f"worklist_p95_ms={percentile(wl, 95):.0f}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
