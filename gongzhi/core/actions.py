"""Every write to the organization tree: one function, one transaction, one audit event."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.lib.ratelimit import hit as rate_hit
from gongzhi.lib.validators import (
    validate_area_code,
    validate_credit_code,
    validate_id_number,
    validate_phone,
    validate_single_line,
)

from . import pii, queries
from .audit import log_event, snapshot
from .errors import ActionError, RateLimited
from .models import (
    Alliance,
    Area,
    CommitteeMembership,
    Grant,
    Household,
    Link,
    Notification,
    PartyMember,
    PartyOrg,
    Registration,
    Resident,
    Role,
    Unit,
    User,
)
from .permissions import can, can_grant, is_superuser, primary_area, visible_to
from .registry import AREAS_CREATED, registry

UNIT_FIELDS = ["name", "kind", "area", "credit_code", "contact_name", "contact_phone", "address"]
RESIDENT_FIELDS = ["name", "gender", "birth_year", "phone", "id_number", "address", "area", "household"]
PARTY_MEMBER_FIELDS = ["name", "gender", "phone", "id_number", "joined_on", "home_area", "party_org",
                       "in_service", "work_unit"]


def require(user: User | None, action: str, obj: Any) -> None:
    """Raise PermissionDenied unless `user` may do `action` on `obj`. System jobs pass user=None."""
    if user is None:
        return
    if not can(user, action, obj):
        raise PermissionDenied(_("You do not have permission to do this here."))


def _set_path(area: Area) -> None:
    area.path = (area.parent.path if area.parent else "/") + f"{area.pk}/"
    area.save(update_fields=["path"])


@transaction.atomic
def do_create_area(
    *, parent: Area | None, name: str, level: str, acting_user: User | None, code: str = "", province: str = ""
) -> Area:
    name = validate_single_line(name, field="name", max_length=100)
    if not name:
        raise ActionError(_("Please enter the area's name."), field="name")
    code = validate_area_code(code)
    if code and Area.objects.filter(code=code).exists():
        raise ActionError(_("Another area already has the code %(code)s.") % {"code": code}, field="code")
    if parent is None:
        if level != Area.Level.CITY:
            raise ActionError(_("Only a city can be created without a parent area."), field="level")
        if acting_user is not None and not is_superuser(acting_user):
            raise PermissionDenied(_("Only a system administrator can create a city."))
    else:
        require(acting_user, "manage_areas", parent)
        expected = Area.CHILD_LEVEL.get(parent.level)
        if expected != level:
            raise ActionError(
                _("An area under %(parent)s must be a %(level)s.")
                % {"parent": parent.name, "level": Area.Level(expected).label if expected else "-"},
                field="level",
            )
        if parent.children.filter(name=name).exists():
            raise ActionError(
                _("%(parent)s already has an area named %(name)s.") % {"parent": parent.name, "name": name},
                field="name",
            )
    area = Area.objects.create(parent=parent, name=name, level=level, code=code, province=province)
    _set_path(area)
    log_event(acting_user, "core.area.create", area, area=area, after=snapshot(area, ["name", "level", "code"]))
    registry.send_on_commit(AREAS_CREATED, areas=[area], acting_user=acting_user)
    return area


@transaction.atomic
def do_rename_area(area: Area, *, name: str, acting_user: User | None) -> Area:
    require(acting_user, "manage_areas", area)
    area = Area.objects.select_for_update().get(pk=area.pk)
    name = validate_single_line(name, field="name", max_length=100)
    if not name:
        raise ActionError(_("Please enter the area's name."), field="name")
    if Area.objects.filter(parent=area.parent, name=name).exclude(pk=area.pk).exists():
        raise ActionError(_("Another area with this name already exists here."), field="name")
    before = snapshot(area, ["name"])
    area.name = name
    area.save(update_fields=["name"])
    log_event(acting_user, "core.area.rename", area, area=area, before=before, after=snapshot(area, ["name"]))
    return area


@transaction.atomic
def do_create_alliance(*, name: str, communities: list[Area], acting_user: User | None, description: str = "") -> Alliance:
    if len(communities) < 2:
        raise ActionError(_("An alliance needs at least two communities."), field="communities")
    for community in communities:
        if community.level != Area.Level.COMMUNITY:
            raise ActionError(_("%(name)s is not a community.") % {"name": community.name}, field="communities")
        require(acting_user, "manage_areas", community)
    if Alliance.objects.filter(name=name).exists():
        raise ActionError(_("An alliance with this name already exists."), field="name")
    alliance = Alliance.objects.create(name=name, description=description)
    alliance.communities.set(communities)
    log_event(acting_user, "core.alliance.create", alliance, area=communities[0],
              after={"name": name, "communities": [c.name for c in communities]})
    return alliance


def _clean_unit(data: dict[str, Any]) -> dict[str, Any]:
    name = validate_single_line(str(data.get("name") or ""), field="name", max_length=100)
    if not name:
        raise ActionError(_("Please enter the unit's name."), field="name")
    kind = data.get("kind")
    if kind not in Unit.Kind.values:
        raise ActionError(_("Please choose a valid unit kind."), field="kind")
    phone = str(data.get("contact_phone") or "").strip()
    if phone:
        validate_phone(phone)
    cleaned = {**data, "name": name, "contact_phone": phone}
    if "credit_code" in data:
        cleaned["credit_code"] = validate_credit_code(str(data["credit_code"] or ""))
    for field, limit in (("contact_name", 50), ("address", 200)):
        if field in data:
            cleaned[field] = validate_single_line(str(data[field] or ""), field=field, max_length=limit)
    return cleaned


@transaction.atomic
def do_create_unit(*, acting_user: User | None, area: Area, **data: Any) -> Unit:
    require(acting_user, "manage", area)
    data = _clean_unit(data)
    if Unit.objects.filter(name=data["name"]).exists():
        raise ActionError(_("A unit named %(name)s already exists.") % {"name": data["name"]}, field="name")
    unit = Unit.objects.create(area=area, **data)
    log_event(acting_user, "core.unit.create", unit, area=area, after=snapshot(unit, UNIT_FIELDS))
    return unit


@transaction.atomic
def do_update_unit(unit: Unit, *, acting_user: User | None, **changes: Any) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    require(acting_user, "manage", unit.area)
    before = snapshot(unit, UNIT_FIELDS)
    data = _clean_unit({**{f: getattr(unit, f) for f in ("name", "kind", "contact_phone")}, **changes})
    if Unit.objects.filter(name=data["name"]).exclude(pk=unit.pk).exists():
        raise ActionError(_("A unit named %(name)s already exists.") % {"name": data["name"]}, field="name")
    for field, value in data.items():
        setattr(unit, field, value)
    unit.save(update_fields=list(data))
    log_event(acting_user, "core.unit.update", unit, area=unit.area, before=before, after=snapshot(unit, UNIT_FIELDS))
    return unit


@transaction.atomic
def do_register_unit(unit: Unit, *, community: Area, acting_user: User | None, note: str = "") -> Registration:
    if community.level != Area.Level.COMMUNITY:
        raise ActionError(_("A unit registers at a community."), field="community")
    require(acting_user, "manage", community)
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                kind=Registration.Kind.UNIT, unit=unit, community=community, registered_at=timezone.now(), note=note,
                status=Registration.Status.CONFIRMED, decided_at=timezone.now(), decided_by=acting_user,
            )
    except IntegrityError:
        raise ActionError(
            _("%(unit)s is already registered at %(community)s.") % {"unit": unit.name, "community": community.name}
        ) from None
    log_event(acting_user, "core.registration.unit", registration, area=community,
              after={"unit": unit.name, "community": community.name})
    return registration


@transaction.atomic
def do_register_party_member(member: PartyMember, *, community: Area, acting_user: User | None) -> Registration:
    if community.level != Area.Level.COMMUNITY:
        raise ActionError(_("A party member registers at a community."), field="community")
    # Staff (or the system) register a member as confirmed; a member registering themself waits for the community.
    by_self = acting_user is not None and member.user_id == acting_user.pk
    if acting_user is not None and not by_self:
        require(acting_user, "manage", community)
    now = timezone.now()
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                kind=Registration.Kind.PARTY_MEMBER, party_member=member, community=community,
                registered_at=now,
                status=Registration.Status.PENDING if by_self else Registration.Status.CONFIRMED,
                decided_at=None if by_self else now, decided_by=None if by_self else acting_user,
            )
    except IntegrityError:
        raise ActionError(_("This party member is already registered at this community.")) from None
    log_event(acting_user, "core.registration.party_member", registration, area=community,
              after={"party_member": member.name, "community": community.name})
    return registration


def _clean_person(data: dict[str, Any]) -> dict[str, Any]:
    name = str(data.get("name") or "").strip()
    if not name:
        raise ActionError(_("Please enter the person's name."), field="name")
    phone = str(data.get("phone") or "").strip()
    if phone:
        validate_phone(phone)
    id_number = str(data.get("id_number") or "").strip().upper()
    if id_number:
        validate_id_number(id_number)
    return {**data, "name": name, "phone": phone, "id_number": id_number}


@transaction.atomic
def do_create_resident(*, acting_user: User | None, area: Area, **data: Any) -> Resident:
    require(acting_user, "manage", area)
    data = _clean_person(data)
    resident = Resident.objects.create(area=area, **data)
    log_event(acting_user, "core.resident.create", resident, area=area, after=snapshot(resident, RESIDENT_FIELDS))
    return resident


@transaction.atomic
def do_update_resident(resident: Resident, *, acting_user: User | None, **changes: Any) -> Resident:
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    require(acting_user, "manage", resident.area)
    before = snapshot(resident, RESIDENT_FIELDS)
    data = _clean_person({"name": resident.name, **changes})
    for field, value in data.items():
        setattr(resident, field, value)
    resident.save(update_fields=list(data))
    log_event(acting_user, "core.resident.update", resident, area=resident.area, before=before,
              after=snapshot(resident, RESIDENT_FIELDS))
    return resident


@transaction.atomic
def do_create_party_member(
    *, acting_user: User | None, home_area: Area, joined_on: date | None = None, **data: Any
) -> PartyMember:
    require(acting_user, "manage", home_area)
    data = _clean_person(data)
    member = PartyMember.objects.create(home_area=home_area, joined_on=joined_on, **data)
    log_event(acting_user, "core.party_member.create", member, area=home_area,
              after=snapshot(member, PARTY_MEMBER_FIELDS))
    return member


@transaction.atomic
def do_create_party_org(*, area: Area, name: str, acting_user: User | None, secretary: str = "") -> PartyOrg:
    require(acting_user, "manage", area)
    kind = PartyOrg.KIND_FOR_LEVEL.get(area.level)
    if kind is None:
        raise ActionError(_("Party organizations are set up at communities, estates and buildings."), field="area")
    if PartyOrg.objects.filter(area=area, kind=kind).exists():
        raise ActionError(_("%(area)s already has this party organization.") % {"area": area.name})
    parent = PartyOrg.objects.filter(area_id__in=area.ancestor_ids()).exclude(area=area).order_by("-area__path").first()
    org = PartyOrg.objects.create(area=area, name=name.strip(), kind=kind, parent=parent, secretary=secretary)
    log_event(acting_user, "core.party_org.create", org, area=area, after=snapshot(org, ["name", "kind", "area"]))
    return org


@transaction.atomic
def do_add_committee_member(
    org: PartyOrg, *, person_name: str, unit: Unit | None, role: str, acting_user: User | None
) -> CommitteeMembership:
    require(acting_user, "manage", org.area)
    if org.kind != PartyOrg.Kind.COMMUNITY_COMMITTEE:
        raise ActionError(_("Committee seats exist only on a community party committee."))
    if role == CommitteeMembership.Role.PART_TIME_MEMBER and unit is None:
        raise ActionError(_("A part-time committee member must come from a member unit."), field="unit")
    membership = CommitteeMembership.objects.create(party_org=org, person_name=person_name, unit=unit, role=role)
    log_event(acting_user, "core.committee.add", membership, area=org.area,
              after={"person": person_name, "unit": unit.name if unit else None, "role": role})
    return membership


@transaction.atomic
def do_grant_role(
    user: User, *, role: str, area: Area, acting_user: User | None, unit: Unit | None = None
) -> Grant:
    if role not in Role.values:
        raise ActionError(_("Please choose a valid role."), field="role")
    if role in (Role.DEPARTMENT_HANDLER, Role.UNIT_LIAISON) and unit is None:
        raise ActionError(_("This role is granted on a unit; please choose the unit."), field="unit")
    if role == Role.DEPARTMENT_HANDLER and unit is not None and unit.kind != Unit.Kind.DEPARTMENT:
        raise ActionError(_("A department handler must belong to a government department."), field="unit")
    _require_grant(acting_user, role, area, user)
    grant, _created = Grant.objects.get_or_create(user=user, role=role, area=area, unit=unit)
    log_event(acting_user, "core.grant.create", grant, area=area,
              after={"user": user.username, "role": role, "area": area.name, "unit": unit.name if unit else None})
    return grant


def _require_grant(acting_user: User | None, role: str, area: Area, grantee: User) -> None:
    """Only someone with a higher role over the area grants (or takes back) a role there, and never their own:
    a role that may reveal personal data is never self-made (`permissions.can_grant`). System jobs pass None."""
    if acting_user is None:
        return
    if acting_user.pk == grantee.pk:
        raise PermissionDenied(_("Nobody can grant or take back their own roles; ask someone with a higher role."))
    if not can_grant(acting_user, role, area, grantee):
        raise PermissionDenied(_("Only someone with a higher role over %(area)s can grant or take back this role "
                                 "there.") % {"area": area.name})


@transaction.atomic
def do_revoke_role(grant: Grant, *, acting_user: User | None) -> None:
    """Take a role back; the same people who may grant it may, and it is audited."""
    grant = Grant.objects.select_for_update(of=("self",)).select_related("user", "area", "unit").get(pk=grant.pk)
    _require_grant(acting_user, grant.role, grant.area, grant.user)
    before = {"user": grant.user.username, "role": grant.role, "area": grant.area.name,
              "unit": grant.unit.name if grant.unit else None}
    log_event(acting_user, "core.grant.revoke", grant, area=grant.area, before=before)
    grant.delete()


@transaction.atomic
def do_reveal_personal_data(person: Resident | PartyMember, *, acting_user: User) -> dict[str, str]:
    """Show one person's personal data in full. Every reveal is written to the audit log."""
    require(acting_user, "reveal", person)
    area = person.area if isinstance(person, Resident) else person.home_area
    fields = ["phone", "id_number"] + (["address"] if isinstance(person, Resident) else [])
    log_event(acting_user, "core.pii.reveal", person, area=area, after={"fields": fields})
    return {field: getattr(person, field) for field in fields}


