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
from django.http import Http404
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


# --- The alliance across a provincial border (venues, disputes) ------------------------------------------------


@dataclass
class AllianceScene:
    """Community A of the cast allied with community C across a provincial border (another city, another province),
    as 枫溪—新塘 in the demo; community B stays outside the alliance."""

    cast: Cast
    city_c: Area
    subdistrict_c: Area
    community_c: Area
    estate_c: Area
    building_c: Area
    alliance: Any
    worker_c: User
    resident_c: Resident
    resident_c_user: User


def make_alliance(cast: Cast) -> AllianceScene:
    area = actions.do_create_area
    city_c = area(parent=None, name="邻江市", level="city", acting_user=None, province="邻省")
    district_c = area(parent=city_c, name="新河县", level="district", acting_user=None)
    sub_c = area(parent=district_c, name="新塘镇", level="subdistrict", acting_user=None)
    com_c = area(parent=sub_c, name="新塘社区", level="community", acting_user=None)
    estate_c = area(parent=com_c, name="新塘花园", level="estate", acting_user=None)
    grid_c = area(parent=estate_c, name="新塘花园第一网格", level="grid", acting_user=None)
    building_c = area(parent=grid_c, name="3号楼", level="building", acting_user=None)
    alliance = actions.do_create_alliance(name="和平—新塘跨省毗邻社区", communities=[cast.community_a, com_c],
                                          acting_user=None)
    worker_c = make_user("worker_c", "新塘社工")
    actions.do_grant_role(worker_c, role=Role.COMMUNITY_WORKER, area=com_c, acting_user=None)
    resident_c = actions.do_create_resident(acting_user=None, area=building_c, name="陈美华", phone="13600136000",
                                            address="新塘花园3号楼502")
    resident_c_user = make_user("resident_c", "陈美华")
    actions.do_grant_role(resident_c_user, role=Role.RESIDENT, area=com_c, acting_user=None)
    resident_c.user = resident_c_user
    resident_c.save(update_fields=["user"])
    return AllianceScene(cast=cast, city_c=city_c, subdistrict_c=sub_c, community_c=com_c, estate_c=estate_c,
                         building_c=building_c, alliance=alliance, worker_c=worker_c, resident_c=resident_c,
                         resident_c_user=resident_c_user)


# --- Permission matrices ------------------------------------------------------------------------------------
#
# A matrix is a table: one row per user of the cast (every one, the superuser included), one column per action,
# and in each cell the outcome on two objects, "A/B": A lies in community A's side of the tree (in scope for the
# staff of A), B on community B's side (out of their scope). Outcomes:
#
#   ok   allowed
#   403  the object is visible, the action is not allowed
#   404  the object is not visible at all (it does not exist for this user)
#   -    the pair is not asked (e.g. an action whose rule is per object kind)
#
#     CASE_MATRIX = """
#                         view     dispatch  handle
#     superuser           ok/ok    ok/ok     ok/ok
#     worker_a            ok/404   ok/404    403/404
#     ...
#     """
#
# `check_policy_matrix` asks the policy (`can`, and `get_<noun>_for_user` for the visibility); `check_http_matrix`
# asks a view through the test client (200, 403 or 404). Both report every wrong cell at once.

OUTCOMES = ("ok", "403", "404", "-")


@dataclass(frozen=True)
class Matrix:
    actions: tuple[str, ...]
    cells: dict[tuple[str, str], tuple[str, str]]  # (user, action) -> (outcome on A, outcome on B)

    def __len__(self) -> int:
        return sum(1 for pair in self.cells.values() for outcome in pair if outcome != "-")

    def only(self, *actions: str) -> Matrix:
        """The same rows with only these columns (e.g. the few actions also checked through the pages)."""
        return Matrix(actions=actions, cells={key: pair for key, pair in self.cells.items() if key[1] in actions})


def matrix_users(cast: Cast) -> dict[str, User]:
    """Every user of the cast by name, the superuser first: the rows a matrix must have."""
    return {"superuser": cast.superuser, **cast.users()}


def parse_matrix(table: str) -> Matrix:
    """Read a matrix table (see above): a header of action names, then one row per user."""
    lines = [line.split() for line in table.strip().splitlines() if line.strip() and not line.strip().startswith("#")]
    header, rows = tuple(lines[0]), lines[1:]
    cells: dict[tuple[str, str], tuple[str, str]] = {}
    for row in rows:
        name, values = row[0], row[1:]
        if len(values) != len(header):
            raise ValueError(f"row {name!r} has {len(values)} cells for {len(header)} actions")
        for action, value in zip(header, values, strict=True):
            a, _, b = value.partition("/")
            b = b or a
            for outcome in (a, b):
                if outcome not in OUTCOMES:
                    raise ValueError(f"unknown outcome {outcome!r} in row {name!r}, column {action!r}")
            cells[(name, action)] = (a, b)
    return Matrix(actions=header, cells=cells)


