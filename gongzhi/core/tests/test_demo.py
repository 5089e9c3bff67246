"""The demo city: size, structure, accounts and their scopes, fake personal data, determinism, the command.

The city comes from the shared `demo_city` fixture (conftest.py): built once for the demo tests of this process
inside a transaction that is rolled back after the last of them, so no other test sees it.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from gongzhi.core.demo import (
    ALLIANCE_CROSS_PROVINCE,
    CITY_NAME,
    DEMO_USERNAMES,
    database_digest,
    demo_accounts,
    demo_password,
    plan_demo_city,
    plan_digest,
)
from gongzhi.core.models import (
    Alliance,
    Area,
    AuditEvent,
    CommitteeMembership,
    Grant,
    Household,
    LeadHousehold,
    PartyMember,
    PartyOrg,
    Registration,
    Resident,
    Role,
    Unit,
    User,
)
from gongzhi.core.permissions import visible_to
from gongzhi.lib.validators import validate_id_number, validate_phone

# Each test also runs in its own savepoint inside the module's transaction (pytest-django's `db`).
pytestmark = pytest.mark.django_db


@dataclass
class Demo:
    output: str
    users: dict[str, User]

    def area(self, level: str, name: str) -> Area:
        return Area.objects.get(level=level, name=name)


@pytest.fixture(scope="module")
def demo(demo_city: Any) -> Demo:
    return Demo(output=demo_city.output, users={u.username: u for u in User.objects.all()})


def residents_under(area: Area) -> set[int]:
    return set(Resident.objects.filter(area__path__startswith=area.path).values_list("pk", flat=True))


def test_it_prints_the_demo_accounts(demo: Demo) -> None:
    # How long it takes is measured by bench/demo_build.py (docs/benchmarks.md), not by a timed test.
    assert "演示账号" in demo.output
    assert "演示城市已建成" in demo.output
    for username in DEMO_USERNAMES:
        assert re.search(rf"^{username}\s+{re.escape(demo_password())}\s", demo.output, re.MULTILINE)
    assert "http://127.0.0.1:8000/" in demo.output
    assert "社区工作者" in demo.output and "部门办件人" in demo.output


def test_it_builds_a_city_of_the_required_size(demo: Demo) -> None:
    city = demo.area("city", CITY_NAME)
    in_city = Area.objects.subtree_of(city)
    assert in_city.of_level("district").count() == 2
    assert in_city.of_level("subdistrict").count() == 4
    assert Area.objects.of_level("community").count() == 12
    assert 55 <= Area.objects.of_level("estate").count() <= 65
    assert 280 <= Area.objects.of_level("building").count() <= 320
    # 40 member units, and each subdistrict's office (the unit appeals fall back to, made with the subdistrict).
    offices = [f"{name}办事处" for name in Area.objects.of_level("subdistrict").values_list("name", flat=True)]
    assert Unit.objects.exclude(kind=Unit.Kind.DEPARTMENT).exclude(name__in=offices).count() == 40
    assert Unit.objects.filter(name__in=offices, kind=Unit.Kind.INSTITUTION).count() == len(offices)
    assert Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).count() == 12
    assert 2800 <= Resident.objects.count() <= 3200
    assert 380 <= PartyMember.objects.count() <= 420
    # Member units come in every kind and all registered (双报到) at communities.
    member_kinds = set(Unit.objects.exclude(kind=Unit.Kind.DEPARTMENT).exclude(name__in=offices)
                       .values_list("kind", flat=True))
    assert member_kinds == set(Unit.Kind.values) - {Unit.Kind.DEPARTMENT}
    assert Registration.objects.filter(kind=Registration.Kind.UNIT).count() == 40


def test_it_keeps_the_tree_consistent(demo: Demo) -> None:
    areas = {a.pk: a for a in Area.objects.all()}
    for area in areas.values():
        parent = areas.get(area.parent_id) if area.parent_id else None
        assert area.path == (parent.path if parent else "/") + f"{area.pk}/"
        if parent is not None:
            assert Area.CHILD_LEVEL[parent.level] == area.level
    # Every estate has one or two grids; buildings sit under grids.
    for estate in Area.objects.of_level("estate"):
        assert 1 <= estate.children.count() <= 2
    assert not Household.objects.exclude(building__level="building").exists()
    assert not Resident.objects.filter(household__isnull=True).exists()


def test_it_sets_up_the_four_levels_of_party_organizations(demo: Demo) -> None:
    assert PartyOrg.objects.filter(kind=PartyOrg.Kind.COMMUNITY_COMMITTEE).count() == 12
    assert (
        PartyOrg.objects.filter(kind=PartyOrg.Kind.BRANCH).count() == Area.objects.of_level("estate").count()
    )
    groups = PartyOrg.objects.filter(kind=PartyOrg.Kind.BUILDING_GROUP)
    assert 0 < groups.count() < Area.objects.of_level("building").count()
    assert not groups.exclude(parent__kind=PartyOrg.Kind.BRANCH).exists()
    assert LeadHousehold.objects.count() > 0
    for lead in LeadHousehold.objects.select_related("party_member__resident", "party_org"):
        assert (
            lead.party_member.resident is not None
            and lead.party_member.resident.household_id == lead.household_id
        )
        assert lead.party_org.kind == PartyOrg.Kind.BUILDING_GROUP
    part_time = CommitteeMembership.objects.filter(role=CommitteeMembership.Role.PART_TIME_MEMBER)
    assert part_time.count() == 40
    assert not part_time.filter(unit__isnull=True).exists()
    assert not PartyMember.objects.filter(party_org__isnull=True).exists()


def test_it_registers_in_service_party_members_at_home(demo: Demo) -> None:
    members = PartyMember.objects.count()
    in_service = PartyMember.objects.filter(in_service=True)
    assert 0.35 <= in_service.count() / members <= 0.45
    assert not in_service.filter(work_unit__isnull=True).exists()
    registered = Registration.objects.filter(kind=Registration.Kind.PARTY_MEMBER)
    assert registered.count() == in_service.count()
    assert not registered.exclude(community=F("party_member__home_area")).exists()
    assert PartyMember.objects.filter(resident__isnull=False).count() > members // 2


def test_it_builds_an_alliance_across_a_provincial_border(demo: Demo) -> None:
    alliance = Alliance.objects.get(name=ALLIANCE_CROSS_PROVINCE)
    provinces = {c.province for c in alliance.communities.all()}
    roots = {c.ancestors().first().province for c in alliance.communities.all()}  # type: ignore[union-attr]
    assert len(provinces) == 2 and len(roots) == 2


def test_it_uses_clearly_fake_personal_data(demo: Demo) -> None:
    phones = [p for p in Resident.objects.values_list("phone", flat=True) if p]
    phones += [p for p in PartyMember.objects.values_list("phone", flat=True) if p]
    phones += [p for p in Unit.objects.values_list("contact_phone", flat=True) if p]
    phones += [p for p in User.objects.values_list("phone", flat=True) if p]
    assert phones and all(p.startswith("100") and len(p) == 11 for p in phones)
    validate_phone(phones[0])  # accepted by the same rule as real input
    resident_phones = [p for p in Resident.objects.values_list("phone", flat=True) if p]
    assert len(set(resident_phones)) == len(resident_phones)
    ids = list(Resident.objects.values_list("id_number", flat=True))
    ids += list(PartyMember.objects.values_list("id_number", flat=True))
    for id_number in ids:
        assert id_number.startswith("990101")
        validate_id_number(id_number)
    assert len(set(Resident.objects.values_list("id_number", flat=True))) == Resident.objects.count()
    for resident in Resident.objects.filter(pk__in=Resident.objects.values("pk")[:50]):
        assert re.fullmatch(r"\S+?\d+号楼\d单元\d{3,4}", resident.address)
        assert 2 <= len(resident.name) <= 4
        assert resident.birth_year == int(resident.id_number[6:10])


def test_it_has_an_account_for_every_role(demo: Demo, settings: Any) -> None:
    roles = set(Grant.objects.filter(user__username__in=DEMO_USERNAMES).values_list("role", flat=True))
    assert roles == set(Role.values)
    assert demo.users["admin"].is_superuser
    workers = Grant.objects.filter(role=Role.COMMUNITY_WORKER).select_related("area")
    assert len({g.area.parent_id for g in workers}) >= 2  # in different subdistricts
    handler = Grant.objects.select_related("unit").get(user__username="dept_handler")
    assert handler.unit is not None and handler.unit.kind == Unit.Kind.DEPARTMENT
    assert handler.area_id == handler.unit.area_id
    liaison = Grant.objects.select_related("unit").get(user__username="unit_liaison")
    assert liaison.unit is not None and liaison.unit.kind != Unit.Kind.DEPARTMENT
    assert Registration.objects.filter(unit=liaison.unit, community=liaison.area).exists()
    assert PartyMember.objects.filter(user=demo.users["party_member"]).exists()
    assert Resident.objects.filter(user=demo.users["resident"]).exists()
    # The city was built with the project's hashers (the test settings keep only a fast one).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    assert demo.users["city_admin"].check_password(demo_password())
    accounts = demo_accounts()
    assert [a["username"] for a in accounts] == DEMO_USERNAMES
    assert {a["role"] for a in accounts} == set(Role.values) | {"superuser"}


def test_it_scopes_each_account_as_its_role_implies(demo: Demo) -> None:
    users = demo.users
    city = demo.area("city", CITY_NAME)
    everyone = set(Resident.objects.values_list("pk", flat=True))
    grant_area = {g.user.username: g.area for g in Grant.objects.select_related("user", "area")}

    def seen(username: str) -> set[int]:
        return set(visible_to(users[username], Resident).values_list("pk", flat=True))

    assert seen("admin") == everyone
    assert seen("city_admin") == residents_under(city) != everyone  # the partner city is not ours
    for username in ("district_admin", "jd_staff", "sq_worker", "sq_worker2", "grid_worker"):
        assert seen(username) == residents_under(grant_area[username]), username
        assert seen(username), username
    assert seen("jd_staff") < seen("district_admin") < seen("city_admin")
    assert seen("grid_worker") < seen("sq_worker")
    assert not seen("sq_worker") & seen("sq_worker2")
    for username in ("dept_handler", "unit_liaison", "party_member", "volunteer", "resident"):
        assert seen(username) == set(), username

    community = grant_area["sq_worker"]
    areas = set(visible_to(users["sq_worker"], Area).values_list("pk", flat=True))
    expected = set(Area.objects.subtree_of(community).values_list("pk", flat=True)) | set(
        community.ancestor_ids()
    )
    assert areas == expected

    own = visible_to(users["party_member"], PartyMember)
    assert list(own.values_list("user__username", flat=True)) == ["party_member"]
    liaison_unit = Grant.objects.get(user__username="unit_liaison").unit
    assert liaison_unit in visible_to(users["unit_liaison"], Unit)


def test_it_is_deterministic(demo: Demo) -> None:
    digest = plan_digest(plan_demo_city(2026))
    assert plan_digest(plan_demo_city(2026)) == digest
    # What was written is exactly the plan (besides the subdistrict offices the appeals step opens).
    offices = [f"{name}办事处" for name in Area.objects.of_level("subdistrict").values_list("name", flat=True)]
    assert database_digest(other_units=offices) == digest
    assert plan_digest(plan_demo_city(7)) != digest


def test_it_writes_one_audit_event(demo: Demo) -> None:
    events = AuditEvent.objects.filter(verb="core.demo.create")
    assert events.count() == 1
    event = events.get()
    assert event.actor is None and event.area is not None and event.area.name == CITY_NAME
    assert event.after is not None and event.after["residents"] == Resident.objects.count()


def test_it_skips_building_with_if_empty_and_still_prints_the_accounts(demo: Demo) -> None:
    before = (
        Area.objects.count(),
        Resident.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    )
    out = io.StringIO()
    call_command("demo", "--if-empty", stdout=out)
    after = (Area.objects.count(), Resident.objects.count(), User.objects.count(), AuditEvent.objects.count())
    assert after == before
    assert "演示账号" in out.getvalue()
    assert "未重复建设" in out.getvalue()
    assert "sq_worker2" in out.getvalue()


def test_it_refuses_a_database_that_has_areas(demo: Demo) -> None:
    before = Area.objects.count()
    with pytest.raises(CommandError, match="空数据库"):
        call_command("demo", stdout=io.StringIO())
    assert Area.objects.count() == before


def test_it_includes_months_of_appeals_in_every_state(demo: Demo) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from gongzhi.appeals import rates
    from gongzhi.appeals.demo import HOT_CLUSTER, LOOP_APPEALS
    from gongzhi.appeals.models import Appeal, Case

    # 240 months of history, the hot issue's six, and the whole loop's cases around the demo accounts.
    assert Appeal.objects.count() == 240 + len(HOT_CLUSTER) + LOOP_APPEALS
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"pending_dispatch", "dispatched", "in_progress", "replied", "closed"} <= statuses
    oldest = Appeal.objects.order_by("created_at").first()
    assert oldest is not None and (timezone.now() - oldest.created_at).days >= 60
    this_month = timezone.localdate().replace(day=1)
    assert rates.department_ranking(this_month) or rates.department_ranking(
        (this_month - timedelta(days=1)).replace(day=1)
    )


def test_it_gives_the_community_worker_a_hot_issue_with_a_duplicate_to_merge(demo: Demo) -> None:
    """The demo's routing intelligence has something to show: six residents' reports of one building site's
    night-time noise make the community worker's top hot issue, and the newest case, a copy of the first
    message, offers the first one's case for merging."""
    from gongzhi.appeals.demo import HOT_CLUSTER
    from gongzhi.appeals.models import Appeal
    from gongzhi.intelligence.duplicates import duplicates_for_case
    from gongzhi.intelligence.hot_queries import hot_issues_for

    worker = demo.users["sq_worker"]
    top = hot_issues_for(worker, days=30).groups[0]
    assert top.count == len(HOT_CLUSTER) and top.residents == len(HOT_CLUSTER) and "噪音" in top.title
    cluster = Appeal.objects.filter(pk__in=top.member_ids).order_by("created_at")
    first, newest = cluster.first(), cluster.last()
    assert first is not None and newest is not None and newest.case is not None
    assert newest.case.status == "pending_dispatch"
    offered = duplicates_for_case(newest.case, user=worker)
    assert offered and offered[0].appeal.pk == first.pk and offered[0].place in ("estate", "building")


