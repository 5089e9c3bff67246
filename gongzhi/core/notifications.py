"""In-app notifications and a pluggable SMS backend, for every app.

`get_sms_backend()` reads the setting SMS_BACKEND (from the environment variable of that name): "console" (default: logs the masked
phone number and the message with every code in it blanked out), "memory" (keeps messages in `MemorySmsBackend.outbox`, for tests),
"none", or a dotted path to a class with `send(phone, message)`. Phone numbers never reach the log
unmasked, and never beside a code: the console backend blanks out tracking codes and one-time codes (any
run of four or more digits, or of eight or more capitals and digits), so a log line never holds a code with the phone digits that
unlock it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from gongzhi.lib.masking import mask_phone

from .models import Notification

logger = logging.getLogger("gongzhi.sms")


class SmsBackend(Protocol):
    def send(self, phone: str, message: str) -> None: ...


# Tracking codes (letters and digits, no 0/O/1/I/L) and one-time codes (digits): blanked out in logs.
_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Z0-9]{8,}(?![A-Za-z0-9])|\d{4,}")


def redact_codes(message: str) -> str:
    """The message with every code-like token (4+ digits, or 8+ capitals and digits) replaced by ******."""
    return _CODE.sub("******", message)


class ConsoleSmsBackend:
    def send(self, phone: str, message: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), redact_codes(message))


class MemorySmsBackend:
    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, message: str) -> None:
        MemorySmsBackend.outbox.append((phone, message))


class NullSmsBackend:
    def send(self, phone: str, message: str) -> None:
        return None


_BACKENDS: dict[str, type] = {"console": ConsoleSmsBackend, "memory": MemorySmsBackend, "none": NullSmsBackend}


def get_sms_backend() -> SmsBackend:
    name = str(getattr(settings, "SMS_BACKEND", "") or "console").strip() or "console"
    cls = _BACKENDS.get(name) or import_string(name)
    backend: SmsBackend = cls()
    return backend


def send_sms(phone: str, message: str) -> None:
    """Send after the transaction commits, so a rolled-back action sends nothing."""
    if not phone:
        return

    def _send() -> None:
        try:
            get_sms_backend().send(phone, message)
        except Exception:
            logger.exception("SMS to %s failed", mask_phone(phone))

    transaction.on_commit(_send)


def notify(users: Iterable[Any], verb: str, text: str, url: str = "") -> int:
    """Create one in-app notification per user (deduplicated); returns how many were created."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, verb=verb, text=text[:300], url=url[:200]))
    Notification.objects.bulk_create(rows)
    return len(rows)
