"""Writes to the lists: each one transaction, checked against the policy, with an audit row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appeals.queries import active_category, appeals_visible_to
from gongzhi.core.actions import do_link
from gongzhi.core.api_schemas import MAX_ID
from gongzhi.core.audit import log_event, snapshot
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Area, Registration, Unit, User

from .. import permissions
from ..models import DEMAND_APPEAL, THEME_APPEAL, Demand, MonthlyTheme, ResourceKind, Survey, Urgency

MAX_APPEALS = 1000


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ActionError(_("Please enter a title."), field="title")
    if len(title) > 200:
        raise ActionError(_("The title is too long: at most 200 characters."), field="title")
    return title


def unit_registered_at(unit: Unit, community: Area) -> bool:
    """Is the unit registered (双报到) at this community?"""
    return Registration.objects.confirmed().filter(unit=unit, kind=Registration.Kind.UNIT, community=community).exists()


def _checked_appeals(user: User | None, appeal_ids: Sequence[int]) -> list[Any]:
    """The appeals, deduplicated and in id order; every one must exist and be visible to the user."""
    try:
        ids = sorted({int(i) for i in appeal_ids})
    except (TypeError, ValueError) as exc:
        raise ActionError(_("The list of appeals is not valid."), field="appeal_ids") from exc
    if len(ids) > MAX_APPEALS:
        raise ActionError(_("Too many appeals: at most 1000."), field="appeal_ids")
    if not ids:
        return []
    found = list(appeals_visible_to(user, ids).order_by("pk"))
    if len(found) != len(ids):
        raise ActionError(_("Some of these appeals do not exist or are outside your area."), field="appeal_ids")
    return found


# The sources that come with appeals (their links), and those a form or the API may give without any.
APPEAL_SOURCES = (Demand.Source.APPEAL, Demand.Source.HOT_ISSUE)
MAX_COUNT = 1_000_000
MAX_COST = Decimal("999999999999.99")
EDITABLE = ("title", "description", "category", "area", "beneficiaries", "beneficiary_count", "urgency",
            "resource_kinds", "cost_estimate", "need_quantity")
AUDITED = ["title", "area", "source", "source_ref", "category", "beneficiaries", "beneficiary_count", "urgency",
           "resource_kinds", "cost_estimate", "need_quantity", "status", "closed_reason"]


@dataclass
class DemandFields:
    """What a demand says beyond its source: cleaned by `clean_fields` (each error names its field)."""

    title: str = ""
    description: str = ""
    category: Any = None  # an appeals Category, or None
    beneficiaries: str = ""
    beneficiary_count: int = 0
    urgency: str = Urgency.NORMAL
    resource_kinds: list[str] = field(default_factory=list)
    cost_estimate: Decimal | None = None
    need_quantity: int | None = None


def clean_fields(
    *,
    title: str,
    description: str = "",
    category: Any = None,
    beneficiaries: str = "",
    beneficiary_count: Any = 0,
    urgency: str = Urgency.NORMAL,
    resource_kinds: Iterable[str] = (),
    cost_estimate: Any = None,
    need_quantity: Any = None,
) -> DemandFields:
    """Check a demand's fields; ActionError (with the field) for the first wrong one. `category` is a Category, its
    id, or None (an active category of the appeals tree)."""
    if category is not None and not hasattr(category, "pk"):
        try:
            category_id = int(category)
        except (TypeError, ValueError):
            category_id = 0
        category = active_category(category_id) if 0 < category_id <= MAX_ID else None
        if category is None:
            raise ActionError(_("Please choose a category from the list."), field="category")
    description = (description or "").strip()
    if len(description) > 5000:
        raise ActionError(_("The description is too long: at most 5000 characters."), field="description")
    beneficiaries = (beneficiaries or "").strip()
    if len(beneficiaries) > 200:
        raise ActionError(_("Who benefits is too long: at most 200 characters."), field="beneficiaries")
    count = _whole_number(beneficiary_count, "beneficiary_count", _("The number of people who benefit"), default=0)
    if urgency not in Urgency.values:
        raise ActionError(_("Please choose an urgency from the list."), field="urgency")
    kinds: list[str] = []
    for kind in resource_kinds or ():
        if kind not in ResourceKind.values:
            raise ActionError(_("Please choose the resource kinds from the list."), field="resource_kinds")
        if kind not in kinds:
            kinds.append(kind)
    kinds.sort(key=ResourceKind.values.index)
    cost: Decimal | None = None
    if cost_estimate not in (None, ""):
        try:
            cost = Decimal(str(cost_estimate).replace(",", "").strip())
        except InvalidOperation:
            cost = None
        if cost is None or not cost.is_finite() or cost < 0 or cost > MAX_COST:
            raise ActionError(_("The cost estimate must be an amount in yuan, 0 or more, e.g. 20000 or 1500.50."),
                              field="cost_estimate")
        cost = cost.quantize(Decimal("0.01"))
    quantity = _whole_number(need_quantity, "need_quantity", _("The quantity needed"), default=None)
    if quantity == 0:
        quantity = None
    return DemandFields(title=_clean_title(title), description=description, category=category,
                        beneficiaries=beneficiaries, beneficiary_count=count or 0, urgency=urgency,
                        resource_kinds=kinds, cost_estimate=cost, need_quantity=quantity)


def _whole_number(value: Any, name: str, label: str, *, default: int | None) -> int | None:
    if value in (None, ""):
        return default
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number <= MAX_COUNT:
        raise ActionError(_("%(what)s must be a whole number from 0 to 1000000.") % {"what": label}, field=name)
    return number


def _check_area(user: User | None, area: Area, source: str, unit: Unit | None) -> None:
    """May the user add (or move) a demand of this source to `area`? A liaison who is not staff there adds only
    the unit's own needs, for a community where the unit is registered."""
    if not permissions.can(user, "create_demand", area):
        raise PermissionDenied(_("You may not add demands for this area."))
    if permissions.area_policy.in_scope(user, area, permissions.DEMAND_ROLES):
        return
    if source != Demand.Source.UNIT or unit is None or unit.pk not in permissions.liaison_unit_ids(user):
        raise PermissionDenied(_("A unit liaison adds the unit's own needs only."))
    if area.level != Area.Level.COMMUNITY:
        raise ActionError(_("A unit's own need is added for a whole community: please choose the community."),
                          field="area")


