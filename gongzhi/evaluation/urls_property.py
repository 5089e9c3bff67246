"""The property part's pages (its views in views/property.py and views/coverage.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import coverage
from .views import property as views

urlpatterns: list[URLPattern] = [
    path("property/", views.property_list, name="property_list"),
    path("property/ranking/", views.property_ranking, name="property_ranking"),
    path("property/notices/", views.notice_list, name="property_notices"),
    path("property/notices/<int:pk>/", views.notice_detail, name="property_notice"),
    path("property/notices/<int:pk>/reply/", views.notice_reply, name="property_notice_reply"),
    path("property/notices/<int:pk>/close/", views.notice_close, name="property_notice_close"),
    path("property/estates/<int:estate_id>/", views.property_estate, name="property_estate"),
    path("property/estates/<int:estate_id>/contracts/new/", views.contract_new, name="property_contract_new"),
    path("property/estates/<int:estate_id>/profile/", coverage.estate_profile, name="estate_profile"),
    path("property/contracts/<int:pk>/edit/", views.contract_edit, name="property_contract_edit"),
    path("property/contracts/<int:pk>/inspect/", views.inspection_new, name="property_inspect"),
    path("property/contracts/<int:pk>/grade/", views.grade_compute, name="property_grade_compute"),
    path("property/inspections/<int:pk>/", views.inspection_detail, name="property_inspection"),
    path("property/inspection-photos/<int:pk>/", views.inspection_photo, name="property_inspection_photo"),
    path("property/grades/<int:pk>/", views.grade_detail, name="property_grade"),
    path("property/grades/<int:pk>/rectify/", views.grade_rectify, name="property_rectify"),
    path("coverage/", coverage.coverage_home, name="coverage"),
    path("coverage/<int:area_id>/", coverage.coverage_area, name="coverage_area"),
    path("coverage/<int:area_id>/estates/", coverage.coverage_estates, name="coverage_estates"),
]
