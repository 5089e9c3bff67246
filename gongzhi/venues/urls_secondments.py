"""The pages of the secondments part (views in views/secondments.py): the list, propose, one secondment (agree,
cancel, the report)."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import secondments as views

urlpatterns: list[URLPattern] = [
    path("secondments/", views.secondment_list, name="secondments"),
    path("secondments/new/", views.secondment_new, name="secondment_new"),
    path("secondments/<int:pk>/", views.secondment_detail, name="secondment"),
    path("secondments/<int:pk>/agree/", views.secondment_agree, name="secondment_agree"),
    path("secondments/<int:pk>/cancel/", views.secondment_cancel, name="secondment_cancel"),
    path("secondments/<int:pk>/report/", views.secondment_report, name="secondment_report"),
]
