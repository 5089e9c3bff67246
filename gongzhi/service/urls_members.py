"""The members part's pages: registrations (双报到), a member's year, the unit reports (双报告), volunteers'
profiles, hours exports and certificates (the public check page included)."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import members as views

urlpatterns: list[URLPattern] = [
    path("registrations/", views.registration_list, name="registrations"),
    path("registrations/new/", views.registration_new, name="registration_new"),
    path("registrations/<int:pk>/decide/", views.registration_decide, name="registration_decide"),
    path("members/", views.member_list, name="members"),
    path("members/<int:pk>/", views.member_year, name="member_year"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:community_id>/<int:unit_id>/<int:year>/", views.unit_report, name="unit_report"),
    path("reports/<int:community_id>/<int:unit_id>/<int:year>/docx/", views.unit_report_docx,
         name="unit_report_docx"),
    path("reports/<int:community_id>/<int:unit_id>/<int:year>/send/", views.unit_report_send,
         name="unit_report_send"),
    path("volunteers/", views.volunteer_list, name="volunteers"),
    path("volunteers/me/", views.volunteer_me, name="volunteer_me"),
    path("volunteers/export/", views.volunteer_export, name="volunteer_export"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer"),
    path("volunteers/<int:pk>/certificate/", views.certificate_issue, name="certificate_issue"),
    path("certificates/", views.certificate_list, name="certificates"),
    path("certificates/<int:pk>/docx/", views.certificate_docx, name="certificate_docx"),
    path("certificates/<str:code>/", views.certificate_check, name="certificate_check"),
]
