from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gongzhi.core"
    label = "core"
    verbose_name = _("Organization")

    def ready(self) -> None:
        from . import startup  # noqa: F401 - registers the deploy check of the secret key
        from .audit import CORE_VERB_LABELS
        from .navigation import CORE_ENTRIES
        from .registry import registry

        for entry in CORE_ENTRIES:
            registry.nav(entry)
        registry.verbs(CORE_VERB_LABELS)
        from .queries import notification_tasks

        registry.task("core.notifications", notification_tasks, order=100)
        from .api import router
        from .api_rosters import router as rosters_router

        registry.api_router("/core/", router, tags=["组织架构"])
        registry.api_router("/rosters/", rosters_router, tags=["名册导入导出"])
