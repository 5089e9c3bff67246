"""The time bank's test scene on the cast: credits for the party member and the volunteer, a resident of community
B with an account, rewards of community A and of its member unit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gongzhi.core import actions as core_actions
from gongzhi.core.models import Alliance, Role, User
from gongzhi.service import ledger
from gongzhi.service.actions import bank as actions
from gongzhi.service.models import Reward, TimeBankAccount, TimeBankEntry
from gongzhi.test import Cast, make_user


@dataclass
class Scene:
    cast: Cast
    resident_b_user: User
    community_reward: Reward
    unit_reward: Reward
    reward_b: Reward


def resident_of_b(cast: Cast) -> User:
    user = make_user("resident_b_user", "李建国")
    core_actions.do_grant_role(user, role=Role.RESIDENT, area=cast.community_b, acting_user=None)
    cast.resident_b.user = user
    cast.resident_b.save(update_fields=["user"])
    return user


def credit(user: User, amount: str, memo: str = "3月志愿服务时长") -> None:
    actions.do_credit(user, amount=amount, memo=memo, acting_user=None)


def build(cast: Cast) -> Scene:
    credit(cast.party_member_user, "10")
    credit(cast.volunteer, "5")
    resident_b = resident_of_b(cast)
    credit(resident_b, "4")
    community_reward = actions.do_create_reward(acting_user=cast.worker_a, community=cast.community_a,
                                                title="志愿理发一次", kind="service", price="2", stock=3)
    unit_reward = actions.do_create_reward(acting_user=cast.liaison, community=cast.community_a,
                                           unit=cast.member_unit, title="上门疏通下水道", kind="service", price="4",
                                           stock=1)
    reward_b = actions.do_create_reward(acting_user=cast.worker_b, community=cast.community_b, title="安定门助餐券",
                                        kind="goods", price="1", stock=10)
    return Scene(cast, resident_b, community_reward, unit_reward, reward_b)


def alliance(cast: Cast) -> Alliance:
    return core_actions.do_create_alliance(name="和平安定联盟", communities=[cast.community_a, cast.community_b],
                                           acting_user=None)


def balance(user: User) -> Decimal:
    account = ledger.account_of_user(user, create=False)
    return account.balance if account is not None else Decimal(0)


def state() -> tuple[int, list[tuple[int, Decimal]], list[tuple[int, int]]]:
    """What a refused write must leave as it was: entries, balances, stock."""
    return (TimeBankEntry.objects.count(), list(TimeBankAccount.objects.order_by("pk").values_list("pk", "balance")),
            list(Reward.objects.order_by("pk").values_list("pk", "stock")))
