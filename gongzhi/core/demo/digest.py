"""Digests of the demo city (from the plan and from the database), to check they are the same row for row."""


from __future__ import annotations

import hashlib
from collections.abc import Iterable

from ..models import (
    Area,
    PartyMember,
    PartyOrg,
    Resident,
    Unit,
)
from .plan import DemoPlan

# --- digests: the same city, row for row ------------------------------------------------------------------


def _digest(lines: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


def plan_digest(plan: DemoPlan) -> str:
    """A fingerprint of the people, units and tree of a plan; equals `database_digest()` once written."""
    areas, units, orgs = plan.areas, plan.units, plan.orgs
    lines = [
        f"A|{a.level}|{a.name}|{areas[a.parent].name if a.parent is not None else ''}|{a.province}|{a.code}"
        for a in areas
    ]
    lines += [f"U|{u.name}|{u.kind}|{areas[u.area].name}|{u.contact_name}|{u.contact_phone}" for u in units]
    lines += [f"O|{o.name}|{o.kind}|{areas[o.area].name}|{o.secretary}" for o in orgs]
    lines += [
        f"R|{r.name}|{r.gender}|{r.birth_year}|{r.phone}|{r.id_number}|{r.address}|{r.is_head}"
        for r in plan.residents
    ]
    lines += [
        f"M|{m.name}|{m.gender}|{m.phone}|{m.id_number}|{m.joined_on}|{areas[m.home_area].name}|{orgs[m.org].name}"
        f"|{m.in_service}|{units[m.work_unit].name if m.work_unit is not None else ''}"
        for m in plan.members
    ]
    return _digest(lines)


def database_digest(*, other_units: Iterable[str] = ()) -> str:
    """The fingerprint of what is in the database, computed like `plan_digest`. `other_units`: names of units that
    other apps' demo steps added (appeals' subdistrict offices), left out."""
    lines = [
        f"A|{level}|{name}|{parent or ''}|{province}|{code}"
        for level, name, parent, province, code in Area.objects.values_list(
            "level", "name", "parent__name", "province", "code"
        )
    ]
    lines += [
        f"U|{name}|{kind}|{area}|{contact}|{phone}"
        for name, kind, area, contact, phone in Unit.objects.exclude(name__in=list(other_units)).values_list(
            "name", "kind", "area__name", "contact_name", "contact_phone"
        )
    ]
    lines += [
        f"O|{name}|{kind}|{area}|{secretary}"
        for name, kind, area, secretary in PartyOrg.objects.values_list(
            "name", "kind", "area__name", "secretary"
        )
    ]
    lines += [
        f"R|{name}|{gender}|{year}|{phone}|{id_number}|{address}|{head}"
        for name, gender, year, phone, id_number, address, head in Resident.objects.values_list(
            "name", "gender", "birth_year", "phone", "id_number", "address", "is_household_head"
        )
    ]
    lines += [
        f"M|{name}|{gender}|{phone}|{id_number}|{joined}|{home}|{org}|{in_service}|{unit or ''}"
        for name, gender, phone, id_number, joined, home, org, in_service, unit in PartyMember.objects.values_list(
            "name",
            "gender",
            "phone",
            "id_number",
            "joined_on",
            "home_area__name",
            "party_org__name",
            "in_service",
            "work_unit__name",
        )
    ]
    return _digest(lines)
