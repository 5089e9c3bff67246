"""The pages of the cases part: disputes: recording, parties, assignment, sessions, outcomes, confidentiality."""

from __future__ import annotations

from typing import Any

urlpatterns: list[Any] = []
