"""Writes to the project list (项目清单): creating a project from demands and resources, claiming it (认领), partner
units, budget, milestones, sub-projects, progress with photos, finishing and cancelling, and the overdue
milestones' reminders. The two-way service agreement's writes are in `agreements.py`.

Each function is one transaction that locks the project row first (`select_for_update`), checks its state and the
policy, writes, sets `Project.updated_at` (and `Demand.updated_at` for every demand it changes) and one audit row.
Capacity moves only through `lists.capacity` (reserve on creation, release on finishing or cancelling).

Project statuses: proposed (waiting to be claimed) → claimed → agreed (agreement signed by every party) →
in_progress (first progress posted) → finished; cancelled from any state before finished. A sub-project follows
its parent's status (claimed with it, agreed with it) and is where progress is posted once a project has
sub-projects; the parent's progress is their average weighted by `weight`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Area, Registration, Role, Unit, User
from gongzhi.core.notifications import notify
from gongzhi.core.policy import users_with_roles_at
from gongzhi.lib.images import reencode_image

from .. import capacity, permissions
from ..models import (
    Demand,
    Milestone,
    ProgressPhoto,
    ProgressUpdate,
    Project,
    ProjectResource,
    Resource,
    ServiceAgreement,
)

MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_DEMANDS = 50
MAX_RESOURCES = 20
MAX_PARTNERS = 20
MAX_NOTE = 2000
# Statuses in which a project is being worked on (milestones can be overdue, progress is due).
ACTIVE = (Project.Status.CLAIMED, Project.Status.AGREED, Project.Status.IN_PROGRESS)
CLOSED = (Project.Status.FINISHED, Project.Status.CANCELLED)
MAX_BUDGET = Decimal("999999999999.99")


# --- helpers -------------------------------------------------------------------------------------------------


def lock_project(project: Project) -> Project:
    """The project row, locked for the rest of the transaction, with its community and parent (which never change;
    the lead unit is read after the lock, as a claim racing this one may just have set it)."""
    return Project.objects.select_for_update(of=("self",)).select_related("area", "parent").get(pk=project.pk)


def touch(project: Project, *fields: str) -> None:
    project.updated_at = timezone.now()
    project.save(update_fields=[*fields, "updated_at"])


def clean_title(title: str, field: str = "title", max_length: int = 200) -> str:
    title = (title or "").strip()
    if not title:
        raise ActionError(_("Please enter a title."), field=field)
    if len(title) > max_length:
        raise ActionError(_("The title is too long: at most %(max)d characters.") % {"max": max_length},
                          field=field)
    return title


def clean_text(text: str, field: str, max_length: int = MAX_NOTE) -> str:
    text = (text or "").strip()
    if len(text) > max_length:
        raise ActionError(_("This text is too long: at most %(max)d characters.") % {"max": max_length},
                          field=field)
    return text


def parse_amount(value: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ActionError(_("Please enter a number, e.g. 30 or 1500.50."), field=field) from exc
    if not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero):
        raise ActionError(_("Please enter an amount greater than zero.") if not allow_zero
                          else _("The amount cannot be negative."), field=field)
    if amount > MAX_BUDGET or amount != amount.quantize(Decimal("0.01")):
        raise ActionError(_("Please enter an amount with at most two decimals and below one trillion."),
                          field=field)
    return amount


def _refuse_closed(project: Project) -> None:
    if project.status == Project.Status.FINISHED:
        raise InvalidTransition(_("This project is finished; it can no longer be changed."))
    if project.status == Project.Status.CANCELLED:
        raise InvalidTransition(_("This project was cancelled; it can no longer be changed."))


def project_url(project: Project) -> str:
    return reverse("lists:project", args=[project.pk])


def community_workers(project: Project) -> list[User]:
    """The community workers of the project's community (whom reminders and claims are told)."""
    return list(users_with_roles_at({Role.COMMUNITY_WORKER}, project.area))


def unit_liaisons(units: Sequence[Unit]) -> list[User]:
    if not units:
        return []
    return list(User.objects.filter(is_active=True, grants__role=Role.UNIT_LIAISON,
                                    grants__unit__in=list(units)).distinct())


