"""The agenda part's pages (included by gongzhi.meetings.urls): a meeting's agenda and resolutions, the resolutions'
list and page, and the items raised for meetings (a liaison's form, a resident's public form)."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import agenda, resolutions

urlpatterns: list[URLPattern] = [
    path("<int:pk>/agenda/", agenda.agenda_page, name="agenda"),
    path("<int:pk>/resolutions/new/", resolutions.resolution_new, name="resolution_new"),
    path("resolutions/", resolutions.resolution_list, name="resolutions"),
    path("resolutions/<int:pk>/", resolutions.resolution_detail, name="resolution"),
    path("resolutions/<int:pk>/<str:action>/", resolutions.resolution_action, name="resolution_action"),
    path("resolutions/<int:pk>/photos/<int:update_id>/", resolutions.resolution_photo, name="resolution_photo"),
    path("raised/", agenda.raised_list, name="raised"),
    path("raised/new/", agenda.raise_page, name="raise"),
    path("raised/<int:pk>/decline/", agenda.raised_decline, name="raised_decline"),
    path("raise/<int:community_id>/", agenda.public_raise, name="raise_public"),
]
