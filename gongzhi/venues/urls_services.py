"""The pages of the services part (views in views/services.py): shared services, their sessions, places, check-in,
attendance and ratings; the public pages for residents without an account."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import services as views

urlpatterns: list[URLPattern] = [
    path("services/", views.service_list, name="services"),
    path("services/new/", views.service_new, name="service_new"),
    path("services/<int:pk>/", views.service_detail, name="service"),
    path("services/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("services/<int:pk>/active/", views.service_active, name="service_active"),
    path("services/<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("services/sessions/<int:pk>/", views.session_detail, name="session"),
    path("services/sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("services/sessions/<int:pk>/take/", views.place_take, name="place_take"),
    path("services/places/", views.my_places, name="my_places"),
    path("services/places/<int:pk>/", views.place_detail, name="place"),
    path("services/places/<int:pk>/cancel/", views.place_cancel, name="place_cancel"),
    path("services/places/<int:pk>/check-in/", views.place_check_in, name="place_check_in"),
    path("services/places/<int:pk>/rate/", views.place_rate, name="place_rate"),
    path("services/public/<int:pk>/", views.public_service, name="public_service"),
    path("services/public/sessions/<int:pk>/", views.public_session, name="public_session"),
]
