"""The time bank's double-entry ledger (时间银行). Every movement is one `TimeBankTransaction` with entries summing to
zero; an account's balance is the sum of its entries. `post()` locks the accounts it moves (in id order, so two
movements never deadlock), refuses a movement that would take a person's or a unit's account below zero, writes
the entries and the new balances in the caller's transaction. Nothing is deleted: `reverse()` posts the opposite
entries once (a correction is a reversing transaction and, where needed, a new one).

Accounts: a person's (`account_of_user`), a community's (`community_account`: the source of the credits for
verified hours, so its balance is minus what it issued plus what its own rewards took back) and a member unit's
(`unit_account`: it receives what its rewards cost)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, Unit, User

from .models import SignUp, TimeBankAccount, TimeBankEntry, TimeBankTransaction

CENT = Decimal("0.01")


def to_credits(value: Any) -> Decimal:
    """A positive amount of credits with two decimals, or an ActionError saying what to fix."""
    try:
        exact = Decimal(str(value).strip())
        if not exact.is_finite():
            raise ValueError(value)
        amount = exact.quantize(CENT)
    except (ArithmeticError, ValueError):
        raise ActionError(_("Please enter an amount of credits, such as 1.5."), field="amount") from None
    if amount != exact:
        raise ActionError(_("An amount of credits has at most two decimals."), field="amount")
    if amount <= 0:
        raise ActionError(_("The amount must be more than zero."), field="amount")
    if amount >= Decimal("100000"):
        raise ActionError(_("The amount is too large."), field="amount")
    return amount


def home_community(user: User) -> Area | None:
    """The community a person belongs to: the party-member record's home, the resident record's community, or the
    community of a participant's grant."""
    from gongzhi.core.models import Grant, PartyMember, Resident, Role

    member = PartyMember.objects.filter(user=user).select_related("home_area").first()
    if member is not None:
        home = _community_of(member.home_area)
        if home is not None:
            return home
    resident = Resident.objects.filter(user=user).select_related("area").first()
    if resident is not None:
        return _community_of(resident.area)
    grant = (Grant.objects.filter(user=user, role__in=[Role.PARTY_MEMBER, Role.VOLUNTEER, Role.RESIDENT])
             .select_related("area").order_by("pk").first())
    return _community_of(grant.area) if grant is not None else None


def _community_of(area: Area) -> Area | None:
    if area.level == Area.Level.COMMUNITY:
        return area
    return Area.objects.filter(pk__in=area.ancestor_ids(), level=Area.Level.COMMUNITY).first()


def _get_or_create(**lookup: Any) -> TimeBankAccount:
    # A person's or a unit's account is found by its owner (its area is where it was opened); a community's by
    # its area.
    key = {k: v for k, v in lookup.items() if k != "area"} if ("user" in lookup or "unit" in lookup) else lookup
    account = TimeBankAccount.objects.filter(**key).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return TimeBankAccount.objects.create(**lookup)
    except IntegrityError:  # opened at the same moment by another request
        return TimeBankAccount.objects.get(**key)


def account_of_user(user: User, *, create: bool = True) -> TimeBankAccount | None:
    """The person's account, opened at their home community on first use (None: no community to open it at)."""
    account = TimeBankAccount.objects.filter(user=user).first()
    if account is not None or not create:
        return account
    community = home_community(user)
    if community is None:
        return None
    return _get_or_create(kind=TimeBankAccount.Kind.PERSON, user=user, area=community)


def community_account(community: Area) -> TimeBankAccount:
    return _get_or_create(kind=TimeBankAccount.Kind.COMMUNITY, area=community)


def unit_account(unit: Unit) -> TimeBankAccount:
    return _get_or_create(kind=TimeBankAccount.Kind.UNIT, unit=unit, area=unit.area)


Leg = tuple[TimeBankAccount, Decimal]


