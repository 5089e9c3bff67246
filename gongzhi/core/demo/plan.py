"""The plan: the whole demo city drawn in memory from one random seed (no database)."""


from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from gongzhi.lib.validators import id_check_digit

from ..models import (
    PartyOrg,
    Role,
    Unit,
)

# --- the plan: the whole city drawn in memory ---------------------------------------------------------------
from .data import (
    ALLIANCE_CROSS_PROVINCE,
    ALLIANCE_RIVERSIDE,
    CHINESE_NUMERALS,
    CITY_CODE,
    CITY_DEPARTMENTS,
    CITY_NAME,
    CITY_PROVINCE,
    CURRENT_YEAR,
    DEFAULT_SEED,
    DISTRICT_DEPARTMENTS,
    DISTRICTS,
    ESTATE_PREFIXES,
    ESTATE_SUFFIXES,
    ESTATES_PER_COMMUNITY,
    FEMALE,
    GIVEN_FIRST,
    GIVEN_SECOND,
    GIVEN_SINGLE,
    LEVEL_ORDER,
    MALE,
    MEMBER_UNIT_KINDS,
    PARTNER_CITY,
    PARTNER_CODE,
    PARTNER_DISTRICTS,
    PARTNER_PROVINCE,
    PHONE_PREFIX,
    PROPERTY_BRANDS,
    REGION_CODE,
    ROADS,
    SURNAME_CUM_WEIGHTS,
    SURNAMES,
    UNIT_NAMES,
)


@dataclass
class AreaSpec:
    name: str
    level: str
    parent: int | None
    province: str
    code: str = ""


@dataclass
class UnitSpec:
    name: str
    kind: str
    area: int
    contact_name: str
    contact_phone: str
    address: str
    registered_at: int | None = None  # community where the unit registered (双报到)
    registered_on: datetime | None = None


@dataclass
class HouseholdSpec:
    building: int
    number: str
    address: str


@dataclass
class ResidentSpec:
    name: str
    gender: str
    birth_year: int
    phone: str
    id_number: str
    address: str
    area: int
    household: int
    is_head: bool


@dataclass
class OrgSpec:
    name: str
    kind: str
    area: int
    parent: int | None
    secretary: str = ""


@dataclass
class MemberSpec:
    name: str
    gender: str
    phone: str
    id_number: str
    joined_on: date
    home_area: int
    org: int
    in_service: bool = False
    work_unit: int | None = None
    resident: int | None = None
    registered_on: datetime | None = None


@dataclass
class SeatSpec:
    org: int
    unit: int | None
    person_name: str
    role: str


@dataclass
class LeadSpec:
    org: int
    household: int
    member: int


@dataclass
class AllianceSpec:
    name: str
    description: str
    communities: list[int]


@dataclass
class AccountSpec:
    username: str
    display_name: str
    phone: str = ""
    role: str | None = None  # None: the superuser
    area: int | None = None
    unit: int | None = None
    resident: int | None = None
    member: int | None = None


@dataclass
class DemoPlan:
    areas: list[AreaSpec] = field(default_factory=list)
    units: list[UnitSpec] = field(default_factory=list)
    alliances: list[AllianceSpec] = field(default_factory=list)
    orgs: list[OrgSpec] = field(default_factory=list)
    households: list[HouseholdSpec] = field(default_factory=list)
    residents: list[ResidentSpec] = field(default_factory=list)
    members: list[MemberSpec] = field(default_factory=list)
    seats: list[SeatSpec] = field(default_factory=list)
    leads: list[LeadSpec] = field(default_factory=list)
    accounts: list[AccountSpec] = field(default_factory=list)

    def of_level(self, level: str) -> list[int]:
        return [i for i, a in enumerate(self.areas) if a.level == level]

    def children(self, index: int) -> list[int]:
        return [i for i, a in enumerate(self.areas) if a.parent == index]

    def counts(self) -> dict[str, int]:
        levels = {level: len(self.of_level(level)) for level in LEVEL_ORDER}
        return {
            "cities": levels["city"],
            "districts": levels["district"],
            "subdistricts": levels["subdistrict"],
            "communities": levels["community"],
            "estates": levels["estate"],
            "grids": levels["grid"],
            "buildings": levels["building"],
            "households": len(self.households),
            "residents": len(self.residents),
            "party_members": len(self.members),
            "party_orgs": len(self.orgs),
            "building_groups": sum(o.kind == PartyOrg.Kind.BUILDING_GROUP for o in self.orgs),
            "lead_households": len(self.leads),
            "committee_memberships": len(self.seats),
            "member_units": sum(u.kind != Unit.Kind.DEPARTMENT for u in self.units),
            "departments": sum(u.kind == Unit.Kind.DEPARTMENT for u in self.units),
            "registrations": sum(u.registered_at is not None for u in self.units)
            + sum(m.registered_on is not None for m in self.members),
            "alliances": len(self.alliances),
            "accounts": len(self.accounts),
        }