def _unit_registered_at(unit: Unit, area: Area) -> bool:
    community = area if area.level == Area.Level.COMMUNITY else area.ancestor_of_level(Area.Level.COMMUNITY)
    if community is None:
        return False
    return unit.area_id == community.pk or unit.area.path.startswith(community.path) or \
        unit_registered_at(unit, community)


@transaction.atomic
def do_create_demand(
    *,
    acting_user: User | None,
    title: str,
    area: Area,
    description: str = "",
    source: str = Demand.Source.MANUAL,
    source_ref: str = "",
    appeal_ids: Sequence[int] = (),
    source_survey: Survey | None = None,
    source_unit: Unit | None = None,
    source_key: str = "",
    category: Any = None,
    beneficiaries: str = "",
    beneficiary_count: Any = 0,
    urgency: str = Urgency.NORMAL,
    resource_kinds: Iterable[str] = (),
    cost_estimate: Any = None,
    need_quantity: Any = None,
) -> Demand:
    """Add a demand to the demand list, from its source: a hot issue or appeals (`appeal_ids`, linked), a survey
    (`source_survey` of the same community), a residents' council (`source_ref` names the proposal, `source_key`
    a later app's record), a member unit's own need (`source_unit`, registered at the community: 双向需求征集), or
    staff entry."""
    if source not in Demand.Source.values:
        raise ActionError(_("Please choose a valid source."), field="source")
    _check_area(acting_user, area, source, source_unit)
    data = clean_fields(title=title, description=description, category=category, beneficiaries=beneficiaries,
                        beneficiary_count=beneficiary_count, urgency=urgency, resource_kinds=resource_kinds,
                        cost_estimate=cost_estimate, need_quantity=need_quantity)
    source_ref = (source_ref or "").strip()[:200]
    source_key = (source_key or "").strip()
    if len(source_key) > 80:
        raise ActionError(_("The source record is too long: at most 80 characters."), field="source_key")
    appeals = _checked_appeals(acting_user, appeal_ids)
    if source == Demand.Source.SURVEY:
        if source_survey is None:
            raise ActionError(_("Please choose the survey this demand came from."), field="source_survey")
        if not permissions.can(acting_user, "view", source_survey) or not area.path.startswith(source_survey.area.path):
            raise ActionError(_("The survey must be one of this community's surveys."), field="source_survey")
        source_ref = source_ref or source_survey.title[:200]
    elif source_survey is not None:
        raise ActionError(_("Only a demand from a survey names a survey."), field="source_survey")
    if source == Demand.Source.UNIT:
        if source_unit is None:
            raise ActionError(_("Please choose the unit that needs it."), field="source_unit")
        if not _unit_registered_at(source_unit, area):
            raise ActionError(_("This unit is not registered at this community."), field="source_unit")
        source_ref = source_ref or source_unit.name[:100]
    elif source_unit is not None:
        raise ActionError(_("Only a member unit's own need names a requesting unit."), field="source_unit")
    if source == Demand.Source.COUNCIL and not (source_ref or source_key):
        raise ActionError(_("Please name the council proposal this demand came from."), field="source_ref")
    now = timezone.now()
    demand = Demand.objects.create(
        title=data.title, description=data.description, area=area, source=source, source_ref=source_ref,
        source_survey=source_survey, source_unit=source_unit, source_key=source_key, category=data.category,
        beneficiaries=data.beneficiaries, beneficiary_count=data.beneficiary_count, urgency=data.urgency,
        resource_kinds=data.resource_kinds, cost_estimate=data.cost_estimate, need_quantity=data.need_quantity,
        created_by=acting_user, created_at=now, updated_at=now,
    )
    if appeals:
        do_link(demand, appeals, kind=DEMAND_APPEAL, acting_user=acting_user, area=area)
    log_event(acting_user, "lists.create_demand", demand, area=area, after=snapshot(demand, [*AUDITED, "appeal_ids"]))
    return demand


