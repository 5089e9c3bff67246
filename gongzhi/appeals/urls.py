"""URLs of the appeals pages, included at /appeals/. AppealsConfig.ready registers NAV_ENTRIES."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from gongzhi.core.navigation import NavEntry

from . import permissions
from .views import cases, files, intake, mine, public, rates, whistles, worklists
from .views import config as config_views

app_name = "appeals"

urlpatterns = [
    # public
    path("submit/", public.submit, name="submit"),
    path("submit/done/", public.submitted, name="submitted"),
    path("places/", public.place_options, name="place_options"),
    path("track/", public.track, name="track"),
    path("track/code/", public.track_code, name="track_code"),
    path("track/rate/", public.track_rate, name="track_rate"),
    path("track/photos/<int:pk>/", files.tracked_photo, name="tracked_photo"),
    path("submit/done/code.txt", public.submitted_code_file, name="submitted_code_file"),
    # a signed-in resident's own appeals (我的诉求)
    path("mine/", mine.mine, name="mine"),
    path("mine/<int:pk>/", mine.mine_detail, name="mine_detail"),
    # intake
    path("hotline/", intake.hotline, name="hotline"),
    path("patrol/", intake.patrol, name="patrol"),
    # worklists
    path("", worklists.worklists, name="worklists"),
    path("worklist/<str:name>/", worklists.worklists, name="worklist"),
    path("worklist/<str:name>/export/", worklists.worklist_export, name="worklist_export"),
    # cases
    path("cases/<int:pk>/", cases.case_detail, name="case"),
    path("cases/<int:pk>/route/", cases.case_route, name="case_route"),
    path("cases/<int:pk>/appeals/<int:appeal_pk>/phone/", cases.reveal_phone, name="reveal_phone"),
    path("cases/<int:pk>/<str:action>/", cases.case_action, name="case_action"),
    # photos (only through the policy: no public /media/)
    path("photos/<int:pk>/", files.appeal_photo, name="appeal_photo"),
    path("progress-photos/<int:pk>/", files.event_photo, name="event_photo"),
    # whistles
    path("whistles/", whistles.whistle_list, name="whistles"),
    path("whistles/new/", whistles.whistle_new, name="whistle_new"),
    path("whistles/<int:pk>/", whistles.whistle_detail, name="whistle"),
    path(
        "whistles/<int:pk>/reports/<int:report_pk>/<str:action>/",
        whistles.whistle_action,
        name="whistle_action",
    ),
    # rates
    path("rates/", rates.rates_page, name="rates"),
    path("rates/cases/", rates.rate_cases, name="rate_cases"),
    path("rates/export/", rates.rates_export, name="rates_export"),
    # notifications moved to core (/notifications/); the old address still leads there
    path("notifications/", RedirectView.as_view(pattern_name="core:notifications", permanent=True, query_string=True)),
    # settings (city and district admins)
    path("config/", config_views.categories, name="config_categories"),
    path("config/categories/new/", config_views.category_new, name="config_category_new"),
    path("config/categories/import/", config_views.category_import_page, name="config_category_import"),
    path("config/categories/import/template/", config_views.category_template, name="config_category_template"),
    path("config/categories/<int:pk>/", config_views.category_detail, name="config_category"),
    path("config/time-limits/", config_views.time_limits, name="config_time_limits"),
    path("config/weights/", config_views.weights, name="config_weights"),
    path("config/routing/", config_views.routing_rules, name="config_routing"),
    path("config/routing/sample/", config_views.routing_sample, name="config_routing_sample"),
    path("config/routing/<int:pk>/delete/", config_views.routing_rule_delete, name="config_routing_delete"),
]


def _staff(user: object) -> bool:
    """Staff roles open the worklists and whistles at all (their rows are scoped by the policies)."""
    return permissions.case_policy.can_somewhere(user, "browse")


NAV_ENTRIES = [
    # Residents, party members and volunteers signed in: their main work here comes first.
    NavEntry("appeal_submit", _("Submit an appeal"), "appeals:submit", permissions.has_own_appeals_pages, priority=5),
    NavEntry("my_appeals", _("My appeals"), "appeals:mine", permissions.has_own_appeals_pages, priority=6),
    NavEntry("appeals", _("Appeals"), "appeals:worklists", _staff, priority=10),
    NavEntry("whistles", _("Whistles"), "appeals:whistles", _staff, priority=20),
    NavEntry("appeal_rates", _("Three rates"), "appeals:rates", permissions.can_view_rates),
    NavEntry("appeals_config", _("Appeals settings"), "appeals:config_categories", permissions.can_configure),
]


