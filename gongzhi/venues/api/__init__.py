"""The venues API (/api/venues/): one router per part."""

from __future__ import annotations

from ninja import Router

from . import bookings, rooms, secondments, services

router = Router()
router.add_router("", rooms.router)
router.add_router("", bookings.router)
router.add_router("", services.router)
router.add_router("", secondments.router)
