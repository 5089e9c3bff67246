"""Demo step of the property part (order 73): filled in below."""

from __future__ import annotations

from typing import Any


def build(ctx: Any) -> dict[str, int]:
    return {}
