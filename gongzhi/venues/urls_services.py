"""The pages of the services part: shared services, their sessions, places, reminders, attendance and ratings."""

from __future__ import annotations

from typing import Any

urlpatterns: list[Any] = []
