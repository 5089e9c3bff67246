"""The service API (/api/service/): one router per part."""

from __future__ import annotations

from ninja import Router

from . import activities, bank, commitments, members

router = Router()
router.add_router("", members.router)
router.add_router("", commitments.router)
router.add_router("", activities.router)
router.add_router("", bank.router)
