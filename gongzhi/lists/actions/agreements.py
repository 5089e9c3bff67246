"""Writes to a project's two-way service agreement (双向服务协议).

The parties: the community (its party committee, signed by a community worker or up) and every unit of the
project (the lead unit and the partners, each signed by its liaison). Items say who does what by when; the
community's staff edit them while the agreement is a draft, then send it for signing. Each party signs the
current `version` (an `AgreementSignature`); when every party has signed, the agreement is signed and the project
agreed. Any change afterwards (an item added, edited or removed, the terms, a new party) raises the version and
sends it back for signing: every party signs again, and the old signatures stay as history.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Unit, User
from gongzhi.core.notifications import notify

from .. import capacity, permissions
from ..models import AgreementItem, AgreementSignature, Project, ServiceAgreement
from .projects import (
    CLOSED,
    clean_text,
    community_workers,
    lock_project,
    project_url,
    touch,
    unit_liaisons,
)

MAX_ITEMS = 50


def parties(project: Project) -> list[Unit | None]:
    """The parties in signing order: the community (None), the lead unit, the partner units."""
    units: list[Unit | None] = [None]
    if project.lead_unit is not None:
        units.append(project.lead_unit)
    units.extend(project.partner_units.exclude(pk=project.lead_unit_id or 0).order_by("name"))
    return units


def signatures_of(agreement: ServiceAgreement) -> dict[int | None, AgreementSignature]:
    """The current version's signatures by party (None: the community)."""
    return {s.unit_id: s for s in agreement.signatures.filter(version=agreement.version).select_related("signed_by")}


def can_sign_for(user: Any, project: Project, unit: Unit | None) -> bool:
    """May the user sign for this party? The community: staff who keep the lists there; a unit: its liaison."""
    if user is None or not permissions.can(user, "sign", project):
        return False
    if unit is None:
        return permissions.project_policy.in_scope(user, project, permissions.MANAGE_ROLES)
    return unit.pk in permissions.liaison_unit_ids(user)


def draft_agreement(project: Project) -> ServiceAgreement:
    """The agreement of a project just claimed: a draft with an item per reserved resource of the project's units
    and the community's part, for the staff to edit (no-op when it exists)."""
    agreement, created = ServiceAgreement.objects.get_or_create(project=project)
    if not created:
        return agreement
    due = project.milestones.aggregate(last=Max("due_on"))["last"]
    order = 0
    party_ids = {u.pk for u in parties(project) if u is not None}
    for reservation in project.reservations.select_related("resource__provider_unit").order_by("pk"):
        resource = reservation.resource
        provider = resource.provider_unit if resource.provider_unit_id in party_ids else project.lead_unit
        text = _("Provide %(resource)s: %(amount)s %(unit)s, as the resource list offers.") % {
            "resource": resource.title, "amount": capacity._number(reservation.amount),
            "unit": resource.get_capacity_unit_display()}
        AgreementItem.objects.create(agreement=agreement, order=order, unit=provider, text=text[:300], due_on=due)
        order += 1
    if order == 0 and project.lead_unit is not None:
        AgreementItem.objects.create(agreement=agreement, order=order, unit=project.lead_unit, due_on=due,
                                     text=_("Carry out the project as claimed and post its progress."))
        order += 1
    AgreementItem.objects.create(
        agreement=agreement, order=order, unit=None, due_on=due,
        text=_("Organise the residents concerned, coordinate the place, follow the work and collect the residents' "
               "evaluation."))
    return agreement


def _lock_agreement(project: Project, acting_user: User | None, *, manage: bool = True) -> tuple[Project, ServiceAgreement]:
    project = lock_project(project)
    if project.status in CLOSED:
        raise InvalidTransition(_("The project is closed: its agreement can no longer change."))
    if project.parent_id is not None:
        raise ActionError(_("A sub-project is covered by its project's agreement."), field="project")
    if manage:
        permissions.require(acting_user, "manage", project,
                            _("Only the community's staff edit the agreement."))
    if project.lead_unit_id is None:
        raise InvalidTransition(_("The agreement is drawn up once a unit has claimed the project."))
    agreement = ServiceAgreement.objects.select_for_update().filter(project=project).first()
    if agreement is None:
        agreement = draft_agreement(project)
        agreement = ServiceAgreement.objects.select_for_update().get(pk=agreement.pk)
    return project, agreement


