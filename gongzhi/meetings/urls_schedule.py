"""The schedule part's pages (included by gongzhi.meetings.urls)."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import schedule as views

urlpatterns: list[URLPattern] = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="meeting_new"),
    path("series/new/", views.series_new, name="series_new"),
    path("series/<int:pk>/next/", views.series_next, name="series_next"),
    path("<int:pk>/", views.meeting_detail, name="meeting"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/move/", views.meeting_move, name="meeting_move"),
    path("<int:pk>/skip/", views.meeting_skip, name="meeting_skip"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/held/", views.meeting_held, name="meeting_held"),
    path("<int:pk>/invite/", views.meeting_invite, name="meeting_invite"),
    path("<int:pk>/invitations/<int:iid>/present/", views.invitation_present, name="invitation_present"),
    path("<int:pk>/invitations/<int:iid>/absent/", views.invitation_absent, name="invitation_absent"),
    path("<int:pk>/qr.svg", views.meeting_qr, name="meeting_qr"),
    path("<int:pk>.ics", views.meeting_ics, name="meeting_ics"),
    path("checkin/", views.checkin_code, name="checkin_code"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("feed/renew/", views.feed_renew, name="feed_renew"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("attendance/", views.attendance_year, name="attendance_year"),
]
