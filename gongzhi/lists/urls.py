"""URLs of the lists pages, included at /lists/. ListsConfig.ready registers NAV_ENTRIES.

One section per part, each owned by its module in `views/`; keep additions inside their section."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import NavEntry

from . import permissions
from .views import demands, public

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

# --- Surveys (问需于民) -------------------------------------------------------------------------------------



# --- Resources (资源清单) -----------------------------------------------------------------------------------



# --- Matching (点对点匹配) ----------------------------------------------------------------------------------



# --- Projects (项目清单) and agreements ---------------------------------------------------------------------



# --- Public notice (公示) and the quarterly refresh --------------------------------------------------------

urlpatterns += [
    path("public/", public.public_index, name="public_index"),
    path("public/<int:community_id>/", public.public_community, name="public_community"),
    path("public/<int:community_id>/projects/<int:pk>/", public.public_project, name="public_project"),
    path("public/<int:community_id>/qr.svg", public.public_qr, name="public_qr"),
    path("public/<int:community_id>/poster/", public.public_poster, name="public_poster"),
    path("public/photos/<int:pk>/", public.public_photo, name="public_photo"),
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

NAV_ENTRIES = [
    NavEntry("demands", _("Demand list"), "lists:demands", permissions.can_view_lists),

    NavEntry("monthly_themes", _("Monthly themes"), "lists:themes", permissions.can_view_lists),
    NavEntry("lists_transfer", _("Import and export the lists"), "lists:transfer", transfer.can_transfer_any),
]
