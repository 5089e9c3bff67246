"""`gongzhi serve`: gunicorn serving the WSGI app; static files through whitenoise."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.core.startup import insecure_start_reason


class Command(BaseCommand):
    help = "Run Gongzhi with gunicorn (production server)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=settings.BIND)
        # One process per core: each runs WEB_THREADS threads, which overlap database waits. More processes
        # than cores only add switching (docs/benchmarks.md: 2 × 4 beat 3 × 4, 4 × 2 and 6 × 1 on 2 cores).
        parser.add_argument("--workers", type=int,
                            default=settings.WEB_CONCURRENCY)
        parser.add_argument("--threads", type=int, default=settings.WEB_THREADS)
        parser.add_argument(
            "--with-worker", action="store_true",
            help="Also start one `gongzhi worker` (background tasks, scheduled checks) beside the web server.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reason = insecure_start_reason()
        if reason:
            raise CommandError(reason)
        if options["with_worker"]:
            # Same process group: Ctrl-C in the terminal stops the worker with the server.
            subprocess.Popen([sys.executable, "-m", "gongzhi.cli", "worker"])  # noqa: S603
        argv = [
            sys.executable, "-m", "gunicorn", "gongzhi.wsgi:application",
            "--config", "python:gongzhi.gunicorn_conf",
            "--bind", options["bind"],
            "--workers", str(options["workers"]),
            "--threads", str(options["threads"]),
            "--access-logfile", "-",
            "--timeout", "120",
            # gunicorn's control socket lives at one path per user: several servers on a host would share it.
            "--no-control-socket",
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
