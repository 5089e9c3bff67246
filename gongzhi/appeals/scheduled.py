"""Scheduled checks run by `gongzhi worker` every minute: the deadline actions (`actions/deadlines.py`)."""

from __future__ import annotations

import logging

from django.utils import timezone

from gongzhi.core.registry import registry

from .actions.deadlines import (
    do_escalate_overdue_cases,
    do_remind_late_whistle_reports,
    do_send_accept_reminders,
    do_send_due_reminders,
)

logger = logging.getLogger("gongzhi.appeals.scheduled")


@registry.scheduled(60)
def check_deadlines() -> dict[str, int]:
    now = timezone.now()
    result = {
        "reminded": do_send_due_reminders(now),
        "accept_late": do_send_accept_reminders(now),
        "escalated": do_escalate_overdue_cases(now),
        "whistle_late": do_remind_late_whistle_reports(now),
    }
    if any(result.values()):
        logger.info("deadline check: %s", result)
    return result
