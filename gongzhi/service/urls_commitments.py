"""The commitments part's pages: posts and terms (设岗定责), pledges (服务承诺, with the community's public page) and
star ratings (星级管理)."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import commitments as views

urlpatterns: list[URLPattern] = [
    path("posts/", views.post_list, name="posts"),
    path("posts/new/", views.post_new, name="post_new"),
    path("posts/<int:pk>/", views.post_detail, name="post"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/terms/", views.post_assign, name="post_assign"),
    path("posts/terms/<int:pk>/end/", views.term_end, name="term_end"),
    path("pledges/", views.pledge_list, name="pledges"),
    path("pledges/new/", views.pledge_new, name="pledge_new"),
    path("pledges/<int:pk>/edit/", views.pledge_edit, name="pledge_edit"),
    path("pledges/<int:pk>/assess/", views.pledge_assess, name="pledge_assess"),
    path("stars/", views.star_list, name="stars"),
    path("stars/rules/", views.star_rule, name="star_rule"),
    path("stars/recompute/", views.star_recompute, name="star_recompute"),
    path("stars/<int:pk>/", views.star_detail, name="star"),
    path("stars/<int:pk>/adjust/", views.star_adjust, name="star_adjust"),
    path("public/<int:community_id>/", views.community_public, name="community_public"),
]
