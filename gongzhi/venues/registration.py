"""What the venues app registers with core; each part adds its own in its reg_<part>.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from gongzhi.core.navigation import NavEntry
    from gongzhi.core.registry import registry

    from . import reg_bookings, reg_rooms, reg_secondments, reg_services
    from .api import router
    from .permissions import shows_venues

    registry.urls("venues/", "gongzhi.venues.urls")
    registry.api_router("/venues/", router, tags=["阵地共享"])
    registry.nav(NavEntry("venues", _("Shared places"), "venues:home", shows_venues, priority=65),
                 before="audit")
    # The home page's tasks (each part wrote its own; they are registered here, where the query pins are kept).
    registry.task("venues.approvals", reg_bookings.approval_tasks, order=65)
    registry.task("venues.check_in", reg_bookings.check_in_tasks, order=66)
    registry.task("venues.sessions", reg_services.session_tasks, order=67)
    registry.task("venues.secondments", reg_secondments.secondment_tasks, order=68)
    reg_rooms.register()
    reg_bookings.register()
    reg_services.register()
    reg_secondments.register()
