from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from gongzhi.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("appeals/", include("gongzhi.appeals.urls")),
    path("intelligence/", include("gongzhi.intelligence.urls")),
    path("lists/", include("gongzhi.lists.urls")),
    path("", include("gongzhi.core.urls")),
]
