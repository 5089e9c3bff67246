"""A resource's capacity: what confirmed matches promise and finished projects give back.

`Resource.promised` changes only here, each time under a row lock on the resource (`select_for_update`), inside
the caller's transaction, so two staff confirming overlapping proposals at once never promise more than the
capacity (the second waits for the first, then sees what is left). The database refuses it too: the check
constraint `lists_resource_never_over_promised` (promised ≤ capacity).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import ActionError

from .models import Project, ProjectResource, Resource


def locked(resource_ids: list[int]) -> dict[int, Resource]:
    """The resources, locked for the rest of the transaction (in id order, so two callers never deadlock)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("capacity changes must run inside a transaction")
    rows = Resource.objects.select_for_update().filter(pk__in=sorted(set(resource_ids))).order_by("pk")
    return {r.pk: r for r in rows}


def remaining(resource: Resource) -> Decimal:
    return max(Decimal(0), Decimal(resource.capacity) - Decimal(resource.promised))


def reserve(project: Project, resource: Resource, amount: Decimal) -> ProjectResource:
    """Promise `amount` of a resource (already locked with `locked`) to a project; ActionError, and nothing
    changed, when it has less left (the message names the resource and what is left)."""
    amount = Decimal(amount)
    if amount <= 0:
        raise ActionError(_("The amount must be greater than zero."), field="amount")
    if resource.status != Resource.Status.ACTIVE:
        raise ActionError(_("%(resource)s is not available now.") % {"resource": resource.title})
    left = remaining(resource)
    if amount > left:
        raise ActionError(_("%(resource)s has only %(left)s %(unit)s left, %(amount)s were asked for.") % {
            "resource": resource.title, "left": _number(left), "unit": resource.get_capacity_unit_display(),
            "amount": _number(amount)})
    resource.promised = Decimal(resource.promised) + amount
    resource.updated_at = timezone.now()
    resource.save(update_fields=["promised", "updated_at"])
    return ProjectResource.objects.create(project=project, resource=resource, amount=amount)


def release(reservation: ProjectResource, used: Decimal | None = None) -> Decimal:
    """Give back what a project did not use of its reservation (all of it when `used` is None or 0, e.g. a
    cancelled project); returns the amount released. The resource is locked here."""
    if reservation.released_at is not None:
        return Decimal(0)
    resource = locked([reservation.resource_id])[reservation.resource_id]
    used_amount = min(Decimal(used or 0), Decimal(reservation.amount))
    if used_amount < 0:
        raise ActionError(_("The amount used cannot be negative."), field="used")
    freed = Decimal(reservation.amount) - used_amount
    # The whole reservation leaves `promised`; what was used leaves the capacity too (it is spent), so
    # `remaining` grows by exactly what was not used.
    resource.promised = max(Decimal(0), Decimal(resource.promised) - Decimal(reservation.amount))
    resource.capacity = max(resource.promised, Decimal(resource.capacity) - used_amount)
    resource.updated_at = timezone.now()
    resource.save(update_fields=["promised", "capacity", "updated_at"])
    reservation.used = used_amount
    reservation.released_at = timezone.now()
    reservation.save(update_fields=["used", "released_at"])
    return freed


def _number(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
