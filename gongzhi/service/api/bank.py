"""The bank part over JSON, mounted at /api/service/: my account and its entries, an account's monthly statement,
the accounts the user sees, a transfer, rewards (list, offer, change), redeeming, and the provider's delivery or
cancellation. Every call goes through the same actions as the pages.
Errors: 400 refused (a Chinese message), 403 not allowed, 404 out of scope."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from gongzhi.core.api_schemas import Id, Limit, Month, Offset
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, Unit
from gongzhi.lib.masking import mask_phone

from .. import ledger, permissions
from ..actions import bank as actions
from ..forms_bank import reward_kind_label
from ..models import Redemption, Reward, TimeBankAccount, TimeBankEntry
from ..queries_bank import manage_q, sees_accounts

router = Router()


class BankEntryOut(Schema):
    id: int
    at: datetime
    amount: Decimal
    kind: str
    kind_label: str
    memo: str
    transaction_id: int


class BankAccountOut(Schema):
    id: int
    kind: str
    kind_label: str
    holder: str
    phone_masked: str
    community_id: int
    community: str
    balance: Decimal


class BankMyAccountOut(Schema):
    account: BankAccountOut | None
    entries: list[BankEntryOut]


class BankStatementOut(Schema):
    account: BankAccountOut
    month: str
    opening: Decimal
    credits: Decimal
    debits: Decimal
    closing: Decimal
    entries: list[BankEntryOut]


class BankTransferIn(Schema):
    recipient: str
    amount: str
    note: str = ""


class BankTransactionOut(Schema):
    id: int
    kind: str
    memo: str
    at: datetime
    amount: Decimal
    balance: Decimal


class BankRewardOut(Schema):
    id: int
    community_id: int
    community: str
    unit_id: int | None
    provider: str
    kind: str
    kind_label: str
    title: str
    description: str
    price: Decimal
    stock: int
    active: bool
    can_manage: bool


class BankRewardIn(Schema):
    community_id: Id
    unit_id: Id | None = None
    kind: str = "service"
    title: str
    description: str = ""
    price: str
    stock: int
    active: bool = True


class BankRewardUpdateIn(Schema):
    kind: str | None = None
    title: str | None = None
    description: str | None = None
    price: str | None = None
    stock: int | None = None
    active: bool | None = None


class BankRedemptionOut(Schema):
    id: int
    reward_id: int
    reward: str
    provider: str
    person: str
    price: Decimal
    status: str
    status_label: str
    created_at: datetime
    delivered_at: datetime | None
    cancel_reason: str


class BankCancelIn(Schema):
    reason: str = ""


def _holder(a: TimeBankAccount) -> str:
    if a.user is not None:
        return a.user.display_name or a.user.username
    return a.unit.name if a.unit is not None else a.area.name


def _account(a: TimeBankAccount) -> dict[str, Any]:
    return {"id": a.pk, "kind": a.kind, "kind_label": a.get_kind_display(), "holder": _holder(a),
            "phone_masked": mask_phone(a.user.phone) if a.user is not None and a.user.phone else "",
            "community_id": a.area_id, "community": a.area.name, "balance": a.balance}


def _entry(e: TimeBankEntry) -> dict[str, Any]:
    t = e.transaction
    return {"id": e.pk, "at": e.created_at, "amount": e.amount, "kind": t.kind, "kind_label": t.get_kind_display(),
            "memo": t.memo, "transaction_id": t.pk}


def _reward(request: HttpRequest, r: Reward) -> dict[str, Any]:
    return {"id": r.pk, "community_id": r.community_id, "community": r.community.name, "unit_id": r.unit_id,
            "provider": r.unit.name if r.unit is not None else r.community.name, "kind": r.kind,
            "kind_label": reward_kind_label(r.kind), "title": r.title, "description": r.description, "price": r.price,
            "stock": r.stock, "active": r.active, "can_manage": permissions.can(request.user, "manage", r)}


def _redemption(r: Redemption) -> dict[str, Any]:
    return {"id": r.pk, "reward_id": r.reward_id, "reward": r.reward.title,
            "provider": r.reward.unit.name if r.reward.unit is not None else r.reward.community.name,
            "person": str(r.user), "price": r.price, "status": r.status, "status_label": r.get_status_display(),
            "created_at": r.created_at, "delivered_at": r.delivered_at, "cancel_reason": r.cancel_reason}


def _gate(request: HttpRequest) -> None:
    if not permissions.shows_service(request.user):
        raise PermissionDenied(_("This page is not available to your role."))


# --- accounts ----------------------------------------------------------------------------------------------------


@router.get("/bank/account", response=BankMyAccountOut, summary="我的时间银行账户（余额与最近流水）")
def my_account(request: HttpRequest, limit: Limit = 50) -> dict[str, Any]:
    _gate(request)
    account = ledger.account_of_user(request.user, create=False)  # type: ignore[arg-type]
    if account is None:
        return {"account": None, "entries": []}
    account = permissions.get_account_for_user(request.user, account.pk)
    entries = (TimeBankEntry.objects.filter(account=account).select_related("transaction")
               .order_by("-created_at", "-pk")[:limit])
    return {"account": _account(account), "entries": [_entry(e) for e in entries]}


@router.get("/bank/accounts", response=list[BankAccountOut], summary="可查看的时间银行账户（社区工作人员：本社区；联络员：本单位）")
def list_accounts(request: HttpRequest, kind: str = "", limit: Limit = 50, offset: Offset = 0) -> list[dict[str, Any]]:
    if not sees_accounts(request.user):
        raise PermissionDenied(_("Only the community's staff see its accounts."))
    qs = permissions.visible_to(request.user, TimeBankAccount).select_related("user", "unit", "area").order_by("pk")
    if kind in TimeBankAccount.Kind.values:
        qs = qs.filter(kind=kind)
    return [_account(a) for a in qs[offset:offset + limit]]


def _month_of(month: str) -> date:
    year, m = (int(p) for p in month.split("-"))
    if not 2000 <= year <= 2100:
        raise ActionError(_("Please choose a month between 2000 and 2100."), field="month")
    return date(year, m, 1)


def _statement(account: TimeBankAccount, month: str) -> dict[str, Any]:
    first = _month_of(month)
    st = ledger.statement(account, first.year, first.month)
    return {"account": _account(account), "month": first.strftime("%Y-%m"), "opening": st.opening,
            "credits": st.credits, "debits": st.debits, "closing": st.closing,
            "entries": [_entry(e) for e in st.entries]}


@router.get("/bank/statement", response=BankStatementOut, summary="我的月度对账单（month=YYYY-MM）")
def my_statement(request: HttpRequest, month: Month) -> dict[str, Any]:
    _gate(request)
    account = ledger.account_of_user(request.user, create=False)  # type: ignore[arg-type]
    if account is None:
        raise Http404(_("You have no time bank account yet."))
    return _statement(permissions.get_account_for_user(request.user, account.pk), month)


@router.get("/bank/accounts/{account_id}/statement", response=BankStatementOut,
            summary="账户的月度对账单（期初、流水、收入、支出、期末）")
def account_statement(request: HttpRequest, account_id: Id, month: Month) -> dict[str, Any]:
    return _statement(permissions.get_account_for_user(request.user, account_id), month)


@router.post("/bank/transfer", response={201: BankTransactionOut}, summary="转赠积分（本社区或所在联盟的社区）")
def transfer(request: HttpRequest, payload: BankTransferIn) -> Status:
    _gate(request)
    txn = actions.do_transfer(request.user, recipient=payload.recipient, amount=payload.amount,  # type: ignore[arg-type]
                              note=payload.note)
    account = ledger.account_of_user(request.user, create=False)  # type: ignore[arg-type]
    assert account is not None
    amount = -sum((e.amount for e in txn.entries.all() if e.amount < 0), Decimal(0))
    return Status(201, {"id": txn.pk, "kind": txn.kind, "memo": txn.memo, "at": txn.created_at, "amount": amount,
                        "balance": account.balance})


# --- rewards -----------------------------------------------------------------------------------------------------


@router.get("/rewards", response=list[BankRewardOut], summary="可兑换的公益反哺项目（提供方另见自己下架的项目）")
def list_rewards(request: HttpRequest, limit: Limit = 100, offset: Offset = 0) -> list[dict[str, Any]]:
    _gate(request)
    from django.db.models import Q

    visible = permissions.visible_to(request.user, Reward).select_related("community", "unit")
    qs = visible.filter(Q(active=True) | manage_q(request.user)).order_by("-active", "price", "pk")
    return [_reward(request, r) for r in qs[offset:offset + limit]]


@router.post("/rewards", response={201: BankRewardOut}, summary="发布兑换项目（社区或已报到确认的共建单位）")
def create_reward(request: HttpRequest, payload: BankRewardIn) -> Status:
    community = Area.objects.filter(pk=payload.community_id, level=Area.Level.COMMUNITY).first()
    if community is None:
        raise Http404(_("Not found, or outside your area."))
    unit = None
    if payload.unit_id is not None:
        unit = Unit.objects.filter(pk=payload.unit_id).first()
        if unit is None:
            raise Http404(_("Not found, or outside your area."))
    reward = actions.do_create_reward(
        acting_user=request.user, community=community, unit=unit, kind=payload.kind,  # type: ignore[arg-type]
        title=payload.title, description=payload.description, price=payload.price, stock=payload.stock,
        active=payload.active)
    return Status(201, _reward(request, permissions.get_reward_for_user(request.user, reward.pk)))


@router.get("/rewards/{reward_id}", response=BankRewardOut, summary="兑换项目")
def get_reward(request: HttpRequest, reward_id: Id) -> dict[str, Any]:
    return _reward(request, permissions.get_reward_for_user(request.user, reward_id))


@router.post("/rewards/{reward_id}", response=BankRewardOut, summary="修改兑换项目（价格、库存、上下架）")
def update_reward(request: HttpRequest, reward_id: Id, payload: BankRewardUpdateIn) -> dict[str, Any]:
    reward = permissions.get_reward_for_user(request.user, reward_id)
    permissions.require(request.user, "manage", reward, _("Only the reward's provider changes it."))
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    actions.do_update_reward(reward, acting_user=request.user, **changes)  # type: ignore[arg-type]
    return _reward(request, permissions.get_reward_for_user(request.user, reward_id))


@router.post("/rewards/{reward_id}/redeem", response={201: BankRedemptionOut}, summary="兑换（积分即时转给提供方）")
def redeem(request: HttpRequest, reward_id: Id) -> Status:
    reward = permissions.get_reward_for_user(request.user, reward_id)
    redemption = actions.do_redeem(reward, acting_user=request.user)  # type: ignore[arg-type]
    return Status(201, _redemption(permissions.get_redemption_for_user(request.user, redemption.pk)))


@router.get("/redemptions", response=list[BankRedemptionOut],
            summary="兑换记录（本人的；提供方：待交付的在前）")
def list_redemptions(request: HttpRequest, status: str = "", limit: Limit = 100,
                     offset: Offset = 0) -> list[dict[str, Any]]:
    _gate(request)
    qs = (permissions.visible_to(request.user, Redemption)
          .select_related("reward", "reward__community", "reward__unit", "user").order_by("status", "-created_at",
                                                                                          "-pk"))
    if status in Redemption.Status.values:
        qs = qs.filter(status=status)
    return [_redemption(r) for r in qs[offset:offset + limit]]


@router.post("/redemptions/{redemption_id}/deliver", response=BankRedemptionOut, summary="确认已交付（提供方）")
def deliver(request: HttpRequest, redemption_id: Id) -> dict[str, Any]:
    redemption = permissions.get_redemption_for_user(request.user, redemption_id)
    permissions.require(request.user, "deliver", redemption, _("Only the reward's provider confirms its delivery."))
    actions.do_deliver_redemption(redemption, acting_user=request.user)  # type: ignore[arg-type]
    return _redemption(permissions.get_redemption_for_user(request.user, redemption_id))


@router.post("/redemptions/{redemption_id}/cancel", response=BankRedemptionOut,
             summary="取消兑换（本人待交付时可取消；提供方须说明原因），积分退回、库存恢复")
def cancel(request: HttpRequest, redemption_id: Id, payload: BankCancelIn) -> dict[str, Any]:
    redemption = permissions.get_redemption_for_user(request.user, redemption_id)
    permissions.require(request.user, "cancel", redemption, _("Only the person or the provider cancels a redemption."))
    actions.do_cancel_redemption(redemption, acting_user=request.user, reason=payload.reason)  # type: ignore[arg-type]
    return _redemption(permissions.get_redemption_for_user(request.user, redemption_id))

