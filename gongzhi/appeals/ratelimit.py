"""Rate limits of the public forms and the API: the client's address, and the cache-based counter (in lib)."""

from __future__ import annotations

from django.http import HttpRequest

from gongzhi.lib.ratelimit import hit

__all__ = ["client_ip", "hit"]


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")
