"""What the councils app registers with core."""

from __future__ import annotations


def register() -> None:
    from gongzhi.core.registry import registry

    from .api import router

    registry.urls("councils/", "gongzhi.councils.urls")
    registry.api_router("/councils/", router, tags=["居民议事会"])
