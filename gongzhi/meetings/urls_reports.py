"""The reports part's pages (included by gongzhi.meetings.urls): duty reports (述职) and minutes (会议纪要)."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import minutes, reports

urlpatterns: list[URLPattern] = [
    path("reports/", reports.reports_mine, name="reports_mine"),
    path("reports/<int:pk>/", reports.report_detail, name="report"),
    path("reports/<int:pk>/save/", reports.report_save, name="report_save"),
    path("reports/<int:pk>/add/", reports.report_add_item, name="report_add_item"),
    path("<int:pk>/reports/", reports.reports_of_meeting, name="reports_of_meeting"),
    path("<int:pk>/reports/prepare/", reports.reports_prepare, name="reports_prepare"),
    path("<int:pk>/minutes/", minutes.minutes_page, name="minutes"),
    path("<int:pk>/minutes/start/", minutes.minutes_start, name="minutes_start"),
    path("minutes/waiting/", minutes.minutes_waiting, name="minutes_waiting"),
    path("minutes/<int:mid>/edit/", minutes.minutes_edit, name="minutes_edit"),
    path("minutes/<int:mid>/sign-off/", minutes.minutes_sign_off, name="minutes_sign_off"),
    path("minutes/<int:mid>/correct/", minutes.minutes_correct, name="minutes_correct"),
    path("minutes/<int:mid>.docx", minutes.minutes_docx, name="minutes_docx"),
]
