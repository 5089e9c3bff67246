"""URLs of the lists pages, included at /lists/. ListsConfig.ready registers NAV_ENTRIES.

One section per part, each owned by its module in `views/`; keep additions inside their section."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import NavEntry

from . import permissions
from .views import demands, public, quarters, surveys
from .views import matching as matching_views
from .views import resources as resource_views

app_name = "lists"

# --- Demands (需求清单) and the month's theme -----------------------------------------------------------------

urlpatterns = [
    path("demands/", demands.demand_list, name="demands"),
    path("demands/new/", demands.demand_new, name="demand_new"),
    path("demands/<int:pk>/", demands.demand_detail, name="demand"),
    path("themes/", demands.theme_list, name="themes"),
    path("themes/new/", demands.theme_new, name="theme_new"),
    path("themes/<int:pk>/", demands.theme_detail, name="theme"),
]

urlpatterns += [
    path("demands/<int:pk>/edit/", demands.demand_edit, name="demand_edit"),
    path("demands/<int:pk>/close/", demands.demand_close, name="demand_close"),
    path("demands/<int:pk>/reopen/", demands.demand_reopen, name="demand_reopen"),
]

# --- Surveys (问需于民) -------------------------------------------------------------------------------------

urlpatterns += [
    path("surveys/", surveys.survey_list, name="surveys"),
    path("surveys/new/", surveys.survey_new, name="survey_new"),
    path("surveys/<int:pk>/", surveys.survey_detail, name="survey"),
    path("surveys/<int:pk>/edit/", surveys.survey_edit, name="survey_edit"),
    path("surveys/<int:pk>/questions/", surveys.question_add, name="question_add"),
    path("surveys/<int:pk>/questions/<int:qid>/", surveys.question_edit, name="question_edit"),
    path("surveys/<int:pk>/questions/<int:qid>/delete/", surveys.question_delete, name="question_delete"),
    path("surveys/<int:pk>/questions/<int:qid>/move/", surveys.question_move, name="question_move"),
    path("surveys/<int:pk>/publish/", surveys.survey_publish, name="survey_publish"),
    path("surveys/<int:pk>/close/", surveys.survey_close, name="survey_close"),
    path("surveys/<int:pk>/results/", surveys.survey_results, name="survey_results"),
    path("surveys/<int:pk>/results.xlsx", surveys.survey_export, name="survey_export"),
    path("surveys/<int:pk>/poster/", surveys.survey_poster, name="survey_poster"),
    path("surveys/<int:pk>/qr.<str:fmt>", surveys.survey_qr, name="survey_qr"),
    path("surveys/<int:pk>/to-demand/", surveys.survey_to_demand, name="survey_to_demand"),
    path("s/<str:token>/", surveys.public_survey, name="survey_public"),
    path("s/<str:token>/code/", surveys.public_survey_code, name="survey_public_code"),
]


# --- Resources (资源清单) -----------------------------------------------------------------------------------

urlpatterns += [
    path("resources/", resource_views.resource_list, name="resources"),
    path("resources/new/", resource_views.resource_new, name="resource_new"),
    path("resources/<int:pk>/", resource_views.resource_detail, name="resource"),
    path("resources/<int:pk>/edit/", resource_views.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/status/", resource_views.resource_status, name="resource_status"),
]


# --- Matching (点对点匹配) ----------------------------------------------------------------------------------

urlpatterns += [
    path("demands/<int:pk>/candidates/", matching_views.demand_candidates, name="demand_candidates"),
    path("demands/<int:pk>/match/", matching_views.demand_match, name="demand_match"),
    path("matching/", matching_views.round_list, name="match_rounds"),
    path("matching/<int:pk>/", matching_views.round_detail, name="match_round"),
    path("matching/<int:pk>/edit/", matching_views.round_edit, name="match_round_edit"),
]


# --- Projects (项目清单) and agreements ---------------------------------------------------------------------

from .views import projects  # noqa: E402

urlpatterns += [
    path("projects/", projects.project_list, name="projects"),
    path("projects/new/", projects.project_new, name="project_new"),
    path("projects/<int:pk>/", projects.project_detail, name="project"),
    path("projects/<int:pk>/agreement/", projects.agreement_detail, name="project_agreement"),
    path("projects/<int:pk>/agreement.docx", projects.agreement_docx, name="project_agreement_docx"),
    path("projects/<int:pk>/agreement/<slug:action>/", projects.agreement_action, name="project_agreement_action"),
    path("projects/<int:pk>/<slug:action>/", projects.project_action, name="project_action"),
    path("projects/photos/<int:pk>/", projects.progress_photo, name="project_photo"),
]


# --- Public notice (公示) and the quarterly refresh --------------------------------------------------------

urlpatterns += [
    path("public/", public.public_index, name="public_index"),
    path("public/<int:community_id>/", public.public_community, name="public_community"),
    path("public/<int:community_id>/projects/<int:pk>/", public.public_project, name="public_project"),
    path("public/<int:community_id>/qr.svg", public.public_qr, name="public_qr"),
    path("public/<int:community_id>/poster/", public.public_poster, name="public_poster"),
    path("public/photos/<int:pk>/", public.public_photo, name="public_photo"),
]

urlpatterns += [
    path("quarters/", quarters.quarter_index, name="quarters"),
    path("quarters/<int:community_id>/", quarters.quarter_current, name="quarter_current"),
    path("quarters/<int:community_id>/compare/", quarters.quarter_compare, name="quarter_compare"),
    path("quarters/<int:community_id>/<str:quarter>/", quarters.quarter_page, name="quarter"),
    path("quarters/<int:community_id>/<str:quarter>/close/", quarters.quarter_close, name="quarter_close"),
    path("quarters/<int:community_id>/<str:quarter>/export/", quarters.quarter_export, name="quarter_export"),
]



# --- Excel import and export -------------------------------------------------------------------------------

from .views import transfer  # noqa: E402

urlpatterns += [
    path("transfer/", transfer.transfer_home, name="transfer"),
    path("transfer/<str:kind>/template/", transfer.transfer_template, name="transfer_template"),
    path("transfer/<str:kind>/export/", transfer.transfer_export, name="transfer_export"),
    path("transfer/<str:kind>/import/", transfer.transfer_import, name="transfer_import"),
]



# --- Navigation ------------------------------------------------------------------------------------------

# On a phone the project list stays on the bar for a member unit's liaison, whose daily work it is (claim, sign, post
# progress); for staff it goes behind 更多 with the other lists (see gongzhi.core.navigation).
NAV_ENTRIES = [
    NavEntry("demands", _("Demand list"), "lists:demands", permissions.can_view_lists),
    NavEntry("monthly_themes", _("Monthly themes"), "lists:themes", permissions.can_view_lists),
    NavEntry("lists_transfer", _("Import and export the lists"), "lists:transfer", transfer.can_transfer_any),
    NavEntry("quarters", _("Quarterly refresh"), "lists:quarters", permissions.can_manage_lists),
    NavEntry("projects", _("Project list"), "lists:projects", permissions.can_view_projects,
             priority_for=lambda user: 15 if permissions.liaison_unit_ids(user) else 100),
    NavEntry("resources", _("Resource list"), "lists:resources", permissions.can_view_lists),
    NavEntry("match_rounds", _("Matching rounds"), "lists:match_rounds", permissions.can_manage_lists),
]
