"""The property part of the evaluation API (/api/evaluation/)."""

from __future__ import annotations

from ninja import Router

router = Router()