def do_search_people(
    kind: str, *, acting_user: User, q: str = "", area: Area | None = None, sort: str = ""
) -> models.QuerySet[Any]:
    """The residents (`kind="residents"`) or party members the user finds with `q` under `area`.

    A term that looks for a phone or ID number is a reveal (`gongzhi.core.pii`): it matches by those fields only
    where the user may reveal personal data, is limited per user (settings.PII_SEARCH_RATE; RateLimited beyond
    it) and writes a `core.pii.search` audit event with the term masked. Name searches are neither."""
    lister = {"residents": queries.resident_list, "party_members": queries.party_member_list}[kind]
    if pii.searches_pii(acting_user, q):
        do_record_pii_search(acting_user=acting_user, kind=kind, term=q, area=area)
    return lister(acting_user, q=q, area=area, sort=sort)


def do_record_pii_search(*, acting_user: User, kind: str, term: str, area: Area | None = None) -> None:
    """A search by phone or ID number (of people, or of appeals by callback phone) is a reveal: limited per user
    (settings.PII_SEARCH_RATE; RateLimited beyond it, one budget for every list) and written to the audit log as
    `core.pii.search` with the term masked. The caller decides that the term is such a search (`pii.searches_pii`)."""
    limit, window = settings.PII_SEARCH_RATE
    if not rate_hit(f"core:pii-search:{acting_user.pk}", limit=limit, window_seconds=window):
        raise RateLimited(_("Too many searches by phone or ID number; please wait and try again later, or "
                            "search by name."))
    with transaction.atomic():
        where = area or primary_area(acting_user)
        log_event(acting_user, "core.pii.search", where if where is not None else acting_user, area=where,
                  after={"kind": kind, "term": pii.mask_term(term)})


