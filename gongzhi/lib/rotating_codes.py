"""Check-in codes that rotate: a QR token and a short code read out by the organizer, both made from a secret and
the current time window, so a photo of the code sent to a friend stops working once the window has passed.

A code is accepted in its own window and the one before it (a person who scanned just before the change still
gets in). Nothing is stored: the codes are HMACs of (secret, purpose, window)."""

from __future__ import annotations

import hashlib
import hmac
import time

# The QR code shown at the place changes every minute; the read-out code every 5 minutes (read aloud, typed).
QR_SECONDS = 60
SPOKEN_SECONDS = 300


def window(at: float | None = None, seconds: int = QR_SECONDS) -> int:
    return int((time.time() if at is None else at) // seconds)


def _mac(secret: str, purpose: str, n: int) -> bytes:
    return hmac.new(secret.encode(), f"{purpose}:{n}".encode(), hashlib.sha256).digest()


def qr_token(secret: str, at: float | None = None) -> str:
    """The token in the QR code's link for the window at `at` (24 hex characters)."""
    return _mac(secret, "qr", window(at, QR_SECONDS)).hex()[:24]


def spoken_code(secret: str, at: float | None = None) -> str:
    """The 6-digit code the organizer reads out for the window at `at`."""
    value = int.from_bytes(_mac(secret, "spoken", window(at, SPOKEN_SECONDS))[:4], "big")
    return f"{value % 1_000_000:06d}"


def seconds_left(at: float | None = None, seconds: int = QR_SECONDS) -> int:
    now = time.time() if at is None else at
    return int(seconds - now % seconds)


def check_qr_token(secret: str, token: str, at: float | None = None) -> bool:
    now = time.time() if at is None else at
    return any(hmac.compare_digest(qr_token(secret, now - k * QR_SECONDS), token) for k in (0, 1))


def check_spoken_code(secret: str, code: str, at: float | None = None) -> bool:
    now = time.time() if at is None else at
    code = code.strip()
    return any(hmac.compare_digest(spoken_code(secret, now - k * SPOKEN_SECONDS), code) for k in (0, 1))
