"""The organization pages: who gets which page, masking and reveal, login and lockout, query counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from gongzhi.core import actions
from gongzhi.core.models import AuditEvent, Resident
from gongzhi.test import PASSWORD, Cast

ALL = [
    "city_admin",
    "district_admin",
    "subdistrict_staff_a",
    "worker_a",
    "worker_b",
    "grid_worker_a",
    "handler",
    "liaison",
    "party_member_user",
    "volunteer",
    "resident_user",
]
STAFF = [
    "city_admin",
    "district_admin",
    "subdistrict_staff_a",
    "worker_a",
    "worker_b",
    "grid_worker_a",
    "handler",
    "liaison",
]
PEOPLE = ["city_admin", "district_admin", "subdistrict_staff_a", "worker_a", "worker_b", "grid_worker_a"]


def _expect(ok: list[str], otherwise: int, **special: int) -> dict[str, int]:
    table = {name: (200 if name in ok else otherwise) for name in ALL}
    table.update(special)
    return table


# page name → (method, url builder, expected status per cast user)
PAGES: dict[str, tuple[str, Callable[[Cast], str], dict[str, int]]] = {
    "home": ("get", lambda c: reverse("core:home"), _expect(ALL, 403)),
    "area_tree": ("get", lambda c: reverse("core:area_tree"), _expect(ALL, 403)),
    # Everyone whose grants lie in community A's branch sees it (grid workers see it as an ancestor).
    "area_community_a": (
        "get",
        lambda c: reverse("core:area_detail", args=[c.community_a.pk]),
        _expect(ALL, 200, worker_b=404),
    ),
    # Community B: only grants at or above it (the district-wide department handler included).
    "area_community_b": (
        "get",
        lambda c: reverse("core:area_detail", args=[c.community_b.pk]),
        _expect(["city_admin", "district_admin", "worker_b", "handler"], 404),
    ),
    "unit_list": ("get", lambda c: reverse("core:unit_list"), _expect(STAFF, 403)),
    "party_org_tree": ("get", lambda c: reverse("core:party_org_tree"), _expect(STAFF, 403)),
    "resident_list": ("get", lambda c: reverse("core:resident_list"), _expect(PEOPLE, 403)),
    "party_member_list": ("get", lambda c: reverse("core:party_member_list"), _expect(PEOPLE, 403)),
    "resident_a": (
        "get",
        lambda c: reverse("core:resident_detail", args=[c.resident_a.pk]),
        _expect(["city_admin", "district_admin", "subdistrict_staff_a", "worker_a", "grid_worker_a"], 404),
    ),
    "resident_b": (
        "get",
        lambda c: reverse("core:resident_detail", args=[c.resident_b.pk]),
        _expect(["city_admin", "district_admin", "worker_b"], 404),
    ),
    # Admins see the record but may not reveal it (403); people outside the scope get 404.
    "reveal_resident_a": (
        "post",
        lambda c: reverse("core:resident_reveal", args=[c.resident_a.pk]),
        _expect(
            ["subdistrict_staff_a", "worker_a", "grid_worker_a"], 404, city_admin=403, district_admin=403
        ),
    ),
    "audit_log": ("get", lambda c: reverse("core:audit_log"), _expect(["city_admin", "district_admin"], 403)),
}


def test_it_answers_every_page_for_every_role_as_the_policy_says(cast: Cast, client: Client) -> None:
    wrong = []
    for user_name, user in cast.users().items():
        client.force_login(user)
        for page, (method, url, expected) in PAGES.items():
            response = getattr(client, method)(url(cast))
            if response.status_code != expected[user_name]:
                wrong.append(f"{user_name} {page}: {response.status_code}, expected {expected[user_name]}")
    assert wrong == []


def test_it_sends_anonymous_visitors_to_the_login_page(cast: Cast, client: Client) -> None:
    login = reverse("core:login")
    for page, (method, url, _expected) in PAGES.items():
        response = getattr(client, method)(url(cast))
        assert response.status_code == 302, page
        assert response["Location"].startswith(login + "?next="), page


def test_it_lets_a_superuser_see_everything(cast: Cast, client: Client) -> None:
    client.force_login(cast.superuser)
    for page in ["home", "area_tree", "area_community_b", "unit_list", "resident_b", "audit_log"]:
        method, url, _expected = PAGES[page]
        assert getattr(client, method)(url(cast)).status_code == 200, page


def test_it_shows_the_header_and_only_the_navigation_of_the_role(cast: Cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    html = client.get(reverse("core:home")).content.decode()
    assert "共治" in html and "和平里社工" in html and "社区工作者" in html
    assert reverse("core:resident_list") in html
    assert reverse("core:audit_log") not in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    client.force_login(cast.volunteer)
    html = client.get(reverse("core:home")).content.decode()
    assert reverse("core:resident_list") not in html and reverse("core:unit_list") not in html


def test_it_shows_the_scope_and_counts_on_the_home_page(cast: Cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    response = client.get(reverse("core:home"))
    html = response.content.decode()
    assert "我的范围" in html and "和平里社区" in html
    counts = response.context["counts"]
    assert counts["residents"] == 1 and counts["party_members"] == 1
    assert dict(counts["by_level"]) == {"社区": 1, "小区": 1, "网格": 1, "楼栋": 1}


def test_it_loads_area_children_as_a_partial(cast: Cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    response = client.get(
        reverse("core:area_children", args=[cast.community_a.pk]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "和平小区" in html and "<html" not in html
    assert client.get(reverse("core:area_children", args=[cast.community_b.pk])).status_code == 404


def test_it_finds_areas_by_name_only_in_scope(cast: Cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    html = client.get(reverse("core:area_tree"), {"q": "号楼"}).content.decode()
    assert "1号楼" in html and "2号楼" not in html
    partial = client.get(
        reverse("core:area_tree"), {"q": "小区"}, headers={"HX-Request": "true", "HX-Target": "area-tree"}
    )
    assert "和平小区" in partial.content.decode() and "<html" not in partial.content.decode()


def test_it_shows_the_area_page_with_breadcrumb_org_units_and_counts(cast: Cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    response = client.get(reverse("core:area_detail", args=[cast.community_a.pk]))
    html = response.content.decode()
    assert [a.name for a in response.context["breadcrumb"]] == ["示范市", "东城区", "和平街道"]
    assert "和平里社区大党委" in html and "和平物业服务有限公司" in html
    summary = response.context["summary"]
    assert (summary.residents, summary.party_members, summary.units, summary.children) == (1, 1, 1, 1)
    assert f"{reverse('core:resident_list')}?area={cast.community_a.pk}" in html
    # A department handler sees the area but no people counts.
    client.force_login(cast.handler)
    response = client.get(reverse("core:area_detail", args=[cast.community_a.pk]))
    assert response.context["sees_people"] is False
    assert reverse("core:resident_list") not in response.content.decode()


def test_it_shows_party_orgs_with_committee_members(cast: Cast, client: Client) -> None:
    actions.do_add_committee_member(
        cast.committee_a,
        person_name="赵经理",
        unit=cast.member_unit,
        role="part_time_member",
        acting_user=None,
    )
    actions.do_create_party_org(area=cast.estate_a, name="和平小区党支部", acting_user=None)
    client.force_login(cast.worker_a)
    html = client.get(reverse("core:party_org_tree")).content.decode()
    assert "和平里社区大党委" in html and "1 个下级组织" in html
    html = client.get(reverse("core:party_org_children", args=[cast.committee_a.pk])).content.decode()
    assert "和平小区党支部" in html
    html = client.get(reverse("core:party_org_detail", args=[cast.committee_a.pk])).content.decode()
    assert "赵经理" in html and "兼职委员" in html and "和平物业服务有限公司" in html
    client.force_login(cast.worker_b)
    assert client.get(reverse("core:party_org_detail", args=[cast.committee_a.pk])).status_code == 404


def test_it_lists_and_filters_units(cast: Cast, client: Client) -> None:
    client.force_login(cast.district_admin)
    html = client.get(reverse("core:unit_list"), {"kind": "department"}).content.decode()
    assert "东城区住房和城乡建设委员会" in html and "和平物业服务有限公司" not in html
    html = client.get(reverse("core:unit_list"), {"q": "物业"}).content.decode()
    assert "和平物业服务有限公司" in html and "住房和城乡建设委员会" not in html
    client.force_login(cast.worker_a)
    response = client.get(reverse("core:unit_detail", args=[cast.member_unit.pk]))
    html = response.content.decode()
    assert "和平里社区" in html and "王红" in html
    assert "13800001111" not in html and "138****1111" in html
    client.force_login(cast.worker_b)
    assert client.get(reverse("core:unit_detail", args=[cast.member_unit.pk])).status_code == 404


def test_it_masks_personal_data_by_default(cast: Cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    for url in [reverse("core:resident_list"), reverse("core:resident_detail", args=[cast.resident_a.pk])]:
        html = client.get(url).content.decode()
        assert "张桂兰" in html
        assert "13800138000" not in html and "138****8000" in html
        assert cast.resident_a.id_number not in html
    html = client.get(reverse("core:resident_detail", args=[cast.resident_a.pk])).content.decode()
    assert "和平小区1号楼2单元301" not in html
    assert "显示完整信息" in html


def test_it_reveals_personal_data_and_writes_an_audit_event(cast: Cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    response = client.post(
        reverse("core:resident_reveal", args=[cast.resident_a.pk]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "13800138000" in html and cast.resident_a.id_number in html and "和平小区1号楼2单元301" in html
    event = AuditEvent.objects.get(verb="core.pii.reveal")
    assert event.actor == cast.worker_a and event.object_id == str(cast.resident_a.pk)
    response = client.post(reverse("core:party_member_reveal", args=[cast.party_member_a.pk]))
    assert "13700137000" in response.content.decode()
    assert AuditEvent.objects.filter(verb="core.pii.reveal").count() == 2


def test_it_refuses_reveal_without_the_button_for_admins(cast: Cast, client: Client) -> None:
    client.force_login(cast.district_admin)
    html = client.get(reverse("core:resident_detail", args=[cast.resident_a.pk])).content.decode()
    assert "显示完整信息" not in html
    assert client.post(reverse("core:resident_reveal", args=[cast.resident_a.pk])).status_code == 403
    assert client.get(reverse("core:resident_reveal", args=[cast.resident_a.pk])).status_code == 405
    assert not AuditEvent.objects.filter(verb="core.pii.reveal").exists()


def test_it_shows_grid_workers_only_the_residents_of_their_grid(cast: Cast, client: Client) -> None:
    outside = actions.do_create_resident(acting_user=None, area=cast.estate_a, name="钱多多")
    client.force_login(cast.grid_worker_a)
    html = client.get(reverse("core:resident_list")).content.decode()
    assert "张桂兰" in html and "钱多多" not in html and "李建国" not in html
    assert client.get(reverse("core:resident_detail", args=[outside.pk])).status_code == 404


def test_it_searches_residents_by_name_phone_and_area(cast: Cast, client: Client) -> None:
    # By phone only where one may reveal it (gongzhi/core/tests/test_pii_search.py): worker A, not the admin.
    client.force_login(cast.worker_a)
    url = reverse("core:resident_list")
    assert "张桂兰" in client.get(url, {"q": "13800138000"}).content.decode()
    assert "张桂兰" not in client.get(url, {"q": "138001"}).content.decode()
    client.force_login(cast.district_admin)
    assert "李建国" not in client.get(url, {"q": "张"}).content.decode()
    assert "张桂兰" in client.get(url, {"q": "张"}).content.decode()
    html = client.get(url, {"area": cast.community_b.pk}).content.decode()
    assert "李建国" in html and "张桂兰" not in html
    client.force_login(cast.worker_a)
    assert client.get(url, {"area": cast.community_b.pk}).status_code == 404


def test_it_filters_the_audit_log(cast: Cast, client: Client) -> None:
    actions.do_reveal_personal_data(cast.resident_a, acting_user=cast.worker_a)
    client.force_login(cast.district_admin)
    response = client.get(reverse("core:audit_log"), {"verb": "core.pii.reveal"})
    html = response.content.decode()
    assert [e.verb for e in response.context["page"].object_list] == ["core.pii.reveal"]
    assert "查看完整个人信息" in html and "和平里社工" in html
    today = response.context["page"].object_list[0].created_at.date()
    response = client.get(
        reverse("core:audit_log"), {"date_to": today.replace(year=today.year - 1).isoformat()}
    )
    assert list(response.context["page"].object_list) == []
    # Worker B's district admin sees events in the district; a city admin sees them too.
    client.force_login(cast.city_admin)
    assert client.get(reverse("core:audit_log")).context["page"].paginator.count == AuditEvent.objects.count()


def test_it_lists_residents_in_a_fixed_number_of_queries(
    cast: Cast, client: Client, django_assert_max_num_queries: Any
) -> None:
    for i in range(40):
        Resident.objects.create(name=f"居民{i}", area=cast.building_a, phone=f"1380000{i:04d}")
    client.force_login(cast.worker_a)
    client.get(reverse("core:resident_list"))
    # 8 since issue 18: the navigation's unread count (one query per page) joined the page's own 7.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("core:resident_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 30


def test_it_shows_the_login_page_in_chinese(db: None, client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert "共治" in html and "登录" in html and "用户名" in html and "密码" in html


def test_it_logs_in_and_out(cast: Cast, client: Client) -> None:
    response = client.post(reverse("core:login"), {"username": "worker_a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200
    assert client.get(reverse("core:logout")).status_code == 405
    response = client.post(reverse("core:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("core:login")
    assert client.get(reverse("core:home")).status_code == 302


def test_it_says_so_in_chinese_when_the_password_is_wrong(cast: Cast, client: Client) -> None:
    response = client.post(reverse("core:login"), {"username": "worker_a", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_it_locks_out_after_repeated_failures(cast: Cast, client: Client, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("core:login")
    for _ in range(2):
        assert client.post(url, {"username": "worker_a", "password": "wrong"}).status_code == 200
    response = client.post(url, {"username": "worker_a", "password": "wrong"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "登录失败次数过多" in html and "分钟后再试" in html
    # Even the right password is refused until the cool-off ends.
    response = client.post(url, {"username": "worker_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
