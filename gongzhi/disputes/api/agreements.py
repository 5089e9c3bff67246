"""The API of the agreements part: mediation agreements (人民调解协议书, Word), follow-up visits, statistics."""

from __future__ import annotations

from ninja import Router

router = Router()
