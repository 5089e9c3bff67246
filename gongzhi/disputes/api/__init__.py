"""The disputes API (/api/disputes/): one router per part."""

from __future__ import annotations

from ninja import Router

from . import agreements, cases

router = Router()
router.add_router("", cases.router)
router.add_router("", agreements.router)
