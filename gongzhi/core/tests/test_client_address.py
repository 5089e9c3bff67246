"""Client addresses behind the reverse proxy (gongzhi.lib.net, settings.TRUSTED_PROXIES): rate limits and login
lock-outs count per client, not per proxy; forwarded headers count only from a trusted proxy."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.http import HttpRequest
from django.test import Client

from gongzhi.lib.net import client_address, client_ip, forwarded_client
from gongzhi.test import PASSWORD

PROXY = "10.0.0.5"
CLIENT_A, CLIENT_B = "203.0.113.7", "198.51.100.9"


@pytest.fixture
def behind_proxy(settings: Any) -> Any:
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "::1"]
    cache.clear()
    return settings


def via_proxy(client_address: str) -> dict[str, str]:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_address}


def test_it_reads_the_rightmost_untrusted_hop_only_from_a_trusted_peer() -> None:
    trusted = ["10.0.0.0/24", "192.168.1.1"]
    assert forwarded_client(PROXY, CLIENT_A, trusted) == CLIENT_A
    # The client wrote the left part itself; the proxies appended the real addresses on the right.
    assert forwarded_client(PROXY, f"1.2.3.4, {CLIENT_A}, 192.168.1.1", trusted) == CLIENT_A
    assert forwarded_client(PROXY, f"not-an-ip, {CLIENT_A}", trusted) == CLIENT_A
    assert forwarded_client(PROXY, "garbage", trusted) == PROXY
    assert forwarded_client(PROXY, "", trusted) == PROXY
    assert forwarded_client(PROXY, "10.0.0.9", trusted) == "10.0.0.9"  # every hop a proxy: the leftmost
    # An untrusted peer's header is ignored, and with no trusted proxies every header is.
    assert forwarded_client(CLIENT_B, CLIENT_A, trusted) == CLIENT_B
    assert forwarded_client(PROXY, CLIENT_A, []) == PROXY
    assert forwarded_client("::ffff:203.0.113.7", "", trusted) == CLIENT_A
    assert forwarded_client("2001:db8::1", "", trusted) == "2001:db8::1"


def test_a_request_made_in_code_has_no_address() -> None:
    """django-axes stores the address in an IP column (PostgreSQL's inet): None, never a stand-in word."""
    request = HttpRequest()
    assert client_address(request) is None and client_ip(request) == "unknown"
    request.META["REMOTE_ADDR"] = "not an address"
    assert client_address(request) is None


def _submit_honeypot(client: Client, **meta: str) -> int:
    """A public appeal form post that stores nothing (honeypot filled) but counts against the rate limit."""
    return client.post("/appeals/submit/", {"website": "http://spam"}, **meta).status_code  # type: ignore[arg-type]


def test_two_clients_behind_the_proxy_get_separate_buckets(behind_proxy: Any, db: Any) -> None:
    behind_proxy.APPEALS_SUBMIT_RATE = (2, 600)
    client = Client()
    assert [_submit_honeypot(client, **via_proxy(CLIENT_A)) for _ in range(3)] == [400, 400, 429]
    assert _submit_honeypot(client, **via_proxy(CLIENT_B)) == 400  # B is not A, though both come through PROXY


def test_a_spoofed_forwarded_header_from_an_untrusted_peer_is_ignored(behind_proxy: Any, db: Any) -> None:
    behind_proxy.APPEALS_SUBMIT_RATE = (2, 600)
    client = Client()
    codes = [_submit_honeypot(client, REMOTE_ADDR=CLIENT_A, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}") for i in range(3)]
    assert codes == [400, 400, 429]


def _login(client: Client, username: str, password: str, **meta: str) -> int:
    return client.post("/accounts/login/", {"username": username, "password": password},
                       **meta).status_code  # type: ignore[arg-type]


def test_wrong_passwords_from_one_address_do_not_lock_the_account_for_another(behind_proxy: Any, cast: Any) -> None:
    name = cast.worker_a.username
    codes = [_login(Client(), name, "wrong-password", **via_proxy(CLIENT_A)) for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]  # the fifth failure locks (LOGIN_FAILURE_LIMIT)
    assert _login(Client(), name, PASSWORD, **via_proxy(CLIENT_A)) == 429  # locked: this account from this address
    assert _login(Client(), name, PASSWORD, **via_proxy(CLIENT_B)) == 302  # another resident's office: signs in
    assert _login(Client(), cast.worker_b.username, PASSWORD, **via_proxy(CLIENT_A)) == 302  # another account


def test_a_spoofed_header_does_not_escape_the_login_lock_out(behind_proxy: Any, cast: Any) -> None:
    name = cast.worker_a.username
    codes = [_login(Client(), name, "wrong-password", REMOTE_ADDR=CLIENT_A, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
             for i in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    assert _login(Client(), name, PASSWORD, REMOTE_ADDR=CLIENT_A, HTTP_X_FORWARDED_FOR="192.0.2.99") == 429


def test_https_is_believed_only_from_a_trusted_proxy(behind_proxy: Any, db: Any) -> None:
    client = Client()
    # From the proxy, X-Forwarded-Proto: https makes the request secure: HSTS is sent.
    secure = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR=PROXY)
    assert "max-age=31536000" in secure.headers.get("Strict-Transport-Security", "")
    # From anyone else the header is dropped (TrustedProxyMiddleware): the request stays plain http.
    spoofed = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR=CLIENT_A)
    assert "Strict-Transport-Security" not in spoofed.headers
