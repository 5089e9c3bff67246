"""The pages of the rooms part: venues and rooms (rules, photos, closed dates), utilisation."""

from __future__ import annotations

from typing import Any

urlpatterns: list[Any] = []
