"""The pages of the bookings part: room bookings: the rules, the calendar, recurring bookings, approval, check-in and release."""

from __future__ import annotations

from typing import Any

urlpatterns: list[Any] = []
