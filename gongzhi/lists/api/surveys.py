"""Surveys over JSON (mounted at /api/lists/)."""

from __future__ import annotations

from ninja import Router

router = Router()
