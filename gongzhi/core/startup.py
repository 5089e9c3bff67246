"""What the web server checks before it serves anything (`gongzhi serve`, gongzhi.wsgi) and `check --deploy`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

BUILTIN_KEY = (
    "SECRET_KEY is the built-in development key and DEBUG is off: anyone could sign sessions and CSRF tokens. "
    "Set SECRET_KEY in the environment (the same on every host), or run `gongzhi make_secret_key` to write a "
    "random one to $GONGZHI_VAR_DIR/secret_key (docs/configuration.md)."
)


def insecure_start_reason() -> str | None:
    """Why this configuration must not serve requests, or None."""
    if not settings.DEBUG and getattr(settings, "SECRET_KEY_IS_BUILTIN", False):
        return BUILTIN_KEY
    return None


def refuse_insecure_start() -> None:
    reason = insecure_start_reason()
    if reason:
        raise ImproperlyConfigured(reason)


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    reason = insecure_start_reason()
    return [checks.Error(reason, id="gongzhi.E001")] if reason else []
