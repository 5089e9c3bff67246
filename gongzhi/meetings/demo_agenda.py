"""Demo step (order 51): placeholder, filled below."""

from __future__ import annotations

from typing import Any


def build_demo_agenda(ctx: Any) -> dict[str, int] | None:
    return None
