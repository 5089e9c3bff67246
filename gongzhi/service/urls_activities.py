"""The activities part's pages: activities and recurring ones, sign-up and the waitlist, check-in and check-out by
the rotating QR code or the read-out code, hours, attendance, residents' feedback."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import activities as views

urlpatterns: list[URLPattern] = [
    path("activities/", views.activity_list, name="activities"),
]
