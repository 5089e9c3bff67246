"""Scheduled checks run by `gongzhi worker`. Apps register callables with `@scheduled(seconds)`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

logger = logging.getLogger("gongzhi.scheduler")

_CHECKS: list[tuple[Callable[[], object], float]] = []
_LAST_RUN: dict[str, float] = {}


def scheduled(every_seconds: float) -> Callable[[Callable[[], object]], Callable[[], object]]:
    def register(func: Callable[[], object]) -> Callable[[], object]:
        _CHECKS.append((func, every_seconds))
        return func

    return register


def run_due_checks(now: float | None = None) -> list[str]:
    """Run every registered check whose interval has passed; return the names that ran."""
    now = time.monotonic() if now is None else now
    ran = []
    for func, every in _CHECKS:
        name = f"{func.__module__}.{func.__qualname__}"
        if now - _LAST_RUN.get(name, float("-inf")) >= every:
            _LAST_RUN[name] = now
            func()
            ran.append(name)
    return ran
