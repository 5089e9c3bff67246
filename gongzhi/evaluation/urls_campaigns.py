"""The campaigns part's pages (its views in views/campaigns.py)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