def acting_unit(user: Any, project: Project) -> Unit | None:
    """The party unit the user acts for on this project (the lead unit first), if they are its liaison."""
    mine = permissions.liaison_unit_ids(user) if user is not None else set()
    if project.lead_unit_id in mine:
        return project.lead_unit
    return project.partner_units.filter(pk__in=mine).order_by("pk").first()


def _set_demands(demands: Sequence[Demand], status: str, now: datetime, *, met: bool = False) -> None:
    for demand in demands:
        demand.status = status
        demand.updated_at = now
        fields = ["status", "updated_at"]
        if met:
            demand.met_at = now
            fields.append("met_at")
        demand.save(update_fields=fields)


def _family(project: Project) -> list[Project]:
    """The project and its sub-projects that are not closed, locked (the parent is locked by the caller)."""
    children = list(Project.objects.select_for_update().filter(parent=project).exclude(status__in=CLOSED)
                    .order_by("pk"))
    return [project, *children]


def recompute_progress(parent: Project) -> int:
    """A parent's progress: its sub-projects' progress averaged by weight (cancelled ones left out)."""
    rows = list(parent.children.exclude(status=Project.Status.CANCELLED).values_list("progress", "weight"))
    total = sum((Decimal(w) for _p, w in rows), Decimal(0))
    if not rows or total <= 0:
        return parent.progress
    value = sum((Decimal(p) * Decimal(w) for p, w in rows), Decimal(0)) / total
    return int(value.quantize(Decimal(1)))


# --- creating a project from demands and resources -----------------------------------------------------------


@dataclass(frozen=True)
class Reservation:
    resource_id: int
    amount: Decimal


@transaction.atomic
def do_create_project(
    *,
    acting_user: User | None,
    area: Area,
    title: str,
    description: str = "",
    demand_ids: Sequence[int] = (),
    reservations: Sequence[Reservation] = (),
    budget: Decimal | None = None,
) -> Project:
    """A project staff put together from open demands of a community and resources (each reserved under a row
    lock, so no resource is promised beyond its capacity). It waits to be claimed (proposed)."""
    if area.level != Area.Level.COMMUNITY:
        raise ActionError(_("A project belongs to a community: please choose one."), field="area")
    permissions.require(acting_user, "create_project", area, _("You may not create projects in this community."))
    title = clean_title(title)
    description = clean_text(description, "description", 5000)
    ids = sorted({int(i) for i in demand_ids})
    if not ids:
        raise ActionError(_("Please choose at least one demand the project meets."), field="demands")
    if len(ids) > MAX_DEMANDS:
        raise ActionError(_("Too many demands: at most %(max)d.") % {"max": MAX_DEMANDS}, field="demands")
    demands = list(permissions.visible_to(acting_user, Demand).select_for_update(of=("self",))
                   .filter(pk__in=ids, area__path__startswith=area.path).order_by("pk"))
    if len(demands) != len(ids):
        raise ActionError(_("Some of these demands do not exist or are not in this community."), field="demands")
    taken = [d.title for d in demands if d.status != Demand.Status.OPEN]
    if taken:
        raise ActionError(_("These demands are no longer open: %(titles)s.") % {"titles": "、".join(taken)},
                          field="demands")
    if len(reservations) > MAX_RESOURCES:
        raise ActionError(_("Too many resources: at most %(max)d.") % {"max": MAX_RESOURCES}, field="resources")
    wanted: dict[int, Decimal] = {}
    for r in reservations:
        wanted[r.resource_id] = wanted.get(r.resource_id, Decimal(0)) + parse_amount(r.amount, "resources")
    visible = set(permissions.visible_to(acting_user, Resource).filter(pk__in=list(wanted))
                  .values_list("pk", flat=True))
    if visible != set(wanted):
        raise ActionError(_("Some of these resources do not exist or are outside your area."), field="resources")
    if budget is not None:
        budget = parse_amount(budget, "budget", allow_zero=True)
    now = timezone.now()
    project = Project.objects.create(title=title, description=description, area=area, budget=budget,
                                     created_by=acting_user, created_at=now, updated_at=now)
    project.demands.set(demands)
    resources = capacity.locked(list(wanted))
    for resource_id, amount in sorted(wanted.items()):
        capacity.reserve(project, resources[resource_id], amount)
    _set_demands(demands, Demand.Status.MATCHED, now)
    log_event(acting_user, "lists.create_project", project, area=area, after={
        "title": title, "demands": ids, "resources": {str(k): f"{v}" for k, v in sorted(wanted.items())},
        "budget": f"{budget}" if budget is not None else None})
    return project


