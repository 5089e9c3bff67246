"""The members part's pages: registrations (双报到), a member's year, the unit reports (双报告), volunteers'
profiles, hours exports and certificates (the public check page included)."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import members as views

urlpatterns: list[URLPattern] = [
    path("registrations/", views.registration_list, name="registrations"),
]
