"""The API of the bookings part: room bookings: the rules, the calendar, recurring bookings, approval, check-in and release."""

from __future__ import annotations

from ninja import Router

router = Router()
