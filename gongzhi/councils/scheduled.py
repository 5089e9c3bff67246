"""Scheduled check run by `gongzhi worker`: votes whose closing time has passed are closed and counted."""

from __future__ import annotations

import logging

from django.utils import timezone

from gongzhi.core.registry import registry

from .actions.votes import do_close_due_votes

logger = logging.getLogger("gongzhi.councils.scheduled")


@registry.scheduled(60)
def close_due_votes() -> dict[str, int]:
    closed = do_close_due_votes(timezone.now())
    if closed:
        logger.info("council votes closed: %d", closed)
    return {"closed": closed}
