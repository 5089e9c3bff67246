"""The demo's joint meetings (order 50): see build_demo_schedule."""

from __future__ import annotations

from typing import Any


def build_demo_schedule(ctx: Any) -> dict[str, int] | None:
    return None
