"""A per-process cache with a time-to-live for rarely changing rows read on hot paths (intake).

Writers call `.clear()` (on commit) so the process that changed a value sees it at once; other
processes see it within the TTL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class TtlCached(Generic[T]):
    def __init__(self, func: Callable[[], T], seconds: float) -> None:
        self.func, self.seconds = func, seconds
        self._value: T | None = None
        self._expires = 0.0
        self._lock = threading.Lock()
        self.__doc__ = func.__doc__

    def __call__(self) -> T:
        now = time.monotonic()
        if now >= self._expires:
            with self._lock:
                if now >= self._expires:
                    self._value = self.func()
                    self._expires = now + self.seconds
        return self._value  # type: ignore[return-value]

    def clear(self) -> None:
        self._expires = 0.0


def ttl_cached(seconds: float) -> Callable[[Callable[[], T]], TtlCached[T]]:
    return lambda func: TtlCached(func, seconds)
