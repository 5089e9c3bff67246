from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelligenceConfig(AppConfig):
    name = "gongzhi.intelligence"
    label = "intelligence"
    verbose_name = _("Routing intelligence")

    def ready(self) -> None:
        from gongzhi.core.audit import register_verbs

        from . import tasks  # noqa: F401  registers the scheduled retraining check

        self.register_hot_navigation()
        register_verbs({
            "intelligence.train_classifier": _("Trained a classifier version"),
            "intelligence.activate_classifier": _("Activated a classifier version"),
            "intelligence.request_training": _("Asked for classifier training"),
            "intelligence.start_training_job": _("A training job started"),
            "intelligence.finish_training_job": _("A training job ended"),
            "intelligence.suggestion_feedback": _("Accepted or corrected a category suggestion"),
        })

    def register_hot_navigation(self) -> None:
        from gongzhi.core.navigation import register

        from .urls import NAV_ENTRIES as HOT_NAV_ENTRIES

        for entry in HOT_NAV_ENTRIES:
            register(entry, before="audit")
