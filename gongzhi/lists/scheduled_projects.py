"""Scheduled check run by `gongzhi worker`: overdue milestones are reminded once each (`reminded_at`)."""

from __future__ import annotations

import logging

from django.utils import timezone

from gongzhi.core.registry import registry

from .actions.projects import do_remind_overdue_milestones

logger = logging.getLogger("gongzhi.lists.scheduled")


@registry.scheduled(300)
def remind_overdue_milestones() -> dict[str, int]:
    reminded = do_remind_overdue_milestones(timezone.now())
    if reminded:
        logger.info("overdue milestones reminded: %d", reminded)
    return {"reminded": reminded}
