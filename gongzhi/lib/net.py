"""The client's address, for rate limits and login lock-outs.

The direct peer (REMOTE_ADDR) is the client unless it is one of settings.TRUSTED_PROXIES (IP addresses or CIDR
networks; empty by default). Only then is X-Forwarded-For read, from the right: each proxy appends the address it
received the request from, so the rightmost address that is not itself a trusted proxy is the client. Anything
further left was written by the client and is ignored; a header from an untrusted peer is ignored altogether.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    """`10.0.0.5`, `10.0.0.0/8`, `::1` → networks; ValueError on anything else (settings check it at start)."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return parse_networks(entries)


def _address(value: str) -> IPAddress | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:51234
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def forwarded_client(peer: str, forwarded_for: str, trusted: Iterable[str]) -> str:
    """The client's address given the direct peer, the X-Forwarded-For header and the trusted proxies."""
    networks = _networks(tuple(trusted))
    peer_address = _address(peer)
    if peer_address is None:
        return peer or "unknown"

    def is_trusted(address: IPAddress) -> bool:
        return any(address in network for network in networks)

    if not networks or not is_trusted(peer_address):
        return str(peer_address)
    client = peer_address
    for hop in reversed([part for part in forwarded_for.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:  # not written by a proxy: stop at the last hop a trusted proxy vouched for
            break
        client = address
        if not is_trusted(address):
            break
    return str(client)


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address of a Django request, or None when there is none (a request made in code, as
    `Client.force_login` does). django-axes' AXES_CLIENT_IP_CALLABLE: it stores the value in an IP field."""
    meta = request.META
    peer = str(meta.get("REMOTE_ADDR") or "")
    if _address(peer) is None:
        return None
    return forwarded_client(peer, str(meta.get("HTTP_X_FORWARDED_FOR") or ""), getattr(settings, "TRUSTED_PROXIES", ()))


def client_ip(request: HttpRequest) -> str:
    """The client's address for rate-limit keys ("unknown" when the request has none)."""
    return client_address(request) or "unknown"


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the direct peer is a configured trusted proxy (whose forwarded headers count)."""
    peer = _address(str(request.META.get("REMOTE_ADDR") or ""))
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    return peer is not None and any(peer in network for network in networks)


class TrustedProxyMiddleware:
    """X-Forwarded-Proto counts only from a trusted proxy, like X-Forwarded-For: from any other peer it is dropped
    before SecurityMiddleware (and SECURE_PROXY_SSL_HEADER) can believe a client that claims to speak HTTPS."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        if "HTTP_X_FORWARDED_PROTO" in request.META and not from_trusted_proxy(request):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)
