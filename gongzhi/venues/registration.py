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
    reg_rooms.register()
    reg_bookings.register()
    reg_services.register()
    reg_secondments.register()
