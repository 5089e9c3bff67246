"""URLs of the routing-intelligence pages, included at /intelligence/."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import NavEntry

from . import views, views_classifier, views_suggestions
from .permissions import can_manage_classifier, can_view_hot

app_name = "intelligence"

urlpatterns = [
    path("hot/", views.hot_page, name="hot"),
    path("hot/export/", views.hot_export, name="hot_export"),
    path("classifier/", views_classifier.classifier_page, name="classifier"),
    path("classifier/train/", views_classifier.classifier_train, name="classifier_train"),
    path("classifier/threshold/", views_classifier.classifier_threshold, name="classifier_threshold"),
    path("classifier/<int:pk>/activate/", views_classifier.classifier_activate, name="classifier_activate"),
    path("cases/<int:pk>/adopt/", views_suggestions.adopt_suggestion, name="adopt_suggestion"),
]

NAV_ENTRIES = [
    NavEntry("hot_issues", _("Hot issues"), "intelligence:hot", can_view_hot),
    NavEntry("classifier", _("Routing model"), "intelligence:classifier", can_manage_classifier),
]
