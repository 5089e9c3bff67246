"""The schedule part's API (mounted under /api/meetings/ by gongzhi.meetings.api)."""

from __future__ import annotations

from ninja import Router

router = Router()
