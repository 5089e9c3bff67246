"""The councils pages (居民议事会)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "councils"
urlpatterns: list[URLPattern] = []