def _changed(project: Project, agreement: ServiceAgreement, acting_user: User | None) -> None:
    """After a change: a draft stays a draft; an agreement being signed or signed goes (back) to signing under a
    new version when the current one has signatures, and the project is no longer agreed."""
    agreement.updated_at = timezone.now()
    fields = ["updated_at"]
    if agreement.status != ServiceAgreement.Status.DRAFT:
        if agreement.signatures.filter(version=agreement.version).exists():
            agreement.version += 1
            fields.append("version")
        was_signed = agreement.status == ServiceAgreement.Status.SIGNED
        agreement.status = ServiceAgreement.Status.SIGNING
        agreement.signed_at = None
        fields += ["status", "signed_at"]
        if project.status == Project.Status.AGREED:
            project.status = Project.Status.CLAIMED
            touch(project, "status")
            project.children.filter(status=Project.Status.AGREED).update(status=Project.Status.CLAIMED,
                                                                       updated_at=timezone.now())
        if was_signed or "version" in fields:
            notify(_signers(project), "lists.agreement_changed",
                   _("The agreement of %(title)s was changed (version %(version)d): please sign it again.") % {
                       "title": project.title, "version": agreement.version}, project_url(project) + "agreement/")
    agreement.save(update_fields=fields)


def parties_changed(project: Project, acting_user: User | None) -> None:
    """A party was added (called inside the caller's transaction, the project locked)."""
    agreement = ServiceAgreement.objects.select_for_update().filter(project=project).first()
    if agreement is not None:
        _changed(project, agreement, acting_user)


def _signers(project: Project) -> list[User]:
    units = [u for u in parties(project) if u is not None]
    return community_workers(project) + unit_liaisons(units)


def _clean_item(project: Project, unit: Unit | None, text: str, due_on: date | None) -> tuple[Unit | None, str]:
    text = clean_text(text, "text", 300)
    if not text:
        raise ActionError(_("Please write what this party does."), field="text")
    if unit is not None and unit.pk not in {u.pk for u in parties(project) if u is not None}:
        raise ActionError(_("%(unit)s is not a party to this project: add it as a partner unit first.") % {
            "unit": unit.name}, field="unit")
    if due_on is not None and not isinstance(due_on, date):
        raise ActionError(_("Please enter the date it is due, e.g. 2027-03-31."), field="due_on")
    return unit, text


def _item_snapshot(item: AgreementItem) -> dict[str, Any]:
    return {"party": item.unit.name if item.unit else _("the community"), "text": item.text,
            "due_on": item.due_on.isoformat() if item.due_on else None}


@transaction.atomic
def do_add_agreement_item(project: Project, *, acting_user: User | None, unit: Unit | None, text: str,
                          due_on: date | None = None) -> AgreementItem:
    project, agreement = _lock_agreement(project, acting_user)
    unit, text = _clean_item(project, unit, text, due_on)
    if agreement.items.count() >= MAX_ITEMS:
        raise ActionError(_("An agreement holds at most %(max)d items.") % {"max": MAX_ITEMS}, field="text")
    order = (agreement.items.aggregate(m=Max("order"))["m"] or 0) + 1
    item = AgreementItem.objects.create(agreement=agreement, order=order, unit=unit, text=text, due_on=due_on)
    _changed(project, agreement, acting_user)
    log_event(acting_user, "lists.add_agreement_item", agreement, area=project.area,
              after={**_item_snapshot(item), "version": agreement.version})
    return item


@transaction.atomic
def do_edit_agreement_item(item: AgreementItem, *, acting_user: User | None, unit: Unit | None, text: str,
                           due_on: date | None = None) -> AgreementItem:
    project, agreement = _lock_agreement(item.agreement.project, acting_user)
    item = AgreementItem.objects.select_related("unit").get(pk=item.pk, agreement=agreement)
    unit, text = _clean_item(project, unit, text, due_on)
    before = _item_snapshot(item)
    if (item.unit_id, item.text, item.due_on) == ((unit.pk if unit else None), text, due_on):
        raise ActionError(_("Nothing was changed."), field="text")
    item.unit, item.text, item.due_on = unit, text, due_on
    item.save(update_fields=["unit", "text", "due_on"])
    _changed(project, agreement, acting_user)
    log_event(acting_user, "lists.edit_agreement_item", agreement, area=project.area, before=before,
              after={**_item_snapshot(item), "version": agreement.version})
    return item


@transaction.atomic
def do_remove_agreement_item(item: AgreementItem, *, acting_user: User | None) -> None:
    project, agreement = _lock_agreement(item.agreement.project, acting_user)
    item = AgreementItem.objects.select_related("unit").get(pk=item.pk, agreement=agreement)
    if agreement.status != ServiceAgreement.Status.DRAFT and agreement.items.count() <= 1:
        raise ActionError(_("An agreement sent for signing keeps at least one item."), field="item")
    before = _item_snapshot(item)
    item.delete()
    _changed(project, agreement, acting_user)
    log_event(acting_user, "lists.remove_agreement_item", agreement, area=project.area, before=before,
              after={"version": agreement.version})