# --- claiming (认领) -----------------------------------------------------------------------------------------


@transaction.atomic
def do_claim_project(project: Project, *, acting_user: User, unit: Unit | None = None) -> Project:
    """A member unit's liaison claims a project waiting in a community where the unit is registered: the unit
    leads it, its demands are in the project, and the agreement's draft is made from its reservations. Two
    liaisons claiming at once: the second waits for the first's lock, then is told who claimed it."""
    project = lock_project(project)
    if project.parent_id is not None:
        raise InvalidTransition(_("A sub-project is claimed with its project."))
    if project.lead_unit_id is not None:
        raise InvalidTransition(_("This project has already been claimed by %(unit)s.") % {
            "unit": project.lead_unit.name if project.lead_unit else ""})
    if project.status != Project.Status.PROPOSED:
        raise InvalidTransition(_("This project is not waiting to be claimed (now: %(status)s).") % {
            "status": project.get_status_display()})
    permissions.require(acting_user, "claim", project,
                        _("Only the liaison of a member unit registered in this community may claim this project."))
    units = permissions.liaison_units(acting_user)
    if unit is None:
        candidates = [u for u in units if unit_registered_at(u, project.area)]
        if not candidates:
            raise PermissionDenied(_("Only the liaison of a member unit registered in this community may claim "
                                     "this project."))
        unit = candidates[0]
    elif unit.pk not in {u.pk for u in units} or not unit_registered_at(unit, project.area):
        raise PermissionDenied(_("%(unit)s is not a unit of yours registered in this community.") % {
            "unit": unit.name})
    now = timezone.now()
    project.lead_unit = unit
    project.claimed_by = acting_user
    project.claimed_at = now
    project.status = Project.Status.CLAIMED
    touch(project, "lead_unit", "claimed_by", "claimed_at", "status")
    project.partner_units.remove(unit)
    children = Project.objects.filter(parent=project).exclude(status__in=CLOSED)
    children.filter(lead_unit__isnull=True).update(lead_unit=unit, updated_at=now)
    children.update(status=Project.Status.CLAIMED, updated_at=now)
    ids = Demand.objects.filter(Q(projects=project) | Q(projects__parent=project)).values("pk")
    demands = list(Demand.objects.select_for_update().filter(
        pk__in=ids, status__in=[Demand.Status.OPEN, Demand.Status.MATCHED]).order_by("pk"))
    _set_demands(demands, Demand.Status.IN_PROJECT, now)
    from .agreements import draft_agreement  # the agreement's writes live beside this module

    draft_agreement(project)
    log_event(acting_user, "lists.claim_project", project, area=project.area,
              after={"lead_unit": unit.name, "status": project.status})
    notify(community_workers(project), "lists.claim_project",
           _("%(unit)s claimed the project %(title)s; the agreement is ready to draft.") % {
               "unit": unit.name, "title": project.title}, project_url(project))
    return project


def unit_registered_at(unit: Unit, community: Area) -> bool:
    """Is the unit registered (双报到) at the community, or does it sit there?"""
    if unit.area.path.startswith(community.path):
        return True
    return Registration.objects.confirmed().filter(unit=unit, community=community, kind=Registration.Kind.UNIT).exists()


# --- partners, budget, milestones, sub-projects ---------------------------------------------------------------


