"""URLs of the lists pages, included at /lists/. ListsConfig.ready registers NAV_ENTRIES."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import NavEntry

from . import permissions, views

app_name = "lists"

urlpatterns = [
    path("demands/", views.demand_list, name="demands"),
    path("demands/new/", views.demand_new, name="demand_new"),
    path("demands/<int:pk>/", views.demand_detail, name="demand"),
    path("themes/", views.theme_list, name="themes"),
    path("themes/new/", views.theme_new, name="theme_new"),
    path("themes/<int:pk>/", views.theme_detail, name="theme"),
]

NAV_ENTRIES = [
    NavEntry("demands", _("Demand list"), "lists:demands", permissions.can_view_lists),
    NavEntry("monthly_themes", _("Monthly themes"), "lists:themes", permissions.can_view_lists),
]
