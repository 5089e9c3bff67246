"""Scheduled checks run by `gongzhi worker`: duty reports prepared for meetings starting within two weeks; units
that did not report by a meeting's start marked missing (未述职); the organizer of a meeting that ended three days
ago without signed-off minutes reminded once."""

from __future__ import annotations

import logging

from django.utils import timezone

from gongzhi.core.registry import registry

from .actions.minutes import do_remind_unsigned_minutes
from .actions.reports import do_mark_missing_duty_reports, do_prepare_upcoming_duty_reports

logger = logging.getLogger("gongzhi.meetings.scheduled")


@registry.scheduled(900)
def prepare_duty_reports() -> dict[str, int]:
    created = do_prepare_upcoming_duty_reports(timezone.now())
    if created:
        logger.info("duty reports prepared: %d", created)
    return {"prepared": created}


@registry.scheduled(300)
def mark_missing_duty_reports() -> dict[str, int]:
    marked = do_mark_missing_duty_reports(timezone.now())
    if marked:
        logger.info("units missing their duty reports: %d", marked)
    return {"missing": marked}


@registry.scheduled(3600)
def remind_unsigned_minutes() -> dict[str, int]:
    reminded = do_remind_unsigned_minutes(timezone.now())
    if reminded:
        logger.info("organizers reminded of unsigned minutes: %d", reminded)
    return {"reminded": reminded}
