"""The reports part's pages (included by gongzhi.meetings.urls)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
