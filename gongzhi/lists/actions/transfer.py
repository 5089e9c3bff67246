"""Writing a checked Excel import of one of the three lists (`gongzhi.lists.transfer.read_plan` parses and checks
every row first): every row or none, in one transaction.

Each row is written by the list's own write (one function per list and kind of row below), in a savepoint, so
that a rule only the write knows (the record changed meanwhile, a state that refuses the change) becomes that
row's error; if any row fails, the whole transaction is rolled back and `ImportRefused` lists every failed row.
Demands and resources are written by their list's own actions (`do_create_demand`, `do_update_demand`,
`do_create_resource`, `do_update_resource`, `do_set_resource_status`: their rules, their audit events); a project's
name and description here (`lists.import_projects`; before/after hold the changed fields and the file's row), its
budget by `do_set_project_budget`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError
from gongzhi.core.models import User
from gongzhi.core.rosters import RowError

from ..models import Demand, Project, Resource
from ..transfer import ListSpec, Plan, PlannedRow, get_spec
from .demands import do_create_demand, do_update_demand
from .projects import do_set_project_budget
from .resources import ResourceData, do_create_resource, do_set_resource_status, do_update_resource

# Demands and resources are written by their list's own actions (lists.create_demand, lists.update_resource, …).
IMPORT_VERBS = {"projects": "lists.import_projects"}


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


class ImportRefused(ActionError):
    """Some rows could not be written; nothing was. `errors` lists them (row, column, message)."""

    def __init__(self, errors: list[RowError]) -> None:
        rows = len({e.row for e in errors})
        super().__init__(_("%(count)d rows have errors; nothing was imported. Fix them and upload the file again.")
                         % {"count": rows}, field="file")
        self.errors = errors


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


# --- the writes, one per list and kind of row ------------------------------------------------------------


def _lock(model: type[models.Model], planned: PlannedRow) -> Any:
    """The row's record, locked; refused if it changed since the file was checked."""
    assert planned.obj is not None
    manager: Any = model._default_manager
    current = manager.select_for_update(of=("self",)).select_related("area").filter(pk=planned.obj.pk).first()
    if current is None or current.updated_at != planned.seen_updated_at:
        raise ActionError(_("This record changed while the file was being checked; export again and upload the new "
                            "file."))
    return current


def _update(spec: ListSpec, planned: PlannedRow, user: User | None) -> Any:
    obj = _lock(spec.model, planned)
    if not spec.may_edit(user, obj):
        raise PermissionDenied(_("You may not change %(title)s.") % {"title": str(obj)})
    problems = spec.check_update_now(obj, planned.values)
    if problems:
        raise ActionError(problems[0])
    before = _snapshot({key: getattr(obj, key) for key in planned.values})
    for key, value in planned.values.items():
        setattr(obj, key, value)
    obj.updated_at = timezone.now()
    obj.save(update_fields=[*planned.values, "updated_at"])
    log_event(user, IMPORT_VERBS[spec.kind], obj, area=obj.area, before=before,
              after={**_snapshot(planned.values), "row": planned.row})
    return obj


def _create_demand(planned: PlannedRow, user: User | None) -> Any:
    return do_create_demand(acting_user=user, **planned.values)


def _update_demand(planned: PlannedRow, user: User | None) -> Any:
    """Through the demand list's own edit (its rules and its audit event, lists.update_demand)."""
    demand = _lock(Demand, planned)
    return do_update_demand(demand, acting_user=user, **planned.values)


RESOURCE_DATA = ("kind", "title", "description", "provider_unit", "area", "alliance", "place", "capacity_unit",
                 "capacity", "opening_hours", "valid_from", "valid_until", "contact_name", "contact_phone")


def _resource_data(values: dict[str, Any], current: Resource | None = None) -> ResourceData:
    """The row's fields over the resource's current ones (a new resource: the row's only)."""
    merged = {name: getattr(current, name) for name in RESOURCE_DATA} if current is not None else {}
    merged.update({name: value for name, value in values.items() if name in RESOURCE_DATA})
    return ResourceData(**merged)