@transaction.atomic
def do_update_demand(demand: Demand, *, acting_user: User | None, **changes: Any) -> Demand:
    """Edit a demand's fields (any of EDITABLE; the source stays). Refused once it is met or closed."""
    demand = Demand.objects.select_for_update(of=("self",)).select_related("area", "source_unit", "category").get(pk=demand.pk)
    permissions.require(acting_user, "edit", demand, _("You may not edit this demand."))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if demand.status in (Demand.Status.MET, Demand.Status.CLOSED):
        raise InvalidTransition(_("This demand is met or closed and can no longer be edited."))
    current = {name: getattr(demand, name) for name in EDITABLE}
    merged = {**current, **changes}
    area = merged.pop("area")
    if area.pk != demand.area_id:
        _check_area(acting_user, area, demand.source, demand.source_unit)
        if demand.source_survey_id and not area.path.startswith(demand.source_survey.area.path):  # type: ignore[union-attr]
            raise ActionError(_("A demand from a survey stays in the survey's community."), field="area")
        if demand.source_unit is not None and not _unit_registered_at(demand.source_unit, area):
            raise ActionError(_("This unit is not registered at this community."), field="area")
    data = clean_fields(**merged)
    before = snapshot(demand, AUDITED)
    for name in EDITABLE:
        setattr(demand, name, area if name == "area" else getattr(data, name))
    demand.updated_at = timezone.now()
    demand.save(update_fields=[*EDITABLE, "updated_at"])
    log_event(acting_user, "lists.update_demand", demand, area=demand.area, before=before,
              after=snapshot(demand, AUDITED))
    return demand


@transaction.atomic
def do_close_demand(demand: Demand, *, acting_user: User | None, reason: str) -> Demand:
    """Close a demand that will not be met through the lists (solved otherwise, duplicate, withdrawn ...), with the
    reason. An open or matched demand only: one in a project is closed by cancelling the project."""
    demand = Demand.objects.select_for_update(of=("self",)).select_related("area").get(pk=demand.pk)
    permissions.require(acting_user, "close", demand, _("You may not close this demand."))
    reason = (reason or "").strip()
    if not reason:
        raise ActionError(_("Please say why the demand is closed."), field="reason")
    if len(reason) > 300:
        raise ActionError(_("The reason is too long: at most 300 characters."), field="reason")
    if demand.status not in (Demand.Status.OPEN, Demand.Status.MATCHED):
        raise InvalidTransition(_("Only an open or matched demand can be closed (one in a project is closed by "
                                  "cancelling the project)."))
    before = snapshot(demand, ["status", "closed_reason"])
    demand.status, demand.closed_reason, demand.updated_at = Demand.Status.CLOSED, reason, timezone.now()
    demand.save(update_fields=["status", "closed_reason", "updated_at"])
    log_event(acting_user, "lists.close_demand", demand, area=demand.area, before=before,
              after=snapshot(demand, ["status", "closed_reason"]))
    return demand


@transaction.atomic
def do_reopen_demand(demand: Demand, *, acting_user: User | None) -> Demand:
    """Open a closed demand again (closed by mistake, or the need came back)."""
    demand = Demand.objects.select_for_update(of=("self",)).select_related("area").get(pk=demand.pk)
    permissions.require(acting_user, "close", demand, _("You may not reopen this demand."))
    if demand.status != Demand.Status.CLOSED:
        raise InvalidTransition(_("Only a closed demand can be reopened."))
    before = snapshot(demand, ["status", "closed_reason"])
    demand.status, demand.closed_reason, demand.updated_at = Demand.Status.OPEN, "", timezone.now()
    demand.save(update_fields=["status", "closed_reason", "updated_at"])
    log_event(acting_user, "lists.reopen_demand", demand, area=demand.area, before=before,
              after=snapshot(demand, ["status", "closed_reason"]))
    return demand


@transaction.atomic
def do_propose_monthly_theme(
    *,
    acting_user: User | None,
    month: date,
    title: str,
    area: Area,
    description: str = "",
    source_summary: str = "",
    appeal_ids: Sequence[int] = (),
) -> MonthlyTheme:
    """Propose a problem as the month's theme (每月一题) of a subdistrict or district."""
    if area.level not in permissions.THEME_LEVELS:
        raise ActionError(_("The month's theme is proposed by a subdistrict, a district or the city."), field="area")
    if not permissions.can(acting_user, "propose_theme", area):
        raise PermissionDenied(_("You may not propose the month's theme for this area."))
    title = _clean_title(title)
    appeals = _checked_appeals(acting_user, appeal_ids)
    theme = MonthlyTheme.objects.create(
        month=month.replace(day=1), title=title, description=(description or "").strip(), area=area,
        source_summary=(source_summary or "").strip(), proposed_by=acting_user,
    )
    if appeals:
        do_link(theme, appeals, kind=THEME_APPEAL, acting_user=acting_user, area=area)
    log_event(acting_user, "lists.propose_monthly_theme", theme, area=area,
              after=snapshot(theme, ["month", "title", "appeal_ids", "status"]))
    return theme
