"""The API of the secondments part: staff exchanges (挂职) between alliance communities."""

from __future__ import annotations

from ninja import Router

router = Router()
