"""The evaluation pages: the hub, and each part's own url module (campaigns, results, members, property)."""

from __future__ import annotations

from django.urls import path

from . import urls_campaigns, urls_members, urls_property, urls_results
from .views import hub

app_name = "evaluation"
urlpatterns = [
    path("", hub.home, name="home"),
    *urls_campaigns.urlpatterns, *urls_results.urlpatterns, *urls_members.urlpatterns,
    *urls_property.urlpatterns,
]
