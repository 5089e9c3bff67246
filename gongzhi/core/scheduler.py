"""Scheduled checks run by `gongzhi worker`. Apps register callables with `@registry.scheduled(seconds)`."""

from __future__ import annotations

import logging
import time

from .registry import registry

logger = logging.getLogger("gongzhi.scheduler")

_LAST_RUN: dict[str, float] = {}


def run_due_checks(now: float | None = None) -> list[str]:
    """Run every registered check whose interval has passed; return the names that ran."""
    now = time.monotonic() if now is None else now
    ran = []
    for check in registry.scheduled_checks:
        if now - _LAST_RUN.get(check.name, float("-inf")) >= check.every_seconds:
            _LAST_RUN[check.name] = now
            check.fn()
            ran.append(check.name)
    return ran
