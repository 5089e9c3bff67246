"""The time bank's pages (时间银行、公益反哺): the person's account (/service/bank/: balance, recent entries, their
redemptions), an account's monthly statement (/service/bank/accounts/<id>/?month=YYYY-MM, and its Excel download),
the community's accounts for its staff (/service/bank/accounts/), a transfer with a preview (/service/bank/transfer/),
the rewards on offer (/service/rewards/), offering and changing one, redeeming, and the provider's redemptions to
deliver (/service/rewards/redemptions/). A refused POST shows the page again with the message (400)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, Registration, Unit
from gongzhi.core.paging import page_of, query_without_page
from gongzhi.core.permissions import MANAGE_ROLES
from gongzhi.core.policy import is_superuser, scope_paths
from gongzhi.lib.masking import mask_phone
from gongzhi.lib.spreadsheets import append_row, export_filename, xlsx_response

from .. import ledger, permissions
from ..actions import bank as actions
from ..forms_bank import CancelForm, RewardForm, TransferForm, reward_kind_label
from ..models import Redemption, Reward, TimeBankAccount, TimeBankEntry, TimeBankTransaction
from ..queries_bank import manage_q, pending_for_provider_q, provides, sees_accounts

signed_in = login_required(login_url="core:login")
RECENT = 20


def _gate(request: HttpRequest) -> None:
    if not permissions.shows_service(request.user):
        raise PermissionDenied(_("This page is not available to your role."))


def _recent_entries(account: TimeBankAccount | None, limit: int = RECENT) -> list[TimeBankEntry]:
    if account is None:
        return []
    return list(TimeBankEntry.objects.filter(account=account).select_related("transaction")
                .order_by("-created_at", "-pk")[:limit])


@signed_in
@require_GET
def account_home(request: HttpRequest) -> HttpResponse:
    """My time bank: balance, recent entries with their movements, my redemptions; links for staff and providers."""
    _gate(request)
    user: Any = request.user
    account = ledger.account_of_user(user, create=False)  # type: ignore[arg-type]
    mine = list(Redemption.objects.filter(user=user).select_related("reward", "reward__community", "reward__unit")
                .order_by("-created_at", "-pk")[:20])
    unit_accounts = list(TimeBankAccount.objects.filter(unit_id__in=permissions.liaison_unit_ids(user))
                         .select_related("unit", "area")) if permissions.liaison_unit_ids(user) else []
    to_deliver = (Redemption.objects.filter(pending_for_provider_q(user)).count() if provides(user) else 0)
    return render(request, "service/bank_home.html", {
        "account": account, "balance": account.balance if account else Decimal("0.00"),
        "entries": _recent_entries(account), "redemptions": mine,
        "pending": sum(1 for r in mine if r.status == Redemption.Status.PENDING),
        "sees_accounts": sees_accounts(user), "unit_accounts": unit_accounts, "to_deliver": to_deliver,
        "provides": provides(user),
    })


@signed_in
@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    """The accounts the user sees (staff: their communities'; a liaison: its unit's), searchable by name."""
    if not sees_accounts(request.user):
        raise PermissionDenied(_("Only the community's staff see its accounts."))
    qs = (permissions.visible_to(request.user, TimeBankAccount).select_related("user", "unit", "area")
          .order_by("area__name", "kind", "pk"))
    kind = request.GET.get("kind", "")
    if kind in TimeBankAccount.Kind.values:
        qs = qs.filter(kind=kind)
    term = request.GET.get("q", "").strip()[:50]
    if term:
        qs = qs.filter(Q(user__display_name__icontains=term) | Q(user__username=term) | Q(unit__name__icontains=term)
                       | Q(area__name__icontains=term))
    page = page_of(request, qs)
    rows = [{"account": a, "holder": _holder(a), "phone": mask_phone(a.user.phone) if a.user else ""}
            for a in page.object_list]
    return render(request, "service/bank_accounts.html", {
        "page": page, "rows": rows, "query": query_without_page(request), "q": term, "kind": kind,
        "kinds": TimeBankAccount.Kind.choices,
    })


def _holder(account: TimeBankAccount) -> str:
    if account.kind == TimeBankAccount.Kind.PERSON and account.user is not None:
        return account.user.display_name or account.user.username
    if account.kind == TimeBankAccount.Kind.UNIT and account.unit is not None:
        return account.unit.name
    return account.area.name


def _month(request: HttpRequest) -> date:
    today = timezone.localdate()
    raw = request.GET.get("month", "")
    try:
        year, month = (int(p) for p in raw.split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


def _shift(month: date, by: int) -> date:
    index = month.year * 12 + month.month - 1 + by
    return date(index // 12, index % 12 + 1, 1)


def statement_rows(statement: ledger.Statement) -> list[dict[str, Any]]:
    running = statement.opening
    rows = []
    for entry in statement.entries:
        running += entry.amount
        rows.append({"entry": entry, "kind": entry.transaction.get_kind_display(), "memo": entry.transaction.memo,
                     "amount": entry.amount, "balance": running})
    return rows


@signed_in
@require_GET
def account_statement(request: HttpRequest, pk: int) -> HttpResponse:
    """An account's monthly statement: opening balance, the month's entries, credits, debits, closing balance."""
    account = permissions.get_account_for_user(request.user, pk)
    month = _month(request)
    statement = ledger.statement(account, month.year, month.month)
    this_month = timezone.localdate().replace(day=1)
    corrects = _corrects(request.user, account)
    rows = statement_rows(statement)
    if corrects:
        txns = [r["entry"].transaction_id for r in rows]
        reversed_ids = set(TimeBankTransaction.objects.filter(reverses_id__in=txns).values_list("reverses_id",
                                                                                                flat=True))
        for row in rows:
            txn = row["entry"].transaction
            row["correctable"] = txn.kind in CORRECTABLE and txn.pk not in reversed_ids
    return render(request, "service/bank_statement.html", {
        "account": account, "holder": _holder(account), "statement": statement, "rows": rows,
        "month": month, "previous": _shift(month, -1), "next": _shift(month, 1) if month < this_month else None,
        "mine": account.user_id == request.user.pk, "corrects": corrects,
    })


CORRECTABLE = (TimeBankTransaction.Kind.CREDIT, TimeBankTransaction.Kind.TRANSFER)


def _corrects(user: Any, account: TimeBankAccount) -> bool:
    """The community's staff credit a person's account and correct its movements (a reversal with a reason)."""
    return account.kind == TimeBankAccount.Kind.PERSON and permissions.manages(user, account.area)


def _back_to_statement(account: TimeBankAccount) -> HttpResponse:
    return redirect(reverse("service:bank_account", args=[account.pk]))


@signed_in
@require_POST
def account_credit(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff: credit hours verified outside an activity to a person's account (from the community's account)."""
    account = permissions.get_account_for_user(request.user, pk)
    if not _corrects(request.user, account):
        raise PermissionDenied(_("Only the community's staff credit hours."))
    try:
        actions.do_credit(account.user, amount=request.POST.get("amount", ""),  # type: ignore[arg-type]
                          memo=request.POST.get("memo", ""), acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The credits are in the account."))
    return _back_to_statement(account)


@signed_in
@require_POST
def account_reverse(request: HttpRequest, pk: int, txn: int) -> HttpResponse:
    """Staff: correct a credit or a transfer on this account by its reversal, with a reason (audited)."""
    account = permissions.get_account_for_user(request.user, pk)
    movement = TimeBankTransaction.objects.filter(pk=txn, entries__account=account).distinct().first()
    if movement is None:
        raise Http404(_("Not found, or outside your area."))
    if not _corrects(request.user, account):
        raise PermissionDenied(_("Only the staff of the communities involved correct a movement."))
    try:
        actions.do_reverse_movement(movement, acting_user=request.user,  # type: ignore[arg-type]
                                    reason=request.POST.get("reason", ""))
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The movement is reversed; the statement shows both."))
    return _back_to_statement(account)


@signed_in
@require_GET
def account_statement_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The monthly statement as an Excel file (values only, no formula)."""
    from openpyxl import Workbook

    account = permissions.get_account_for_user(request.user, pk)
    month = _month(request)
    st = ledger.statement(account, month.year, month.month)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Statement"))
    holder = _holder(account)
    append_row(ws, [_("Time bank statement"), holder, account.get_kind_display(), account.area.name,
                    month.strftime("%Y-%m")])
    append_row(ws, [_("Opening balance"), float(st.opening)])
    append_row(ws, [_("Date"), _("Kind"), _("Memo"), _("Credit"), _("Debit"), _("Balance")])
    for row in statement_rows(st):
        amount = row["amount"]
        append_row(ws, [timezone.localtime(row["entry"].created_at).strftime("%Y-%m-%d %H:%M"), row["kind"],
                        row["memo"], float(amount) if amount > 0 else None, float(-amount) if amount < 0 else None,
                        float(row["balance"])])
    append_row(ws, [_("Credits in the month"), float(st.credits)])
    append_row(ws, [_("Debits in the month"), float(st.debits)])
    append_row(ws, [_("Closing balance"), float(st.closing)])
    out = io.BytesIO()
    wb.save(out)
    return xlsx_response(out.getvalue(), export_filename(_("Time bank statement"), holder, day=st.month))


@signed_in
@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest) -> HttpResponse:
    """Give credits to another person: the form, a preview naming the recipient (phone masked), then the transfer."""
    _gate(request)
    account = ledger.account_of_user(request.user, create=False)  # type: ignore[arg-type]
    form = TransferForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "account": account,
                               "balance": account.balance if account else Decimal("0.00")}
    if request.method == "GET" or not form.is_valid():
        return render(request, "service/bank_transfer.html", context, status=200 if request.method == "GET" else 400)
    data = form.cleaned_data
    try:
        if request.POST.get("do") != "confirm":
            plan = actions.check_transfer(request.user, recipient=data["recipient"], amount=data["amount"])  # type: ignore[arg-type]
            phone = plan.recipient.phone or ""
            context["plan"] = plan
            context["recipient_phone"] = mask_phone(phone) if phone else ""
            return render(request, "service/bank_transfer.html", context)
        txn = actions.do_transfer(request.user, recipient=data["recipient"], amount=data["amount"],  # type: ignore[arg-type]
                                  note=data["note"])
    except ActionError as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)
        else:
            form.add_error(None, exc.message)
        return render(request, "service/bank_transfer.html", context, status=400)
    amount = -next(e.amount for e in txn.entries.all() if e.amount < 0)
    messages.success(request, _("%(amount)s credits were transferred.") % {"amount": amount})
    return redirect("service:bank")


# --- rewards ---------------------------------------------------------------------------------------------------


@signed_in
@require_GET
def reward_list(request: HttpRequest) -> HttpResponse:
    """The rewards on offer to the user (公益反哺), cheapest first; a provider's own rewards, on offer or not."""
    _gate(request)
    user = request.user
    visible = permissions.visible_to(user, Reward).select_related("community", "unit")
    offered = list(visible.filter(active=True).order_by("price", "pk")[:200])
    account = ledger.account_of_user(user, create=False)  # type: ignore[arg-type]
    own: list[Reward] = []
    if provides(user):
        own = list(visible.filter(manage_q(user)).order_by("-active", "community__name", "title", "pk")[:200])
    for r in [*offered, *own]:
        r.kind_label = reward_kind_label(r.kind)  # type: ignore[attr-defined]
    return render(request, "service/reward_list.html", {
        "offered": offered, "own": own, "account": account,
        "balance": account.balance if account else Decimal("0.00"),
        "can_offer": permissions.area_policy.can_somewhere(user, "offer_reward"),
    })


def _offer_choices(user: Any) -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
    """The communities where the user offers rewards, and the providers: the community itself (staff) and the
    user's units registered there (liaison)."""
    communities = [a for a in (permissions.area_policy.areas_where(user, "offer_reward")
                               .filter(level=Area.Level.COMMUNITY).order_by("name")[:200])]
    units = permissions.liaison_unit_ids(user)
    registered = Registration.objects.confirmed().filter(unit_id__in=units).select_related("community", "unit")
    for reg in registered:
        if reg.community not in communities:
            communities.append(reg.community)
    providers: list[tuple[str, str]] = []
    if is_superuser(user) or scope_paths(user, MANAGE_ROLES):
        providers.append(("community", _("The community itself")))
    for unit in Unit.objects.filter(pk__in=units).order_by("name"):
        providers.append((f"unit:{unit.pk}", unit.name))
    return [(a.pk, a.name) for a in communities], providers


def _reward_data(cleaned: dict[str, Any]) -> dict[str, Any]:
    return {k: cleaned[k] for k in ("kind", "title", "description", "price", "stock", "active")}


@signed_in
@require_http_methods(["GET", "POST"])
def reward_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    permissions.area_policy.require_somewhere(user, "offer_reward")
    communities, providers = _offer_choices(user)
    if not communities or not providers:
        raise PermissionDenied(_("Only the community's staff or a registered member unit offer rewards."))
    form = RewardForm(request.POST or None, communities=communities, providers=providers,
                      initial={"active": True, "stock": 10})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = Area.objects.filter(pk=data["community"]).first()
        provider = data["provider"]
        unit = Unit.objects.filter(pk=int(provider.split(":", 1)[1])).first() if provider.startswith("unit:") else None
        try:
            reward = actions.do_create_reward(acting_user=user, community=community, unit=unit,  # type: ignore[arg-type]
                                              **_reward_data(data))
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("“%(reward)s” is on offer.") % {"reward": reward.title} if reward.active
                             else _("“%(reward)s” was saved.") % {"reward": reward.title})
            return redirect("service:rewards")
    return render(request, "service/reward_form.html", {"form": form, "reward": None},
                  status=400 if request.method == "POST" else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def reward_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reward = permissions.get_reward_for_user(request.user, pk)
    permissions.require(request.user, "manage", reward, _("Only the reward's provider changes it."))
    form = RewardForm(request.POST or None, communities=[], providers=[], editing=True, initial={
        "kind": reward.kind, "title": reward.title, "description": reward.description, "price": reward.price,
        "stock": reward.stock, "active": reward.active})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_reward(reward, acting_user=request.user, **_reward_data(form.cleaned_data))  # type: ignore[arg-type]
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("“%(reward)s” was saved.") % {"reward": form.cleaned_data["title"]})
            return redirect("service:rewards")
    return render(request, "service/reward_form.html", {"form": form, "reward": reward},
                  status=400 if request.method == "POST" else 200)


