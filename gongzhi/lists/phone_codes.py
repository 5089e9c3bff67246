"""Proving a phone without an account: residents answer a survey or rate a project from a public page, one answer
per phone number, after typing a one-time code sent to that phone.

- `phone_hash(phone)`: a keyed hash of the normalised number (never the number): what `SurveyResponse` and
  `ProjectRating` keep to enforce one per phone.
- `do_send_code(purpose, object_id, phone)`: a six-digit code by SMS (`core.notifications.send_sms`), stored as a
  keyed hash, valid LISTS_PHONE_CODE_TTL seconds (600); at most LISTS_PHONE_CODE_SENDS (3) per phone and object
  per hour; only the latest code works.
- `use_code(purpose, object_id, phone, code)`: True once for the right code; a wrong try is counted (and
  committed), LISTS_PHONE_CODE_ATTEMPTS (5) use the code up.

Callers rate-limit the public pages by client address as well (`gongzhi.lib.ratelimit`). The phone number and
the code never reach a log or the audit trail.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from gongzhi.core.errors import ActionError
from gongzhi.core.notifications import send_sms

from .models import PhoneCode

CODE_DIGITS = 6
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def normalise_phone(phone: str) -> str:
    """A mainland mobile number as 11 digits (spaces, dashes and +86 dropped), or ActionError."""
    digits = re.sub(r"[\s\-()]", "", phone or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not MOBILE.match(digits):
        raise ActionError(_("Please enter an 11-digit mobile number, e.g. 13800138000."), field="phone")
    return digits


def phone_hash(phone: str) -> str:
    """The keyed hash kept instead of the phone number (the same number always gives the same hash)."""
    return salted_hmac("gongzhi.lists.phone", normalise_phone(phone), algorithm="sha256").hexdigest()


def _code_hash(purpose: str, object_id: int, phone_key: str, code: str) -> str:
    return salted_hmac("gongzhi.lists.phone-code", f"{purpose}:{object_id}:{phone_key}:{code}",
                       algorithm="sha256").hexdigest()


@transaction.atomic
def do_send_code(purpose: str, object_id: int, phone: str, *, what: str) -> PhoneCode:
    """Send a one-time code to `phone` for `purpose` on object `object_id`; `what` names it in the SMS
    (e.g. the survey's title)."""
    if purpose not in PhoneCode.Purpose.values:
        raise ValueError(purpose)
    number = normalise_phone(phone)
    key = phone_hash(number)
    now = timezone.now()
    recent = PhoneCode.objects.filter(purpose=purpose, object_id=object_id, phone_hash=key,
                                      created_at__gte=now - timedelta(hours=1)).count()
    if recent >= _setting("LISTS_PHONE_CODE_SENDS", 3):
        raise ActionError(_("Several codes have been sent to this phone in the last hour. Please use the latest "
                            "one or try again later."), field="phone")
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    ttl = _setting("LISTS_PHONE_CODE_TTL", 600)
    PhoneCode.objects.filter(purpose=purpose, object_id=object_id, phone_hash=key, used_at=None).update(used_at=now)
    row = PhoneCode.objects.create(purpose=purpose, object_id=object_id, phone_hash=key,
                                   code_hash=_code_hash(purpose, object_id, key, code), created_at=now,
                                   expires_at=now + timedelta(seconds=ttl))
    send_sms(number, _("Your code for %(what)s is %(code)s, valid for %(minutes)d minutes. Do not give it to "
                       "anyone.") % {"what": what[:40], "code": code, "minutes": max(1, ttl // 60)})
    return row


@transaction.atomic
def use_code(purpose: str, object_id: int, phone: str, code: str) -> bool:
    """Check the code for this phone and object: True once for the right one. A wrong try is counted and stays
    counted even when the caller's transaction is rolled back, so call it outside the write it guards (or
    before it, in its own transaction)."""
    try:
        key = phone_hash(phone)
    except ActionError:
        return False
    now = timezone.now()
    latest = (PhoneCode.objects.select_for_update()
              .filter(purpose=purpose, object_id=object_id, phone_hash=key, used_at=None, expires_at__gt=now)
              .order_by("-created_at", "-id").first())
    if latest is None or latest.attempts >= _setting("LISTS_PHONE_CODE_ATTEMPTS", 5):
        return False
    code = (code or "").strip()
    if not code.isdigit() or not constant_time_compare(latest.code_hash, _code_hash(purpose, object_id, key, code)):
        latest.attempts += 1
        latest.save(update_fields=["attempts"])
        return False
    latest.used_at = now
    latest.save(update_fields=["used_at"])
    return True