@transaction.atomic
def do_create_household(*, building: Area, number: str, address: str, acting_user: User | None) -> Household:
    if building.level != Area.Level.BUILDING:
        raise ActionError(_("A household belongs to a building."), field="building")
    require(acting_user, "manage", building)
    if Household.objects.filter(building=building, number=number).exists():
        raise ActionError(_("This room already exists in the building."), field="number")
    household = Household.objects.create(building=building, number=number, address=address)
    log_event(acting_user, "core.household.create", household, area=building, after={"number": number})
    return household


@transaction.atomic
def do_record_admin_view(obj: models.Model, *, acting_user: User, fields: Sequence[str], area: Area | None) -> None:
    """A Django admin page showed a record's personal data in full: audited like any reveal."""
    log_event(acting_user, "core.pii.reveal", obj, area=area, after={"fields": list(fields), "via": "admin"})


@transaction.atomic
def do_record_pii_export(*, acting_user: User, kind: str, area: Area | None, count: int) -> None:
    """A full (unmasked) roster export is one audit event with the number of people in it."""
    obj: Any = area if area is not None else acting_user
    log_event(acting_user, "core.pii.export", obj, area=area, after={"kind": kind, "count": count})


# ---------------------------------------------------------------------------------------------------
# notifications and links (services every app uses)


