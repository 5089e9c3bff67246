"""The time bank's pages: accounts and their monthly statements, transfers, rewards and redemptions."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import bank as views

urlpatterns: list[URLPattern] = [
    path("bank/", views.account_home, name="bank"),
    path("rewards/", views.reward_list, name="rewards"),
]
