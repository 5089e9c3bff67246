"""The double-entry ledger: its invariants under random sequences of credits (community → person), transfers,
redemptions, deliveries, cancellations and corrections (hypothesis): every movement sums to zero, every account's
balance is the sum of its entries, no person's or unit's account below zero, the credits in the system sum to zero,
nothing is deleted or changed (the entries only grow), a refused step changes nothing, and each reward's stock plus
its live redemptions stays what it was. Then the ledger's own rules, one by one, and the monthly statement.

Set LEDGER_EXAMPLES=300 for a deeper run."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.core.errors import ActionError
from gongzhi.service import ledger
from gongzhi.service.actions import bank as actions
from gongzhi.service.models import Redemption, Reward, TimeBankAccount, TimeBankEntry, TimeBankTransaction
from gongzhi.test import Cast

from . import bank_scene

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("LEDGER_EXAMPLES", "40"))
PEOPLE = 4
cents = st.integers(min_value=1, max_value=1500)
person = st.integers(min_value=0, max_value=PEOPLE - 1)
pick = st.integers(min_value=0, max_value=50)
step = st.one_of(
    st.tuples(st.just("credit"), person, cents),
    st.tuples(st.just("transfer"), person, person, cents),
    st.tuples(st.just("redeem"), person, st.integers(min_value=0, max_value=2)),
    st.tuples(st.just("deliver"), pick),
    st.tuples(st.just("cancel"), pick, st.booleans()),
    st.tuples(st.just("reverse"), pick),
)


@dataclass
class World:
    cast: Cast
    people: list[Any]
    rewards: list[Reward]
    initial_stock: dict[int, int] = field(default_factory=dict)


def _amount(c: int) -> Decimal:
    return (Decimal(c) / 100).quantize(ledger.CENT)


def _snapshot() -> tuple[dict[int, tuple[int, int, Decimal]], list[tuple[int, Decimal]], list[tuple[int, int]],
                         list[tuple[int, str]]]:
    entries = {pk: (txn, acc, amount) for pk, txn, acc, amount in
               TimeBankEntry.objects.values_list("pk", "transaction_id", "account_id", "amount")}
    return (entries, list(TimeBankAccount.objects.order_by("pk").values_list("pk", "balance")),
            list(Reward.objects.order_by("pk").values_list("pk", "stock")),
            list(Redemption.objects.order_by("pk").values_list("pk", "status")))


def _run(world: World, action: tuple[Any, ...]) -> None:
    kind = action[0]
    people = world.people
    if kind == "credit":
        actions.do_credit(people[action[1]], amount=_amount(action[2]), memo="随机入账", acting_user=None)
    elif kind == "transfer":
        actions.do_transfer(people[action[1]], recipient=people[action[2]].username, amount=_amount(action[3]))
    elif kind == "redeem":
        actions.do_redeem(world.rewards[action[2]], acting_user=people[action[1]])
    elif kind in ("deliver", "cancel"):
        redemptions = list(Redemption.objects.order_by("pk"))
        if not redemptions:
            return
        r = redemptions[action[1] % len(redemptions)]
        if kind == "deliver":
            provider = world.cast.liaison if r.reward.unit_id else world.cast.worker_a
            actions.do_deliver_redemption(r, acting_user=provider)
        elif action[2]:
            actions.do_cancel_redemption(r, acting_user=r.user)
        else:
            provider = world.cast.liaison if r.reward.unit_id else world.cast.worker_a
            actions.do_cancel_redemption(r, acting_user=provider, reason="提供方取消")
    elif kind == "reverse":
        movable = list(TimeBankTransaction.objects.filter(kind__in=["credit", "transfer"]).order_by("pk"))
        if not movable:
            return
        actions.do_reverse_movement(movable[action[1] % len(movable)], acting_user=None, reason="随机冲正")


def _check(world: World, before: Any, refused: bool) -> None:
    entries, balances, _stock, _redemptions = after = _snapshot()
    assert ledger.unbalanced_transactions() == []
    assert ledger.check_balances() == []
    assert not TimeBankAccount.objects.exclude(kind=TimeBankAccount.Kind.COMMUNITY).filter(balance__lt=0).exists()
    assert sum((b for _pk, b in balances), Decimal(0)) == 0
    # Nothing deleted, nothing changed: the entries before are all still there, as they were.
    for pk, row in before[0].items():
        assert entries.get(pk) == row
    if refused:
        assert after == before
    for reward in Reward.objects.all():
        live = reward.redemptions.exclude(status=Redemption.Status.CANCELLED).count()
        assert reward.stock + live == world.initial_stock[reward.pk] and reward.stock >= 0


def test_the_ledger_keeps_its_invariants_under_random_movements(cast: Cast) -> None:
    scene = bank_scene.build(cast)
    bank_scene.alliance(cast)  # transfers cross to community B too
    people = [cast.party_member_user, cast.volunteer, cast.resident_user, scene.resident_b_user]
    rewards = [scene.community_reward, scene.unit_reward, scene.reward_b]
    world = World(cast, people, rewards, {r.pk: r.stock for r in Reward.objects.all()})
    seen = {"ok": 0, "refused": 0}

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(steps=st.lists(step, min_size=1, max_size=12))
    def run(steps: list[tuple[Any, ...]]) -> None:
        savepoint = transaction.savepoint()
        try:
            for action in steps:
                before = _snapshot()
                try:
                    _run(world, action)
                except (ActionError, PermissionDenied) as exc:
                    seen["refused"] += 1
                    assert exc.args
                    _check(world, before, refused=True)
                else:
                    seen["ok"] += 1
                    _check(world, before, refused=False)
        finally:
            transaction.savepoint_rollback(savepoint)

    run()
    assert seen["ok"] > 0 and seen["refused"] > 0, seen


# --- the ledger's rules -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("1.5", Decimal("1.50")), (" 2 ", Decimal("2.00")), (3, Decimal("3.00")), ("0.01", Decimal("0.01")),
    ("99999.99", Decimal("99999.99")),
])
def test_an_amount_of_credits(value: Any, expected: Decimal) -> None:
    assert ledger.to_credits(value) == expected


@pytest.mark.parametrize("value", ["", "abc", "0", "-1", "0.001", "1.234", "100000", "1e9", "NaN", "Infinity",
                                   None, "1,5"])
def test_a_bad_amount_of_credits(value: Any) -> None:
    with pytest.raises(ActionError) as refused:
        ledger.to_credits(value)
    assert refused.value.field == "amount"


def test_a_movement_must_sum_to_zero_and_have_two_entries(cast: Cast) -> None:
    a = ledger.account_of_user(cast.party_member_user)
    community = ledger.community_account(cast.community_a)
    assert a is not None
    for legs in ([(community, Decimal("-1")), (a, Decimal("2"))], [(a, Decimal("1"))],
                 [(community, Decimal("0")), (a, Decimal("0"))]):
        with pytest.raises(ValueError):
            ledger.post(TimeBankTransaction.Kind.CREDIT, "坏的", legs, acting_user=None)
    assert not TimeBankEntry.objects.exists()


def test_no_person_or_unit_goes_below_zero_but_the_community_issues(cast: Cast) -> None:
    a = ledger.account_of_user(cast.party_member_user)
    unit = ledger.unit_account(cast.member_unit)
    community = ledger.community_account(cast.community_a)
    assert a is not None
    with pytest.raises(ActionError, match="积分不足"):
        ledger.post(TimeBankTransaction.Kind.TRANSFER, "透支", [(a, Decimal("-1")), (unit, Decimal("1"))],
                    acting_user=None)
    with pytest.raises(ActionError, match="积分不足"):
        ledger.post(TimeBankTransaction.Kind.TRANSFER, "透支", [(unit, Decimal("-1")), (a, Decimal("1"))],
                    acting_user=None)
    ledger.post(TimeBankTransaction.Kind.CREDIT, "入账", [(community, Decimal("-5")), (a, Decimal("5"))],
                acting_user=None)
    community.refresh_from_db()
    assert community.balance == Decimal("-5.00") and ledger.balance_from_entries(community) == Decimal("-5.00")


def test_a_movement_is_reversed_once_and_a_reversal_never(cast: Cast) -> None:
    bank_scene.credit(cast.party_member_user, "5")
    txn = TimeBankTransaction.objects.get()
    reversal = ledger.reverse(txn, "冲正", acting_user=None)
    assert reversal.reverses == txn and reversal.kind == TimeBankTransaction.Kind.REVERSAL
    with pytest.raises(ActionError, match="已冲正"):
        ledger.reverse(txn, "再冲正", acting_user=None)
    with pytest.raises(ActionError, match="不能再冲正"):
        ledger.reverse(reversal, "冲正的冲正", acting_user=None)
    assert TimeBankEntry.objects.count() == 4 and bank_scene.balance(cast.party_member_user) == 0


def test_an_empty_movement_counts_as_unbalanced(cast: Cast) -> None:
    empty = TimeBankTransaction.objects.create(kind=TimeBankTransaction.Kind.CREDIT, memo="空")
    assert ledger.unbalanced_transactions() == [empty.pk]


def test_accounts_open_at_the_home_community(cast: Cast) -> None:
    member = ledger.account_of_user(cast.party_member_user)
    resident = ledger.account_of_user(cast.resident_user)
    volunteer = ledger.account_of_user(cast.volunteer)
    assert member is not None and resident is not None and volunteer is not None
    assert {member.area, resident.area, volunteer.area} == {cast.community_a}
    assert ledger.account_of_user(cast.worker_a) is None
    assert ledger.account_of_user(cast.party_member_user).pk == member.pk  # type: ignore[union-attr]
    unit = ledger.unit_account(cast.member_unit)
    assert unit.area == cast.member_unit.area and ledger.unit_account(cast.member_unit).pk == unit.pk


def test_the_monthly_statement_carries_the_balance_over(cast: Cast) -> None:
    tz = timezone.get_current_timezone()
    with time_machine.travel(datetime(2026, 10, 31, 23, 30, tzinfo=tz), tick=False):
        bank_scene.credit(cast.party_member_user, "6")
    with time_machine.travel(datetime(2026, 11, 1, 0, 30, tzinfo=tz), tick=False):
        bank_scene.credit(cast.party_member_user, "4")
    with time_machine.travel(datetime(2026, 11, 15, 9, 0, tzinfo=tz), tick=False):
        actions.do_transfer(cast.party_member_user, recipient="resident_user", amount="3", note="孝亲")
    account = ledger.account_of_user(cast.party_member_user)
    assert account is not None
    october = ledger.statement(account, 2026, 10)
    assert (october.opening, october.credits, october.debits, october.closing) == (0, 6, 0, 6)
    november = ledger.statement(account, 2026, 11)
    assert (november.opening, november.credits, november.debits, november.closing) == (6, 4, 3, 7)
    assert [e.transaction.kind for e in november.entries] == ["credit", "transfer"]
    december = ledger.statement(account, 2026, 12)
    assert (december.opening, december.closing, december.entries) == (7, 7, [])
    assert ledger.statement(account, 2025, 12).closing == 0
