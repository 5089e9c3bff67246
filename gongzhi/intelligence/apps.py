from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelligenceConfig(AppConfig):
    name = "gongzhi.intelligence"
    label = "intelligence"
    verbose_name = _("Routing intelligence")

    def ready(self) -> None:
        from gongzhi.core.registry import registry

        from . import tasks  # noqa: F401  registers the scheduled retraining check
        from .api import router
        from .api_hot import hot_router
        from .demo import build_demo
        from .urls import NAV_ENTRIES

        for entry in NAV_ENTRIES:
            registry.nav(entry, before="audit")
        registry.demo_builder("intelligence", build_demo, order=30)
        registry.urls("intelligence/", "gongzhi.intelligence.urls")
        registry.api_router("/intelligence/", router, tags=["智能分派"])
        registry.api_router("/intelligence/hot/", hot_router, tags=["热点"])
        registry.verbs({
            "intelligence.train_classifier": _("Trained a classifier version"),
            "intelligence.activate_classifier": _("Activated a classifier version"),
            "intelligence.request_training": _("Asked for classifier training"),
            "intelligence.start_training_job": _("A training job started"),
            "intelligence.finish_training_job": _("A training job ended"),
            "intelligence.suggestion_feedback": _("Accepted or corrected a category suggestion"),
        })
