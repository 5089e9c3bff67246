"""The time bank: the person's account page, transfers (by username or phone, across an alliance, refused clearly),
monthly statements and their Excel download, the staff's account list (masked), scoping (404/403), the hub card and
the nightly ledger check."""

from __future__ import annotations

import io
import logging
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.errors import ActionError
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.core.registry import registry
from gongzhi.service import ledger
from gongzhi.service.actions import bank as actions
from gongzhi.service.hub import cards_for
from gongzhi.service.models import TimeBankAccount, TimeBankEntry, TimeBankTransaction
from gongzhi.service.reg_bank import bank_card, redemption_tasks
from gongzhi.service.scheduled_bank import check_ledger
from gongzhi.test import Cast, formula_cells, make_user

from . import bank_scene
from .bank_scene import balance, state

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_shows_the_balance_and_the_entries_with_their_kind_and_memo(cast: Cast) -> None:
    bank_scene.credit(cast.party_member_user, "2.5", memo="敬老院探访 2.5 小时")
    page = _client(cast.party_member_user).get(reverse("service:bank"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="balance">2.50<' in html
    assert "敬老院探访 2.5 小时" in html and "服务时长入账" in html
    assert AuditEvent.objects.filter(verb="service.bank.credit").count() == 1


def test_a_person_without_an_account_sees_a_zero_balance_and_nothing_is_opened(cast: Cast) -> None:
    page = _client(cast.resident_user).get(reverse("service:bank"))
    assert page.status_code == 200 and 'data-testid="balance">0.00<' in page.content.decode()
    assert not TimeBankAccount.objects.exists()


def test_it_transfers_by_username_and_by_phone_and_tells_the_recipient(cast: Cast) -> None:
    bank_scene.credit(cast.party_member_user, "10")
    txn = actions.do_transfer(cast.party_member_user, recipient="resident_user", amount="2", note="给妈妈买助餐")
    assert txn.kind == TimeBankTransaction.Kind.TRANSFER and "给妈妈买助餐" in txn.memo
    assert sum(e.amount for e in txn.entries.all()) == 0
    # The resident record's phone finds the resident's account.
    actions.do_transfer(cast.party_member_user, recipient="13800138000", amount="1.5")
    assert balance(cast.party_member_user) == Decimal("6.50")
    assert balance(cast.resident_user) == Decimal("3.50")
    assert Notification.objects.filter(user=cast.resident_user, verb="service.bank.transfer").count() == 2
    assert AuditEvent.objects.filter(verb="service.bank.transfer").count() == 2
    account = ledger.account_of_user(cast.resident_user)
    assert account is not None and account.area == cast.community_a


@pytest.mark.parametrize(("recipient", "amount", "message"), [
    ("resident_user", "11", "积分不足"),
    ("resident_user", "abc", "请输入积分数额"),
    ("resident_user", "-1", "必须大于零"),
    ("resident_user", "0", "必须大于零"),
    ("resident_user", "1.234", "两位小数"),
    ("resident_user", "NaN", "请输入积分数额"),
    ("party_member_user", "1", "不能转给自己"),
    ("13700137000", "1", "不能转给自己"),
    ("resident_b_user", "1", "本社区"),
    ("nobody", "1", "没有找到"),
    ("", "1", "请输入"),
])
def test_a_refused_transfer_says_why_and_changes_nothing(cast: Cast, recipient: str, amount: str,
                                                         message: str) -> None:
    bank_scene.credit(cast.party_member_user, "10")
    bank_scene.resident_of_b(cast)
    before = state()
    with pytest.raises(ActionError) as refused:
        actions.do_transfer(cast.party_member_user, recipient=recipient, amount=amount)
    assert message in refused.value.message, refused.value.message
    assert state() == before
    assert not Notification.objects.filter(verb="service.bank.transfer").exists()


def test_a_transfer_crosses_to_a_community_of_the_same_alliance(cast: Cast) -> None:
    bank_scene.credit(cast.party_member_user, "10")
    other = bank_scene.resident_of_b(cast)
    with pytest.raises(ActionError):
        actions.do_transfer(cast.party_member_user, recipient="resident_b_user", amount="1")
    bank_scene.alliance(cast)
    actions.do_transfer(cast.party_member_user, recipient="13900139000", amount="1")
    assert balance(other) == Decimal("1.00")
    account = ledger.account_of_user(other)
    assert account is not None and account.area == cast.community_b


def test_a_phone_shared_by_two_accounts_asks_for_the_username(cast: Cast) -> None:
    bank_scene.credit(cast.party_member_user, "10")
    twin = make_user("twin", "双胞胎")
    twin.phone = "13800138000"
    twin.save(update_fields=["phone"])
    with pytest.raises(ActionError) as refused:
        actions.do_transfer(cast.party_member_user, recipient="13800138000", amount="1")
    assert "用户名" in refused.value.message and "13800138000" not in refused.value.message


def test_only_the_holder_transfers(cast: Cast) -> None:
    account = ledger.account_of_user(cast.party_member_user)
    assert account is not None
    assert not actions.permissions.can(cast.worker_a, "transfer", account)
    assert actions.permissions.can(cast.party_member_user, "transfer", account)


def test_the_transfer_page_previews_with_a_masked_phone_then_transfers(cast: Cast) -> None:
    bank_scene.credit(cast.party_member_user, "10")
    client = _client(cast.party_member_user)
    url = reverse("service:bank_transfer")
    assert client.get(url).status_code == 200
    preview = client.post(url, {"recipient": "13800138000", "amount": "2", "note": "孝亲", "do": "preview"})
    html = preview.content.decode()
    assert preview.status_code == 200 and 'data-testid="transfer-preview"' in html
    assert "张桂兰" in html and "13800138000" not in html.replace('value="13800138000"', "")
    assert not TimeBankTransaction.objects.filter(kind="transfer").exists()
    done = client.post(url, {"recipient": "13800138000", "amount": "2", "note": "孝亲", "do": "confirm"})
    assert done.status_code == 302 and balance(cast.resident_user) == Decimal("2.00")
    refused = client.post(url, {"recipient": "13800138000", "amount": "20", "do": "confirm"})
    assert refused.status_code == 400 and "积分不足" in refused.content.decode()
    assert balance(cast.resident_user) == Decimal("2.00")


def test_the_monthly_statement_and_its_excel_download(cast: Cast) -> None:
    bank_scene.credit(cast.party_member_user, "10")
    actions.do_transfer(cast.party_member_user, recipient="resident_user", amount="3", note="=HYPERLINK(\"x\")")
    account = ledger.account_of_user(cast.party_member_user)
    assert account is not None
    client = _client(cast.party_member_user)
    page = client.get(reverse("service:bank_account", args=[account.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for testid, value in (("opening", "0"), ("credits", "10.00"), ("debits", "3.00"), ("closing", "7.00")):
        assert f'data-testid="{testid}">{value}' in html, testid
    assert html.count('data-testid="statement-row"') == 2
    empty = client.get(reverse("service:bank_account", args=[account.pk]), {"month": "2001-01"})
    assert 'data-testid="closing">0.00<' in empty.content.decode()
    xlsx = client.get(reverse("service:bank_account_xlsx", args=[account.pk]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert formula_cells(io.BytesIO(xlsx.content)) == []
    sheet: Any = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == 0 and rows[-1][1] == 7
    assert any(isinstance(r[2], str) and "=HYPERLINK" in r[2] for r in rows)


def test_staff_see_their_communities_accounts_masked_and_not_anothers(cast: Cast) -> None:
    bank_scene.credit(cast.party_member_user, "10")
    cast.party_member_user.phone = "13700137000"
    cast.party_member_user.save(update_fields=["phone"])
    other = bank_scene.resident_of_b(cast)
    bank_scene.credit(other, "1")
    mine = ledger.account_of_user(cast.party_member_user)
    theirs = ledger.account_of_user(other)
    assert mine is not None and theirs is not None
    worker = _client(cast.worker_a)
    listing = worker.get(reverse("service:bank_accounts"))
    html = listing.content.decode()
    assert listing.status_code == 200 and "王红" in html and "137****7000" in html and "13700137000" not in html
    assert "李建国" not in html
    assert worker.get(reverse("service:bank_account", args=[mine.pk])).status_code == 200
    assert worker.get(reverse("service:bank_account", args=[theirs.pk])).status_code == 404
    assert worker.get(reverse("service:bank_account_xlsx", args=[theirs.pk])).status_code == 404
    assert _client(cast.resident_user).get(reverse("service:bank_account", args=[mine.pk])).status_code == 404
    assert _client(cast.resident_user).get(reverse("service:bank_accounts")).status_code == 403
    assert _client(cast.handler).get(reverse("service:bank")).status_code == 403


def test_a_liaison_sees_its_units_account(cast: Cast) -> None:
    unit_account = ledger.unit_account(cast.member_unit)
    client = _client(cast.liaison)
    assert client.get(reverse("service:bank_account", args=[unit_account.pk])).status_code == 200
    listing = client.get(reverse("service:bank_accounts")).content.decode()
    assert "和平物业服务有限公司" in listing
    assert reverse("service:bank_account", args=[unit_account.pk]) in client.get(reverse("service:bank")).content.decode()


def test_community_accounts_are_one_per_community(cast: Cast) -> None:
    a, b = ledger.community_account(cast.community_a), ledger.community_account(cast.community_b)
    assert a.pk != b.pk and a.area == cast.community_a and b.area == cast.community_b
    assert ledger.community_account(cast.community_a).pk == a.pk


def test_only_staff_credit_and_correct(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_credit(cast.party_member_user, amount="5", memo="自己加", acting_user=cast.party_member_user)
    with pytest.raises(PermissionDenied):
        actions.do_credit(cast.party_member_user, amount="5", memo="跨社区", acting_user=cast.worker_b)
    txn = actions.do_credit(cast.party_member_user, amount="5", memo="活动时长", acting_user=cast.worker_a)
    with pytest.raises(PermissionDenied):
        actions.do_reverse_movement(txn, acting_user=cast.worker_b, reason="录错")
    actions.do_reverse_movement(txn, acting_user=cast.worker_a, reason="录错")
    assert balance(cast.party_member_user) == 0
    with pytest.raises(ActionError):
        actions.do_reverse_movement(txn, acting_user=cast.worker_a, reason="再来一次")
    assert TimeBankEntry.objects.count() == 4


def test_the_hub_card_shows_the_balance_and_for_providers_what_to_deliver(cast: Cast) -> None:
    scene = bank_scene.build(cast)
    actions.do_redeem(scene.community_reward, acting_user=cast.party_member_user)
    card = bank_card(cast.party_member_user)
    assert card is not None
    lines = {str(k): str(v) for k, v in card.lines}
    assert lines["余额（积分）"] == "8.00" and lines["待交付的兑换"] == "1"
    staff = bank_card(cast.worker_a)
    assert staff is not None and {str(k): v for k, v in staff.lines}["待交付的兑换项目"] == 1
    assert bank_card(cast.handler) is None
    assert any(c.key == "bank" for c in cards_for(cast.party_member_user))
    tasks = redemption_tasks(cast.worker_a)
    assert [t.count for t in tasks] == [1] and redemption_tasks(cast.resident_user) == []
    assert [t.count for t in redemption_tasks(cast.liaison)] == [0]


def test_the_nightly_check_is_quiet_on_a_sound_ledger_and_tells_the_city_admins_otherwise(
        cast: Cast, caplog: pytest.LogCaptureFixture) -> None:
    bank_scene.build(cast)
    assert check_ledger() == {"accounts_wrong": 0, "movements_wrong": 0}
    assert not Notification.objects.filter(verb="service.bank.check_failed").exists()
    account = ledger.account_of_user(cast.party_member_user)
    assert account is not None
    TimeBankAccount.objects.filter(pk=account.pk).update(balance=Decimal("99"))
    TimeBankEntry.objects.filter(pk=TimeBankEntry.objects.order_by("pk").first().pk).update(  # type: ignore[union-attr]
        amount=Decimal("-7"))
    with caplog.at_level(logging.ERROR, logger="gongzhi.service.bank"):
        result: Any = check_ledger()
    assert result["accounts_wrong"] >= 1 and result["movements_wrong"] == 1
    assert "ledger check failed" in caplog.text and "王红" not in caplog.text
    assert Notification.objects.filter(user=cast.city_admin, verb="service.bank.check_failed").count() == 1
    assert not Notification.objects.filter(user=cast.worker_a, verb="service.bank.check_failed").exists()
    assert any(c.fn is check_ledger and c.every_seconds == 24 * 3600 for c in registry.scheduled_checks)