def _resource_status(resource: Resource, status: Any, user: User | None) -> Resource:
    """Through the resource list's own pause / resume / withdraw."""
    if status in (None, "") or status == resource.status:
        return resource
    return do_set_resource_status(resource, status, acting_user=user)


def _create_resource(planned: PlannedRow, user: User | None) -> Any:
    """Through the resource list's own add (its rules and its audit event, lists.create_resource), then its status."""
    resource = do_create_resource(acting_user=user, data=_resource_data(planned.values))
    return _resource_status(resource, planned.values.get("status"), user)


def _update_resource(planned: PlannedRow, user: User | None) -> Any:
    """Through the resource list's own edit and status change (lists.update_resource, lists.pause_resource, …)."""
    resource = _lock(Resource, planned)
    if any(name in RESOURCE_DATA for name in planned.values):
        resource = do_update_resource(resource, acting_user=user, data=_resource_data(planned.values, resource))
    return _resource_status(resource, planned.values.get("status"), user)


def _no_create(planned: PlannedRow, user: User | None) -> Any:
    raise ActionError(_("Projects are created by confirming a match, not by import."))


CREATES: dict[str, Callable[[PlannedRow, User | None], Any]] = {
    "demands": _create_demand, "resources": _create_resource, "projects": _no_create,
}
def _update_project(planned: PlannedRow, user: User | None) -> Any:
    """The name and description here (lists.import_projects); the budget through the project's own action
    (do_set_project_budget: its rules and its audit event)."""
    changes = dict(planned.values)
    budget = changes.pop("budget", _UNSET)
    project = _update(get_spec("projects"), PlannedRow(planned.row, planned.obj, changes, planned.seen_updated_at),
                      user) if changes else _lock(Project, planned)
    if budget is not _UNSET:
        project = do_set_project_budget(project, acting_user=user, budget=budget)
    return project


_UNSET: Any = object()
# Lists whose rows are changed through that list's own edit action (the others: `_update` here).
UPDATES: dict[str, Callable[[PlannedRow, User | None], Any]] = {"demands": _update_demand,
                                                                 "resources": _update_resource,
                                                                 "projects": _update_project}
MODELS = {"demands": Demand, "resources": Resource, "projects": Project}


def _row_error(spec: ListSpec, planned: PlannedRow, exc: Exception) -> RowError:
    if isinstance(exc, IntegrityError):
        return RowError(planned.row, "", _("The record could not be saved with these values (the data changed "
                                           "meanwhile?); check the row and upload again."))
    message = exc.message if isinstance(exc, ActionError) else (str(exc) or _("You may not do this."))
    field_name = exc.field if isinstance(exc, ActionError) else None
    column = next((c.header for c in spec.columns if c.key == field_name), "")
    return RowError(planned.row, column, message)


@transaction.atomic
def do_import_list(plan: Plan, *, acting_user: User | None) -> ImportResult:
    """Write a checked plan: all its rows or none (`ImportRefused` lists the rows that could not be written)."""
    if plan.errors:
        raise ImportRefused(plan.errors)
    if plan.user is not None and acting_user is not None and plan.user.pk != acting_user.pk:
        raise PermissionDenied(_("This import was checked for another user."))
    spec = get_spec(plan.kind)
    result = ImportResult(kind=plan.kind, rows=plan.rows, unchanged=plan.unchanged)
    errors: list[RowError] = []
    work = [(p, True) for p in sorted(plan.updates, key=lambda p: p.obj.pk if p.obj else 0)] + \
        [(p, False) for p in plan.creates]
    for planned, is_update in work:
        try:
            with transaction.atomic():
                if is_update and plan.kind in UPDATES:
                    obj = UPDATES[plan.kind](planned, acting_user)
                elif is_update:
                    obj = _update(spec, planned, acting_user)
                else:
                    obj = CREATES[plan.kind](planned, acting_user)
        except (ActionError, PermissionDenied, IntegrityError) as exc:
            errors.append(_row_error(spec, planned, exc))
            continue
        (result.updated if is_update else result.created).append(obj.pk)
    if errors:
        transaction.set_rollback(True)
        raise ImportRefused(sorted(errors, key=lambda e: e.row))
    return result


__all__ = ["IMPORT_VERBS", "ImportRefused", "ImportResult", "do_import_list"]
