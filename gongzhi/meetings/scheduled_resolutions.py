"""Scheduled check run by `gongzhi worker`: resolutions due in 3 days are reminded once (`reminded_at`), overdue ones
once more (`overdue_reminded_at`), to the responsible units' liaisons (and the organizer when overdue)."""

from __future__ import annotations

import logging

from django.utils import timezone

from gongzhi.core.registry import registry

from .actions.resolutions import do_remind_resolutions

logger = logging.getLogger("gongzhi.meetings.scheduled")


@registry.scheduled(600)
def remind_resolutions() -> dict[str, int]:
    counts = do_remind_resolutions(timezone.now())
    if any(counts.values()):
        logger.info("resolutions reminded: %s", counts)
    return counts