def do_mark_notifications_read(user: User, *, notification_ids: Sequence[int] | None = None) -> int:
    """Mark the user's own unread notifications (all, or the given ones) read; returns how many."""
    qs = visible_to(user, Notification).filter(read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


@transaction.atomic
def do_link(
    from_obj: models.Model,
    to_objs: models.Model | Iterable[models.Model],
    *,
    kind: str,
    acting_user: User | None,
    area: Area | None = None,
) -> int:
    """Link `from_obj` to each of `to_objs` as `kind` (e.g. "lists.demand_appeal"); returns how many links are new.

    Links that exist already are kept as they are. The calling app's action decides whether the user may make the
    link (it knows both ends' policies); this records it, with one audit row on `from_obj` naming every new end."""
    if not kind or len(kind) > 50:
        raise ValueError(f"Invalid link kind {kind!r}")
    if from_obj.pk is None:
        raise ValueError("Save the record before linking it.")
    targets = [to_objs] if isinstance(to_objs, models.Model) else list(to_objs)
    if any(t.pk is None for t in targets):
        raise ValueError("Save the records before linking to them.")
    from_type = ContentType.objects.get_for_model(from_obj)
    wanted: dict[tuple[int, int], None] = {}
    for target in targets:
        wanted[(ContentType.objects.get_for_model(target).pk, int(target.pk))] = None
    existing = set(
        Link.objects.filter(kind=kind, from_type=from_type, from_id=from_obj.pk).values_list("to_type_id", "to_id")
    )
    new = [end for end in wanted if end not in existing]
    if not new:
        return 0
    now = timezone.now()
    actor = acting_user if acting_user is not None and acting_user.is_authenticated else None
    Link.objects.bulk_create(
        [Link(kind=kind, from_type=from_type, from_id=from_obj.pk, to_type_id=type_id, to_id=obj_id,
              created_by=actor, created_at=now) for type_id, obj_id in new],
        ignore_conflicts=True,
    )
    def label(type_id: int) -> str:
        ct = ContentType.objects.get_for_id(type_id)  # cached by Django
        return f"{ct.app_label}.{ct.model}"

    log_event(acting_user, "core.link", from_obj, area=area, after={
        "kind": kind, "to": [f"{label(type_id)}:{obj_id}" for type_id, obj_id in new],
    })
    return len(new)
