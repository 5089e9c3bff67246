"""The evaluation API (/api/evaluation/): one router per part."""

from __future__ import annotations

from ninja import Router

from . import campaigns, evidence, members, property, results

router = Router()
router.add_router("", campaigns.router)
router.add_router("", results.router)
router.add_router("", evidence.router)
router.add_router("", members.router)
router.add_router("", property.router)
