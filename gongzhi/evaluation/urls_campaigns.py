"""The campaigns part's pages (its views in views/campaigns.py): campaigns and their set-up, and rating."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import campaigns as views

urlpatterns: list[URLPattern] = [
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/refresh/", views.campaign_refresh, name="campaign_refresh"),
    path("campaigns/<int:pk>/open/", views.campaign_open, name="campaign_open"),
    path("campaigns/<int:pk>/ratees/add/", views.ratee_add, name="campaign_ratee_add"),
    path("campaigns/<int:pk>/ratees/<int:ratee_pk>/remove/", views.ratee_remove, name="campaign_ratee_remove"),
    path("campaigns/<int:pk>/raters/", views.campaign_raters, name="campaign_raters"),
    path("campaigns/<int:pk>/raters/suggested/", views.rater_suggest, name="campaign_rater_suggest"),
    path("campaigns/<int:pk>/raters/<int:rater_pk>/remove/", views.rater_remove, name="campaign_rater_remove"),
    path("rating/", views.rating_tasks, name="rating_tasks"),
    path("rating/<int:ratee_pk>/", views.rate, name="rate"),
]
