from __future__ import annotations

from django.urls import path

from . import views, views_notifications, views_rosters

app_name = "core"
urlpatterns: list = [
    path("", views.home, name="home"),
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("areas/", views.area_tree, name="area_tree"),
    path("areas/<int:pk>/", views.area_detail, name="area_detail"),
    path("areas/<int:pk>/children/", views.area_children, name="area_children"),
    path("party-orgs/", views.party_org_tree, name="party_org_tree"),
    path("party-orgs/<int:pk>/", views.party_org_detail, name="party_org_detail"),
    path("party-orgs/<int:pk>/children/", views.party_org_children, name="party_org_children"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("party-members/", views.party_member_list, name="party_member_list"),
    path("party-members/<int:pk>/", views.party_member_detail, name="party_member_detail"),
    path("party-members/<int:pk>/reveal/", views.party_member_reveal, name="party_member_reveal"),
    path("audit/", views.audit_log, name="audit_log"),
    path("notifications/", views_notifications.notification_list, name="notifications"),
    path("notifications/read-all/", views_notifications.notification_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/open/", views_notifications.notification_open, name="notification_open"),
]
urlpatterns += views_rosters.urlpatterns
