"""The disputes pages: the hub, and each part's own url module (cases, agreements)."""

from __future__ import annotations

from django.urls import path

from . import urls_agreements, urls_cases
from .views import hub

app_name = "disputes"
urlpatterns = [
    path("", hub.home, name="home"),
    *urls_cases.urlpatterns, *urls_agreements.urlpatterns,
]
