"""The resident's own rating (回访) of an answered appeal, from the public tracking page.

A rating counts in the three rates, so it must come from the resident. The tracking code and the phone's last
four digits only open the tracking page (staff could know both); to rate there, the resident asks for a
one-time code, sent by SMS to the callback phone, and types it in. A resident signed in to the account that
sent the appeal (and holding no staff role) rates without one. Follow-up callers record theirs through
`cases.do_follow_up_case`.

One-time codes: six digits, stored as a keyed hash (never in clear, never in a log), valid
APPEALS_RATING_CODE_TTL seconds, used up after APPEALS_RATING_CODE_ATTEMPTS wrong tries or one right one;
at most APPEALS_RATING_CODE_SENDS codes per appeal per hour.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.notifications import send_sms

from .. import permissions
from ..models import Appeal, Case, FollowUp, RatingCode
from ._common import _lock
from .cases import record_follow_up

CODE_DIGITS = 6


def _hash(appeal: Appeal, code: str) -> str:
    return salted_hmac("gongzhi.appeals.rating-code", f"{appeal.pk}:{code}", algorithm="sha256").hexdigest()


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def can_be_rated(case: Case | None) -> bool:
    """May the resident rate now: answered (or closed) and not yet reached by a follow-up."""
    return case is not None and case.awaits_follow_up and case.contacted is not True


@transaction.atomic
def do_send_rating_code(appeal: Appeal) -> RatingCode:
    """Send a one-time code to the appeal's callback phone, for rating it on the tracking page."""
    case = appeal.case
    if case is None or not can_be_rated(_lock(case)):
        raise InvalidTransition(_("This appeal cannot be rated now."))
    if not permissions.rated_by_code(appeal):
        raise InvalidTransition(_("This appeal was filed by staff, so it is not rated with a code: a follow-up "
                                  "caller will call the resident back."))
    now = timezone.now()
    sent = RatingCode.objects.filter(appeal=appeal, created_at__gte=now - timedelta(hours=1)).count()
    if sent >= _setting("APPEALS_RATING_CODE_SENDS", 3):
        raise ActionError(_("Several codes have been sent in the last hour. Please use the latest one or try again later."))
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    ttl = _setting("APPEALS_RATING_CODE_TTL", 600)
    RatingCode.objects.filter(appeal=appeal, used_at=None).update(used_at=now)  # only the latest code works
    rating_code = RatingCode.objects.create(appeal=appeal, code_hash=_hash(appeal, code), created_at=now,
                                            expires_at=now + timedelta(seconds=ttl))
    send_sms(appeal.callback_phone,
             _("Your code to rate your appeal is %(code)s, valid for %(minutes)d minutes. "
               "Do not give it to anyone, staff included.") % {"code": code, "minutes": max(1, ttl // 60)})
    log_event(None, "appeals.rating_code.send", appeal, area=case.area or case.supervising_area)
    return rating_code


@transaction.atomic
def _use_code(appeal: Appeal, code: str) -> bool:
    """Check a one-time code; a wrong try is counted (and committed) even though the rating is refused."""
    now = timezone.now()
    latest = (RatingCode.objects.select_for_update().filter(appeal=appeal, used_at=None, expires_at__gt=now)
              .order_by("-created_at", "-id").first())
    if latest is None or latest.attempts >= _setting("APPEALS_RATING_CODE_ATTEMPTS", 5):
        return False
    if not (code or "").strip().isdigit() or not constant_time_compare(latest.code_hash, _hash(appeal, code.strip())):
        latest.attempts += 1
        latest.save(update_fields=["attempts"])
        return False
    latest.used_at = now
    latest.save(update_fields=["used_at"])
    return True


def do_rate_appeal(
    appeal: Appeal, *, acting_user: Any, code: str = "", solved: bool, satisfaction: str, note: str = "",
) -> FollowUp:
    """The resident's rating: with the one-time code sent to the callback phone, or signed in as the appeal's
    sender. Anything else is refused and nothing is recorded."""
    if permissions.rates_as_resident(acting_user, appeal):
        source = FollowUp.Source.RESIDENT_ACCOUNT
    elif permissions.rated_by_code(appeal) and _use_code(appeal, code):
        source = FollowUp.Source.RESIDENT_CODE
    else:
        raise ActionError(_("The code is wrong or has expired. Please ask for a new code."), field="code")
    return _rate(appeal, acting_user=acting_user if source == FollowUp.Source.RESIDENT_ACCOUNT else None,
                 source=source, solved=solved, satisfaction=satisfaction, note=note)


@transaction.atomic
def _rate(appeal: Appeal, *, acting_user: Any, source: str, solved: bool, satisfaction: str, note: str) -> FollowUp:
    if appeal.case is None:
        raise InvalidTransition(_("This appeal cannot be rated now."))
    case = _lock(appeal.case)
    if not can_be_rated(case):
        raise InvalidTransition(_("This appeal cannot be rated now."))
    note = (note or "").strip()
    text = _("Rated by the resident on the tracking page.") + (f" {note}" if note else "")
    return record_follow_up(case, by=acting_user, source=source, contacted=True, solved=solved,
                            satisfaction=satisfaction, note=text)
