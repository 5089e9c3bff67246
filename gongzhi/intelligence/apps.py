from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelligenceConfig(AppConfig):
    name = "gongzhi.intelligence"
    label = "intelligence"
    verbose_name = _("Routing intelligence")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  registers the scheduled retraining check
