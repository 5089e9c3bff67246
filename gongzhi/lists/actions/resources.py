"""Writes to the resource list (资源清单): add, edit, pause, resume, withdraw. Each one transaction, checked against
the policy, with an audit row. `promised` is never written here (only `gongzhi.lists.capacity` changes it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event, snapshot
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Alliance, Area, Unit, User

from .. import permissions
from ..models import CapacityUnit, Resource, ResourceKind

# The areas a resource may serve, and where it may be located.
SERVED_LEVELS = ("city", "district", "subdistrict", "community")
PLACE_LEVELS = ("community", "estate", "grid", "building")
FIELDS = ["kind", "title", "description", "provider_unit", "area", "alliance", "place", "capacity_unit", "capacity",
          "opening_hours", "valid_from", "valid_until", "contact_name", "contact_phone", "status"]
MAX_CAPACITY = Decimal("999999999999")


@dataclass
class ResourceData:
    kind: str
    title: str
    area: Area
    capacity_unit: str
    capacity: Any
    description: str = ""
    provider_unit: Unit | None = None
    alliance: Alliance | None = None
    place: Area | None = None
    opening_hours: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    contact_name: str = ""
    contact_phone: str = ""


def _clean(user: User | None, data: ResourceData, *, existing: Resource | None = None) -> dict[str, Any]:
    if data.kind not in ResourceKind.values:
        raise ActionError(_("Please choose the kind of resource."), field="kind")
    title = (data.title or "").strip()
    if not title:
        raise ActionError(_("Please enter a title."), field="title")
    if len(title) > 200:
        raise ActionError(_("The title is too long: at most 200 characters."), field="title")
    if data.capacity_unit not in CapacityUnit.values:
        raise ActionError(_("Please choose the unit of the capacity."), field="capacity_unit")
    try:
        capacity = Decimal(str(data.capacity)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ActionError(_("The capacity must be a number, for example 30."), field="capacity") from exc
    if not capacity.is_finite() or capacity <= 0 or capacity > MAX_CAPACITY:
        raise ActionError(_("The capacity must be greater than zero."), field="capacity")
    if existing is not None and capacity < existing.promised:
        raise ActionError(_("The capacity cannot be less than what is already promised (%(promised)s %(unit)s).") % {
            "promised": _number(existing.promised), "unit": CapacityUnit(data.capacity_unit).label}, field="capacity")
    if existing is not None and existing.promised > 0 and data.capacity_unit != existing.capacity_unit:
        raise ActionError(_("The unit cannot change while part of the capacity is promised."), field="capacity_unit")
    if data.area.level not in SERVED_LEVELS:
        raise ActionError(_("A resource serves a community, a subdistrict, a district or the city."), field="area")
    if data.place is not None and data.place.level not in PLACE_LEVELS:
        raise ActionError(_("The location is a community, an estate or a building."), field="place")
    if data.valid_from and data.valid_until and data.valid_until < data.valid_from:
        raise ActionError(_("The end of the validity period is before its start."), field="valid_until")
    liaison_units = permissions.liaison_unit_ids(user) if user is not None else set()
    staff = user is None or permissions.area_policy.in_scope(user, data.area, permissions.MANAGE_ROLES)
    if not staff:
        # A liaison enters the unit's own resources.
        if data.provider_unit is None or data.provider_unit.pk not in liaison_units:
            raise ActionError(_("Please choose your unit as the provider."), field="provider_unit")
    return {
        "kind": data.kind, "title": title, "description": (data.description or "").strip(),
        "provider_unit": data.provider_unit, "area": data.area, "alliance": data.alliance, "place": data.place,
        "capacity_unit": data.capacity_unit, "capacity": capacity,
        "opening_hours": (data.opening_hours or "").strip()[:100], "valid_from": data.valid_from,
        "valid_until": data.valid_until, "contact_name": (data.contact_name or "").strip()[:50],
        "contact_phone": (data.contact_phone or "").strip()[:20],
    }


@transaction.atomic
def do_create_resource(*, acting_user: User | None, data: ResourceData) -> Resource:
    """Add a resource to the resource list (a unit's liaison for the unit; staff for the community, a department
    or a social organization)."""
    if acting_user is not None and not permissions.can(acting_user, "create_resource", data.area):
        raise PermissionDenied(_("You may not add resources for this area."))
    values = _clean(acting_user, data)
    resource = Resource.objects.create(**values, created_by=acting_user)
    log_event(acting_user, "lists.create_resource", resource, area=data.area, after=snapshot(resource, FIELDS))
    return resource


@transaction.atomic
def do_update_resource(resource: Resource, *, acting_user: User | None, data: ResourceData) -> Resource:
    """Edit a resource; its capacity never below what is promised."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    permissions.require(acting_user, "edit", resource, _("You may not edit this resource."))
    if data.area.pk != resource.area_id and acting_user is not None and \
            not permissions.can(acting_user, "create_resource", data.area):
        raise ActionError(_("You may not offer resources for this area."), field="area")
    values = _clean(acting_user, data, existing=resource)
    before = snapshot(resource, FIELDS)
    for name, value in values.items():
        setattr(resource, name, value)
    resource.updated_at = timezone.now()
    resource.save(update_fields=[*values, "updated_at"])
    log_event(acting_user, "lists.update_resource", resource, area=resource.area, before=before,
              after=snapshot(resource, FIELDS))
    return resource


# status transitions: (from, to) → verb
TRANSITIONS: dict[tuple[str, str], str] = {
    (Resource.Status.ACTIVE, Resource.Status.PAUSED): "lists.pause_resource",
    (Resource.Status.PAUSED, Resource.Status.ACTIVE): "lists.resume_resource",
    (Resource.Status.ACTIVE, Resource.Status.WITHDRAWN): "lists.withdraw_resource",
    (Resource.Status.PAUSED, Resource.Status.WITHDRAWN): "lists.withdraw_resource",
}


@transaction.atomic
def do_set_resource_status(resource: Resource, status: str, *, acting_user: User | None) -> Resource:
    """Pause, resume or withdraw a resource (withdrawn is final; what is promised stays with its projects)."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    permissions.require(acting_user, "edit", resource, _("You may not edit this resource."))
    verb = TRANSITIONS.get((resource.status, status))
    if verb is None:
        raise InvalidTransition(_("This resource is %(status)s and cannot be changed that way.") % {
            "status": resource.get_status_display()})
    before = snapshot(resource, ["status"])
    resource.status = status
    resource.updated_at = timezone.now()
    resource.save(update_fields=["status", "updated_at"])
    log_event(acting_user, verb, resource, area=resource.area, before=before, after=snapshot(resource, ["status"]))
    return resource


def _number(value: Any) -> str:
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