@transaction.atomic
def do_set_agreement_terms(project: Project, *, acting_user: User | None, terms: str) -> ServiceAgreement:
    project, agreement = _lock_agreement(project, acting_user)
    terms = clean_text(terms, "terms", 5000)
    if terms == agreement.terms:
        raise ActionError(_("Nothing was changed."), field="terms")
    before = {"terms": agreement.terms[:500]}
    agreement.terms = terms
    agreement.save(update_fields=["terms"])
    _changed(project, agreement, acting_user)
    log_event(acting_user, "lists.set_agreement_terms", agreement, area=project.area, before=before,
              after={"terms": terms[:500], "version": agreement.version})
    return agreement


@transaction.atomic
def do_send_agreement(project: Project, *, acting_user: User | None) -> ServiceAgreement:
    """Send the draft for signing: every party is told."""
    project, agreement = _lock_agreement(project, acting_user)
    if agreement.status != ServiceAgreement.Status.DRAFT:
        raise InvalidTransition(_("This agreement has already been sent for signing."))
    if not agreement.items.exists():
        raise ActionError(_("Add at least one item (who does what by when) before sending it."), field="items")
    agreement.status = ServiceAgreement.Status.SIGNING
    agreement.updated_at = timezone.now()
    agreement.save(update_fields=["status", "updated_at"])
    touch(project)
    log_event(acting_user, "lists.send_agreement", agreement, area=project.area,
              after={"version": agreement.version, "items": agreement.items.count()})
    notify(_signers(project), "lists.send_agreement",
           _("The agreement of %(title)s is ready: please read and sign it.") % {"title": project.title},
           project_url(project) + "agreement/")
    return agreement


@transaction.atomic
def do_sign_agreement(project: Project, *, acting_user: User, unit: Unit | None) -> AgreementSignature:
    """Sign the current version for one party (`unit` None: the community). The last signature makes the agreement
    signed and the project agreed."""
    project, agreement = _lock_agreement(project, acting_user, manage=False)
    permissions.require(acting_user, "sign", project, _("Only the parties to this agreement sign it."))
    if agreement.status == ServiceAgreement.Status.DRAFT:
        raise InvalidTransition(_("This agreement is still a draft: the community sends it for signing first."))
    if agreement.status == ServiceAgreement.Status.SIGNED:
        raise InvalidTransition(_("Every party has already signed this version."))
    party_list = parties(project)
    if unit is not None and unit.pk not in {u.pk for u in party_list if u is not None}:
        raise ActionError(_("%(unit)s is not a party to this agreement.") % {"unit": unit.name}, field="unit")
    if not can_sign_for(acting_user, project, unit):
        raise PermissionDenied(_("You may not sign for the community.") if unit is None
                               else _("Only the liaison of %(unit)s signs for it.") % {"unit": unit.name})
    signed = signatures_of(agreement)
    if (unit.pk if unit else None) in signed:
        raise InvalidTransition(_("%(party)s has already signed version %(version)d.") % {
            "party": unit.name if unit else _("The community"), "version": agreement.version})
    now = timezone.now()
    signature = AgreementSignature.objects.create(
        agreement=agreement, version=agreement.version, unit=unit, signed_by=acting_user,
        signer_name=(acting_user.display_name or acting_user.username)[:50], signed_at=now)
    signed[unit.pk if unit else None] = signature
    complete = all((u.pk if u else None) in signed for u in party_list)
    if complete:
        agreement.status = ServiceAgreement.Status.SIGNED
        agreement.signed_at = now
        agreement.save(update_fields=["status", "signed_at"])
        if project.status == Project.Status.CLAIMED:
            project.status = Project.Status.AGREED
            touch(project, "status")
            project.children.filter(status=Project.Status.CLAIMED).update(status=Project.Status.AGREED,
                                                                        updated_at=now)
        else:
            touch(project)
        notify(_signers(project), "lists.agreement_signed",
               _("Every party has signed the agreement of %(title)s (version %(version)d).") % {
                   "title": project.title, "version": agreement.version}, project_url(project) + "agreement/")
    log_event(acting_user, "lists.sign_agreement", agreement, area=project.area, after={
        "party": unit.name if unit else _("the community"), "version": agreement.version, "complete": complete})
    return signature
