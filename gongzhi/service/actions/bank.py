"""The time bank's writes (时间银行、公益反哺): credits from the community, transfers between people (in one community
or across the communities of an alliance), rewards offered by the community or a member unit, their redemption,
delivery and cancellation, and a staff correction (a reversing movement).

Every write is one transaction with a policy check (`gongzhi.service.permissions`), the ledger's movement
(`gongzhi.service.ledger.post` locks the accounts it moves) and an audit row ("service.bank.*", "service.reward.*",
named in reg_bank.py). System jobs (the demo builder) pass acting_user=None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event, snapshot
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Alliance, Area, Grant, PartyMember, Registration, Resident, Role, Unit, User
from gongzhi.core.notifications import notify
from gongzhi.lib.validators import clean_text as _text

from .. import ledger, permissions
from ..models import Redemption, Reward, TimeBankAccount, TimeBankTransaction

NOTE_LIMIT = 100
REASON_LIMIT = 200
MAX_STOCK = 100_000
PHONE = re.compile(r"^1\d{10}$")
REWARD_FIELDS = ["title", "kind", "description", "price", "stock", "active", "unit"]


def _is_community(area: Area | None) -> bool:
    return area is not None and area.level == Area.Level.COMMUNITY


def can_reach(sender_area_id: int, recipient_area_id: int) -> bool:
    """A transfer stays in one community or within an alliance both communities belong to."""
    if sender_area_id == recipient_area_id:
        return True
    return Alliance.objects.filter(communities=sender_area_id).filter(communities=recipient_area_id).exists()


def find_recipient(query: str) -> User:
    """The person a transfer goes to, by their account's username or their phone number (the account's, or a resident
    or party-member record linked to the account). Refuses, without revealing a phone, when none or several match."""
    query = (query or "").strip()
    if not query:
        raise ActionError(_("Please enter the recipient's username or phone number."), field="recipient")
    user = User.objects.filter(username=query, is_active=True).first()
    if user is not None:
        return user
    if PHONE.match(query):
        ids = set(User.objects.filter(phone=query, is_active=True).values_list("pk", flat=True))
        ids |= set(Resident.objects.filter(phone=query, user__is_active=True).values_list("user_id", flat=True))
        ids |= set(PartyMember.objects.filter(phone=query, user__is_active=True).values_list("user_id", flat=True))
        ids.discard(None)
        if len(ids) == 1:
            return User.objects.get(pk=ids.pop())
        if len(ids) > 1:
            raise ActionError(_("Several accounts use this phone number: please enter the recipient's username."),
                              field="recipient")
    raise ActionError(_("No one with this username or phone number has an account here."), field="recipient")


def _own_account(user: User) -> TimeBankAccount:
    account = ledger.account_of_user(user)
    if account is None:
        raise ActionError(_("You have no time bank account: it opens at your community once you have served there "
                            "or registered there."))
    return account


@dataclass
class TransferPlan:
    source: TimeBankAccount
    recipient: User
    community: Area  # the recipient's (their account's, or where it will open)
    amount: Decimal


def check_transfer(sender: User, *, recipient: str, amount: Any) -> TransferPlan:
    """What a transfer would do, checked without writing anything (the preview and `do_transfer` share it)."""
    credits = ledger.to_credits(amount)
    source = ledger.account_of_user(sender, create=False)
    if source is None:
        raise ActionError(_("You have no credits yet: they come from the hours you serve."), field="amount")
    permissions.account_policy.require(sender, "transfer", source, _("Only the holder transfers from an account."))
    person = find_recipient(recipient)
    if person.pk == sender.pk:
        raise ActionError(_("You cannot transfer credits to yourself."), field="recipient")
    target = ledger.account_of_user(person, create=False)
    community = target.area if target is not None else ledger.home_community(person)
    if community is None or (target is not None and target.kind != TimeBankAccount.Kind.PERSON):
        raise ActionError(_("This person has no time bank account yet: they have no community."), field="recipient")
    if not can_reach(source.area_id, community.pk):
        raise ActionError(_("You can transfer only to people of your community or of an alliance it belongs to."),
                          field="recipient")
    if source.balance < credits:
        raise ActionError(_("Not enough credits: your balance is %(balance)s.") % {"balance": source.balance},
                          field="amount")
    return TransferPlan(source, person, community, credits)


@transaction.atomic
def do_transfer(sender: User, *, recipient: str, amount: Any, note: str = "") -> TimeBankTransaction:
    """The sender gives credits to another person (for example an elderly parent); the recipient is notified."""
    note = _text(note, field="note", limit=NOTE_LIMIT)
    plan = check_transfer(sender, recipient=recipient, amount=amount)
    source, person, credits = plan.source, plan.recipient, plan.amount
    target = ledger.account_of_user(person)
    assert target is not None
    memo = (_("Transfer from %(sender)s to %(recipient)s: %(note)s") if note
            else _("Transfer from %(sender)s to %(recipient)s")) % {"sender": sender, "recipient": person, "note": note}
    txn = ledger.post(TimeBankTransaction.Kind.TRANSFER, memo, [(source, -credits), (target, credits)],
                      acting_user=sender)
    log_event(sender, "service.bank.transfer", txn, area=source.area,
              after={"amount": str(credits), "from_account": source.pk, "to_account": target.pk})
    notify([person], "service.bank.transfer",
           _("%(sender)s transferred %(amount)s credits to you.") % {"sender": sender, "amount": credits},
           reverse("service:bank"))
    return txn


@transaction.atomic
def do_credit(user: User, *, amount: Any, memo: str, acting_user: User | None) -> TimeBankTransaction:
    """Credits from the community's account to a person's (hours verified outside an activity, a correction).
    Activities credit their confirmed hours through the ledger themselves."""
    credits = ledger.to_credits(amount)
    memo = _text(memo, field="memo", limit=REASON_LIMIT, empty=_("Please say what the credits are for."))
    account = ledger.account_of_user(user)
    if account is None:
        raise ActionError(_("This person has no time bank account yet: they have no community."))
    if acting_user is not None and not permissions.manages(acting_user, account.area):
        raise PermissionDenied(_("Only the community's staff credit hours."))
    txn = ledger.post(TimeBankTransaction.Kind.CREDIT, memo,
                      [(ledger.community_account(account.area), -credits), (account, credits)],
                      acting_user=acting_user)
    log_event(acting_user, "service.bank.credit", txn, area=account.area,
              after={"amount": str(credits), "to_account": account.pk})
    return txn


@transaction.atomic
def do_reverse_movement(txn: TimeBankTransaction, *, acting_user: User | None, reason: str) -> TimeBankTransaction:
    """A staff correction: the opposite movement of a credit or a transfer (a redemption is cancelled instead).
    Refused when the credits were already spent (an account would go below zero)."""
    reason = _text(reason, field="reason", limit=REASON_LIMIT, empty=_("Please give the reason for the correction."))
    if txn.kind not in (TimeBankTransaction.Kind.CREDIT, TimeBankTransaction.Kind.TRANSFER):
        raise InvalidTransition(_("Only credits and transfers are corrected this way; cancel a redemption instead."))
    areas = list(Area.objects.filter(pk__in=txn.entries.values("account__area_id")))
    if acting_user is not None and not all(permissions.manages(acting_user, a) for a in areas):
        raise PermissionDenied(_("Only the staff of the communities involved correct a movement."))
    memo = _("Correction of “%(memo)s”: %(reason)s") % {"memo": txn.memo, "reason": reason}
    reversal = ledger.reverse(txn, memo, acting_user=acting_user)
    log_event(acting_user, "service.bank.reverse", reversal, area=areas[0] if areas else None,
              after={"reverses": txn.pk, "reason": reason})
    return reversal


# --- rewards ---------------------------------------------------------------------------------------------------


def unit_may_offer(unit: Unit, community: Area) -> bool:
    """A member unit offers rewards at a community where its registration is confirmed."""
    return Registration.objects.confirmed().filter(unit=unit, community=community).exists()


def _clean_reward(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not partial or "title" in data:
        out["title"] = _text(data.get("title"), field="title", limit=100, empty=_("Please name the reward."))
    if not partial or "kind" in data:
        kind = data.get("kind") or Reward.Kind.SERVICE
        if kind not in Reward.Kind.values:
            raise ActionError(_("Please choose a service or goods."), field="kind")
        out["kind"] = kind
    if not partial or "description" in data:
        out["description"] = _text(data.get("description"), field="description", limit=2000)
    if not partial or "price" in data:
        try:
            out["price"] = ledger.to_credits(data.get("price"))
        except ActionError as exc:
            raise ActionError(exc.message, field="price") from None
    if not partial or "stock" in data:
        try:
            stock = int(str(data.get("stock")).strip())
        except (TypeError, ValueError):
            raise ActionError(_("Please enter the stock as a whole number."), field="stock") from None
        if not 0 <= stock <= MAX_STOCK:
            raise ActionError(_("The stock is a number from 0 to %(max)d.") % {"max": MAX_STOCK}, field="stock")
        out["stock"] = stock
    if not partial or "active" in data:
        out["active"] = bool(data.get("active", True))
    return out


@transaction.atomic
def do_create_reward(*, acting_user: User | None, community: Area, unit: Unit | None = None,
                     **data: Any) -> Reward:
    """A reward offered by the community (unit=None: its staff) or by a member unit registered there (its liaison,
    or the community's staff for it)."""
    if not _is_community(community):
        raise ActionError(_("Rewards are offered at a community: please choose the community."), field="community")
    if acting_user is not None:
        permissions.area_policy.require(acting_user, "offer_reward", community,
                                        _("Only the community's staff or a registered member unit offer rewards."))
    if unit is None:
        if acting_user is not None and not permissions.manages(acting_user, community):
            raise ActionError(_("Please choose your unit as the provider."), field="unit")
    else:
        if not unit_may_offer(unit, community):
            raise ActionError(_("%(unit)s is not a confirmed member unit of %(community)s.")
                              % {"unit": unit.name, "community": community.name}, field="unit")
        if acting_user is not None and not (permissions.manages(acting_user, community)
                                            or unit.pk in permissions.liaison_unit_ids(acting_user)):
            raise ActionError(_("You may offer rewards only for your own unit."), field="unit")
    fields = _clean_reward(data, partial=False)
    reward = Reward.objects.create(community=community, unit=unit, created_by=acting_user, **fields)
    log_event(acting_user, "service.reward.create", reward, area=community, after=snapshot(reward, REWARD_FIELDS))
    return reward


@transaction.atomic
def do_update_reward(reward: Reward, *, acting_user: User | None, **data: Any) -> Reward:
    """Change a reward's text, price, stock or whether it is on offer (a redemption already made keeps its price)."""
    reward = Reward.objects.select_for_update().get(pk=reward.pk)
    permissions.require(acting_user, "manage", reward, _("Only the reward's provider changes it."))
    fields = _clean_reward(data, partial=True)
    before = snapshot(reward, REWARD_FIELDS)
    for name, value in fields.items():
        setattr(reward, name, value)
    if fields:
        reward.save(update_fields=list(fields))
    log_event(acting_user, "service.reward.update", reward, area=reward.community, before=before,
              after=snapshot(reward, REWARD_FIELDS))
    return reward


def provider_account(reward: Reward) -> TimeBankAccount:
    """Where a reward's credits go: its unit's account, or the community's for the community's rewards."""
    return ledger.unit_account(reward.unit) if reward.unit is not None else ledger.community_account(reward.community)


def provider_users(reward: Reward) -> list[User]:
    """Whom to tell about a redemption: the unit's liaisons, or the community's workers."""
    if reward.unit_id is not None:
        grants = Grant.objects.filter(unit_id=reward.unit_id, role=Role.UNIT_LIAISON)
    else:
        grants = Grant.objects.filter(area_id=reward.community_id, role=Role.COMMUNITY_WORKER)
    return list(User.objects.filter(is_active=True, pk__in=grants.values("user_id")))


@transaction.atomic
def do_redeem(reward: Reward, *, acting_user: User) -> Redemption:
    """The person redeems a reward: the reward row is locked (the last item goes once), the credits move to the
    provider at once (the ledger locks both accounts: the last credits go once), the stock goes down by one."""
    reward = Reward.objects.select_for_update(of=("self",)).select_related("community", "unit").get(pk=reward.pk)
    if not permissions.reward_policy.visible_to(acting_user).filter(pk=reward.pk).exists():
        raise PermissionDenied(_("This reward is not offered to you."))
    if not reward.active:
        raise InvalidTransition(_("This reward is no longer on offer."))
    if reward.stock < 1:
        raise InvalidTransition(_("This reward is out of stock."))
    permissions.require(acting_user, "redeem", reward, _("This reward is not offered to you."))
    account = _own_account(acting_user)
    provider = provider_account(reward)
    if provider.pk == account.pk:
        raise ActionError(_("You cannot redeem your own reward."))
    memo = _("Redeemed “%(reward)s” from %(provider)s") % {"reward": reward.title, "provider": provider}
    txn = ledger.post(TimeBankTransaction.Kind.REDEMPTION, memo, [(account, -reward.price), (provider, reward.price)],
                      acting_user=acting_user)
    reward.stock -= 1
    reward.save(update_fields=["stock"])
    redemption = Redemption.objects.create(reward=reward, user=acting_user, price=reward.price, transaction=txn)
    log_event(acting_user, "service.reward.redeem", redemption, area=reward.community,
              after={"reward": reward.title, "price": str(reward.price), "stock": reward.stock})
    notify(provider_users(reward), "service.reward.redeem",
           _("%(person)s redeemed “%(reward)s”: please deliver it.") % {"person": acting_user, "reward": reward.title},
           reverse("service:redemptions"))
    return redemption


def _locked_redemption(redemption: Redemption) -> Redemption:
    return (Redemption.objects.select_for_update(of=("self",))
            .select_related("reward", "reward__community", "reward__unit", "user", "transaction").get(pk=redemption.pk))


@transaction.atomic
def do_deliver_redemption(redemption: Redemption, *, acting_user: User | None) -> Redemption:
    """The provider (the community's staff, or the unit's liaison) confirms the reward was delivered."""
    redemption = _locked_redemption(redemption)
    permissions.require(acting_user, "deliver", redemption, _("Only the reward's provider confirms its delivery."))
    if redemption.status != Redemption.Status.PENDING:
        raise InvalidTransition(_("This redemption was already delivered or cancelled."))
    redemption.status, redemption.delivered_at = Redemption.Status.DELIVERED, timezone.now()
    redemption.delivered_by = acting_user
    redemption.save(update_fields=["status", "delivered_at", "delivered_by"])
    log_event(acting_user, "service.reward.deliver", redemption, area=redemption.reward.community,
              after={"status": redemption.status})
    notify([redemption.user], "service.reward.deliver",
           _("“%(reward)s” was delivered to you.") % {"reward": redemption.reward.title}, reverse("service:bank"))
    return redemption


@transaction.atomic
def do_cancel_redemption(redemption: Redemption, *, acting_user: User | None, reason: str = "") -> Redemption:
    """Cancel a redemption awaiting delivery: by the person, or by the provider with a reason. A reversing movement
    gives the credits back and the item returns to stock."""
    redemption = _locked_redemption(redemption)
    permissions.require(acting_user, "cancel", redemption, _("Only the person or the provider cancels a redemption."))
    if redemption.status != Redemption.Status.PENDING:
        raise InvalidTransition(_("Only a redemption awaiting delivery can be cancelled."))
    by_person = acting_user is not None and acting_user.pk == redemption.user_id
    reason = _text(reason, field="reason", limit=REASON_LIMIT,
                   empty=None if by_person else _("Please give the reason for cancelling."))
    reward = Reward.objects.select_for_update().get(pk=redemption.reward_id)
    memo = _("Cancelled redemption of “%(reward)s”") % {"reward": reward.title}
    if reason:
        memo = _("Cancelled redemption of “%(reward)s”: %(reason)s") % {"reward": reward.title, "reason": reason}
    ledger.reverse(redemption.transaction, memo, acting_user=acting_user)
    reward.stock += 1
    reward.save(update_fields=["stock"])
    redemption.status, redemption.cancel_reason = Redemption.Status.CANCELLED, reason
    redemption.save(update_fields=["status", "cancel_reason"])
    log_event(acting_user, "service.reward.cancel", redemption, area=redemption.reward.community,
              after={"status": redemption.status, "reason": reason, "by_person": by_person})
    if by_person:
        notify(provider_users(reward), "service.reward.cancel",
               _("%(person)s cancelled the redemption of “%(reward)s”.")
               % {"person": redemption.user, "reward": reward.title}, reverse("service:redemptions"))
    else:
        notify([redemption.user], "service.reward.cancel",
               _("Your redemption of “%(reward)s” was cancelled: %(reason)s. The credits were returned.")
               % {"reward": reward.title, "reason": reason}, reverse("service:bank"))
    return redemption
