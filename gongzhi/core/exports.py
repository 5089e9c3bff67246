"""Excel rosters out: the same columns as the import templates, scoped to the user, personal data masked (a
resident's place only down to their estate, no room, the address as that place's names).

A full export (unmasked) needs the reveal right over the whole export scope and an explicit request;
it is written to the audit log as one event with the number of rows.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from gongzhi.lib.masking import mask_id_number, mask_phone
from gongzhi.lib.spreadsheets import append_row, export_filename

from .actions import do_record_pii_export, do_search_people
from .models import Area, ImportJob, PartyMember, Registration, Resident, Unit, User
from .permissions import (
    PEOPLE_ROLES,
    REVEAL_ROLES,
    area_policy,
    can,
    get_area_for_user,
    is_superuser,
    path_q,
    primary_area,
    scope_paths,
    visible_to,
)
from .pii import Places
from .rosters import gender_name, get_spec, level_name, unit_kind_name

Kind = ImportJob.Kind
CHUNK = 2000


@dataclass
class Export:
    file: IO[bytes]
    filename: str
    count: int
    full: bool


def get_export_area_for_user(user: User, area_id: int | str | None) -> Area | None:
    """The area an export is limited to; 404 when it does not exist or the user cannot see it."""
    if area_id in (None, ""):
        return None
    area: Area = get_area_for_user(user, area_id)
    return area


def can_reveal_scope(user: User, area: Area | None) -> bool:
    """Does the user have the reveal right over everything the export may contain?"""
    if area is not None:
        return can(user, "reveal", Resident(area=area))
    if is_superuser(user):
        return True
    reveal = scope_paths(user, REVEAL_ROLES)
    people = scope_paths(user, PEOPLE_ROLES)
    return bool(people) and all(any(p.startswith(r) for r in reveal) for p in people)


class AreaNames:
    """Name paths ("示范市/东城区/和平街道") of areas from their id paths, with names loaded in batches."""

    def __init__(self, preload: QuerySet[Area] | None = None) -> None:
        self.names: dict[int, str] = dict(preload.values_list("pk", "name")) if preload is not None else {}

    def path(self, area: Area | None) -> str:
        if area is None:
            return ""
        ids = area.ancestor_ids()
        missing = [i for i in ids if i not in self.names]
        if missing:
            self.names.update(Area.objects.filter(pk__in=missing).values_list("pk", "name"))
        return "/".join(self.names.get(i, "?") for i in ids)

    def parent_path(self, area: Area) -> str:
        ids = area.ancestor_ids()[:-1]
        missing = [i for i in ids if i not in self.names]
        if missing:
            self.names.update(Area.objects.filter(pk__in=missing).values_list("pk", "name"))
        return "/".join(self.names.get(i, "?") for i in ids)


def _preload(user: User, area: Area | None) -> QuerySet[Area]:
    qs = visible_to(user, Area)
    if area is not None:
        qs = qs.filter(path__startswith=area.path) | Area.objects.filter(pk__in=area.ancestor_ids())
    return qs


def _within(qs: QuerySet[Any], field: str, area: Area | None) -> QuerySet[Any]:
    return qs.filter(**{f"{field}__startswith": area.path}) if area is not None else qs


def _area_rows(user: User, area: Area | None, full: bool, base: QuerySet[Any] | None = None) -> Iterator[list[Any]]:
    names = AreaNames(_preload(user, area))
    qs = Area.objects.all() if is_superuser(user) else Area.objects.filter(path_q(scope_paths(user), "path"))
    for obj in _within(qs, "path", area).order_by("path").iterator(chunk_size=CHUNK):
        yield [names.parent_path(obj), obj.name, level_name(obj.level), obj.code]


def _unit_rows(user: User, area: Area | None, full: bool, base: QuerySet[Any] | None = None) -> Iterator[list[Any]]:
    names = AreaNames(_preload(user, area))
    qs = _within(visible_to(user, Unit), "area__path", area).select_related("area").prefetch_related(
        Prefetch("registrations", queryset=Registration.objects.select_related("community").order_by("pk"))
    ).order_by("name")
    phone = (lambda v: v) if full else mask_phone
    for unit in qs.iterator(chunk_size=CHUNK):
        communities = "；".join(names.path(r.community) for r in unit.registrations.all())
        yield [unit.name, unit_kind_name(unit.kind), names.path(unit.area), unit.credit_code, unit.contact_name,
               phone(unit.contact_phone), unit.address, communities]


def _party_member_rows(user: User, area: Area | None, full: bool, base: QuerySet[Any] | None = None
                       ) -> Iterator[list[Any]]:
    names = AreaNames(_preload(user, area))
    qs = base if base is not None else _within(visible_to(user, PartyMember), "home_area__path", area).order_by(
        "home_area__path", "name", "pk")
    qs = qs.select_related("home_area", "work_unit")
    phone, id_number = ((lambda v: v), (lambda v: v)) if full else (mask_phone, mask_id_number)
    for m in qs.iterator(chunk_size=CHUNK):
        yield [m.name, gender_name(m.gender), phone(m.phone), id_number(m.id_number),
               m.joined_on.isoformat() if m.joined_on else "", names.path(m.home_area),
               "是" if m.in_service else "否", m.work_unit.name if m.work_unit else ""]


def _resident_rows(user: User, area: Area | None, full: bool, base: QuerySet[Any] | None = None
                   ) -> Iterator[list[Any]]:
    names = AreaNames(_preload(user, area))
    qs = base if base is not None else _within(visible_to(user, Resident), "area__path", area).order_by(
        "area__path", "name", "pk")
    qs = qs.select_related("area", "household")
    if full:
        for r in qs.iterator(chunk_size=CHUNK):
            yield [r.name, gender_name(r.gender), r.birth_year or "", r.phone, r.id_number, names.path(r.area),
                   r.household.number if r.household else "", r.address]
        return
    # Masked: the place is the resident's community and estate (gongzhi.core.pii), never the grid, building or room.
    places = Places()
    for r in qs.iterator(chunk_size=CHUNK):
        yield [r.name, gender_name(r.gender), r.birth_year or "", mask_phone(r.phone), mask_id_number(r.id_number),
               names.path(places.area(r.area)), "", places.address(r.address, r.area)]


ROWS = {Kind.AREAS: _area_rows, Kind.UNITS: _unit_rows, Kind.PARTY_MEMBERS: _party_member_rows,
        Kind.RESIDENTS: _resident_rows}


def export_roster(user: User, kind: str, *, area: Area | None = None, full: bool = False, q: str = "",
                  sort: str = "") -> Export:
    """Build the .xlsx of a roster for `user` (write-only workbook, spooled to disk when large). Residents and
    party members may be narrowed and sorted as their list page shows them (`q`, `sort`: a search by phone or ID
    number goes through `do_search_people`, audited and limited)."""
    spec = get_spec(kind)
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("You do not have permission to do this here."))
    if area is not None and not area_policy.visible_to(user).filter(pk=area.pk).exists():
        raise Http404
    has_pii = kind != Kind.AREAS
    full = full and has_pii
    if full and not can_reveal_scope(user, area):
        raise PermissionDenied(_(
            "You may not export full personal data for this scope; export the masked roster instead."))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(spec.title)
    append_row(ws, spec.headers)
    count = 0
    base = None
    if kind in (Kind.RESIDENTS, Kind.PARTY_MEMBERS) and (q.strip() or sort):
        base = do_search_people(kind, acting_user=user, q=q.strip(), area=area, sort=sort)
    for row in ROWS[ImportJob.Kind(kind)](user, area, full, base):
        append_row(ws, row)
        count += 1
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - returned to the caller
    wb.save(out)
    out.seek(0)
    if full:
        do_record_pii_export(acting_user=user, kind=kind, area=area or primary_area(user), count=count)
    filename = export_filename(spec.title, area.name if area is not None else "", day=timezone.localdate())
    return Export(file=out, filename=filename, count=count, full=full)  # type: ignore[arg-type]
