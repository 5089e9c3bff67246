from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelligenceConfig(AppConfig):
    name = "gongzhi.intelligence"
    label = "intelligence"
    verbose_name = _("Routing intelligence")

    def ready(self) -> None:
        from gongzhi.core import registry as hooks
        from gongzhi.core.registry import registry

        from . import tasks  # noqa: F401  registers the scheduled retraining check
        from .api import case_suggestions_extra, router
        from .api_hot import hot_router
        from .demo import build_demo
        from .hooks import on_appeal_submitted, on_case_dispatched, on_categories_changed, on_process_started
        from .panels import duplicates_panel, suggestions_panel
        from .urls import NAV_ENTRIES

        for entry in NAV_ENTRIES:
            registry.nav(entry, before="audit")
        registry.demo_builder("intelligence", build_demo, order=30)
        registry.urls("intelligence/", "gongzhi.intelligence.urls")
        registry.api_router("/intelligence/", router, tags=["智能分派"])
        registry.api_router("/intelligence/hot/", hot_router, tags=["热点"])
        registry.hook(hooks.APPEAL_SUBMITTED, on_appeal_submitted)
        registry.hook(hooks.CASE_DISPATCHED, on_case_dispatched)
        registry.hook(hooks.CATEGORIES_CHANGED, on_categories_changed)
        registry.hook(hooks.PROCESS_STARTED, on_process_started)
        # The case page: suggestions beside the dispatch form, duplicate candidates below the appeals.
        registry.panel("appeals.case.dispatch", "intelligence.suggestions", suggestions_panel)
        registry.panel("appeals.case", "intelligence.duplicates", duplicates_panel)
        registry.api_extra("appeals.case", "suggestions", case_suggestions_extra)
        registry.verbs({
            "intelligence.train_classifier": _("Trained a classifier version"),
            "intelligence.activate_classifier": _("Activated a classifier version"),
            "intelligence.request_training": _("Asked for classifier training"),
            "intelligence.start_training_job": _("A training job started"),
            "intelligence.finish_training_job": _("A training job ended"),
            "intelligence.suggestion_feedback": _("Accepted or corrected a category suggestion"),
            # Written by intelligence (auto-dispatch moved here from appeals) under the names they always had.
            "appeals.auto_dispatch": _("Dispatched automatically"),
            "appeals.auto_dispatch_config.update": _("Changed the automatic dispatch settings"),
        })
