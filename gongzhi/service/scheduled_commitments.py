"""Scheduled check run by `gongzhi worker`: this year's star ratings are recomputed once a day (every hour the
worker looks for communities not yet recomputed today)."""

from __future__ import annotations

import logging

from gongzhi.core.registry import registry

from .actions.commitments import recompute_due

logger = logging.getLogger("gongzhi.service.scheduled")


@registry.scheduled(3600)
def recompute_star_ratings() -> dict[str, int]:
    done = recompute_due()
    if done["communities"]:
        logger.info("star ratings recomputed: %(ratings)d at %(communities)d communities", done)
    return done