@signed_in
@require_POST
def reward_redeem(request: HttpRequest, pk: int) -> HttpResponse:
    reward = permissions.get_reward_for_user(request.user, pk)
    try:
        actions.do_redeem(reward, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("service:rewards")
    messages.success(request, _("You redeemed “%(reward)s”. The provider will deliver it and confirm.")
                     % {"reward": reward.title})
    return redirect("service:bank")


def redemptions_for_provider(user: Any) -> QuerySet[Redemption]:
    return (permissions.visible_to(user, Redemption).filter(manage_q(user, "reward__"))
            .select_related("reward", "reward__community", "reward__unit", "user"))


@signed_in
@require_GET
def redemption_list(request: HttpRequest) -> HttpResponse:
    """The provider's redemptions: awaiting delivery first (oldest first), then the last delivered or cancelled."""
    _gate(request)
    user = request.user
    if not provides(user):
        return redirect("service:bank")
    qs = redemptions_for_provider(user)
    pending = list(qs.filter(status=Redemption.Status.PENDING).order_by("created_at", "pk")[:200])
    done = list(qs.exclude(status=Redemption.Status.PENDING).order_by("-created_at", "-pk")[:50])
    return render(request, "service/reward_redemptions.html", {"pending": pending, "done": done,
                                                               "cancel_form": CancelForm()})


def _back(request: HttpRequest) -> str:
    return reverse("service:redemptions") if request.POST.get("from") == "provider" else reverse("service:bank")


@signed_in
@require_POST
def redemption_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    redemption = permissions.get_redemption_for_user(request.user, pk)
    permissions.require(request.user, "deliver", redemption, _("Only the reward's provider confirms its delivery."))
    try:
        actions.do_deliver_redemption(redemption, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The delivery was confirmed."))
    return redirect("service:redemptions")


@signed_in
@require_POST
def redemption_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    redemption = permissions.get_redemption_for_user(request.user, pk)
    permissions.require(request.user, "cancel", redemption, _("Only the person or the provider cancels a redemption."))
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else request.POST.get("reason", "")
    try:
        actions.do_cancel_redemption(redemption, acting_user=request.user, reason=reason)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect(_back(request))
    messages.success(request, _("The redemption was cancelled and the credits returned."))
    return redirect(_back(request))
