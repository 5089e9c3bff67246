"""Settings of 接诉即办 (city and district admins): categories, time limits, rates, routing. (The auto-dispatch
threshold is intelligence's: `gongzhi.intelligence.actions.do_configure_auto_dispatch`.)"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, Unit, User
from gongzhi.core.registry import CATEGORIES_CHANGED, registry

from .. import permissions
from ..models import (
    Case,
    Category,
    RatesConfig,
    RoutingRule,
    TimeLimitKind,
    TimeLimitPolicy,
)
from ._common import (
    _require_text,
)

# ---------------------------------------------------------------------------------------------------
# configuration (city and district admins)


def _require_citywide(user: User | None) -> None:
    """Categories, time limits and weights hold for the whole city: the city decides."""
    if user is not None and not permissions.can_configure_citywide(user):
        raise PermissionDenied(_("Only city administrators can change city-wide settings."))


def _require_configure(user: User | None) -> None:
    if user is not None and not permissions.can_configure(user):
        raise PermissionDenied(_("Only city or district administrators can change this."))


def _categories_changed() -> None:
    """Others keep the categories in per-process caches (intelligence's names for suggestions): the hook tells
    them once the change is committed."""
    registry.send_on_commit(CATEGORIES_CHANGED)


@transaction.atomic
def do_create_category(
    *, acting_user: User | None, name: str, parent: Category | None = None, code: str = "",
    time_limit_kind: str = TimeLimitKind.ORDINARY,
) -> Category:
    _require_citywide(acting_user)
    name = _require_text(name, _("Please enter the category's name."), "name", 50)
    level = (parent.level + 1) if parent is not None else 1
    if level > 3:
        raise ActionError(_("Categories have at most three levels."), field="parent")
    if time_limit_kind not in TimeLimitKind.values:
        raise ActionError(_("Please choose a valid time limit."), field="time_limit_kind")
    if Category.objects.filter(parent=parent, name=name).exists():
        raise ActionError(_("A category named %(name)s already exists here.") % {"name": name}, field="name")
    category = Category.objects.create(name=name, parent=parent, level=level, code=code,
                                       time_limit_kind=time_limit_kind)
    log_event(acting_user, "appeals.category.create", category, after={"name": name, "level": level})
    _categories_changed()
    return category


@transaction.atomic
def do_update_category(category: Category, *, acting_user: User | None, **changes: Any) -> Category:
    _require_citywide(acting_user)
    category = Category.objects.select_for_update().get(pk=category.pk)
    allowed = {"name", "code", "time_limit_kind", "active", "sort_order"}
    unknown = set(changes) - allowed
    if unknown:
        raise ActionError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if "name" in changes:
        changes["name"] = _require_text(changes["name"], _("Please enter the category's name."), "name", 50)
        if Category.objects.filter(parent=category.parent, name=changes["name"]).exclude(pk=category.pk).exists():
            raise ActionError(_("A category named %(name)s already exists here.") % {"name": changes["name"]},
                              field="name")
    if "time_limit_kind" in changes and changes["time_limit_kind"] not in TimeLimitKind.values:
        raise ActionError(_("Please choose a valid time limit."), field="time_limit_kind")
    before = {k: getattr(category, k) for k in changes}
    for key, value in changes.items():
        setattr(category, key, value)
    category.save(update_fields=list(changes))
    log_event(acting_user, "appeals.category.update", category, before=before, after=dict(changes))
    _categories_changed()
    return category


@transaction.atomic
def do_update_time_limit(
    policy: TimeLimitPolicy, *, acting_user: User | None, accept_minutes: int, response_hours: int, handle_hours: int
) -> TimeLimitPolicy:
    _require_citywide(acting_user)
    if min(accept_minutes, response_hours, handle_hours) <= 0:
        raise ActionError(_("Time limits must be positive."))
    policy = TimeLimitPolicy.objects.select_for_update().get(pk=policy.pk)
    before = {"accept_minutes": policy.accept_minutes, "response_hours": policy.response_hours,
              "handle_hours": policy.handle_hours}
    policy.accept_minutes, policy.response_hours, policy.handle_hours = accept_minutes, response_hours, handle_hours
    policy.save(update_fields=["accept_minutes", "response_hours", "handle_hours"])
    log_event(acting_user, "appeals.time_limit.update", policy, before=before,
              after={"accept_minutes": accept_minutes, "response_hours": response_hours, "handle_hours": handle_hours})
    return policy


@transaction.atomic
def do_update_rates_config(
    *, acting_user: User | None, response_weight: float, resolution_weight: float, satisfaction_weight: float
) -> RatesConfig:
    _require_citywide(acting_user)
    weights = [response_weight, resolution_weight, satisfaction_weight]
    if any(w < 0 for w in weights) or abs(sum(weights) - 1) > 0.001:
        raise ActionError(_("The three weights must be non-negative and add up to 1."))
    config = RatesConfig.objects.select_for_update().first() or RatesConfig()
    config.response_weight, config.resolution_weight, config.satisfaction_weight = weights  # type: ignore[assignment]
    config.save()
    log_event(acting_user, "appeals.rates_config.update", config, after={"weights": weights})
    return config


@transaction.atomic
def do_create_routing_rule(
    *, acting_user: User | None, lead_unit: Unit, category: Category | None = None, area: Area | None = None,
    assist_units: Sequence[Unit] = (),
) -> RoutingRule:
    _require_configure(acting_user)
    if acting_user is not None and not permissions.can_configure_at(acting_user, area):
        if area is not None:
            raise PermissionDenied(_("You can only add routing rules within your own area."))
        raise PermissionDenied(_("Only a city administrator can add a rule for the whole city."))
    if RoutingRule.objects.filter(category=category, area=area).exists():
        raise ActionError(_("A rule for this category and area already exists; delete it first."), field="category")
    rule = RoutingRule.objects.create(category=category, area=area, lead_unit=lead_unit)
    rule.assist_units.set(list(assist_units))
    log_event(acting_user, "appeals.routing_rule.create", rule, area=area,
              after={"category": str(category or ""), "lead_unit": lead_unit.name})
    return rule


def due_window(case: Case) -> timedelta | None:
    if case.dispatched_at is None or case.due_at is None:
        return None
    return case.due_at - case.dispatched_at


# ---------------------------------------------------------------------------------------------------
# configuration: routing rule removal and the category tree import (pages in views/config.py)


def covers_config_area(user: User | None, area: Area | None) -> bool:
    """May this admin configure things attached to `area`? A rule without an area is city-wide."""
    return user is None or permissions.can_configure_at(user, area)


@transaction.atomic
def do_delete_routing_rule(rule: RoutingRule, *, acting_user: User | None) -> None:
    _require_configure(acting_user)
    rule = RoutingRule.objects.select_for_update(of=("self",)).select_related("category", "area", "lead_unit").get(
        pk=rule.pk
    )
    if not covers_config_area(acting_user, rule.area):
        raise PermissionDenied(_("You can only remove routing rules within your own area."))
    before = {"category": str(rule.category or ""), "area": str(rule.area or ""), "lead_unit": rule.lead_unit.name,
              "assist_units": [u.name for u in rule.assist_units.all()]}
    area = rule.area
    log_event(acting_user, "appeals.routing_rule.delete", rule, area=area, before=before)
    rule.delete()


def _next_sort_order(parent: Category | None) -> int:
    last = Category.objects.filter(parent=parent).order_by("-sort_order").values_list("sort_order", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def do_import_categories(
    rows: Sequence[tuple[tuple[str, str, str], str | None]], *, acting_user: User | None, source_name: str = ""
) -> dict[str, int]:
    """Create the missing nodes of each (一级, 二级, 三级) path; reuse (and reactivate) existing ones.

    A row's time-limit kind (None = keep) is set on its leaf. All rows or none; one audit event.
    """
    _require_citywide(acting_user)
    if not rows:
        raise ActionError(_("The file has no rows to import."), field="file")
    nodes: dict[tuple[int | None, str], Category] = {}
    created: list[str] = []
    updated: list[str] = []
    reactivated: list[str] = []
    reused: set[int] = set()
    first_top: Category | None = None
    for raw_names, kind in rows:
        names = [(n or "").strip() for n in raw_names]
        if len(names) != 3 or not all(names) or any(len(n) > 50 for n in names):
            raise ActionError(_("Each row needs a first-, second- and third-level category name."), field="file")
        if kind is not None and kind not in TimeLimitKind.values:
            raise ActionError(_("Please choose a valid time limit."), field="time_limit_kind")
        parent: Category | None = None
        for level, name in enumerate(names, start=1):
            key = (parent.pk if parent is not None else None, name)
            node = nodes.get(key)
            leaf_kind = kind if level == 3 else None
            if node is None:
                node = Category.objects.select_for_update().filter(parent=parent, name=name).order_by("id").first()
                if node is None:
                    sort_order = _next_sort_order(parent)
                    node = Category.objects.create(
                        name=name, parent=parent, level=level, sort_order=sort_order,
                        code=f"{parent.code if parent is not None else ''}{sort_order:02d}"[:30],
                        time_limit_kind=leaf_kind or TimeLimitKind.ORDINARY,
                    )
                    created.append(node.full_name())
                else:
                    reused.add(node.pk)
                    changed: list[str] = []
                    if not node.active:
                        node.active = True
                        changed.append("active")
                        reactivated.append(node.full_name())
                    if leaf_kind and node.time_limit_kind != leaf_kind:
                        node.time_limit_kind = leaf_kind
                        changed.append("time_limit_kind")
                        updated.append(node.full_name())
                    if changed:
                        node.save(update_fields=changed)
                nodes[key] = node
            if first_top is None:
                first_top = node
            parent = node
    assert first_top is not None
    summary = {"rows": len(rows), "created": len(created), "reused": len(reused), "updated": len(updated),
               "reactivated": len(reactivated)}
    _categories_changed()
    log_event(acting_user, "appeals.category.import", first_top,
              after={"file": source_name[:200], **summary, "created_names": created[:500],
                     "updated_names": updated[:500], "reactivated_names": reactivated[:500]})
    return summary
