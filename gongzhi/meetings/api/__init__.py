"""The meetings API (/api/meetings/): one router per part."""

from __future__ import annotations

from ninja import Router

from . import agenda, reports, schedule

router = Router()
router.add_router("", schedule.router)
router.add_router("", agenda.router)
router.add_router("", reports.router)
