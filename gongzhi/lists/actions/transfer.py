"""Writing a checked Excel import of one of the three lists (`gongzhi.lists.transfer.read_plan` checks every row
first): every row or none, in one transaction, each created or changed record with its audit event
(`lists.import_demands`, `lists.import_resources`, `lists.import_projects`; before/after hold the changed fields).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError
from gongzhi.core.models import User

from .. import permissions
from ..models import Demand, Resource
from ..transfer import Plan, PlannedRow, get_spec

IMPORT_VERBS = {"demands": "lists.import_demands", "resources": "lists.import_resources",
                "projects": "lists.import_projects"}


@dataclass
class ImportResult:
    kind: str
    rows: int
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changes(self) -> int:
        return len(self.created) + len(self.updated)


def _plain(value: Any) -> Any:
    """A value as the audit row keeps it (JSON)."""
    if isinstance(value, models.Model):
        return {"id": value.pk, "name": str(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _snapshot(values: dict[str, Any]) -> dict[str, Any]:
    return {key: _plain(value) for key, value in values.items()}


def _refuse_changed() -> ActionError:
    return ActionError(_("Some records changed while the file was being checked; nothing was imported. Please export "
                         "again and upload the new file."), field="file")


def _create(kind: str, planned: PlannedRow, user: User | None) -> models.Model:
    values = dict(planned.values)
    now = timezone.now()
    obj: models.Model
    if kind == "demands":
        if not permissions.can(user, "create_demand", values["area"]):
            raise PermissionDenied(_("You may not add demands for this area."))
        obj = Demand(**values, created_by=user, created_at=now, updated_at=now)
    elif kind == "resources":
        if not permissions.can(user, "create_resource", values["area"]):
            raise PermissionDenied(_("You may not add resources for this area."))
        obj = Resource(**values, created_by=user, created_at=now, updated_at=now)
    else:  # pragma: no cover - the plan never creates projects
        raise ActionError(_("Projects are created by confirming a match, not by import."))
    obj.save(force_insert=True)
    return obj


@transaction.atomic
def do_import_list(plan: Plan, *, acting_user: User | None) -> ImportResult:
    """Write a checked plan: all its rows or none. Refuses a plan with errors, and one whose records changed (or
    left the importer's reach) since they were checked."""
    if plan.errors:
        raise ActionError(_("%(count)d rows have errors; nothing was imported. Fix them and upload the file again.")
                          % {"count": len({e.row for e in plan.errors})}, field="file")
    spec = get_spec(plan.kind)
    if plan.user is not None and acting_user is not None and plan.user.pk != acting_user.pk:
        raise PermissionDenied(_("This import was checked for another user."))
    result = ImportResult(kind=plan.kind, rows=plan.rows, unchanged=plan.unchanged)
    verb = IMPORT_VERBS[plan.kind]
    ids = sorted(p.obj.pk for p in plan.updates if p.obj is not None)
    manager: Any = spec.model._default_manager
    locked = {obj.pk: obj for obj in manager.select_for_update(of=("self",)).filter(pk__in=ids).select_related("area").order_by("pk")}
    now = timezone.now()
    for planned in plan.updates:
        current = locked.get(planned.obj.pk) if planned.obj is not None else None
        if current is None or current.updated_at != planned.seen_updated_at:  # type: ignore[attr-defined]
            raise _refuse_changed()
        obj = current
        if not spec.may_edit(acting_user, obj):
            raise PermissionDenied(_("You may not change %(title)s.") % {"title": str(obj)})
        before = _snapshot({key: getattr(obj, key) for key in planned.values})
        for key, value in planned.values.items():
            setattr(obj, key, value)
        obj.updated_at = now
        obj.save(update_fields=[*planned.values, "updated_at"])
        log_event(acting_user, verb, obj, area=obj.area, before=before,
                  after={**_snapshot(planned.values), "row": planned.row})
        result.updated.append(obj.pk)
    for planned in plan.creates:
        obj = _create(plan.kind, planned, acting_user)
        log_event(acting_user, verb, obj, area=obj.area,  # type: ignore[attr-defined]
                  after={**_snapshot(planned.values), "row": planned.row, "created": True})
        result.created.append(obj.pk)
    return result


__all__ = ["IMPORT_VERBS", "ImportResult", "do_import_list"]
