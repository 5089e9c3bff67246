"""The root URLs: every app's pages come from the registry (`registry.urls` in its AppConfig.ready());
core's own pages are included last, at the root."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from gongzhi.api import api
from gongzhi.core.registry import registry

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    *[path(item.prefix, include(item.module)) for item in registry.url_includes],
    path("", include("gongzhi.core.urls")),
]