def post(kind: str, memo: str, legs: Sequence[Leg], *, acting_user: User | None, signup: SignUp | None = None,
         reverses: TimeBankTransaction | None = None) -> TimeBankTransaction:
    """Write one movement: `legs` are (account, signed amount), summing to zero. Call it inside the caller's
    transaction (it requires one). Raises ActionError when an account would go below zero."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.post() runs inside the caller's transaction")
    amounts = [Decimal(a).quantize(CENT) for _acc, a in legs]
    if len(legs) < 2 or sum(amounts, Decimal(0)) != 0 or any(a == 0 for a in amounts):
        raise ValueError("A movement is two or more non-zero entries that sum to zero")
    ids = sorted({acc.pk for acc, _a in legs})
    locked = {a.pk: a for a in TimeBankAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    change: dict[int, Decimal] = {}
    for (acc, _a), amount in zip(legs, amounts, strict=True):
        change[acc.pk] = change.get(acc.pk, Decimal(0)) + amount
    for pk, delta in change.items():
        account = locked[pk]
        new = account.balance + delta
        if new < 0 and account.kind != TimeBankAccount.Kind.COMMUNITY:
            raise ActionError(_("Not enough credits: the balance of %(account)s is %(balance)s.")
                              % {"account": account, "balance": account.balance})
    now = timezone.now()
    txn = TimeBankTransaction.objects.create(kind=kind, memo=memo[:200], signup=signup, reverses=reverses,
                                             created_by=acting_user, created_at=now)
    TimeBankEntry.objects.bulk_create([TimeBankEntry(transaction=txn, account_id=acc.pk, amount=amount,
                                                     created_at=now)
                                       for (acc, _a), amount in zip(legs, amounts, strict=True)])
    for pk, delta in change.items():
        account = locked[pk]
        account.balance = account.balance + delta
        account.save(update_fields=["balance"])
    return txn


def reverse(txn: TimeBankTransaction, memo: str, *, acting_user: User | None) -> TimeBankTransaction:
    """Post the opposite of `txn` once (a second reversal is refused)."""
    txn = TimeBankTransaction.objects.select_for_update().get(pk=txn.pk)
    if txn.kind == TimeBankTransaction.Kind.REVERSAL:
        raise ActionError(_("A reversal cannot itself be reversed; post a new movement instead."))
    if TimeBankTransaction.objects.filter(reverses=txn).exists():
        raise ActionError(_("This movement has already been reversed."))
    legs = [(e.account, -e.amount) for e in txn.entries.select_related("account").order_by("pk")]
    return post(TimeBankTransaction.Kind.REVERSAL, memo, legs, acting_user=acting_user, reverses=txn)


def _credits(total: Any) -> Decimal:
    """A sum of entries as credits (SQLite sums decimals as floats: 0.969999… is 0.97)."""
    return Decimal(0).quantize(CENT) if total is None else Decimal(total).quantize(CENT)


def balance_from_entries(account: TimeBankAccount) -> Decimal:
    return _credits(TimeBankEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"])


def check_balances() -> list[tuple[int, Decimal, Decimal]]:
    """Accounts whose kept balance differs from the sum of their entries: (id, kept, from entries). Empty when the
    ledger is sound; also every transaction's entries must sum to zero (`unbalanced_transactions`)."""
    sums = dict(TimeBankEntry.objects.values("account_id").annotate(s=Sum("amount")).values_list("account_id", "s"))
    return [(pk, bal, _credits(sums.get(pk)))
            for pk, bal in TimeBankAccount.objects.values_list("pk", "balance")
            if bal != _credits(sums.get(pk))]


# Entries are whole cents: a movement whose entries sum to less than half a cent either way sums to zero (on SQLite
# the sum is a float).
HALF_CENT = Decimal("0.005")


def unbalanced_transactions() -> list[int]:
    """Movements whose entries do not sum to zero, or that have fewer than two entries."""
    return list(TimeBankTransaction.objects.annotate(s=Sum("entries__amount"), n=Count("entries"))
                .filter(Q(s__isnull=True) | Q(s__gte=HALF_CENT) | Q(s__lte=-HALF_CENT) | Q(n__lt=2))
                .order_by("pk").values_list("pk", flat=True))


@dataclass
class Statement:
    account: TimeBankAccount
    month: date
    opening: Decimal
    entries: list[TimeBankEntry]
    credits: Decimal
    debits: Decimal
    closing: Decimal


def statement(account: TimeBankAccount, year: int, month: int) -> Statement:
    """The monthly statement: the opening balance, the month's entries (with their movements), the closing."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(date(year, month, 1), time.min, tzinfo=tz)
    end = datetime.combine(date(year + (month == 12), month % 12 + 1, 1), time.min, tzinfo=tz)
    opening = _credits(TimeBankEntry.objects.filter(account=account, created_at__lt=start)
                       .aggregate(s=Sum("amount"))["s"])
    entries = list(TimeBankEntry.objects.filter(account=account, created_at__gte=start, created_at__lt=end)
                   .select_related("transaction").order_by("created_at", "pk"))
    credits = sum((e.amount for e in entries if e.amount > 0), Decimal(0))
    debits = sum((-e.amount for e in entries if e.amount < 0), Decimal(0))
    return Statement(account, date(year, month, 1), opening, entries, credits, debits, opening + credits - debits)
