"""What the service app registers with core; each part adds its own in its reg_<part>.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from gongzhi.core.navigation import NavEntry
    from gongzhi.core.registry import registry

    from . import reg_activities, reg_bank, reg_commitments, reg_members
    from .api import router
    from .permissions import service_priority, shows_service

    registry.urls("service/", "gongzhi.service.urls")
    registry.api_router("/service/", router, tags=["党员志愿服务"])
    registry.nav(NavEntry("service", _("Service"), "service:home", shows_service, priority=55,
                          priority_for=service_priority), before="audit")
    # The home page's tasks (each part wrote its own; they are registered here, where the query pins are kept).
    registry.task("service.registrations_pending", reg_members.registration_tasks, order=50)
    registry.task("service.activities", reg_activities.activity_tasks, order=52)
    registry.task("service.redemptions_to_deliver", reg_bank.redemption_tasks, order=54)
    reg_members.register()
    reg_commitments.register()
    reg_activities.register()
    reg_bank.register()
