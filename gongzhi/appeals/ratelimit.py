"""Rate limits of the public forms and the API: the counter (gongzhi.lib.ratelimit) and the client's address
(gongzhi.lib.net: behind settings.TRUSTED_PROXIES, the forwarded one), kept here for the callers of this module."""

from __future__ import annotations

from gongzhi.lib.net import client_ip
from gongzhi.lib.ratelimit import hit

__all__ = ["client_ip", "hit"]
