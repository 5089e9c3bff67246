"""The councils API (/api/councils/)."""

from __future__ import annotations

from ninja import Router

router = Router()
