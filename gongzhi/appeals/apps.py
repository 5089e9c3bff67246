from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def check_after_rating(**kwargs: Any) -> list[checks.CheckMessage]:
    """settings.APPEALS_AFTER_RATING names a rule each satisfaction may have (actions.cases.after_rating_rule)."""
    from .actions.cases import AFTER_RATING_CHOICES, after_rating_rule

    errors: list[checks.CheckMessage] = []
    for satisfaction in AFTER_RATING_CHOICES:
        try:
            after_rating_rule(satisfaction)
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="appeals.E001"))
    return errors


class AppealsConfig(AppConfig):
    name = "gongzhi.appeals"
    label = "appeals"
    verbose_name = _("Appeals")

    def ready(self) -> None:
        from gongzhi.core.registry import AREAS_CREATED, registry

        from . import (
            scheduled,  # noqa: F401  (registers the deadline checks with the worker)
            stats,
        )
        from .actions.offices import open_offices_for_new_areas
        from .api import router
        from .api_config import router as config_router
        from .demo import build_demo
        from .seed import restore_defaults
        from .tasks import appeals_tasks
        from .urls import NAV_ENTRIES
        from .views.common import VERB_LABELS

        registry.hook(AREAS_CREATED, open_offices_for_new_areas)
        checks.register(check_after_rating)
        registry.demo_builder("appeals", build_demo, order=20)
        registry.seed("appeals.defaults", restore_defaults)
        stats.register()
        registry.task("appeals", appeals_tasks, order=20)
        for entry in NAV_ENTRIES:
            registry.nav(entry, before="audit")
        registry.urls("appeals/", "gongzhi.appeals.urls")
        registry.api_router("/appeals/config/", config_router, tags=["接诉即办设置"])
        registry.api_router("/appeals/", router, tags=["接诉即办"])
        # A case's steps are audited as appeals.<step> (actions._common._record), named as on its timeline.
        registry.verbs({f"appeals.{verb}": label for verb, label in VERB_LABELS.items()})
        registry.verbs({
            "appeals.category.create": _("Created a category"),
            "appeals.category.update": _("Edited a category"),
            "appeals.category.import": _("Imported categories"),
            "appeals.phone.reveal": _("Viewed an appeal's full callback phone or address"),
            "appeals.rating_code.send": _("Sent a resident a code to rate an appeal"),
            "appeals.rates_config.update": _("Changed the weights of the rates"),
            "appeals.subdistrict_office.open": _("Opened a subdistrict office for routing"),
            "appeals.routing_rule.create": _("Added a routing rule"),
            "appeals.routing_rule.delete": _("Deleted a routing rule"),
            "appeals.time_limit.update": _("Changed a time limit"),
            "appeals.whistle_report": _("A department reported to a whistle"),
            "appeals.whistle_done": _("A department finished its part of a whistle"),
            "appeals.whistle_close": _("A whistle was closed"),
            "appeals.whistle_rate": _("Rated a department's report"),
        })
