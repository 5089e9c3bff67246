"""The pages of the rooms part: venues and rooms (rules, photos, closed dates), utilisation."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import rooms as views

urlpatterns: list[URLPattern] = [
    path("places/", views.venue_list, name="venues"),
    path("places/new/", views.venue_new, name="venue_new"),
    path("places/<int:pk>/", views.venue_detail, name="venue"),
    path("places/<int:pk>/edit/", views.venue_edit, name="venue_edit"),
    path("places/<int:pk>/active/", views.venue_active, name="venue_active"),
    path("places/<int:pk>/rooms/new/", views.room_new, name="room_new"),
    path("rooms/<int:pk>/", views.room_detail, name="room"),
    path("rooms/<int:pk>/edit/", views.room_edit, name="room_edit"),
    path("rooms/<int:pk>/active/", views.room_active, name="room_active"),
    path("rooms/<int:pk>/photos/", views.room_photo_add, name="room_photo_add"),
    path("rooms/<int:pk>/close/", views.room_close, name="room_close"),
    path("room-photos/<int:pk>/", views.room_photo, name="room_photo"),
    path("room-photos/<int:pk>/delete/", views.room_photo_delete, name="room_photo_delete"),
    path("closures/<int:pk>/delete/", views.closure_delete, name="closure_delete"),
    path("utilisation/", views.utilisation_page, name="utilisation"),
    path("utilisation.xlsx", views.utilisation_export, name="utilisation_export"),
]
