"""The service pages: the hub, and each part's own url module (members, commitments, activities, bank)."""

from __future__ import annotations

from django.urls import path

from . import urls_activities, urls_bank, urls_commitments, urls_members
from .views import hub

app_name = "service"
urlpatterns = [
    path("", hub.home, name="home"),
    *urls_members.urlpatterns, *urls_commitments.urlpatterns, *urls_activities.urlpatterns,
    *urls_bank.urlpatterns,
]
