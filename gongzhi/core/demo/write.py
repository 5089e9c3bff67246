"""Writing the plan into an empty database with bulk inserts, in one transaction."""


from __future__ import annotations

import random

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from ..audit import log_event
from ..models import (
    Alliance,
    Area,
    CommitteeMembership,
    Grant,
    Household,
    LeadHousehold,
    PartyMember,
    PartyOrg,
    Registration,
    Resident,
    Unit,
    User,
)

# --- writing the plan -------------------------------------------------------------------------------------
from .data import DEFAULT_PASSWORD, DEFAULT_SEED, LEVEL_ORDER
from .plan import plan_demo_city


def demo_password() -> str:
    return settings.DEMO_PASSWORD or DEFAULT_PASSWORD


@transaction.atomic
def build_demo_city(seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Write the demo city into the database (meant for an empty one) and return what was created."""
    plan = plan_demo_city(seed)

    areas: list[Area] = [Area() for _spec in plan.areas]
    # Coordinates around one city centre, each area a little way from its parent (a district several km, an estate
    # a few hundred metres, a building tens of metres), the same for the same seed: for distances in matching.
    spot = random.Random(seed)
    spread = {"city": 0.0, "district": 0.08, "subdistrict": 0.03, "community": 0.012, "estate": 0.004,
              "grid": 0.0015, "building": 0.0006}
    for level in LEVEL_ORDER:
        batch = [i for i, spec in enumerate(plan.areas) if spec.level == level]
        for i in batch:
            spec = plan.areas[i]
            areas[i] = Area(
                name=spec.name,
                level=spec.level,
                code=spec.code,
                province=spec.province,
                parent=areas[spec.parent] if spec.parent is not None else None,
            )
            parent_area = areas[i].parent
            base = (parent_area.latitude or 30.66, parent_area.longitude or 104.06) if parent_area else (30.66, 104.06)
            step = spread.get(spec.level, 0.001)
            areas[i].latitude = round(base[0] + spot.uniform(-step, step), 6)
            areas[i].longitude = round(base[1] + spot.uniform(-step, step) * 1.15, 6)
        Area.objects.bulk_create([areas[i] for i in batch], batch_size=500)
        for i in batch:
            parent = areas[i].parent
            areas[i].path = (parent.path if parent is not None else "/") + f"{areas[i].pk}/"
    Area.objects.bulk_update(areas, ["path"], batch_size=500)

    units = [
        Unit(
            name=u.name,
            kind=u.kind,
            area=areas[u.area],
            contact_name=u.contact_name,
            contact_phone=u.contact_phone,
            address=u.address,
        )
        for u in plan.units
    ]
    Unit.objects.bulk_create(units)

    for alliance_spec in plan.alliances:
        alliance = Alliance.objects.create(name=alliance_spec.name, description=alliance_spec.description)
        alliance.communities.set([areas[c] for c in alliance_spec.communities])

    orgs: list[PartyOrg] = [PartyOrg() for _spec in plan.orgs]
    for kind in (PartyOrg.Kind.COMMUNITY_COMMITTEE, PartyOrg.Kind.BRANCH, PartyOrg.Kind.BUILDING_GROUP):
        batch = [i for i, o in enumerate(plan.orgs) if o.kind == kind]
        for i in batch:
            o = plan.orgs[i]
            orgs[i] = PartyOrg(
                name=o.name,
                kind=o.kind,
                area=areas[o.area],
                secretary=o.secretary,
                parent=orgs[o.parent] if o.parent is not None else None,
            )
        PartyOrg.objects.bulk_create([orgs[i] for i in batch])
    org_of = orgs

    households = [
        Household(building=areas[h.building], number=h.number, address=h.address) for h in plan.households
    ]
    Household.objects.bulk_create(households, batch_size=1000)

    password = make_password(demo_password())  # one hash for every demo account: they share the password
    users: list[User] = []
    for account in plan.accounts:
        user = User(
            username=account.username,
            display_name=account.display_name,
            phone=account.phone,
            password=password,
            is_staff=account.role is None,
            is_superuser=account.role is None,
        )
        user.save()
        users.append(user)
    user_of_resident = {
        a.resident: users[k]
        for k, a in enumerate(plan.accounts)
        if a.resident is not None and a.member is None
    }
    user_of_member = {a.member: users[k] for k, a in enumerate(plan.accounts) if a.member is not None}

    residents = [
        Resident(
            name=r.name,
            gender=r.gender,
            birth_year=r.birth_year,
            phone=r.phone,
            id_number=r.id_number,
            address=r.address,
            area=areas[r.area],
            household=households[r.household],
            is_household_head=r.is_head,
            user=user_of_resident.get(i),
        )
        for i, r in enumerate(plan.residents)
    ]
    Resident.objects.bulk_create(residents, batch_size=1000)

    members = [
        PartyMember(
            name=m.name,
            gender=m.gender,
            phone=m.phone,
            id_number=m.id_number,
            joined_on=m.joined_on,
            home_area=areas[m.home_area],
            party_org=org_of[m.org],
            in_service=m.in_service,
            work_unit=units[m.work_unit] if m.work_unit is not None else None,
            resident=residents[m.resident] if m.resident is not None else None,
            user=user_of_member.get(i),
        )
        for i, m in enumerate(plan.members)
    ]
    PartyMember.objects.bulk_create(members, batch_size=1000)

    registrations = [
        Registration(
            kind=Registration.Kind.UNIT,
            community=areas[u.registered_at],
            unit=units[i],
            registered_at=u.registered_on,
            note="驻区单位双报到",
            status=Registration.Status.CONFIRMED,
            decided_at=u.registered_on,
        )
        for i, u in enumerate(plan.units)
        if u.registered_at is not None and u.registered_on is not None
    ] + [
        Registration(
            kind=Registration.Kind.PARTY_MEMBER,
            community=areas[m.home_area],
            party_member=members[i],
            registered_at=m.registered_on,
            note="在职党员双报到",
            status=Registration.Status.CONFIRMED,
            decided_at=m.registered_on,
        )
        for i, m in enumerate(plan.members)
        if m.registered_on is not None
    ]
    Registration.objects.bulk_create(registrations, batch_size=1000)

    CommitteeMembership.objects.bulk_create(
        [
            CommitteeMembership(
                party_org=org_of[s.org],
                unit=units[s.unit] if s.unit is not None else None,
                person_name=s.person_name,
                role=s.role,
            )
            for s in plan.seats
        ]
    )
    LeadHousehold.objects.bulk_create(
        [
            LeadHousehold(
                party_org=org_of[lead.org],
                household=households[lead.household],
                party_member=members[lead.member],
            )
            for lead in plan.leads
        ]
    )
    Grant.objects.bulk_create(
        [
            Grant(
                user=users[k],
                role=a.role,
                area=areas[a.area],
                unit=units[a.unit] if a.unit is not None else None,
            )
            for k, a in enumerate(plan.accounts)
            if a.role is not None and a.area is not None
        ]
    )

    counts = plan.counts()
    city = areas[0]
    log_event(None, "core.demo.create", city, area=city, after={"seed": seed, **counts})
    return counts
