"""API keys for machine clients: django-ninja authentication by the header X-API-Key, for any app's router.

`API_AUTH` (an API key, else the session with CSRF) is what a router that accepts integrations passes as `auth`.
Keys are issued in the admin (`ApiKey.issue`) and stored hashed; the request acts as the key's user.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, django_auth

from gongzhi.lib.ttl import TtlMap

from .models import ApiKey, hash_api_key

# Machine clients send a key with every request: the key's row (with its user) is kept per process for
# API_KEY_CACHE_SECONDS, so a key deactivated in the admin stops working in other processes within that
# time (at once in the process that saved it). Unknown keys are never cached.
API_KEY_CACHE_SECONDS = 10
_api_keys: TtlMap[str, ApiKey | None] = TtlMap(seconds=API_KEY_CACHE_SECONDS, max_size=1000)


def _load_api_key(key_hash: str) -> ApiKey | None:
    return ApiKey.objects.select_related("user__resident").filter(key_hash=key_hash, active=True).first()


class ApiKeyAuth(APIKeyHeader):
    """X-API-Key: a key issued in the admin, stored hashed; the request acts as the key's user."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        key_hash = hash_api_key(key)
        api_key = _api_keys.get(key_hash, lambda: _load_api_key(key_hash))
        if api_key is None:
            _api_keys.clear_key(key_hash)
            return None
        if not api_key.user.is_active:
            return None
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > timedelta(minutes=1):
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
            api_key.last_used_at = now
        user = copy.copy(api_key.user)  # per request: nothing a request caches on its user outlives it
        request.user = user
        request.api_key = api_key  # type: ignore[attr-defined]
        return user


def forget_api_keys() -> None:
    """Called when keys change (admin), so this process sees the change at once."""
    _api_keys.clear()


API_AUTH = [ApiKeyAuth(), django_auth]
