"""The bank part over JSON, mounted at /api/service/. Every call goes through the same actions as the pages.
Errors: 400 refused (a Chinese message), 403 not allowed, 404 out of scope."""

from __future__ import annotations

from ninja import Router

router = Router()
