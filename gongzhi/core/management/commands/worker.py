"""`gongzhi worker`: runs queued background tasks (django-tasks database backend) and the scheduled checks."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from gongzhi.core.scheduler import run_due_checks
from gongzhi.core.startup import insecure_start_reason

logger = logging.getLogger("gongzhi.worker")


class Command(BaseCommand):
    help = "Run background tasks and scheduled checks (deadlines, reminders)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between queue polls.")
        parser.add_argument("--schedule-interval", type=float, default=60.0, help="Seconds between scheduled checks.")
        parser.add_argument("--once", action="store_true", help="Run pending tasks and due checks once, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        # As `gongzhi serve` and gongzhi.wsgi: a deployment (DEBUG off) never runs with the built-in key.
        reason = insecure_start_reason()
        if reason:
            raise CommandError(reason)
        if options["once"]:
            run_due_checks()
            call_command("db_worker", batch=True, interval=0.1, startup_delay=False)
            return
        stop = threading.Event()

        def scheduler() -> None:
            while not stop.is_set():
                try:
                    run_due_checks()
                except Exception:
                    logger.exception("scheduled checks failed")
                finally:
                    close_old_connections()
                stop.wait(options["schedule_interval"])

        thread = threading.Thread(target=scheduler, name="gongzhi-scheduler", daemon=True)
        thread.start()
        try:
            call_command("db_worker", interval=options["interval"], startup_delay=False)
        finally:
            stop.set()
            time.sleep(0)
