"""What the bank part registers (called from gongzhi.service.registration): its hub card, audit verbs, the nightly
ledger check and the demo step. The home task `redemption_tasks` is written here; the lead registers it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.paging import capped_count
from gongzhi.core.policy import is_active_user
from gongzhi.core.registry import Task

from .hub import Card


def _to_deliver(user: Any) -> Any:
    from .models import Redemption
    from .queries_bank import pending_for_provider_q

    return Redemption.objects.filter(pending_for_provider_q(user))


def _provides(user: Any) -> bool:
    from .queries_bank import provides

    return provides(user)


def bank_card(user: Any) -> Card | None:
    """A person: their balance and redemptions awaiting delivery; a provider: the rewards to deliver."""
    from . import ledger
    from .models import Redemption

    if not is_active_user(user):
        return None
    account = ledger.account_of_user(user, create=False)
    provider = _provides(user)
    person = account is not None or ledger.home_community(user) is not None
    if not person and not provider:
        return None
    lines: list[tuple[Any, Any]] = []
    links: list[tuple[Any, str]] = [(_("Rewards"), reverse("service:rewards"))]
    if person:
        lines.append((_("Balance (credits)"), account.balance if account is not None else "0.00"))
        lines.append((_("Redemptions awaiting delivery"),
                      Redemption.objects.filter(user=user, status=Redemption.Status.PENDING).count()))
        links.append((_("Transfer credits"), reverse("service:bank_transfer")))
    if provider:
        lines.append((_("Rewards to deliver"), capped_count(_to_deliver(user))))
        links.append((_("Rewards to deliver"), reverse("service:redemptions")))
    return Card("bank", _("Time bank"), reverse("service:bank"), lines=lines, links=links, order=40)


def redemption_tasks(user: Any) -> list[Task]:
    """A provider (the community's staff, a member unit's liaison): the redemptions waiting for delivery, orange
    when one has waited more than three days. Not registered here: the lead registers tasks."""
    from datetime import timedelta

    from django.utils import timezone

    if not is_active_user(user) or not _provides(user):
        return []
    from django.db.models import Count, Min

    waiting = _to_deliver(user).order_by().aggregate(n=Count("pk"), oldest=Min("created_at"))  # one query
    count, oldest = waiting["n"], waiting["oldest"]
    late = oldest is not None and oldest <= timezone.now() - timedelta(days=3)
    return [Task("service.redemptions_to_deliver", _("Rewards to deliver"), count, reverse("service:redemptions"),
                 "soon" if late else "")]


def register() -> None:
    from gongzhi.core.registry import registry

    from . import scheduled_bank  # noqa: F401  (registers the nightly ledger check)
    from .demo_bank import build_demo_bank
    from .hub import add_card

    add_card(bank_card)
    registry.demo_builder("service.bank", build_demo_bank, order=63)
    registry.verbs({
        "service.bank.credit": _("Credited hours to a time bank account"),
        "service.bank.transfer": _("Transferred time bank credits"),
        "service.bank.reverse": _("Corrected a time bank movement"),
        "service.reward.create": _("Offered a reward"),
        "service.reward.update": _("Changed a reward"),
        "service.reward.redeem": _("Redeemed a reward"),
        "service.reward.deliver": _("Confirmed the delivery of a reward"),
        "service.reward.cancel": _("Cancelled a redemption"),
    })