@transaction.atomic
def do_add_partner_units(project: Project, *, acting_user: User | None, units: Sequence[Unit]) -> list[Unit]:
    """Add partner units (协作单位) to a project; they become parties to its agreement (a signed agreement then
    needs every party's signature again)."""
    project = lock_project(project)
    _refuse_closed(project)
    permissions.require(acting_user, "manage", project, _("Only the community's staff add partner units."))
    if not units:
        raise ActionError(_("Please choose at least one unit."), field="units")
    existing = set(project.partner_units.values_list("pk", flat=True))
    new = [u for u in {u.pk: u for u in units}.values() if u.pk not in existing and u.pk != project.lead_unit_id]
    if not new:
        raise ActionError(_("These units already take part in this project."), field="units")
    if len(existing) + len(new) > MAX_PARTNERS:
        raise ActionError(_("Too many partner units: at most %(max)d.") % {"max": MAX_PARTNERS}, field="units")
    project.partner_units.add(*new)
    touch(project)
    from .agreements import parties_changed

    parties_changed(project, acting_user)
    log_event(acting_user, "lists.add_partner_units", project, area=project.area,
              after={"partner_units": [u.name for u in new]})
    return new


@transaction.atomic
def do_set_project_budget(project: Project, *, acting_user: User | None, budget: Any) -> Project:
    project = lock_project(project)
    _refuse_closed(project)
    permissions.require(acting_user, "manage", project, _("Only the community's staff set the budget."))
    before = f"{project.budget}" if project.budget is not None else None
    project.budget = None if budget in (None, "") else parse_amount(budget, "budget", allow_zero=True)
    touch(project, "budget")
    log_event(acting_user, "lists.set_project_budget", project, area=project.area, before={"budget": before},
              after={"budget": f"{project.budget}" if project.budget is not None else None})
    return project


@transaction.atomic
def do_add_milestone(project: Project, *, acting_user: User | None, title: str, due_on: date) -> Milestone:
    """A milestone with its date (staff, or a party unit's liaison)."""
    project = lock_project(project)
    _refuse_closed(project)
    permissions.require(acting_user, "post_progress", project,
                        _("Only the community's staff and the project's units add milestones."))
    title = clean_title(title)
    if not isinstance(due_on, date):
        raise ActionError(_("Please enter the date it is due, e.g. 2027-03-31."), field="due_on")
    if due_on.year > timezone.localdate().year + 10:
        raise ActionError(_("The date is too far ahead: at most ten years."), field="due_on")
    order = project.milestones.count()
    milestone = Milestone.objects.create(project=project, title=title, due_on=due_on, order=order)
    touch(project)
    log_event(acting_user, "lists.add_milestone", project, area=project.area,
              after={"milestone": title, "due_on": due_on.isoformat()})
    return milestone


@transaction.atomic
def do_complete_milestone(milestone: Milestone, *, acting_user: User | None) -> Milestone:
    project = lock_project(milestone.project)
    _refuse_closed(project)
    permissions.require(acting_user, "post_progress", project,
                        _("Only the community's staff and the project's units mark milestones done."))
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_at is not None:
        raise InvalidTransition(_("This milestone is already done."))
    milestone.done_at = timezone.now()
    milestone.save(update_fields=["done_at"])
    touch(project)
    log_event(acting_user, "lists.complete_milestone", project, area=project.area,
              after={"milestone": milestone.title})
    return milestone


