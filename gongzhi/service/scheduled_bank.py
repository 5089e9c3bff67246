"""The time bank's nightly check, run by `gongzhi worker`: every account's kept balance equals the sum of its
entries and every movement's entries sum to zero. When something is wrong it logs an error (account and movement
ids only, never a person) and tells the city admins."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.models import Role, User
from gongzhi.core.notifications import notify
from gongzhi.core.registry import registry

from . import ledger

logger = logging.getLogger("gongzhi.service.bank")
NIGHTLY = 24 * 60 * 60


@registry.scheduled(NIGHTLY)
def check_ledger() -> dict[str, int]:
    accounts = ledger.check_balances()
    movements = ledger.unbalanced_transactions()
    if accounts or movements:
        logger.error("time bank ledger check failed: %d accounts whose balance differs from their entries "
                     "(ids %s), %d movements that do not sum to zero (ids %s)",
                     len(accounts), [pk for pk, _kept, _sum in accounts[:20]], len(movements), movements[:20])
        admins = User.objects.filter(is_active=True, grants__role=Role.CITY_ADMIN).distinct()
        with transaction.atomic():
            notify(admins, "service.bank.check_failed",
                   _("The time bank's nightly check found %(accounts)d accounts whose balance differs from their "
                     "entries and %(movements)d movements that do not sum to zero. Please ask the operator to look "
                     "at the log.") % {"accounts": len(accounts), "movements": len(movements)})
    return {"accounts_wrong": len(accounts), "movements_wrong": len(movements)}
