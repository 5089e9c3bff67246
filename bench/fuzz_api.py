"""Fuzz the JSON API with schemathesis, at length, on a throwaway copy of the demo city.

    .venv/bin/python bench/fuzz_api.py --database-url postgres://postgres@127.0.0.1:5432/gz_fuzz --examples 50

Builds the demo city into a new test database (Django's `test_<name>`, dropped at the end; without
--database-url an SQLite one in memory), then sends every operation of /api/openapi.json `--examples` generated
requests with valid data and as many with invalid data, as an anonymous caller, a resident, a community worker
and a city administrator (session cookie and CSRF header, as a browser), through the WSGI app in this process.
Each answer is checked: no 5xx, a documented status, the documented content type, a body matching the document
(gongzhi/fuzz.py). Prints the figures per role and in all; the last line is:
operations=N requests=N failures=N server_errors=N seconds=N
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="", help="the database whose test_ copy is used (default SQLite)")
    parser.add_argument("--examples", type=int, default=50, help="generated requests per operation, mode and role")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000, help="hypothesis seed")
    parser.add_argument("--roles", default="anonymous,resident,community_worker,city_admin")
    parser.add_argument("--show", type=int, default=40, help="failure lines to print")
    args = parser.parse_args()

    os.environ.setdefault("GONGZHI_VAR_DIR", tempfile.mkdtemp(prefix="gongzhi-bench-fuzz-"))
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import (
        override_settings,
        setup_databases,
        setup_test_environment,
        teardown_databases,
    )

    from gongzhi.core.models import Grant, Role
    from gongzhi.fuzz import Report, fuzz, identity_for, load_schema

    setup_test_environment()
    print(f"building the demo city into a test copy of the {connection.vendor} database …", flush=True)
    started = time.perf_counter()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        call_command("createcachetable", verbosity=0)
        call_command("demo", verbosity=0)
        print(f"demo city built in {time.perf_counter() - started:.0f} s; seed {args.seed}", flush=True)
        roles = {"resident": Role.RESIDENT, "community_worker": Role.COMMUNITY_WORKER, "city_admin": Role.CITY_ADMIN}
        identities = []
        for name in args.roles.split(","):
            if name == "anonymous":
                identities.append(identity_for(None, name))
            else:
                grant = Grant.objects.filter(role=roles[name], user__is_active=True).select_related("user").first()
                assert grant is not None, f"the demo city has no {name}"
                identities.append(identity_for(grant.user, f"{name}:{grant.user.username}"))
        app = get_wsgi_application()
        schema = load_schema(app)
        total = Report()
        with override_settings(SMS_BACKEND="none"):
            for identity in identities:
                report = fuzz(app, [identity], max_examples=args.examples, seed=args.seed, schema=schema)
                print(f"\n== {identity.name}\n{report.summary()}", flush=True)
                total.operations = report.operations
                total.requests += report.requests
                total.seconds += report.seconds
                total.statuses.update(report.statuses)
                total.failures += report.failures
        server_errors = sum(n for status, n in total.statuses.items() if status >= 500)
        print("\n== all roles")
        print("\n".join(total.summary().splitlines()[: 3 + len(total.kinds()) + args.show]))
        print(f"operations={total.operations} requests={total.requests} failures={len(total.failures)} "
              f"server_errors={server_errors} seconds={total.seconds:.0f}")
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