@transaction.atomic
def do_add_subproject(parent: Project, *, acting_user: User | None, title: str, weight: Any = 1,
                      lead_unit: Unit | None = None, description: str = "") -> Project:
    """A part of a large project: the parent's progress becomes its sub-projects' average weighted by `weight`.
    It follows the parent's status and agreement; its lead is the parent's lead unit or one of its partners."""
    parent = lock_project(parent)
    _refuse_closed(parent)
    permissions.require(acting_user, "manage", parent, _("Only the community's staff split a project."))
    if parent.parent_id is not None:
        raise ActionError(_("A sub-project cannot have sub-projects of its own."), field="parent")
    title = clean_title(title)
    try:
        weight_value = Decimal(str(weight).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ActionError(_("The weight must be a number greater than zero, e.g. 1 or 2.5."), field="weight") from exc
    if not weight_value.is_finite() or weight_value <= 0 or weight_value > 999999 or \
            weight_value != weight_value.quantize(Decimal("0.01")):
        raise ActionError(_("The weight must be a number greater than zero, e.g. 1 or 2.5."), field="weight")
    if lead_unit is not None and lead_unit.pk != parent.lead_unit_id and \
            not parent.partner_units.filter(pk=lead_unit.pk).exists():
        raise ActionError(_("A sub-project is led by the project's lead unit or one of its partner units."),
                          field="lead_unit")
    status = parent.status if parent.status != Project.Status.IN_PROGRESS else Project.Status.AGREED
    now = timezone.now()
    child = Project.objects.create(
        title=title, description=clean_text(description, "description", 5000), area=parent.area, parent=parent,
        weight=weight_value, lead_unit=lead_unit or parent.lead_unit, status=status, created_by=acting_user,
        claimed_by=parent.claimed_by, claimed_at=parent.claimed_at, public=parent.public,
        created_at=now, updated_at=now)
    parent.progress = recompute_progress(parent)
    touch(parent, "progress")
    log_event(acting_user, "lists.add_subproject", parent, area=parent.area,
              after={"sub_project": title, "weight": f"{weight_value}"})
    return child


# --- progress ------------------------------------------------------------------------------------------------


class CheckedPhoto(ContentFile[bytes]):
    """A re-encoded photo, named by us (a random name with the type we wrote)."""

    def __init__(self, content: bytes, extension: str, width: int, height: int) -> None:
        super().__init__(content, name=f"{uuid4().hex}.{extension}")
        self.width, self.height = width, height


def validate_photos(photos: Sequence[Any]) -> list[CheckedPhoto]:
    """Count, size and type checked, each decoded and written again by Pillow (`lib.images`: no EXIF, only JPEG,
    PNG or WebP). Call it before the transaction opens: decoding is slow."""
    if len(photos) > MAX_PHOTOS:
        raise ActionError(_("You can attach at most %(max)d photos.") % {"max": MAX_PHOTOS}, field="photos")
    checked: list[CheckedPhoto] = []
    for photo in photos:
        if isinstance(photo, CheckedPhoto):
            checked.append(photo)
            continue
        name = Path(str(getattr(photo, "name", "") or "")).name[:80] or _("photo")
        if (getattr(photo, "size", 0) or 0) > MAX_PHOTO_BYTES:
            raise ActionError(_("The photo %(name)s is larger than 5 MB.") % {"name": name}, field="photos")
        clean = reencode_image(photo, name=name, max_pixels=settings.IMAGE_MAX_PIXELS)
        checked.append(CheckedPhoto(clean.content, clean.extension, clean.width, clean.height))
    return checked


def do_post_progress(project: Project, *, acting_user: User | None, percent: Any, note: str = "",
                     photos: Sequence[Any] = ()) -> ProgressUpdate:
    """A progress update (percentage, note, up to five photos) on a project whose agreement is signed; the first
    one starts it (in progress). On a sub-project it moves the parent's weighted progress too."""
    checked = validate_photos(photos)  # outside the transaction
    return _post_progress(project, acting_user=acting_user, percent=percent, note=note, photos=checked)


@transaction.atomic
def _post_progress(project: Project, *, acting_user: User | None, percent: Any, note: str,
                   photos: list[CheckedPhoto]) -> ProgressUpdate:
    parent = lock_project(project.parent) if project.parent is not None else None
    project = lock_project(project)
    _refuse_closed(project)
    permissions.require(acting_user, "post_progress", project,
                        _("Only the community's staff and the project's units post progress."))
    if project.status not in (Project.Status.AGREED, Project.Status.IN_PROGRESS):
        raise InvalidTransition(_("Progress is posted once every party has signed the agreement."))
    if project.children.exclude(status=Project.Status.CANCELLED).exists():
        raise ActionError(_("This project is split into sub-projects: post progress on each sub-project."),
                          field="percent")
    try:
        value = int(str(percent).strip().rstrip("%"))
    except (TypeError, ValueError) as exc:
        raise ActionError(_("Please enter the progress as a whole number from 0 to 100."), field="percent") from exc
    if not 0 <= value <= 100:
        raise ActionError(_("Please enter the progress as a whole number from 0 to 100."), field="percent")
    note = clean_text(note, "note")
    if not note and not photos and value == project.progress:
        raise ActionError(_("Please write what was done, add a photo or change the percentage."), field="note")
    now = timezone.now()
    update = ProgressUpdate.objects.create(project=project, percent=value, note=note, by=acting_user,
                                           unit=acting_unit(acting_user, project), at=now)
    for photo in photos:
        ProgressPhoto.objects.create(update=update, image=photo, width=photo.width, height=photo.height)
    fields = ["progress"]
    project.progress = value
    if project.status == Project.Status.AGREED:
        project.status = Project.Status.IN_PROGRESS
        project.started_at = now
        fields += ["status", "started_at"]
    touch(project, *fields)
    if parent is not None:
        parent.progress = recompute_progress(parent)
        parent_fields = ["progress"]
        if parent.status == Project.Status.AGREED:
            parent.status = Project.Status.IN_PROGRESS
            parent.started_at = now
            parent_fields += ["status", "started_at"]
        touch(parent, *parent_fields)
    log_event(acting_user, "lists.post_progress", project, area=project.area,
              after={"percent": value, "photos": len(photos), "note": note[:200]})
    return update


# --- finishing and cancelling ----------------------------------------------------------------------------------


@transaction.atomic
def do_finish_project(project: Project, *, acting_user: User | None,
                      used: Mapping[int, Any] | None = None) -> Project:
    """Finish a project (and its sub-projects): its demands are met, each reservation gives back what was not used
    (`used`: reservation id → amount used; a reservation not named was used in full), finished_at is set."""
    project = lock_project(project)
    _refuse_closed(project)
    permissions.require(acting_user, "manage", project, _("Only the community's staff finish a project."))
    if project.parent_id is not None:
        raise ActionError(_("A sub-project is finished with its project: post its progress at 100%."),
                          field="status")
    if project.status not in (Project.Status.AGREED, Project.Status.IN_PROGRESS):
        raise InvalidTransition(_("A project is finished once its agreement is signed and the work is done "
                                  "(now: %(status)s).") % {"status": project.get_status_display()})
    family = _family(project)
    reservations = list(ProjectResource.objects.select_related("resource").filter(
        project__in=family, released_at__isnull=True).order_by("pk"))
    by_id = {r.pk: r for r in reservations}
    amounts: dict[int, Decimal] = {}
    for key, value in (used or {}).items():
        reservation = by_id.get(int(key))
        if reservation is None:
            raise ActionError(_("This reservation is not one of this project's."), field="used")
        amount = parse_amount(value, f"used_{reservation.pk}", allow_zero=True)
        if amount > reservation.amount:
            raise ActionError(_("%(resource)s: at most %(amount)s was reserved, so no more can have been used.") % {
                "resource": reservation.resource.title, "amount": capacity._number(reservation.amount)},
                field=f"used_{reservation.pk}")
        amounts[reservation.pk] = amount
    freed: dict[str, str] = {}
    for reservation in reservations:
        back = capacity.release(reservation, amounts.get(reservation.pk, reservation.amount))
        freed[str(reservation.pk)] = f"{back}"
    now = timezone.now()
    for p in family:
        p.status = Project.Status.FINISHED
        p.progress = 100
        p.finished_at = now
        touch(p, "status", "progress", "finished_at")
    demands = list(Demand.objects.select_for_update().filter(
        pk__in=Demand.objects.filter(projects__in=family).values("pk")).exclude(
        status=Demand.Status.CLOSED).order_by("pk"))
    _set_demands(demands, Demand.Status.MET, now, met=True)
    log_event(acting_user, "lists.finish_project", project, area=project.area,
              after={"demands_met": [d.pk for d in demands], "released": freed})
    parties = [u for u in [project.lead_unit, *project.partner_units.all()] if u is not None]
    notify(unit_liaisons(parties), "lists.finish_project",
           _("The project %(title)s is finished. Thank you!") % {"title": project.title}, project_url(project))
    return project


@transaction.atomic
def do_cancel_project(project: Project, *, acting_user: User | None, reason: str) -> Project:
    """Cancel a project (and its sub-projects): every reservation is given back in full, its demands are open
    again (unless another project holds them), and it leaves the public notice."""
    project = lock_project(project)
    _refuse_closed(project)
    permissions.require(acting_user, "manage", project, _("Only the community's staff cancel a project."))
    if project.parent_id is not None:
        raise ActionError(_("A sub-project is not cancelled on its own; change its parent project instead."),
                          field="status")
    reason = clean_text(reason, "reason", 300)
    if not reason:
        raise ActionError(_("Please give the reason for cancelling."), field="reason")
    family = _family(project)
    for reservation in ProjectResource.objects.filter(project__in=family, released_at__isnull=True).order_by("pk"):
        capacity.release(reservation, Decimal(0))
    now = timezone.now()
    for p in family:
        p.status = Project.Status.CANCELLED
        p.public = False
        touch(p, "status", "public")
    held_elsewhere = Demand.objects.filter(projects__status__in=[Project.Status.PROPOSED, *ACTIVE]).exclude(
        projects__in=family)
    demands = list(Demand.objects.select_for_update().filter(
        pk__in=Demand.objects.filter(projects__in=family).values("pk"),
        status__in=[Demand.Status.MATCHED, Demand.Status.IN_PROJECT]).exclude(
        pk__in=held_elsewhere.values("pk")).order_by("pk"))
    _set_demands(demands, Demand.Status.OPEN, now)
    log_event(acting_user, "lists.cancel_project", project, area=project.area,
              after={"reason": reason, "demands_reopened": [d.pk for d in demands]})
    parties = [u for u in [project.lead_unit, *project.partner_units.all()] if u is not None]
    notify(unit_liaisons(parties), "lists.cancel_project",
           _("The project %(title)s was cancelled: %(reason)s") % {"title": project.title, "reason": reason},
           project_url(project))
    return project


# --- overdue milestones (the worker) -----------------------------------------------------------------------


def overdue_milestones(today: date) -> Any:
    return Milestone.objects.filter(done_at__isnull=True, due_on__lt=today, project__status__in=ACTIVE)


def do_remind_overdue_milestones(now: datetime | None = None, limit: int = 500) -> int:
    """Tell the lead unit's liaisons and the community's workers, once per milestone, that it is past due (the
    worker runs this; audited without an actor). Returns how many milestones were reminded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    ids = list(overdue_milestones(today).filter(reminded_at__isnull=True).order_by("due_on", "pk")
               .values_list("pk", flat=True)[:limit])
    done = 0
    for pk in ids:
        done += _remind_one(pk, now, today)
    return done


@transaction.atomic
def _remind_one(pk: int, now: datetime, today: date) -> int:
    milestone = (Milestone.objects.select_for_update(of=("self",)).select_related("project__area",
                                                                                     "project__lead_unit")
                 .filter(pk=pk, reminded_at__isnull=True, done_at__isnull=True).first())
    if milestone is None:
        return 0
    project = milestone.project
    users = community_workers(project) + unit_liaisons([project.lead_unit] if project.lead_unit else [])
    notify(users, "lists.milestone_overdue",
           _("The milestone %(milestone)s of the project %(title)s was due on %(due)s and is not done.") % {
               "milestone": milestone.title, "title": project.title, "due": milestone.due_on.isoformat()},
           project_url(project))
    milestone.reminded_at = now
    milestone.save(update_fields=["reminded_at"])
    log_event(None, "lists.remind_milestone", project, area=project.area,
              after={"milestone": milestone.title, "due_on": milestone.due_on.isoformat(), "told": len(users)})
    return 1


def get_agreement(project: Project) -> ServiceAgreement | None:
    return ServiceAgreement.objects.filter(project=project).first()
