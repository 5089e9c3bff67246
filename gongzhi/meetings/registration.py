"""What the meetings app registers with core; each part adds its own in its reg_<part>.py."""

from __future__ import annotations


def register() -> None:
    from gongzhi.core.registry import registry

    from . import reg_agenda, reg_reports, reg_schedule
    from .api import router

    registry.urls("meetings/", "gongzhi.meetings.urls")
    registry.api_router("/meetings/", router, tags=["联席会议"])
    reg_schedule.register()
    reg_agenda.register()
    reg_reports.register()
