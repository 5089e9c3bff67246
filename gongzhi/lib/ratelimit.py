"""A small fixed-window rate limit on the Django cache (shared by every web process in production)."""

from __future__ import annotations

import time

from django.core.cache import cache


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one request for `key`; False when the limit for the current window is exceeded."""
    bucket = f"gz-rl:{key}:{int(time.time() // window_seconds)}"
    added = cache.add(bucket, 1, timeout=window_seconds + 5)
    if added:
        return True
    try:
        count = cache.incr(bucket)
    except ValueError:
        cache.set(bucket, 1, timeout=window_seconds + 5)
        return True
    return count <= limit
