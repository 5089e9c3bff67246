"""Demo step (order 40): demands from every source and surveys."""

from __future__ import annotations

from gongzhi.core.registry import DemoContext


def build_demo_demands(ctx: DemoContext) -> dict[str, int]:
    return {}
