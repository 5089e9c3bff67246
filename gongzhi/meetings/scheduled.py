"""Scheduled check run by `gongzhi worker`: the invitees of a meeting starting within a day are reminded, once
(`Meeting.reminded_at`, `Invitation.reminded_at`)."""

from __future__ import annotations

import logging

from django.utils import timezone

from gongzhi.core.registry import registry

from .actions.schedule import do_remind_meetings

logger = logging.getLogger("gongzhi.meetings.scheduled")


@registry.scheduled(300)
def remind_meetings() -> dict[str, int]:
    sent = do_remind_meetings(timezone.now())
    if sent:
        logger.info("meeting reminders sent: %d", sent)
    return {"reminded": sent}
