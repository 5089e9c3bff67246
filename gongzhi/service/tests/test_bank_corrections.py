"""The community's staff correct a person's account on its statement page: credit verified hours (from the
community's account) and reverse a credit or a transfer with a reason. The member may do neither (403); another
community's staff do not see the account (404); a refused correction changes nothing; a movement is reversed once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.core.models import AuditEvent
from gongzhi.service import ledger
from gongzhi.service.models import TimeBankEntry, TimeBankTransaction
from gongzhi.test import Cast

from . import bank_scene
from .bank_scene import balance

pytestmark = pytest.mark.django_db


def client_of(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_staff_credit_hours_and_reverse_a_movement_with_a_reason(cast: Cast) -> None:
    bank_scene.credit(cast.party_member_user, "2")
    account = ledger.account_of_user(cast.party_member_user)
    assert account is not None
    worker = client_of(cast.worker_a)
    page = worker.get(reverse("service:bank_account", args=[account.pk])).content.decode()
    assert 'data-testid="credit-box"' in page and 'data-testid="reverse-box"' in page

    worker.post(reverse("service:bank_account_credit", args=[account.pk]), {"amount": "1.5", "memo": "敬老院帮扶"})
    assert balance(cast.party_member_user) == Decimal("3.50")
    assert AuditEvent.objects.filter(verb="service.bank.credit").exists()

    first = TimeBankTransaction.objects.filter(entries__account=account).order_by("pk").first()
    assert first is not None
    url = reverse("service:bank_account_reverse", args=[account.pk, first.pk])
    worker.post(url, {"reason": "重复登记"})
    assert balance(cast.party_member_user) == Decimal("1.50")
    reversal = TimeBankTransaction.objects.get(reverses=first)
    assert "重复登记" in reversal.memo
    assert AuditEvent.objects.filter(verb="service.bank.reverse").exists()
    entries = TimeBankEntry.objects.count()
    response = worker.post(url, {"reason": "再冲一次"}, follow=True)
    assert "已冲正过" in response.content.decode() and TimeBankEntry.objects.count() == entries
    assert ledger.check_balances() == []


def test_a_refused_correction_says_why_and_changes_nothing(cast: Cast) -> None:
    bank_scene.credit(cast.party_member_user, "2")
    account = ledger.account_of_user(cast.party_member_user)
    assert account is not None
    worker = client_of(cast.worker_a)
    entries = TimeBankEntry.objects.count()
    for data in ({"amount": "", "memo": "x"}, {"amount": "-1", "memo": "x"}, {"amount": "1", "memo": ""}):
        response = worker.post(reverse("service:bank_account_credit", args=[account.pk]), data, follow=True)
        assert 'class="message error' in response.content.decode() or "message error" in response.content.decode()
    txn = TimeBankTransaction.objects.filter(entries__account=account).first()
    assert txn is not None
    worker.post(reverse("service:bank_account_reverse", args=[account.pk, txn.pk]), {"reason": ""})
    assert TimeBankEntry.objects.count() == entries and balance(cast.party_member_user) == Decimal("2.00")


def test_the_member_may_not_correct_and_another_community_does_not_see_the_account(cast: Cast) -> None:
    bank_scene.credit(cast.party_member_user, "2")
    account = ledger.account_of_user(cast.party_member_user)
    assert account is not None
    txn = TimeBankTransaction.objects.filter(entries__account=account).first()
    assert txn is not None
    member = client_of(cast.party_member_user)
    assert 'data-testid="credit-box"' not in member.get(
        reverse("service:bank_account", args=[account.pk])).content.decode()
    assert member.post(reverse("service:bank_account_credit", args=[account.pk]),
                       {"amount": "5", "memo": "自己加"}).status_code == 403
    assert member.post(reverse("service:bank_account_reverse", args=[account.pk, txn.pk]),
                       {"reason": "x"}).status_code == 403
    other = client_of(cast.worker_b)
    assert other.post(reverse("service:bank_account_credit", args=[account.pk]),
                      {"amount": "5", "memo": "x"}).status_code == 404
    assert other.post(reverse("service:bank_account_reverse", args=[account.pk, txn.pk]),
                      {"reason": "x"}).status_code == 404
    # A movement that is not on this account is 404 through it.
    worker = client_of(cast.worker_a)
    assert worker.post(reverse("service:bank_account_reverse", args=[account.pk, 999999]),
                       {"reason": "x"}).status_code == 404
    assert balance(cast.party_member_user) == Decimal("2.00")
