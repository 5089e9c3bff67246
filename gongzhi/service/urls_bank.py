"""The time bank's pages: accounts and their monthly statements, transfers, rewards and redemptions."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import bank as views

urlpatterns: list[URLPattern] = [
    path("bank/", views.account_home, name="bank"),
    path("bank/transfer/", views.transfer, name="bank_transfer"),
    path("bank/accounts/", views.account_list, name="bank_accounts"),
    path("bank/accounts/<int:pk>/", views.account_statement, name="bank_account"),
    path("bank/accounts/<int:pk>/xlsx/", views.account_statement_xlsx, name="bank_account_xlsx"),
    path("bank/accounts/<int:pk>/credit/", views.account_credit, name="bank_account_credit"),
    path("bank/accounts/<int:pk>/reverse/<int:txn>/", views.account_reverse, name="bank_account_reverse"),
    path("rewards/", views.reward_list, name="rewards"),
    path("rewards/new/", views.reward_new, name="reward_new"),
    path("rewards/<int:pk>/edit/", views.reward_edit, name="reward_edit"),
    path("rewards/<int:pk>/redeem/", views.reward_redeem, name="reward_redeem"),
    path("rewards/redemptions/", views.redemption_list, name="redemptions"),
    path("rewards/redemptions/<int:pk>/deliver/", views.redemption_deliver, name="redemption_deliver"),
    path("rewards/redemptions/<int:pk>/cancel/", views.redemption_cancel, name="redemption_cancel"),
]
