"""The demo's time bank (step service.bank, order 63) at 锦华社区: the demo people hold credits, the party member gave
some to a resident, the community's and the unit_liaison's unit's rewards, redemptions pending, delivered and
cancelled; the pages show them to the demo accounts; the ledger is sound."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.core.models import Grant, User
from gongzhi.core.registry import registry
from gongzhi.service import ledger
from gongzhi.service.models import Redemption, Reward, TimeBankTransaction

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(demo_city: Any) -> str:
    return str(demo_city.output)


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_bank_step_runs_after_the_activities(demo: str) -> None:
    names = [name for name, _fn in registry.demo_builders()]
    assert "service.bank" in names
    if "service.activities" in names:
        assert names.index("service.activities") < names.index("service.bank")


def test_the_demo_people_hold_credits_and_the_party_member_gave_some(demo: str) -> None:
    for username in ("party_member", "volunteer", "resident"):
        account = ledger.account_of_user(User.objects.get(username=username), create=False)
        assert account is not None and account.area.name == "锦华社区", username
    member = User.objects.get(username="party_member")
    transfer = TimeBankTransaction.objects.get(kind="transfer", created_by=member)
    assert "孝亲敬老" in transfer.memo
    assert ledger.check_balances() == [] and ledger.unbalanced_transactions() == []


def test_the_demo_rewards_and_redemptions_in_every_state(demo: str) -> None:
    rewards = Reward.objects.filter(community__name="锦华社区")
    assert rewards.filter(unit__isnull=True, active=True).count() >= 3
    assert rewards.filter(active=False).exists()
    liaison_unit: Any = Grant.objects.get(user__username="unit_liaison").unit_id
    assert rewards.filter(unit_id=liaison_unit).exists()
    statuses = set(Redemption.objects.filter(reward__community__name="锦华社区").values_list("status", flat=True))
    assert statuses == {"pending", "delivered", "cancelled"}
    assert Redemption.objects.filter(reward__unit_id=liaison_unit, status="pending").exists()
    assert Redemption.objects.filter(reward__unit__isnull=True, status="pending").exists()


def test_the_demo_accounts_see_the_bank(demo: str) -> None:
    home = _client("party_member").get(reverse("service:bank"))
    assert home.status_code == 200 and "孝亲敬老" in home.content.decode()
    assert "志愿理发一次" in _client("resident").get(reverse("service:rewards")).content.decode()
    worker = _client("sq_worker")
    assert 'data-testid="pending-redemption"' in worker.get(reverse("service:redemptions")).content.decode()
    assert 'data-testid="account-row"' in worker.get(reverse("service:bank_accounts")).content.decode()
    todo = _client("unit_liaison").get(reverse("service:redemptions")).content.decode()
    assert "物业上门疏通下水道" in todo
