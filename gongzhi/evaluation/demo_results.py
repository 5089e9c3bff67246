"""The results part's demo (order 71)."""

from __future__ import annotations

from typing import Any


def build(ctx: Any) -> dict[str, int] | None:
    return None
