"""The councils pages (居民议事会): signed-in pages under /councils/, /councils/c/<council>/ and
/councils/p/<proposal>/; public pages at /councils/<community>/, /councils/<community>/propose/ and
/councils/proposals/<proposal>/."""

from __future__ import annotations

from django.urls import path

from .views import public, staff

app_name = "councils"
urlpatterns = [
    path("", staff.council_index, name="index"),
    path("c/<int:pk>/", staff.council_detail, name="council"),
    path("c/<int:pk>/<slug:action>/", staff.council_action, name="council_action"),
    path("p/<int:pk>/", staff.proposal_detail, name="proposal"),
    path("p/<int:pk>/<slug:action>/", staff.proposal_action, name="proposal_action"),
    path("<int:community_id>/", public.public_council, name="public_council"),
    path("<int:community_id>/propose/", public.public_propose, name="public_propose"),
    path("proposals/<int:pk>/", public.public_proposal, name="public_proposal"),
]
