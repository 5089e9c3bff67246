"""The venues pages: the hub, and each part's own url module (rooms, bookings, services, secondments)."""

from __future__ import annotations

from django.urls import path

from . import urls_bookings, urls_rooms, urls_secondments, urls_services
from .views import hub

app_name = "venues"
urlpatterns = [
    path("", hub.home, name="home"),
    *urls_rooms.urlpatterns, *urls_bookings.urlpatterns, *urls_services.urlpatterns, *urls_secondments.urlpatterns,
]
