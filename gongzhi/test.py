"""The shared test cast: a small named city built through actions, used by every app's tests.

    cast = make_cast()
    cast.worker_a        # community worker of community A (subdistrict A)
    cast.community_b     # a community in another subdistrict, outside worker_a's scope
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from gongzhi.core import actions
from gongzhi.core.models import Area, PartyMember, PartyOrg, Resident, Role, Unit, User

PASSWORD = "cast-pass-2026"
# Where browser tests leave screenshots for a person to look at; GONGZHI_SHOTS_DIR keeps them elsewhere.
SHOTS = Path(settings.GONGZHI_SHOTS_DIR)
# Browser contexts: a phone (as grid workers and residents use it) and a desktop.
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN"}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


def require_postgresql(what: str = "PostgreSQL") -> None:
    """Skip a concurrency test on SQLite, which serialises writers (CI runs the suite on PostgreSQL)."""
    import pytest  # here, not at the top: bench/ scripts import this module without the test tools

    if connection.vendor != "postgresql":
        pytest.skip(f"needs {what} (set DATABASE_URL=postgres://...)")


def race(*work: Callable[[], Any]) -> list[Any]:
    """Run the callables in threads released together; their results (or the exceptions they raised), in order.
    Each thread closes its database connections. For tests with django_db(transaction=True)."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def run(i: int, fn: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(work)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def signed_in(browser: Any, live_server: Any, user: User, **options: Any) -> Any:
    """A page in a new browser context with the user's session (logging in through the form is tested in
    gongzhi/appeals/tests/test_browser.py)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(**(options or DESKTOP))
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    return context.new_page()


@dataclass
class Cast:
    city: Area
    district: Area
    subdistrict_a: Area
    subdistrict_b: Area
    community_a: Area
    community_b: Area
    estate_a: Area
    grid_a: Area
    building_a: Area
    estate_b: Area
    grid_b: Area
    building_b: Area
    department: Unit
    member_unit: Unit
    committee_a: PartyOrg
    resident_a: Resident
    resident_b: Resident
    party_member_a: PartyMember
    superuser: User
    city_admin: User
    district_admin: User
    subdistrict_staff_a: User
    worker_a: User
    worker_b: User
    grid_worker_a: User
    handler: User
    liaison: User
    party_member_user: User
    volunteer: User
    resident_user: User

    def users(self) -> dict[str, User]:
        """Every cast user by name, for permission matrices."""
        names = ["city_admin", "district_admin", "subdistrict_staff_a", "worker_a", "worker_b", "grid_worker_a",
                 "handler", "liaison", "party_member_user", "volunteer", "resident_user"]
        return {name: getattr(self, name) for name in names}


def make_user(username: str, display_name: str) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, display_name=display_name)


def make_cast() -> Cast:
    area = actions.do_create_area
    city = area(parent=None, name="示范市", level="city", acting_user=None, province="示范省")
    district = area(parent=city, name="东城区", level="district", acting_user=None)
    sub_a = area(parent=district, name="和平街道", level="subdistrict", acting_user=None)
    sub_b = area(parent=district, name="安定街道", level="subdistrict", acting_user=None)
    com_a = area(parent=sub_a, name="和平里社区", level="community", acting_user=None)
    com_b = area(parent=sub_b, name="安定门社区", level="community", acting_user=None)
    estate_a = area(parent=com_a, name="和平小区", level="estate", acting_user=None)
    grid_a = area(parent=estate_a, name="和平小区第一网格", level="grid", acting_user=None)
    building_a = area(parent=grid_a, name="1号楼", level="building", acting_user=None)
    estate_b = area(parent=com_b, name="安定小区", level="estate", acting_user=None)
    grid_b = area(parent=estate_b, name="安定小区第一网格", level="grid", acting_user=None)
    building_b = area(parent=grid_b, name="2号楼", level="building", acting_user=None)

    department = actions.do_create_unit(acting_user=None, area=district, name="东城区住房和城乡建设委员会",
                                        kind=Unit.Kind.DEPARTMENT)
    member_unit = actions.do_create_unit(acting_user=None, area=com_a, name="和平物业服务有限公司",
                                         kind=Unit.Kind.PROPERTY_COMPANY, contact_phone="13800001111")
    actions.do_register_unit(member_unit, community=com_a, acting_user=None)
    committee_a = actions.do_create_party_org(area=com_a, name="和平里社区大党委", acting_user=None)

    resident_a = actions.do_create_resident(
        acting_user=None, area=building_a, name="张桂兰", phone="13800138000", id_number="110101195001011239",
        address="和平小区1号楼2单元301",
    )
    resident_b = actions.do_create_resident(
        acting_user=None, area=building_b, name="李建国", phone="13900139000", address="安定小区2号楼101",
    )
    party_member_a = actions.do_create_party_member(
        acting_user=None, home_area=com_a, name="王红", phone="13700137000", in_service=True,
        work_unit=member_unit, party_org=committee_a, joined_on=timezone.localdate().replace(year=2001),
    )

    superuser = User.objects.create_superuser(username="root", password=PASSWORD, display_name="系统管理员")
    users: dict[str, User] = {}
    specs: list[tuple[str, str, str, Area, Unit | None]] = [
        ("city_admin", "市管理员", Role.CITY_ADMIN, city, None),
        ("district_admin", "区管理员", Role.DISTRICT_ADMIN, district, None),
        ("subdistrict_staff_a", "和平街道干部", Role.SUBDISTRICT_STAFF, sub_a, None),
        ("worker_a", "和平里社工", Role.COMMUNITY_WORKER, com_a, None),
        ("worker_b", "安定门社工", Role.COMMUNITY_WORKER, com_b, None),
        ("grid_worker_a", "和平网格员", Role.GRID_WORKER, grid_a, None),
        ("handler", "住建委办件员", Role.DEPARTMENT_HANDLER, district, department),
        ("liaison", "物业联络员", Role.UNIT_LIAISON, com_a, member_unit),
        ("party_member_user", "王红", Role.PARTY_MEMBER, com_a, None),
        ("volunteer", "志愿者小刘", Role.VOLUNTEER, com_a, None),
        ("resident_user", "张桂兰", Role.RESIDENT, com_a, None),
    ]
    for username, display, role, where, unit in specs:
        user = make_user(username, display)
        actions.do_grant_role(user, role=role, area=where, unit=unit, acting_user=None)
        users[username] = user
    party_member_a.user = users["party_member_user"]
    party_member_a.save(update_fields=["user"])
    resident_a.user = users["resident_user"]
    resident_a.save(update_fields=["user"])

    return Cast(
        city=city, district=district, subdistrict_a=sub_a, subdistrict_b=sub_b, community_a=com_a,
        community_b=com_b, estate_a=estate_a, grid_a=grid_a, building_a=building_a, estate_b=estate_b,
        grid_b=grid_b, building_b=building_b, department=department, member_unit=member_unit,
        committee_a=committee_a, resident_a=resident_a, resident_b=resident_b, party_member_a=party_member_a,
        superuser=superuser, **users,  # type: ignore[arg-type]
    )
