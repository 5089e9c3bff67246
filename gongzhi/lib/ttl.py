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

_ALL: list[TtlCached[object] | TtlMap[object, object]] = []


def clear_all() -> None:
    """Forget every cached value (tests: one test's rows must not reach the next)."""
    for cached in _ALL:
        cached.clear()


class TtlCached(Generic[T]):
    def __init__(self, func: Callable[[], T], seconds: float) -> None:
        self.func, self.seconds = func, seconds
        self._value: T | None = None
        self._expires = 0.0
        self._lock = threading.Lock()
        self.__doc__ = func.__doc__
        _ALL.append(self)  # type: ignore[arg-type]

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


K = TypeVar("K")


class TtlMap(Generic[K, T]):
    """Values by key, each kept for `seconds`; at most `max_size` keys (the oldest half is dropped when full).

        AREAS = TtlMap[int, Area | None](seconds=60, max_size=50_000)
        area = AREAS.get(pk, lambda: Area.objects.filter(pk=pk).first())
    """

    def __init__(self, *, seconds: float, max_size: int = 10_000) -> None:
        self.seconds, self.max_size = seconds, max_size
        self._values: dict[K, tuple[float, T]] = {}
        self._lock = threading.Lock()
        _ALL.append(self)  # type: ignore[arg-type]

    def get(self, key: K, load: Callable[[], T]) -> T:
        now = time.monotonic()
        found = self._values.get(key)
        if found is not None and found[0] > now:
            return found[1]
        value = load()
        with self._lock:
            if len(self._values) >= self.max_size:
                for old in list(self._values)[: self.max_size // 2]:
                    self._values.pop(old, None)
            self._values[key] = (now + self.seconds, value)
        return value

    def clear_key(self, key: K) -> None:
        with self._lock:
            self._values.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
