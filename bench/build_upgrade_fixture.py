"""Build the upgrade test's fixtures: the previous release's demo city, made by the previous release's own code.

    python bench/build_upgrade_fixture.py [--release d04a074]

Takes the release's source out of git (`git archive`), runs its `migrate` and `demo` into a fresh SQLite file and a
fresh PostgreSQL database, adds with that same code the kinds of rows the demo alone lacks (stored category
suggestions, an auto-dispatched case, an API key, a demand and a monthly theme with appeals), and writes

    gongzhi/core/tests/data/previous_release.sqlite3.gz
    gongzhi/core/tests/data/previous_release.pgdump        (pg_dump --format=custom)

`gongzhi/core/tests/test_upgrade.py` migrates them with today's code and checks the data. Rebuild them when a
release is made (with --release set to it), so the next release's migrations are tested against it.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "gongzhi" / "core" / "tests" / "data"
PG = ["-h", "127.0.0.1", "-U", "postgres"]
DEFAULT_RELEASE = "d04a074"  # the last commit before the platform restructuring (issue 16)

# After bench/previous_demo_extras.py (an API key, the auto-dispatch setting, a demand and a theme with appeals):
# what a trained classifier would have stored at intake, which the previous release kept on the appeal.
SUGGESTIONS = r'''
import os, sys
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
import django
django.setup()
from gongzhi.appeals.models import Appeal, Case, Category

leaves = list(Category.objects.filter(children__isnull=True).order_by("pk")[:3])
for i, appeal in enumerate(Appeal.objects.order_by("pk")[:25]):
    top = leaves[i % len(leaves)]
    Appeal.objects.filter(pk=appeal.pk).update(
        suggestions=[{"category_id": c.pk, "name": c.name, "score": round(0.8 - 0.2 * j, 2)}
                     for j, c in enumerate([top] + [x for x in leaves if x != top][:1])],
        suggested_category=top, suggestion_confidence=0.8, suggestion_version=1)
Case.objects.filter(pk__in=list(Case.objects.exclude(lead_unit=None).order_by("pk").values_list("pk", flat=True)[:2])
                    ).update(auto_dispatched=True)
print("previous release city:", Appeal.objects.count(), "appeals")
'''


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(argv, cwd=cwd, env=env, check=True)


def build(src: Path, env: dict[str, str]) -> None:
    py = sys.executable
    run([py, "manage.py", "migrate", "--noinput", "-v", "0"], src, env)
    run([py, "manage.py", "demo"], src, {**env, "LOG_LEVEL": "WARNING"})
    run([py, str(ROOT / "bench" / "previous_demo_extras.py")], src, env)
    (src / "suggestions.py").write_text(SUGGESTIONS)
    run([py, "suggestions.py"], src, env)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--release", default=DEFAULT_RELEASE)
    parser.add_argument("--database", default="gz_upgrade_fixture")
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gz-prev-") as tmp_name:
        tmp = Path(tmp_name)
        src = tmp / "src"
        src.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.release], check=True,
                                 capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(src, filter="data")
        base_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PYTHONPATH"}}
        base_env.update({"DJANGO_SETTINGS_MODULE": "gongzhi.settings", "SMS_BACKEND": "none"})

        # SQLite
        var = tmp / "var"
        build(src, {**base_env, "GONGZHI_VAR_DIR": str(var)})
        with (var / "gongzhi.sqlite3").open("rb") as raw, gzip.open(DATA / "previous_release.sqlite3.gz", "wb",
                                                                    compresslevel=9) as out:
            shutil.copyfileobj(raw, out)

        # PostgreSQL
        db = args.database
        subprocess.run(["psql", *PG, "-qc", f'drop database if exists "{db}"'], check=True)
        subprocess.run(["psql", *PG, "-qc", f'create database "{db}"'], check=True)
        build(src, {**base_env, "GONGZHI_VAR_DIR": str(tmp / "var-pg"),
                    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}"})
        subprocess.run(["pg_dump", *PG, "--format=custom", "--no-owner", "--no-privileges", "-Z", "9",
                        f"--file={DATA / 'previous_release.pgdump'}", db], check=True)
        subprocess.run(["psql", *PG, "-qc", f'drop database "{db}"'], check=True)
    (DATA / "PREVIOUS_RELEASE").write_text(args.release + "\n")
    for path in sorted(DATA.iterdir()):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
