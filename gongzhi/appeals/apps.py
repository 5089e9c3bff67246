from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "gongzhi.appeals"
    label = "appeals"
    verbose_name = _("Appeals")

    def ready(self) -> None:
        from gongzhi.core.audit import register_verbs
        from gongzhi.core.navigation import register

        from . import scheduled  # noqa: F401  (registers the deadline checks with the worker)
        from .urls import NAV_ENTRIES
        from .views.common import VERB_LABELS

        for entry in NAV_ENTRIES:
            register(entry, before="audit")
        # A case's steps are audited as appeals.<step> (actions._common._record), named as on its timeline.
        register_verbs({f"appeals.{verb}": label for verb, label in VERB_LABELS.items()})
        register_verbs({
            "appeals.auto_dispatch": _("Dispatched automatically"),
            "appeals.auto_dispatch_config.update": _("Changed the automatic dispatch settings"),
            "appeals.category.create": _("Created a category"),
            "appeals.category.update": _("Edited a category"),
            "appeals.category.import": _("Imported categories"),
            "appeals.phone.reveal": _("Viewed a resident's full phone number"),
            "appeals.rates_config.update": _("Changed the weights of the rates"),
            "appeals.routing_rule.create": _("Added a routing rule"),
            "appeals.routing_rule.delete": _("Deleted a routing rule"),
            "appeals.time_limit.update": _("Changed a time limit"),
            "appeals.whistle_report": _("A department reported to a whistle"),
            "appeals.whistle_done": _("A department finished its part of a whistle"),
            "appeals.whistle_close": _("A whistle was closed"),
            "appeals.whistle_rate": _("Rated a department's report"),
        })
