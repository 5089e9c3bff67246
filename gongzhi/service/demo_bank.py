"""The demo's time bank (step service.bank, order 63, after the activities step that credits the demo people's
confirmed hours), at 锦华社区 (sq_worker's community):

- the demo party member, volunteer and resident hold credits (when the activities step left them none, the
  community credits some verified hours here);
- the party member transfers credits to an elderly resident of the community (孝亲敬老);
- the community offers rewards (a haircut, meal vouchers, a repair visit; one off offer, out of stock) and the
  unit_liaison's member unit (registered there) offers its own;
- redemptions: pending (to deliver by sq_worker and by unit_liaison), delivered, and one cancelled by the person
  (the credits came back).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from gongzhi.core.models import Area, Grant, Resident, Role, User

from . import ledger
from .actions import bank as actions
from .models import Reward, TimeBankAccount

COMMUNITY = "锦华社区"
COMMUNITY_REWARDS = [
    # title, kind, price, stock, active, description
    ("志愿理发一次", Reward.Kind.SERVICE, "2", 20, True, "每月第二个周六上午，社区党群服务中心一楼。"),
    ("老年助餐券（一餐）", Reward.Kind.GOODS, "1.5", 60, True, "社区长者食堂午餐一份，凭兑换记录领取。"),
    ("家电上门维修", Reward.Kind.SERVICE, "3", 5, True, "小家电、水电小修，志愿者上门，材料费另计。"),
    ("春节对联礼包", Reward.Kind.GOODS, "1", 0, False, "春节前兑换，已兑完。"),
]
UNIT_REWARD = ("物业上门疏通下水道", Reward.Kind.SERVICE, "4", 10, True, "工作日 9:00–17:00 预约上门。")


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _elder(community: Area, exclude: set[int]) -> User | None:
    """An elderly resident of the community with an account (the oldest), or None."""
    resident = (Resident.objects.filter(area__path__startswith=community.path, user__isnull=False,
                                        user__is_active=True).exclude(user_id__in=exclude)
                .exclude(birth_year__isnull=True).order_by("birth_year", "pk").select_related("user").first())
    return resident.user if resident is not None else None


def _ensure_credits(user: User, at_least: Decimal, memo: str) -> None:
    account = ledger.account_of_user(user)
    if account is not None and account.balance < at_least:
        actions.do_credit(user, amount=at_least - account.balance, memo=memo, acting_user=None)


def _reward(community: Area, spec: tuple[Any, ...], by: User | None, unit: Any = None) -> Reward:
    title, kind, price, stock, active, description = spec
    return actions.do_create_reward(acting_user=by, community=community, unit=unit, title=title, kind=kind,
                                    price=price, stock=stock, active=active, description=description)


def build_demo_bank(ctx: Any) -> dict[str, int] | None:
    community = Area.objects.filter(name=COMMUNITY, level=Area.Level.COMMUNITY).first()
    if community is None or Reward.objects.filter(community=community).exists():
        return None
    worker, liaison = _user("sq_worker"), _user("unit_liaison")
    member, volunteer, resident = _user("party_member"), _user("volunteer"), _user("resident")
    people = [u for u in (member, volunteer, resident) if u is not None]
    month = timezone.localdate().strftime("%Y年%m月")
    for user, credits in ((member, "12"), (volunteer, "8"), (resident, "2")):
        if user is not None:
            _ensure_credits(user, Decimal(credits), f"{month}志愿服务时长（社区核定）")

    elder = _elder(community, {u.pk for u in people}) or resident
    transfers = 0
    if member is not None and elder is not None and elder.pk != member.pk:
        actions.do_transfer(member, recipient=elder.username, amount="3", note="孝亲敬老：给独居老人兑换助餐")
        transfers += 1

    rewards = [_reward(community, spec, worker) for spec in COMMUNITY_REWARDS]
    haircut, meal, repair = rewards[0], rewards[1], rewards[2]
    unit_reward = None
    if liaison is not None:
        grant = Grant.objects.filter(user=liaison, role=Role.UNIT_LIAISON).select_related("unit").first()
        if grant is not None and grant.unit is not None and actions.unit_may_offer(grant.unit, community):
            unit_reward = _reward(community, UNIT_REWARD, liaison, grant.unit)
            rewards.append(unit_reward)

    redemptions = 0
    if member is not None:
        actions.do_redeem(haircut, acting_user=member)  # pending: sq_worker delivers
        cancelled = actions.do_redeem(repair, acting_user=member)
        actions.do_cancel_redemption(cancelled, acting_user=member, reason="时间冲突，下次再约")
        redemptions += 2
    if volunteer is not None:
        delivered = actions.do_redeem(meal, acting_user=volunteer)
        actions.do_deliver_redemption(delivered, acting_user=worker)
        redemptions += 1
        if unit_reward is not None:
            actions.do_redeem(unit_reward, acting_user=volunteer)  # pending: unit_liaison delivers
            redemptions += 1
    if elder is not None and ledger.account_of_user(elder, create=False) is not None:
        account = ledger.account_of_user(elder, create=False)
        if account is not None and account.balance >= meal.price:
            delivered = actions.do_redeem(meal, acting_user=elder)
            actions.do_deliver_redemption(delivered, acting_user=worker)
            redemptions += 1
    ctx.say(f"service.bank: {len(rewards)} rewards, {redemptions} redemptions, {transfers} transfers at {COMMUNITY}")
    return {"bank_rewards": len(rewards), "bank_redemptions": redemptions,
            "bank_accounts": TimeBankAccount.objects.filter(area=community).count()}
