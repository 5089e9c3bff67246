"""The API of the cases part: disputes: recording, parties, assignment, sessions, outcomes, confidentiality."""

from __future__ import annotations

from ninja import Router

router = Router()
