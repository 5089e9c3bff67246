"""The audit log: every action writes one event through `log_event`."""

from __future__ import annotations

from typing import Any

from django.db import models

from gongzhi.lib.masking import mask_address, mask_id_number, mask_phone

from .models import Area, AuditEvent, User

# Fields whose values never go into an audit snapshot in full.
_PII_MASKS = {"phone": mask_phone, "id_number": mask_id_number, "address": mask_address,
              "contact_phone": mask_phone, "callback_phone": mask_phone}


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """A JSON-safe picture of some fields of an object, with personal data masked."""
    data: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name, None)
        if isinstance(value, models.Model):
            value = str(value)
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        if name in _PII_MASKS and isinstance(value, str):
            value = _PII_MASKS[name](value)
        data[name] = value
    return data


def log_event(
    actor: User | None,
    verb: str,
    obj: models.Model,
    *,
    area: Area | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        area=area,
        area_path=area.path if area is not None else "",
        before=before,
        after=after,
    )
