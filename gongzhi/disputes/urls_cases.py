"""The pages of the cases part: disputes: recording, parties, assignment, sessions, outcomes, confidentiality; and
the mediation bodies."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import bodies
from .views import cases as views

urlpatterns: list[URLPattern] = [
    path("cases/", views.dispute_list, name="dispute_list"),
    path("cases/new/", views.dispute_new, name="dispute_new"),
    path("cases/<int:pk>/", views.dispute_detail, name="dispute"),
    path("cases/<int:pk>/parties/", views.dispute_parties, name="dispute_parties"),
    path("cases/<int:pk>/parties/<int:party_pk>/reveal/", views.party_reveal, name="party_reveal"),
    path("cases/<int:pk>/assign/", views.dispute_assign, name="dispute_assign"),
    path("cases/<int:pk>/session/", views.dispute_session, name="dispute_session"),
    path("cases/<int:pk>/outcome/", views.dispute_outcome, name="dispute_outcome"),
    path("cases/<int:pk>/close/", views.dispute_close, name="dispute_close"),
    path("bodies/", bodies.body_list, name="bodies"),
    path("bodies/new/", bodies.body_new, name="body_new"),
    path("bodies/<int:pk>/", bodies.body_edit, name="body"),
]
