"""Helpers shared by the councils' actions."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gongzhi.core.errors import ActionError


def clean_text(value: str, field: str, limit: int, *, required: str | None = None) -> str:
    """The text stripped; ActionError (naming `field`) when empty and required, or longer than `limit`."""
    value = (value or "").strip()
    if required and not value:
        raise ActionError(required, field=field)
    if len(value) > limit:
        raise ActionError(_("This text is too long: at most %(max)d characters.") % {"max": limit}, field=field)
    return value


def mask_name(name: str) -> str:
    """A private person's name for public pages: 张桂兰 → 张*兰, 李明 → 李*, one character stays as it is."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return f"{name[0]}*"
    return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"
