"""The commitments part's pages: posts and terms (设岗定责), pledges (服务承诺, with the community's public page) and
star ratings (星级管理)."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import commitments as views

urlpatterns: list[URLPattern] = [
    path("posts/", views.post_list, name="posts"),
    path("pledges/", views.pledge_list, name="pledges"),
    path("stars/", views.star_list, name="stars"),
]
