"""How long the demo city takes to build, in total and per step.

    DATABASE_URL=sqlite:////tmp/demo-bench.sqlite3 .venv/bin/python bench/demo_build.py [--repeat 1]

Migrates a fresh database at DATABASE_URL (a SQLite file is deleted first; a PostgreSQL database must be empty),
then builds the demo city REPEAT times inside a transaction rolled back each time, timing core's city and every
app's demo step (`registry.demo_builders()`), as `gongzhi demo` runs them. Prints one line per step (the slowest
of the repeats) and the last line: total_seconds=… steps=… slowest=…
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "sqlite:////tmp/demo-bench.sqlite3")
    os.environ["DATABASE_URL"] = url
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).unlink(missing_ok=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.test.utils import override_settings
    from django.utils import translation

    from gongzhi.core.demo import DEFAULT_SEED, build_demo_city
    from gongzhi.core.registry import DemoContext, registry

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    slowest: dict[str, float] = {}
    totals: list[float] = []
    for _ in range(args.repeat):
        with translation.override("zh-hans"), transaction.atomic(), override_settings(SMS_BACKEND="none"):
            started = time.perf_counter()
            t = time.perf_counter()
            build_demo_city(DEFAULT_SEED)
            times = {"core.city": time.perf_counter() - t}
            context = DemoContext(seed=DEFAULT_SEED, train_classifier=False, stdout=io.StringIO())
            for name, builder in registry.demo_builders():
                t = time.perf_counter()
                builder(context)
                times[name] = time.perf_counter() - t
            totals.append(time.perf_counter() - started)
            transaction.set_rollback(True)
        for name, seconds in times.items():
            slowest[name] = max(slowest.get(name, 0.0), seconds)
    for name, seconds in slowest.items():
        print(f"{name:32s} {seconds:7.2f} s")
    top = max(slowest, key=lambda n: slowest[n])
    print(f"total_seconds={max(totals):.1f} steps={len(slowest)} slowest={top}:{slowest[top]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