def test_it_shows_the_whole_loop_and_gives_every_staff_account_something_waiting(demo: Demo) -> None:
    """Whistles in every state, extensions pending / approved / refused, reopened cases, cases closed with each
    rating; and every staff account that works appeals finds work waiting (the task home's queries)."""
    from django.utils import timezone

    from gongzhi.appeals import queries
    from gongzhi.appeals.models import Case, ExtensionRequest, Whistle, WhistleReport
    from gongzhi.appeals.permissions import can, handler_unit_ids

    now = timezone.now()
    reports = WhistleReport.objects.select_related("whistle")
    assert reports.filter(whistle__status="open", reported_at__isnull=True, whistle__report_deadline__gt=now).exists()
    assert reports.filter(whistle__status="open", reported_at__isnull=False, done_at__isnull=True).exists()
    assert reports.filter(whistle__status="open", reported_at__gt=F("whistle__report_deadline")).exists()  # late
    assert reports.filter(whistle__status="open", reported_at__isnull=True, whistle__report_deadline__lt=now).exists()
    assert set(reports.exclude(rating="").values_list("rating", flat=True)) == {"excellent", "qualified"}
    assert Whistle.objects.filter(status="closed").exists()
    assert set(ExtensionRequest.objects.values_list("status", flat=True)) == {"pending", "approved", "rejected"}
    reopened = Case.objects.filter(reopen_count__gt=0)
    assert reopened.filter(status="in_progress").exists() and reopened.filter(status="closed").exists()
    closed = set(Case.objects.filter(status="closed", contacted=True).values_list("satisfaction", flat=True))
    assert {"satisfied", "basically_satisfied", "unsatisfied"} <= closed

    appeals_roles = {"city_admin", "district_admin", "subdistrict_staff", "community_worker", "grid_worker",
                     "department_handler", "follow_up_caller"}
    staff = [demo.users["admin"]] + [
        u for name, u in demo.users.items() if name in DEMO_USERNAMES and u.grants.filter(role__in=appeals_roles)]
    assert len(staff) == 11  # every demo account but the unit liaison (handles no case), party member, volunteer, residents
    for user in staff:
        if user.username == "xt_worker":
            # 新塘社区 (across the provincial border) has no appeal waiting: its work waits in the alliance's shared
            # places and the cross-border mediation office it heads (the home page's tasks).
            from gongzhi.core.registry import registry

            assert any(task.count for task in registry.tasks(user)), user.username
            continue
        counts = queries.worklist_counts(user, now)
        waiting = {name: n for name, n in counts.items() if n and name != "in_progress"}
        whistles = queries.whistle_list(user, open_only=True).filter(
            reports__unit_id__in=handler_unit_ids(user), reports__done_at__isnull=True).count()
        extensions = sum(1 for ext in ExtensionRequest.objects.filter(status="pending").select_related("case")
                         if can(user, "dispatch", ext.case))
        assert waiting or whistles or extensions, f"{user.username} has nothing waiting"
        if user.username in ("jd_staff", "sq_worker", "sq_worker2"):
            assert counts["pending_dispatch"] and extensions, user.username
        if user.username == "dept_handler":
            assert counts["to_accept"] and whistles
        if user.username == "follow_up_caller":
            assert counts["to_follow_up"]
        if user.username == "grid_worker":
            assert counts["overdue"]
