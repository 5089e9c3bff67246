"""The audit log: every action writes one event through `log_event`."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.lib.masking import mask_address, mask_id_number, mask_phone

from .models import Area, AuditEvent, Household, User
from .pii import Places
from .registry import registry

# What the audit log page calls each verb. Core's own are here (registered in CoreConfig.ready()); every other app
# adds its verbs in its AppConfig.ready() through `registry.verbs` (a test checks that no verb is left unnamed).
CORE_VERB_LABELS: dict[str, Any] = {
    "core.area.create": _("Created an area"),
    "core.area.rename": _("Renamed an area"),
    "core.alliance.create": _("Created an alliance"),
    "core.unit.create": _("Created a unit"),
    "core.unit.update": _("Edited a unit"),
    "core.registration.unit": _("Registered a unit at a community"),
    "core.registration.party_member": _("Registered a party member at a community"),
    "core.resident.create": _("Added a resident"),
    "core.resident.update": _("Edited a resident"),
    "core.party_member.create": _("Added a party member"),
    "core.party_org.create": _("Created a party organization"),
    "core.committee.add": _("Added a committee member"),
    "core.grant.create": _("Granted a role"),
    "core.grant.revoke": _("Took back a role"),
    "core.pii.reveal": _("Viewed full personal data"),
    "core.pii.search": _("Searched people by phone or ID number"),
    "core.household.create": _("Added a household"),
    "core.demo.create": _("Created the demo city"),
    "core.pii.export": _("Exported full personal data"),
    "core.roster.import": _("Imported a roster"),
    "core.link": _("Linked records"),
    "core.backup.create": _("Backed up the database and files"),
    "core.backup.restore": _("Restored a backup"),
}


def verb_label(verb: str) -> str:
    """The verb's name in the interface language, or the verb itself when none was registered."""
    label = registry.verb_labels.get(verb)
    return str(label) if label is not None else verb


def registered_verbs() -> frozenset[str]:
    return frozenset(registry.verb_labels)


# Fields whose values never go into an audit snapshot in full; nor does an area below an estate, nor a household
# (gongzhi.core.pii: masked means the community and estate at most).
_BELOW_ESTATE = frozenset({Area.Level.GRID, Area.Level.BUILDING})


def _place_name(area: Area) -> str:
    return Places().name(area)


_PII_MASKS = {"phone": mask_phone, "id_number": mask_id_number, "address": mask_address,
              "contact_phone": mask_phone, "callback_phone": mask_phone}


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """A JSON-safe picture of some fields of an object, with personal data masked."""
    data: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name, None)
        if isinstance(value, Area) and value.level in _BELOW_ESTATE:
            value = _place_name(value)  # a person's grid or building: their community and estate only
        elif isinstance(value, Household):
            value = mask_address(str(value), _place_name(value.building))  # building and room
        elif isinstance(value, models.Model):
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


def log_operation(verb: str, object_type: str, object_id: str, object_repr: str, *,
                  after: dict[str, Any] | None = None) -> AuditEvent:
    """An event of an operator's command that acts on no one row (a backup, a restore): no actor, the object
    named by `object_type` and `object_id` (e.g. "core.backup" and the archive's file name)."""
    return AuditEvent.objects.create(actor=None, verb=verb, object_type=object_type, object_id=object_id[:40],
                                     object_repr=object_repr[:200], after=after)
