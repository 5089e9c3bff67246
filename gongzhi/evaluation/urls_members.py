"""The members part's pages (its views in views/members.py): the title-only flags, their review and the removal
letter."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import members as views

urlpatterns: list[URLPattern] = [
    path("flags/", views.flag_list, name="flags"),
    path("flags/check/", views.flag_check, name="flag_check"),
    path("flags/<int:pk>/", views.flag_detail, name="flag"),
    path("flags/<int:pk>/keep/", views.flag_keep, name="flag_keep"),
    path("flags/<int:pk>/remove/", views.flag_remove, name="flag_remove"),
    path("flags/<int:pk>/letter/", views.flag_letter, name="flag_letter"),
]