class _Planner:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.plan = DemoPlan()
        self.phones: set[str] = set()
        self.id_serials: dict[str, int] = {}

    # people

    def given_name(self, gender: str) -> str:
        if self.rng.random() < 0.3:
            return self.rng.choice(GIVEN_SINGLE[gender])
        return self.rng.choice(GIVEN_FIRST[gender]) + self.rng.choice(GIVEN_SECOND[gender])

    def person_name(self, gender: str | None = None) -> str:
        gender = gender or self.gender()
        return self.surname() + self.given_name(gender)

    def surname(self) -> str:
        return self.rng.choices(SURNAMES, cum_weights=SURNAME_CUM_WEIGHTS)[0]

    def gender(self) -> str:
        return self.rng.choice((MALE, FEMALE))

    def phone(self) -> str:
        while True:
            phone = f"{PHONE_PREFIX}{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def id_number(self, birth_year: int, gender: str) -> str:
        """An 18-character ID number with the fake region code; the 17th digit is odd for men."""
        birthday = date(birth_year, self.rng.randint(1, 12), self.rng.randint(1, 28)).strftime("%Y%m%d")
        serial = self.id_serials.get(birthday, 0)
        self.id_serials[birthday] = serial + 1
        sequence = f"{(serial * 2 + (1 if gender == MALE else 0)) % 1000:03d}"
        first17 = f"{REGION_CODE}{birthday}{sequence}"
        return first17 + id_check_digit(first17)

    def moment(self, start: date, days: int) -> datetime:
        """A working-hours moment within `days` after `start`."""
        day = datetime(start.year, start.month, start.day, 9, tzinfo=UTC) + timedelta(
            days=self.rng.randrange(days)
        )
        return day + timedelta(minutes=self.rng.randrange(8 * 60))

    # the tree

    def area(self, name: str, level: str, parent: int | None, province: str, code: str = "") -> int:
        self.plan.areas.append(AreaSpec(name=name, level=level, parent=parent, province=province, code=code))
        return len(self.plan.areas) - 1

    def city(
        self, name: str, province: str, code: str, districts: list[tuple[str, list[tuple[str, list[str]]]]]
    ) -> int:
        city = self.area(name, "city", None, province, code)
        for d, (district_name, subdistricts) in enumerate(districts, start=1):
            district_code = f"{code[:4]}{d:02d}"
            district = self.area(district_name, "district", city, province, district_code)
            for s, (sub_name, communities) in enumerate(subdistricts, start=1):
                sub_code = f"{district_code}{s:03d}"
                sub = self.area(sub_name, "subdistrict", district, province, sub_code)
                for c, community_name in enumerate(communities, start=1):
                    self.area(community_name, "community", sub, province, f"{sub_code}{c:03d}")
        return city

    def estates(self) -> None:
        names = [p + s for p in ESTATE_PREFIXES for s in ESTATE_SUFFIXES]
        communities = self.plan.of_level("community")
        chosen = iter(self.rng.sample(names, ESTATES_PER_COMMUNITY * len(communities)))
        for community in communities:
            province = self.plan.areas[community].province
            for _n in range(ESTATES_PER_COMMUNITY):
                estate_name = next(chosen)
                estate = self.area(estate_name, "estate", community, province)
                buildings = self.rng.randint(4, 6)
                grids = 1 if buildings <= 4 or self.rng.random() < 0.5 else 2
                per_grid = [buildings] if grids == 1 else [buildings // 2, buildings - buildings // 2]
                number = 0
                for g, count in enumerate(per_grid):
                    grid = self.area(f"{estate_name}第{CHINESE_NUMERALS[g]}网格", "grid", estate, province)
                    for _b in range(count):
                        number += 1
                        self.area(f"{number}号楼", "building", grid, province)

    def households(self) -> None:
        """Households and the people living in them, building by building."""
        for building in self.plan.of_level("building"):
            spec = self.plan.areas[building]
            grid = self.plan.areas[spec.parent or 0]
            estate_name = self.plan.areas[grid.parent or 0].name
            floors = self.rng.choice((6, 6, 7, 11, 18))
            stairs = self.rng.randint(1, 3)
            rooms = sorted(
                self.rng.sample(
                    [(u, f, r) for u in range(1, stairs + 1) for f in range(1, floors + 1) for r in (1, 2)],
                    self.rng.randint(3, 5),
                )
            )
            for stair, floor, room in rooms:
                number = f"{stair}单元{floor}{room:02d}"
                address = f"{estate_name}{spec.name}{number}"
                self.plan.households.append(HouseholdSpec(building=building, number=number, address=address))
                self.family(len(self.plan.households) - 1, building, address)

    def family(self, household: int, building: int, address: str) -> None:
        size = self.rng.choices((1, 2, 3, 4, 5), weights=(20, 35, 25, 12, 8))[0]
        head_gender = self.gender()
        head_year = self.rng.randint(1940, 1996)
        surname = self.surname()
        people: list[tuple[str, str, int]] = [
            (surname + self.given_name(head_gender), head_gender, head_year)
        ]
        for k in range(1, size):
            if k == 1 and self.rng.random() < 0.8:  # spouse
                gender = FEMALE if head_gender == MALE else MALE
                year = max(1935, min(2000, head_year + self.rng.randint(-4, 4)))
                people.append((self.person_name(gender), gender, year))
            elif head_year >= 1950 and self.rng.random() < 0.8:  # a child, who carries the head's surname
                gender = self.gender()
                year = min(CURRENT_YEAR - 1, head_year + self.rng.randint(22, 36))
                people.append((surname + self.given_name(gender), gender, year))
            else:  # an elderly parent
                gender = self.gender()
                people.append(
                    (self.person_name(gender), gender, max(1930, head_year - self.rng.randint(24, 30)))
                )
        for k, (name, gender, year) in enumerate(people):
            phone = self.phone() if CURRENT_YEAR - year >= 12 else ""
            self.plan.residents.append(
                ResidentSpec(
                    name=name,
                    gender=gender,
                    birth_year=year,
                    phone=phone,
                    id_number=self.id_number(year, gender),
                    address=address,
                    area=building,
                    household=household,
                    is_head=k == 0,
                )
            )

    # units

    def departments(self, city: int) -> None:
        areas = self.plan.areas
        for name in CITY_DEPARTMENTS:
            self.unit(name, Unit.Kind.DEPARTMENT, city)
        for district in self.plan.children(city):
            for name in DISTRICT_DEPARTMENTS[areas[district].name]:
                self.unit(areas[district].name + name, Unit.Kind.DEPARTMENT, district)

    def unit(self, name: str, kind: str, area: int, registered: bool = False) -> int:
        district = self.ancestor(area, "district")
        district_name = self.plan.areas[district].name if district is not None else ""
        address = f"{district_name}{self.rng.choice(ROADS)}路{self.rng.randint(1, 300)}号"
        self.plan.units.append(
            UnitSpec(
                name=name,
                kind=str(kind),
                area=area,
                contact_name=self.person_name(),
                contact_phone=self.phone(),
                address=address,
                registered_at=area if registered else None,
                registered_on=self.moment(date(2025, 1, 6), 300) if registered else None,
            )
        )
        return len(self.plan.units) - 1

    def member_units(self) -> None:
        """40 units of mixed kinds, three or four per community, each registered at its community."""
        kinds = [kind for kind, count in MEMBER_UNIT_KINDS for _n in range(count)]
        self.rng.shuffle(kinds)
        # The first community gets a property company: its liaison is a demo account.
        first = kinds.index(Unit.Kind.PROPERTY_COMPANY)
        kinds[0], kinds[first] = kinds[first], kinds[0]
        communities = self.plan.of_level("community")
        patterns = {kind: list(names) for kind, names in UNIT_NAMES.items()}
        for names in patterns.values():
            self.rng.shuffle(names)
        brands = list(PROPERTY_BRANDS)
        self.rng.shuffle(brands)
        used_estates: set[int] = set()
        for i, kind in enumerate(kinds):
            community = communities[i % len(communities)]
            spec = self.plan.areas[community]
            sub = spec.parent or 0
            district = self.plan.areas[sub].parent or 0
            short = spec.name.removesuffix("社区")
            if kind == Unit.Kind.PROPERTY_COMPANY:
                name = f"青溪{brands.pop()}物业服务有限公司"
            elif kind == Unit.Kind.OWNERS_COMMITTEE:
                estate = next(e for e in self.plan.children(community) if e not in used_estates)
                used_estates.add(estate)
                name = f"{self.plan.areas[estate].name}业主委员会"
            elif kind == Unit.Kind.RESIDENTS_COMMITTEE:
                name = f"{spec.name}居民委员会"
            else:
                name = (
                    patterns[kind]
                    .pop()
                    .format(c=short, s=self.plan.areas[sub].name, d=self.plan.areas[district].name)
                )
            self.unit(name, kind, community, registered=True)

    def ancestor(self, index: int, level: str) -> int | None:
        current: int | None = index
        while current is not None:
            if self.plan.areas[current].level == level:
                return current
            current = self.plan.areas[current].parent
        return None

    # party organizations

    def party(self) -> None:
        plan, rng = self.plan, self.rng
        committees: dict[int, int] = {}
        branches: dict[int, int] = {}
        for community in plan.of_level("community"):
            committees[community] = self.org(
                f"{plan.areas[community].name}大党委", "community_committee", community, None
            )
            for estate in plan.children(community):
                branches[estate] = self.org(
                    f"{plan.areas[estate].name}党支部", "branch", estate, committees[community]
                )

        # About 340 party members live here and are on the resident roster; 60 more are known only as members.
        adults = [i for i, r in enumerate(plan.residents) if CURRENT_YEAR - r.birth_year >= 22]
        linked = sorted(rng.sample(adults, 340))
        by_building: dict[int, list[int]] = {}
        for resident in linked:
            by_building.setdefault(plan.residents[resident].area, []).append(resident)
        groups: dict[int, int] = {}
        for building in plan.of_level("building"):
            if len(by_building.get(building, [])) >= 2:
                grid = plan.areas[building].parent or 0
                estate = plan.areas[grid].parent or 0
                name = f"{plan.areas[estate].name}{plan.areas[building].name}党小组"
                groups[building] = self.org(name, "building_group", building, branches[estate])

        work_units = list(range(len(plan.units)))
        for resident in linked:
            person = plan.residents[resident]
            estate = self.ancestor(person.area, "estate") or 0
            community = self.ancestor(person.area, "community") or 0
            org = groups.get(person.area, branches[estate])
            plan.members.append(
                self.member(
                    person.name,
                    person.gender,
                    person.birth_year,
                    community,
                    org,
                    phone=person.phone,
                    id_number=person.id_number,
                    resident=resident,
                )
            )
        communities = plan.of_level("community")
        for _n in range(60):
            gender, year = self.gender(), rng.randint(1950, 2002)
            community = rng.choice(communities)
            plan.members.append(
                self.member(
                    self.person_name(gender),
                    gender,
                    year,
                    community,
                    committees[community],
                    phone=self.phone(),
                    id_number=self.id_number(year, gender),
                )
            )

        # 40% are in service: they work at a member unit or a department and register where they live.
        working_age = [
            i for i, m in enumerate(plan.members) if 22 <= CURRENT_YEAR - int(m.id_number[6:10]) < 60
        ]
        for index in sorted(rng.sample(working_age, min(len(working_age), 160))):
            member = plan.members[index]
            member.in_service = True
            member.work_unit = rng.choice(work_units)
            member.registered_on = self.moment(date(2025, 2, 3), 330)

        # Party-member households (党员中心户): one per building group.
        member_of_resident = {m.resident: i for i, m in enumerate(plan.members) if m.resident is not None}
        for building, org in groups.items():
            resident = rng.choice(by_building[building])
            plan.leads.append(
                LeadSpec(
                    org=org, household=plan.residents[resident].household, member=member_of_resident[resident]
                )
            )
            plan.orgs[org].secretary = plan.residents[resident].name
        members_by_estate: dict[int, list[str]] = {}
        for resident in linked:
            estate = self.ancestor(plan.residents[resident].area, "estate") or 0
            members_by_estate.setdefault(estate, []).append(plan.residents[resident].name)
        for estate, org in branches.items():
            names = members_by_estate.get(estate)
            plan.orgs[org].secretary = rng.choice(names) if names else self.person_name()

        # Community party committees: full-time seats and part-time members from the member units.
        for community, org in committees.items():
            secretary = self.person_name()
            plan.orgs[org].secretary = secretary
            plan.seats.append(SeatSpec(org=org, unit=None, person_name=secretary, role="secretary"))
            plan.seats.append(
                SeatSpec(org=org, unit=None, person_name=self.person_name(), role="deputy_secretary")
            )
            for _n in range(2):
                plan.seats.append(SeatSpec(org=org, unit=None, person_name=self.person_name(), role="member"))
            for u, unit in enumerate(plan.units):
                if unit.registered_at == community:
                    plan.seats.append(
                        SeatSpec(org=org, unit=u, person_name=self.person_name(), role="part_time_member")
                    )

    def org(self, name: str, kind: str, area: int, parent: int | None) -> int:
        self.plan.orgs.append(OrgSpec(name=name, kind=kind, area=area, parent=parent))
        return len(self.plan.orgs) - 1

    def member(
        self,
        name: str,
        gender: str,
        birth_year: int,
        community: int,
        org: int,
        *,
        phone: str,
        id_number: str,
        resident: int | None = None,
    ) -> MemberSpec:
        joined = date(
            min(CURRENT_YEAR - 1, birth_year + self.rng.randint(20, 40)),
            self.rng.randint(1, 12),
            self.rng.choice((1, 1, 15)),
        )
        return MemberSpec(
            name=name,
            gender=gender,
            phone=phone,
            id_number=id_number,
            joined_on=joined,
            home_area=community,
            org=org,
            resident=resident,
        )

    # alliances and accounts

    def alliances(self) -> None:
        by_name = {a.name: i for i, a in enumerate(self.plan.areas) if a.level == "community"}
        self.plan.alliances = [
            AllianceSpec(
                name=ALLIANCE_CROSS_PROVINCE,
                description="东川省青溪市临江区枫溪镇枫溪社区与南岭省白沙市新河县新塘镇新塘社区隔河相望，"
                "共建跨省毗邻社区生活圈：党建轮值联席会议每两月一次，阵地共享，矛盾联调。",
                communities=[by_name["枫溪社区"], by_name["新塘社区"]],
            ),
            AllianceSpec(
                name=ALLIANCE_RIVERSIDE,
                description="清源区与临江区沿江三个社区跨区结对，共同治理滨江步道、共享党群服务阵地。",
                communities=[by_name["书院社区"], by_name["望江社区"], by_name["合江社区"]],
            ),
        ]

    def accounts(self) -> None:
        plan = self.plan
        areas = {(a.level, a.name): i for i, a in enumerate(plan.areas)}
        city, district = areas[("city", CITY_NAME)], areas[("district", "清源区")]
        subdistrict = areas[("subdistrict", "锦华街道")]
        community, community2 = areas[("community", "锦华社区")], areas[("community", "春熙社区")]
        grid = plan.children(plan.children(community)[0])[0]
        department = next(i for i, u in enumerate(plan.units) if u.name == "清源区住房和城乡建设局")
        liaison_unit = next(
            i
            for i, u in enumerate(plan.units)
            if u.registered_at == community and u.kind == Unit.Kind.PROPERTY_COMPANY
        )
        member = next(
            i
            for i, m in enumerate(plan.members)
            if m.home_area == community and m.in_service and m.resident is not None
        )
        linked_residents = {m.resident for m in plan.members}
        locals_ = [
            i
            for i, r in enumerate(plan.residents)
            if self.ancestor(r.area, "community") == community and i not in linked_residents and r.phone
        ]
        resident, volunteer = locals_[0], locals_[len(locals_) // 2]

        def staff(username: str, role: str, area: int, unit: int | None = None) -> AccountSpec:
            return AccountSpec(
                username=username,
                display_name=self.person_name(),
                phone=self.phone(),
                role=str(role),
                area=area,
                unit=unit,
            )

        plan.accounts = [
            AccountSpec(username="admin", display_name="系统管理员"),
            staff("city_admin", Role.CITY_ADMIN, city),
            staff("district_admin", Role.DISTRICT_ADMIN, district),
            staff("jd_staff", Role.SUBDISTRICT_STAFF, subdistrict),
            staff("sq_worker", Role.COMMUNITY_WORKER, community),
            staff("sq_worker2", Role.COMMUNITY_WORKER, community2),
            staff("grid_worker", Role.GRID_WORKER, grid),
            staff("dept_handler", Role.DEPARTMENT_HANDLER, plan.units[department].area, department),
            staff("unit_liaison", Role.UNIT_LIAISON, community, liaison_unit),
            AccountSpec(
                username="party_member",
                display_name=plan.members[member].name,
                phone=plan.members[member].phone,
                role=Role.PARTY_MEMBER,
                area=community,
                member=member,
                resident=plan.members[member].resident,
            ),
            AccountSpec(
                username="volunteer",
                display_name=plan.residents[volunteer].name,
                phone=plan.residents[volunteer].phone,
                role=Role.VOLUNTEER,
                area=community,
                resident=volunteer,
            ),
            AccountSpec(
                username="resident",
                display_name=plan.residents[resident].name,
                phone=plan.residents[resident].phone,
                role=Role.RESIDENT,
                area=community,
                resident=resident,
            ),
            # The district's 12345 follow-up desk (回访员): handles no case, calls residents back.
            staff("follow_up_caller", Role.FOLLOW_UP_CALLER, district),
        ]
        # The cross-province alliance (枫溪—新塘): a community worker on each side of the border and a resident of
        # 新塘 who books rooms and services in 枫溪 (venues, shared services, secondments and dispute mediation).
        fengxi, xintang = areas[("community", "枫溪社区")], areas[("community", "新塘社区")]
        plan.accounts += [staff("fx_worker", Role.COMMUNITY_WORKER, fengxi),
                          staff("xt_worker", Role.COMMUNITY_WORKER, xintang)]
        xt_locals = [
            i
            for i, r in enumerate(plan.residents)
            if self.ancestor(r.area, "community") == xintang and i not in linked_residents and r.phone
        ]
        if xt_locals:
            plan.accounts.append(AccountSpec(
                username="xt_resident",
                display_name=plan.residents[xt_locals[0]].name,
                phone=plan.residents[xt_locals[0]].phone,
                role=Role.RESIDENT,
                area=xintang,
                resident=xt_locals[0],
            ))
        plan.units[liaison_unit].contact_name = plan.accounts[8].display_name
        plan.units[liaison_unit].contact_phone = plan.accounts[8].phone


def plan_demo_city(seed: int = DEFAULT_SEED) -> DemoPlan:
    """Draw the whole demo city in memory. The same seed always gives the same plan."""
    planner = _Planner(seed)
    city = planner.city(CITY_NAME, CITY_PROVINCE, CITY_CODE, DISTRICTS)
    planner.city(PARTNER_CITY, PARTNER_PROVINCE, PARTNER_CODE, PARTNER_DISTRICTS)
    planner.estates()
    planner.households()
    planner.departments(city)
    planner.member_units()
    planner.party()
    planner.alliances()
    planner.accounts()
    return planner.plan
