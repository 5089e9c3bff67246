"""URLs of the routing-intelligence pages, included at /intelligence/."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import NavEntry

from . import views

app_name = "intelligence"

urlpatterns = [
    path("hot/", views.hot_page, name="hot"),
    path("hot/export/", views.hot_export, name="hot_export"),
    path("hot/<str:kind>/", views.hot_convert, name="hot_convert"),
]

NAV_ENTRIES = [
    NavEntry("hot_issues", _("Hot issues"), "intelligence:hot", views.can_view_hot),
]