def _rows_match_cast(matrix: Matrix, users: dict[str, User]) -> None:
    names = {name for name, _ in matrix.cells}
    missing, unknown = set(users) - names, names - set(users)
    if missing or unknown:
        raise AssertionError(f"the matrix must have one row per cast user: missing {sorted(missing)}, "
                             f"unknown {sorted(unknown)}")


def _fresh(user: User) -> User:
    """The user as a new request sees them (no grants cached from an earlier question)."""
    return User.objects.get(pk=user.pk)


def check_policy_matrix(
    cast: Cast,
    table: str | Matrix,
    *,
    subjects: Callable[[str], tuple[Any, ...]] | tuple[Any, ...],
    can: Callable[[Any, str, Any], bool],
    fetch: Callable[[Any, Any], Any] | None = None,
) -> int:
    """Check every cell against the policy; returns the number of outcomes checked.

    `subjects` gives the (A, B) objects, for all actions or per action (a 1-tuple: only A is asked, e.g. a
    page gate that takes no object); `can(user, action, obj)` is the policy's;
    `fetch(user, obj)` is its `get_<noun>_for_user` (called with the object's pk): "404" expects it to raise Http404,
    "ok"/"403" expect it to return the object. Without `fetch` (actions taken *at* an area) "404" is not used.
    """
    matrix = table if isinstance(table, Matrix) else parse_matrix(table)
    users = matrix_users(cast)
    _rows_match_cast(matrix, users)
    wrong: list[str] = []
    checked = 0
    for (name, action), expected in matrix.cells.items():
        pair = subjects(action) if callable(subjects) else subjects
        for side, obj, outcome in zip("AB"[:len(pair)], pair, expected[:len(pair)], strict=True):
            if outcome == "-":
                continue
            checked += 1
            user = _fresh(users[name])
            visible = True
            if fetch is not None:
                try:
                    fetch(user, obj.pk)
                except Http404:
                    visible = False
            allowed = can(user, action, obj)
            got = "ok" if allowed and visible else ("404" if not visible else "403")
            if allowed and not visible:
                got = "ok-but-hidden"
            if got != outcome:
                wrong.append(f"{name:<20} {action:<14} {side}: expected {outcome}, got {got}")
    if wrong:
        raise AssertionError("permission matrix mismatches:\n" + "\n".join(wrong))
    return checked


def check_http_matrix(
    client: Any,
    cast: Cast,
    table: str | Matrix,
    *,
    url: Callable[[str, Any], str],
    subjects: Callable[[str], tuple[Any, ...]] | tuple[Any, ...],
    method: str = "get",
    data: Callable[[str, Any], dict[str, Any]] | None = None,
    ok_status: int | tuple[int, ...] = 200,
) -> int:
    """Check every cell through a view: "ok" → `ok_status`, "403" → 403, "404" → 404. `url(action, obj)` builds
    the address; the client signs in as each user in turn. Returns the number of requests checked."""
    matrix = table if isinstance(table, Matrix) else parse_matrix(table)
    users = matrix_users(cast)
    _rows_match_cast(matrix, users)
    ok = (ok_status,) if isinstance(ok_status, int) else ok_status
    wrong: list[str] = []
    checked = 0
    for (name, action), expected in matrix.cells.items():
        pair = subjects(action) if callable(subjects) else subjects
        for side, obj, outcome in zip("AB"[:len(pair)], pair, expected[:len(pair)], strict=True):
            if outcome == "-":
                continue
            checked += 1
            client.force_login(users[name])
            send = getattr(client, method)
            response = send(url(action, obj), data(action, obj) if data else {})
            status = response.status_code
            good = status in ok if outcome == "ok" else status == int(outcome)
            if not good:
                wrong.append(f"{name:<20} {action:<14} {side}: expected {outcome}, got HTTP {status}")
    if wrong:
        raise AssertionError("HTTP permission matrix mismatches:\n" + "\n".join(wrong))
    return checked


# Spreadsheets (exports must hold no formula; imports must refuse XML entity bombs).
XLSX_SHEET = "xl/worksheets/sheet1.xml"
XML_ENTITY_BOMB = (b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                   b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')


def formula_cells(source: Any) -> list[str]:
    """The cells ("Sheet!A2") of a workbook file that hold a formula (read back with openpyxl)."""
    from openpyxl import load_workbook

    wb = load_workbook(source)
    return [f"{ws.title}!{cell.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for cell in row
            if cell.data_type == "f"]
