"""The API of the rooms part: venues and rooms (rules, photos, closed dates), utilisation."""

from __future__ import annotations

from ninja import Router

router = Router()
