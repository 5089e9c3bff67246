"""Racing redemptions and transfers on PostgreSQL (row locks; skipped on SQLite, which serialises writers): two people
for the last item never oversell; one person's two redemptions, or a redemption and a transfer, racing for the last
credits never overdraw; two cancellations of one redemption give the credits back once. The ledger stays sound."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.service import ledger
from gongzhi.service.actions import bank as actions
from gongzhi.service.models import Redemption, Reward, TimeBankTransaction
from gongzhi.test import Cast, race, require_postgresql

from . import bank_scene
from .bank_scene import balance

pytestmark = pytest.mark.django_db(transaction=True)


def _redeem(reward: Reward, user: object) -> Callable[[], object]:
    return lambda: actions.do_redeem(Reward.objects.get(pk=reward.pk), acting_user=user)  # type: ignore[arg-type]


def _sound() -> None:
    assert ledger.check_balances() == [] and ledger.unbalanced_transactions() == []


def test_two_people_racing_for_the_last_item_never_oversell(cast: Cast) -> None:
    require_postgresql("PostgreSQL row locks")
    scene = bank_scene.build(cast)  # the unit's reward: 1 in stock, 4 credits
    bank_scene.credit(cast.volunteer, "5")
    results = race(_redeem(scene.unit_reward, cast.party_member_user), _redeem(scene.unit_reward, cast.volunteer))
    won = [r for r in results if isinstance(r, Redemption)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], InvalidTransition) and "兑完" in lost[0].message
    assert Reward.objects.get(pk=scene.unit_reward.pk).stock == 0
    assert Redemption.objects.count() == 1 and ledger.unit_account(cast.member_unit).balance == Decimal("4.00")
    _sound()


def test_one_persons_two_redemptions_racing_for_the_last_credits_never_overdraw(cast: Cast) -> None:
    require_postgresql("PostgreSQL row locks")
    scene = bank_scene.build(cast)  # the volunteer holds 5: the unit's reward (4) or two haircuts (2 + 2), not all
    results = race(_redeem(scene.unit_reward, cast.volunteer), _redeem(scene.community_reward, cast.volunteer),
                   _redeem(scene.community_reward, cast.volunteer))
    won = [r for r in results if isinstance(r, Redemption)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert won and lost and len(won) + len(lost) == 3, results
    assert all(isinstance(e, ActionError) and "积分不足" in e.message for e in lost), lost
    assert balance(cast.volunteer) == Decimal(5) - sum((r.price for r in won), Decimal(0)) >= 0
    stock = {r.pk: r.stock for r in Reward.objects.all()}
    assert stock[scene.community_reward.pk] == 3 - sum(1 for r in won if r.reward_id == scene.community_reward.pk)
    _sound()


def test_a_transfer_and_a_redemption_racing_for_the_same_credits(cast: Cast) -> None:
    require_postgresql("PostgreSQL row locks")
    scene = bank_scene.build(cast)  # the volunteer holds 5

    def give() -> object:
        return actions.do_transfer(cast.volunteer, recipient="resident_user", amount="3")

    results = race(give, _redeem(scene.unit_reward, cast.volunteer))
    assert sum(1 for r in results if isinstance(r, Exception)) == 1, results
    assert balance(cast.volunteer) in (Decimal(1), Decimal(2))
    _sound()


def test_two_cancellations_of_one_redemption_give_the_credits_back_once(cast: Cast) -> None:
    require_postgresql("PostgreSQL row locks")
    scene = bank_scene.build(cast)
    redemption = actions.do_redeem(scene.community_reward, acting_user=cast.party_member_user)

    def cancel(user: object, reason: str) -> Callable[[], object]:
        return lambda: actions.do_cancel_redemption(Redemption.objects.get(pk=redemption.pk),
                                                    acting_user=user, reason=reason)  # type: ignore[arg-type]

    results = race(cancel(cast.party_member_user, ""), cancel(cast.worker_a, "暂停服务"))
    assert sum(1 for r in results if isinstance(r, InvalidTransition)) == 1, results
    assert balance(cast.party_member_user) == Decimal("10.00")
    assert Reward.objects.get(pk=scene.community_reward.pk).stock == 3
    assert TimeBankTransaction.objects.filter(kind="reversal").count() == 1
    _sound()
