"""What the disputes app registers with core; each part adds its own in its reg_<part>.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from gongzhi.core.navigation import NavEntry
    from gongzhi.core.registry import registry

    from . import reg_agreements, reg_cases
    from .api import router
    from .permissions import shows_disputes

    registry.urls("disputes/", "gongzhi.disputes.urls")
    registry.api_router("/disputes/", router, tags=["矛盾调解"])
    registry.nav(NavEntry("disputes", _("Disputes"), "disputes:home", shows_disputes, priority=66),
                 before="audit")
    # The home page's tasks (each part wrote its own; they are registered here, where the query pins are kept).
    registry.task("disputes.mediation", reg_cases.mediation_tasks, order=69)
    registry.task("disputes.follow_ups", reg_agreements.follow_up_tasks, order=70)
    reg_cases.register()
    reg_agreements.register()
