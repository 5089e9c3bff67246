"""The activities part's pages: activities and recurring ones, sign-up and the waitlist, check-in and check-out by
the rotating QR code or the read-out code, hours, attendance, residents' feedback."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import activities as views

urlpatterns: list[URLPattern] = [
    path("activities/", views.activity_list, name="activities"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/checkin/", views.checkin_code, name="activity_checkin_code"),
    path("activities/series/new/", views.series_new, name="activity_series_new"),
    path("activities/series/<int:pk>/next/", views.series_next, name="activity_series_next"),
    path("activities/attendance/", views.attendance, name="activity_attendance"),
    path("activities/attendance/community/", views.attendance_community, name="activity_attendance_community"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("activities/<int:pk>/sign-up/", views.activity_sign_up, name="activity_sign_up"),
    path("activities/<int:pk>/hours/", views.confirm_hours, name="activity_confirm_hours"),
    path("activities/<int:pk>/board/", views.checkin_board, name="activity_board"),
    path("activities/<int:pk>/board/qr/", views.checkin_board_fragment, name="activity_board_qr"),
    path("activities/<int:pk>/checkin/<str:token>/", views.activity_checkin, name="activity_checkin"),
    path("activities/sign-ups/<int:sid>/cancel/", views.signup_cancel, name="activity_signup_cancel"),
    path("activities/sign-ups/<int:sid>/correct/", views.correct_hours, name="activity_correct_hours"),
    path("feedback/<str:code>/", views.activity_feedback, name="activity_feedback"),
]
