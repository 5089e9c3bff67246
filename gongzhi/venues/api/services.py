"""The API of the services part: shared services, their sessions, places, reminders, attendance and ratings."""

from __future__ import annotations

from ninja import Router

router = Router()
