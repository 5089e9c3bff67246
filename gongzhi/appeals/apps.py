from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "gongzhi.appeals"
    label = "appeals"
    verbose_name = _("Appeals")

    def ready(self) -> None:
        from gongzhi.core.navigation import register

        from . import scheduled  # noqa: F401  (registers the deadline checks with the worker)
        from .urls import NAV_ENTRIES

        for entry in NAV_ENTRIES:
            register(entry, before="audit")
