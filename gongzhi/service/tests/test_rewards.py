"""Rewards (公益反哺): offered by the community's staff or a registered member unit's liaison; redeemed (credits to the
provider's account, stock down), delivered by the provider, cancelled by the person while pending or by the provider
with a reason (a reversal gives the credits back, the stock returns). Refusals change nothing; the pages work on a
phone (one POST per step) and the API answers as the pages."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import AuditEvent, Notification, Unit
from gongzhi.service import ledger
from gongzhi.service.actions import bank as actions
from gongzhi.service.models import Redemption, Reward, TimeBankEntry, TimeBankTransaction
from gongzhi.test import Cast, make_user

from . import bank_scene
from .bank_scene import balance, state

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _json(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_the_community_and_a_member_unit_offer_rewards(cast: Cast) -> None:
    scene = bank_scene.build(cast)
    assert scene.community_reward.unit is None and scene.unit_reward.unit == cast.member_unit
    assert AuditEvent.objects.filter(verb="service.reward.create").count() == 3
    # A liaison offers only for its own unit, not in the community's name.
    with pytest.raises(ActionError):
        actions.do_create_reward(acting_user=cast.liaison, community=cast.community_a, title="社区的", price="1",
                                 stock=1)
    with pytest.raises(PermissionDenied):
        actions.do_create_reward(acting_user=cast.liaison, community=cast.community_b, unit=cast.member_unit,
                                 title="别的社区", price="1", stock=1)
    # A unit not registered at the community cannot offer there, even through the community's staff.
    other = core_actions.do_create_unit(acting_user=None, area=cast.community_a, name="未报到的公司",
                                        kind=Unit.Kind.ENTERPRISE)
    with pytest.raises(ActionError):
        actions.do_create_reward(acting_user=cast.worker_a, community=cast.community_a, unit=other, title="x",
                                 price="1", stock=1)
    with pytest.raises(PermissionDenied):
        actions.do_create_reward(acting_user=cast.resident_user, community=cast.community_a, title="x", price="1",
                                 stock=1)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "", "名称"), ("price", "0", "大于零"), ("price", "abc", "积分数额"), ("stock", "-1", "库存"),
    ("stock", "ten", "整数"), ("kind", "money", "服务或物品"),
])
def test_a_bad_reward_is_refused_and_nothing_is_saved(cast: Cast, field: str, value: str, message: str) -> None:
    data: dict[str, Any] = {"title": "理发", "price": "2", "stock": 3, "kind": "service", field: value}
    with pytest.raises(ActionError) as refused:
        actions.do_create_reward(acting_user=cast.worker_a, community=cast.community_a, **data)
    assert message in refused.value.message and refused.value.field == field
    assert not Reward.objects.exists()


def test_a_redemption_moves_the_credits_to_the_provider_and_takes_one_from_stock(cast: Cast) -> None:
    scene = bank_scene.build(cast)
    redemption = actions.do_redeem(scene.community_reward, acting_user=cast.party_member_user)
    assert redemption.status == Redemption.Status.PENDING and redemption.price == Decimal("2.00")
    assert balance(cast.party_member_user) == Decimal("8.00")
    community = ledger.community_account(cast.community_a)
    assert redemption.transaction.kind == TimeBankTransaction.Kind.REDEMPTION
    assert {e.account_id: e.amount for e in redemption.transaction.entries.all()}[community.pk] == Decimal("2.00")
    assert Reward.objects.get(pk=scene.community_reward.pk).stock == 2
    assert Notification.objects.filter(user=cast.worker_a, verb="service.reward.redeem").exists()
    unit_redemption = actions.do_redeem(scene.unit_reward, acting_user=cast.party_member_user)
    assert ledger.unit_account(cast.member_unit).balance == Decimal("4.00")
    assert Notification.objects.filter(user=cast.liaison, verb="service.reward.redeem").exists()
    assert unit_redemption.reward.unit == cast.member_unit


def test_a_refused_redemption_changes_nothing(cast: Cast) -> None:
    scene = bank_scene.build(cast)
    actions.do_redeem(scene.unit_reward, acting_user=cast.party_member_user)  # the last one
    before = state()
    with pytest.raises(InvalidTransition, match="兑完"):
        actions.do_redeem(scene.unit_reward, acting_user=cast.volunteer)
    poor = scene.community_reward
    actions.do_update_reward(poor, acting_user=cast.worker_a, price="6")
    before = state()
    with pytest.raises(ActionError, match="积分不足"):
        actions.do_redeem(poor, acting_user=cast.volunteer)
    assert state() == before
    actions.do_update_reward(poor, acting_user=cast.worker_a, active=False)
    with pytest.raises(InvalidTransition, match="下架"):
        actions.do_redeem(poor, acting_user=cast.party_member_user)
    with pytest.raises(PermissionDenied):
        actions.do_redeem(scene.reward_b, acting_user=cast.party_member_user)
    with pytest.raises(ActionError, match="没有时间银行账户"):
        actions.do_redeem(scene.reward_b, acting_user=cast.worker_b)
    assert Redemption.objects.count() == 1


def test_the_provider_confirms_delivery(cast: Cast) -> None:
    scene = bank_scene.build(cast)
    community = actions.do_redeem(scene.community_reward, acting_user=cast.party_member_user)
    unit = actions.do_redeem(scene.unit_reward, acting_user=cast.volunteer)
    with pytest.raises(PermissionDenied):
        actions.do_deliver_redemption(community, acting_user=cast.party_member_user)
    with pytest.raises(PermissionDenied):
        actions.do_deliver_redemption(community, acting_user=cast.liaison)
    actions.do_deliver_redemption(community, acting_user=cast.worker_a)
    actions.do_deliver_redemption(unit, acting_user=cast.liaison)
    assert Redemption.objects.filter(status="delivered").count() == 2
    with pytest.raises(InvalidTransition):
        actions.do_deliver_redemption(community, acting_user=cast.worker_a)
    with pytest.raises(InvalidTransition):
        actions.do_cancel_redemption(community, acting_user=cast.party_member_user)
    assert Notification.objects.filter(user=cast.party_member_user, verb="service.reward.deliver").count() == 1


def test_a_cancellation_reverses_the_credits_and_returns_the_item(cast: Cast) -> None:
    scene = bank_scene.build(cast)
    mine = actions.do_redeem(scene.community_reward, acting_user=cast.party_member_user)
    entries = TimeBankEntry.objects.count()
    actions.do_cancel_redemption(mine, acting_user=cast.party_member_user)
    assert balance(cast.party_member_user) == Decimal("10.00")
    assert Reward.objects.get(pk=scene.community_reward.pk).stock == 3
    assert TimeBankEntry.objects.count() == entries + 2  # nothing deleted: a reversing movement
    assert TimeBankTransaction.objects.get(reverses=mine.transaction).kind == TimeBankTransaction.Kind.REVERSAL
    theirs = actions.do_redeem(scene.unit_reward, acting_user=cast.volunteer)
    with pytest.raises(ActionError, match="原因"):
        actions.do_cancel_redemption(theirs, acting_user=cast.liaison, reason="")
    with pytest.raises(PermissionDenied):
        actions.do_cancel_redemption(theirs, acting_user=cast.party_member_user, reason="不是我的")
    actions.do_cancel_redemption(theirs, acting_user=cast.liaison, reason="师傅本周休假")
    assert Redemption.objects.get(pk=theirs.pk).cancel_reason == "师傅本周休假"
    assert ledger.unit_account(cast.member_unit).balance == 0 and balance(cast.volunteer) == Decimal("5.00")
    assert Notification.objects.filter(user=cast.volunteer, verb="service.reward.cancel").exists()
    assert AuditEvent.objects.filter(verb="service.reward.cancel").count() == 2
    with pytest.raises(InvalidTransition):
        actions.do_cancel_redemption(theirs, acting_user=cast.liaison, reason="再取消")


def test_the_redeem_flow_through_the_pages(cast: Cast) -> None:
    scene = bank_scene.build(cast)
    person = _client(cast.party_member_user)
    listing = person.get(reverse("service:rewards"))
    html = listing.content.decode()
    assert listing.status_code == 200 and "志愿理发一次" in html and "上门疏通下水道" in html
    assert "安定门助餐券" not in html and 'data-testid="offer-reward"' not in html
    assert "服务" in html and "党员志愿服务</span>" not in html
    done = person.post(reverse("service:reward_redeem", args=[scene.community_reward.pk]))
    assert done.status_code == 302 and done["Location"] == reverse("service:bank")
    home = person.get(reverse("service:bank")).content.decode()
    assert 'data-testid="pending-redemptions">1<' in home and "志愿理发一次" in home
    assert person.post(reverse("service:reward_redeem", args=[scene.reward_b.pk])).status_code == 404
    assert person.get(reverse("service:reward_redeem", args=[scene.community_reward.pk])).status_code == 405
    redemption = Redemption.objects.get()
    worker = _client(cast.worker_a)
    todo = worker.get(reverse("service:redemptions")).content.decode()
    assert 'data-testid="pending-redemption"' in todo and "王红" in todo
    assert person.post(reverse("service:redemption_deliver", args=[redemption.pk])).status_code == 403
    assert _client(cast.worker_b).post(reverse("service:redemption_deliver", args=[redemption.pk])).status_code == 404
    assert worker.post(reverse("service:redemption_deliver", args=[redemption.pk])).status_code == 302
    assert Redemption.objects.get().status == "delivered"


def test_the_person_cancels_on_the_account_page_and_the_provider_with_a_reason(cast: Cast) -> None:
    scene = bank_scene.build(cast)
    first = actions.do_redeem(scene.community_reward, acting_user=cast.party_member_user)
    second = actions.do_redeem(scene.community_reward, acting_user=cast.party_member_user)
    person = _client(cast.party_member_user)
    assert person.post(reverse("service:redemption_cancel", args=[first.pk])).status_code == 302
    worker = _client(cast.worker_a)
    worker.post(reverse("service:redemption_cancel", args=[second.pk]), {"from": "provider", "reason": ""})
    assert Redemption.objects.get(pk=second.pk).status == "pending"
    worker.post(reverse("service:redemption_cancel", args=[second.pk]), {"from": "provider", "reason": "缺货"})
    assert Redemption.objects.get(pk=second.pk).status == "cancelled"
    assert balance(cast.party_member_user) == Decimal("10.00")


def test_offering_and_editing_a_reward_through_the_pages(cast: Cast) -> None:
    liaison = _client(cast.liaison)
    form = liaison.get(reverse("service:reward_new"))
    assert form.status_code == 200 and "和平物业服务有限公司" in form.content.decode()
    bad = liaison.post(reverse("service:reward_new"), {
        "community": cast.community_a.pk, "provider": "community", "kind": "service", "title": "x", "price": "1",
        "stock": "1", "active": "on"})
    assert bad.status_code == 400 and not Reward.objects.exists()
    ok = liaison.post(reverse("service:reward_new"), {
        "community": cast.community_a.pk, "provider": f"unit:{cast.member_unit.pk}", "kind": "goods",
        "title": "保洁工具包", "price": "1.5", "stock": "8", "active": "on"})
    assert ok.status_code == 302
    reward = Reward.objects.get()
    assert reward.unit == cast.member_unit and reward.price == Decimal("1.50")
    edit = reverse("service:reward_edit", args=[reward.pk])
    assert _client(cast.party_member_user).get(edit).status_code == 403
    assert _client(cast.worker_b).get(edit).status_code == 404
    liaison.post(edit, {"kind": "goods", "title": "保洁工具包", "price": "2", "stock": "0"})
    reward.refresh_from_db()
    assert reward.price == Decimal("2.00") and reward.stock == 0 and not reward.active
    assert _client(cast.resident_user).get(reverse("service:reward_new")).status_code == 403


def test_the_rewards_api(cast: Cast) -> None:
    scene = bank_scene.build(cast)
    person, worker, liaison = _client(cast.party_member_user), _client(cast.worker_a), _client(cast.liaison)
    rewards = person.get("/api/service/rewards").json()
    assert {r["title"] for r in rewards} == {"志愿理发一次", "上门疏通下水道"}
    assert {r["kind_label"] for r in rewards} == {"服务"}
    created = _json(liaison, "/api/service/rewards", {"community_id": cast.community_a.pk,
                                                      "unit_id": cast.member_unit.pk, "title": "电动车检修",
                                                      "price": "3", "stock": 2})
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    assert _json(liaison, "/api/service/rewards", {"community_id": cast.community_a.pk, "title": "x", "price": "-1",
                                                   "stock": 2}).status_code == 400
    assert _json(person, f"/api/service/rewards/{rid}", {"stock": 5}).status_code == 403
    assert _json(_client(cast.worker_b), f"/api/service/rewards/{rid}", {"stock": 5}).status_code == 404
    assert _json(liaison, f"/api/service/rewards/{rid}", {"stock": 5}).json()["stock"] == 5
    redeemed = _json(person, f"/api/service/rewards/{scene.community_reward.pk}/redeem")
    assert redeemed.status_code == 201 and redeemed.json()["status"] == "pending"
    red = redeemed.json()["id"]
    assert _json(person, f"/api/service/rewards/{scene.reward_b.pk}/redeem").status_code == 404
    assert _json(person, f"/api/service/redemptions/{red}/deliver").status_code == 403
    assert _json(worker, f"/api/service/redemptions/{red}/deliver").json()["status"] == "delivered"
    assert _json(worker, f"/api/service/redemptions/{red}/deliver").status_code == 400
    again = _json(person, f"/api/service/rewards/{scene.community_reward.pk}/redeem").json()["id"]
    cancelled = _json(person, f"/api/service/redemptions/{again}/cancel", {})
    assert cancelled.json()["status"] == "cancelled"
    mine = person.get("/api/service/redemptions").json()
    assert {r["status"] for r in mine} == {"delivered", "cancelled"}
    assert _client(cast.worker_b).get("/api/service/redemptions").json() == []


def test_the_account_api(cast: Cast) -> None:
    bank_scene.build(cast)
    person = _client(cast.party_member_user)
    mine = person.get("/api/service/bank/account").json()
    assert mine["account"]["balance"] in ("10.00", 10.0, "10") and mine["entries"][0]["kind"] == "credit"
    statement = person.get("/api/service/bank/statement", {"month": timezone.localdate().strftime("%Y-%m")}).json()
    assert statement["closing"] in ("10.00", 10.0) and len(statement["entries"]) == 1
    assert person.get("/api/service/bank/statement?month=2026-13").status_code == 422
    assert person.get("/api/service/bank/statement?month=1999-12").status_code == 400
    sent = _json(person, "/api/service/bank/transfer", {"recipient": "13800138000", "amount": "2.5", "note": "孝亲"})
    assert sent.status_code == 201 and sent.json()["balance"] in ("7.50", 7.5)
    refused = _json(person, "/api/service/bank/transfer", {"recipient": "resident_b_user", "amount": "1"})
    assert refused.status_code == 400 and "本社区" in refused.json()["detail"]
    account = ledger.account_of_user(cast.party_member_user)
    assert account is not None
    url = f"/api/service/bank/accounts/{account.pk}/statement"
    assert _client(cast.worker_a).get(url, {"month": "2026-01"}).status_code == 200
    assert _client(cast.worker_b).get(url, {"month": "2026-01"}).status_code == 404
    listing = _client(cast.worker_a).get("/api/service/bank/accounts").json()
    assert "王红" in {a["holder"] for a in listing}
    assert all("13700137000" not in a["phone_masked"] for a in listing)
    assert _client(cast.resident_user).get("/api/service/bank/accounts").status_code == 403
    nobody = make_user("nobody_here", "无角色")
    assert _client(nobody).get("/api/service/bank/account").status_code == 403


def test_the_rewards_page_works_on_a_phone_sized_layout(cast: Cast) -> None:
    """No browser here (the lead's cross-part test drives one): the redeem button is a plain form with data-confirm
    and no inline script, so it works on a phone without JavaScript too."""
    bank_scene.build(cast)
    html = _client(cast.party_member_user).get(reverse("service:rewards")).content.decode()
    assert "onclick" not in html and "<script>" not in html
    assert 'data-confirm="用 2.00 积分兑换“志愿理发一次”？"' in html


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_lists_cost_the_same_queries_for_more_rows(cast: Cast) -> None:
    """No query per row: the rewards, the provider's redemptions, the accounts and the statement."""
    scene = bank_scene.build(cast)
    person, worker = _client(cast.party_member_user), _client(cast.worker_a)
    account = ledger.account_of_user(cast.party_member_user)
    assert account is not None
    urls = {"rewards": reverse("service:rewards"), "redemptions": reverse("service:redemptions"),
            "accounts": reverse("service:bank_accounts"), "bank": reverse("service:bank"),
            "statement": reverse("service:bank_account", args=[account.pk])}
    actions.do_redeem(scene.community_reward, acting_user=cast.party_member_user)
    before = {k: _queries(worker if k in ("redemptions", "accounts") else person, u) for k, u in urls.items()}
    for n in range(3):
        actions.do_create_reward(acting_user=cast.worker_a, community=cast.community_a, title=f"助餐券{n}",
                                 price="1", stock=5)
        actions.do_create_reward(acting_user=cast.liaison, community=cast.community_a, unit=cast.member_unit,
                                 title=f"维修{n}", price="1", stock=5)
        user = make_user(f"neighbour{n}", f"邻居{n}")
        core_actions.do_grant_role(user, role="resident", area=cast.community_a, acting_user=None)
        bank_scene.credit(user, "3")
        actions.do_redeem(Reward.objects.get(title=f"维修{n}"), acting_user=user)
    actions.do_redeem(scene.community_reward, acting_user=cast.party_member_user)
    actions.do_transfer(cast.party_member_user, recipient="neighbour0", amount="1")
    after = {k: _queries(worker if k in ("redemptions", "accounts") else person, u) for k, u in urls.items()}
    assert after == before
