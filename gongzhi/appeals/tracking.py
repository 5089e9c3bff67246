"""Public tracking look-ups (the page and the API): a tracking code with the phone's last four digits.

Wrong tries are counted per tracking code (APPEALS_TRACK_CODE_FAILURES: 5 per hour by default), whether or not
the code exists, and a code with too many is locked until the window ends: then even the right digits are
refused. An unknown code and a locked one are answered the same way, so the answer never tells whether a code
exists. The counters live in the shared cache, keyed by a hash of the code (the cache never holds a code).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from . import queries
from .models import Appeal

# The answer to a locked code (and to an unknown one past the limit): the page's and the API's.
LOCKED_MESSAGE = _(
    "Too many wrong tries with this tracking code. For your safety it is locked for an hour; please try again later "
    "or call the 12345 hotline."
)


@dataclass(frozen=True)
class Lookup:
    appeal: Appeal | None
    locked: bool = False


def normalize(code: str) -> str:
    return (code or "").strip().upper().replace(" ", "")


def _limits() -> tuple[int, int]:
    limit, window = getattr(settings, "APPEALS_TRACK_CODE_FAILURES", (5, 3600))
    return int(limit), max(1, int(window))


def _key(code: str, window: int) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{code}".encode()).hexdigest()[:32]
    return f"gz-track-fail:{digest}:{int(time.time() // window)}"


def failures(code: str) -> int:
    _limit, window = _limits()
    return int(cache.get(_key(normalize(code), window)) or 0)


def lookup(code: str, phone_last4: str) -> Lookup:
    """The appeal, or none (wrong or unknown), or locked (too many wrong tries for this code)."""
    code = normalize(code)
    limit, window = _limits()
    key = _key(code, window)
    if int(cache.get(key) or 0) >= limit:
        return Lookup(None, locked=True)
    appeal = queries.find_appeal_by_code(code, phone_last4)
    if appeal is None:
        if not cache.add(key, 1, timeout=window + 5):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=window + 5)
    return Lookup(appeal)
