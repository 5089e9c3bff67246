from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelligenceConfig(AppConfig):
    name = "gongzhi.intelligence"
    label = "intelligence"
    verbose_name = _("Routing intelligence")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  registers the scheduled retraining check

        self.register_hot_navigation()

    def register_hot_navigation(self) -> None:
        from gongzhi.core.navigation import register

        from .urls import NAV_ENTRIES as HOT_NAV_ENTRIES

        for entry in HOT_NAV_ENTRIES:
            register(entry, before="audit")
