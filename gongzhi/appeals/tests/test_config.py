"""Settings pages of 接诉即办: category tree and import, time limits, rate weights, routing rules."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gongzhi.appeals import actions, category_import, routing
from gongzhi.appeals.models import Category, RatesConfig, RoutingRule, TimeLimitPolicy
from gongzhi.core import actions as core_actions
from gongzhi.core.errors import ActionError
from gongzhi.core.models import AuditEvent
from gongzhi.core.navigation import navigation_for

pytestmark = pytest.mark.django_db

PAGES = [
    ("appeals:config_categories", "诉求分类"),
    ("appeals:config_category_import", "下载模板"),
    ("appeals:config_time_limits", "北京标准"),
    ("appeals:config_weights", "满意率权重"),
    ("appeals:config_routing", "派单规则"),
]


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def xlsx(rows: list[list[Any]], header: list[str] | None = None) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header or category_import.COLUMNS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "categories.xlsx"
    return out


@pytest.mark.parametrize("who", ["city_admin", "district_admin"])
@pytest.mark.parametrize(("url_name", "chinese"), PAGES)
def test_it_renders_each_page_in_chinese(cast: Any, who: str, url_name: str, chinese: str) -> None:
    response = login(getattr(cast, who)).get(reverse(url_name))
    assert response.status_code == 200
    text = response.content.decode()
    assert chinese in text
    assert "诉求设置" in text  # the page heading and the navigation entry


@pytest.mark.parametrize("who", ["worker_a", "handler", "subdistrict_staff_a", "resident_user"])
def test_it_forbids_everyone_but_admins(cast: Any, who: str) -> None:
    client = login(getattr(cast, who))
    for url_name, _chinese in PAGES:
        assert client.get(reverse(url_name)).status_code == 403
    leaf = Category.objects.get(name="垃圾清运")
    assert client.post(reverse("appeals:config_category", args=[leaf.pk]), {"op": "deactivate"}).status_code == 403
    assert client.post(reverse("appeals:config_weights"), {"response_weight": "1", "resolution_weight": "0",
                                                           "satisfaction_weight": "0"}).status_code == 403
    assert client.get(reverse("appeals:config_category_template")).status_code == 403
    leaf.refresh_from_db()
    assert leaf.active


def test_it_shows_the_nav_entry_only_to_admins(cast: Any) -> None:
    assert "appeals_config" in [i["key"] for i in navigation_for(cast.district_admin)]
    assert "appeals_config" not in [i["key"] for i in navigation_for(cast.worker_a)]
    assert "appeals_config" not in [i["key"] for i in navigation_for(cast.handler)]


def test_it_requires_login(client: Client) -> None:
    response = client.get(reverse("appeals:config_categories"))
    assert response.status_code == 302


# ---------------------------------------------------------------------------------------------------
# category tree


def test_it_shows_appeal_counts_in_the_tree(cast: Any) -> None:
    leaf = Category.objects.get(name="垃圾清运")
    actions.do_submit_appeal(acting_user=cast.resident_user, title="垃圾", body="垃圾没人清运", category=leaf,
                             callback_phone="13800138000", area=cast.building_a)
    root = category_tree_node(cast, "城市管理")
    assert root.total == 1
    response = login(cast.district_admin).get(reverse("appeals:config_categories"))
    assert "诉求：1" in response.content.decode()


def category_tree_node(cast: Any, name: str) -> Any:
    from gongzhi.appeals.views.config import category_tree

    return next(r for r in category_tree(cast.district_admin) if r.category.name == name)


def test_it_edits_a_category_with_htmx(cast: Any) -> None:
    client = login(cast.city_admin)
    leaf = Category.objects.get(name="垃圾清运")
    url = reverse("appeals:config_category", args=[leaf.pk])
    htmx = {"HX-Request": "true"}
    panel = client.get(url, headers=htmx)
    assert panel.status_code == 200 and "重命名" in panel.content.decode()

    response = client.post(url, {"op": "rename", f"r{leaf.pk}-name": "生活垃圾清运"}, headers=htmx)
    assert response.status_code == 200
    assert "生活垃圾清运" in response.content.decode()
    response = client.post(url, {"op": "kind", f"k{leaf.pk}-time_limit_kind": "complex"}, headers=htmx)
    assert response.status_code == 200
    response = client.post(url, {"op": "deactivate"}, headers=htmx)
    assert "已停用" in response.content.decode()
    leaf.refresh_from_db()
    assert (leaf.name, leaf.time_limit_kind, leaf.active) == ("生活垃圾清运", "complex", False)

    parent = leaf.parent
    assert parent is not None
    response = client.post(reverse("appeals:config_category", args=[parent.pk]),
                           {"op": "add_child", f"c{parent.pk}-name": "大件垃圾", f"c{parent.pk}-time_limit_kind": "utility"},
                           headers=htmx)
    child = Category.objects.get(parent=parent, name="大件垃圾")
    assert (child.level, child.time_limit_kind) == (3, "utility")
    assert "大件垃圾" in response.content.decode()
    # A duplicate name is refused in Chinese and creates nothing.
    response = client.post(reverse("appeals:config_category", args=[parent.pk]),
                           {"op": "add_child", f"c{parent.pk}-name": "大件垃圾"}, headers=htmx)
    assert "已有名为" in response.content.decode()
    assert Category.objects.filter(parent=parent, name="大件垃圾").count() == 1
    verbs = set(AuditEvent.objects.filter(object_type="appeals.category").values_list("verb", flat=True))
    assert {"appeals.category.update", "appeals.category.create"} <= verbs


def test_it_edits_without_htmx_and_adds_a_top_level_category(cast: Any) -> None:
    # The category tree holds for the whole city: a district admin may look but not change it.
    refused = login(cast.district_admin).post(reverse("appeals:config_category_new"), {"name": "文化旅游"})
    assert refused.status_code == 403
    assert not Category.objects.filter(name="文化旅游").exists()
    client = login(cast.city_admin)
    response = client.post(reverse("appeals:config_category_new"), {"name": "文化旅游"})
    assert response.status_code == 302
    top = Category.objects.get(name="文化旅游", parent=None)
    assert top.level == 1
    response = client.post(reverse("appeals:config_category", args=[top.pk]),
                           {"op": "add_child", f"c{top.pk}-name": "景区管理"}, follow=True)
    assert "已添加分类" in response.content.decode()
    assert Category.objects.filter(parent=top, name="景区管理", level=2).exists()
    assert client.get(reverse("appeals:config_category", args=[999999])).status_code == 404


# ---------------------------------------------------------------------------------------------------
# import


def test_it_downloads_the_import_template(cast: Any) -> None:
    response = login(cast.city_admin).get(reverse("appeals:config_category_template"))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in ws[1]] == ["一级分类", "二级分类", "三级分类", "时限类型"]


def test_it_imports_all_or_nothing_listing_every_bad_row(cast: Any) -> None:
    before = Category.objects.count()
    upload = xlsx([
        ["文化旅游", "景区管理", "门票价格", "一般"],       # row 2: fine
        ["文化旅游", "", "导游服务", "一般"],             # row 3: second level missing
        ["文化旅游", "景区管理", "景区厕所", "很急"],       # row 4: unknown time limit
        ["文化旅游", "景区管理", "门票价格", "复杂"],       # row 5: same as row 2
    ])
    response = login(cast.city_admin).post(reverse("appeals:config_category_import"), {"file": upload})
    assert response.status_code == 400
    text = response.content.decode()
    assert "没有导入任何数据" in text
    for number in (3, 4, 5):
        assert f"第{number}行" in text
    assert "第2行：" not in text
    assert "缺少二级分类" in text and "很急" in text and "与第2行的分类相同" in text
    assert Category.objects.count() == before
    assert not AuditEvent.objects.filter(verb="appeals.category.import").exists()


def test_it_imports_reusing_existing_names_with_one_audit_event(cast: Any) -> None:
    stopped = Category.objects.get(name="停水")
    actions.do_update_category(stopped, acting_user=cast.city_admin, active=False)
    before = Category.objects.count()
    upload = xlsx([
        ["公共服务", "供水", "停水", ""],              # existing: reused, used again, time limit kept
        ["公共服务", "供水", "水压不足", "水电气热"],      # new leaf under existing parents
        ["文化旅游", "景区管理", "门票价格", None],      # three new levels
        ["城市管理", "市容环境", "垃圾清运", "复杂"],      # existing leaf, time limit changed
    ])
    response = login(cast.city_admin).post(reverse("appeals:config_category_import"), {"file": upload}, follow=True)
    assert response.status_code == 200
    assert "导入4行" in response.content.decode()
    assert Category.objects.count() == before + 4
    stopped.refresh_from_db()
    assert stopped.active and stopped.time_limit_kind == "utility"
    new_leaf = Category.objects.get(name="水压不足")
    assert (new_leaf.level, new_leaf.time_limit_kind, new_leaf.parent) == (3, "utility", stopped.parent)
    ticket = Category.objects.get(name="门票价格")
    assert ticket.time_limit_kind == "ordinary" and ticket.full_name() == "文化旅游 / 景区管理 / 门票价格"
    assert Category.objects.get(name="垃圾清运").time_limit_kind == "complex"
    events = AuditEvent.objects.filter(verb="appeals.category.import")
    assert events.count() == 1
    after = events.get().after
    assert after is not None and after["created"] == 4 and after["reactivated"] == 1


def test_it_refuses_a_file_that_is_not_a_workbook_or_lacks_columns(cast: Any) -> None:
    client = login(cast.city_admin)
    junk = io.BytesIO(b"not a workbook")
    junk.name = "x.xlsx"
    response = client.post(reverse("appeals:config_category_import"), {"file": junk})
    assert response.status_code == 400 and "不是有效的 Excel 工作簿" in response.content.decode()
    response = client.post(reverse("appeals:config_category_import"),
                           {"file": xlsx([["a", "b"]], header=["一级分类", "二级分类"])})
    assert response.status_code == 400 and "三级分类" in response.content.decode()


def test_it_imports_through_the_function_for_non_admins_only_with_403(cast: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        category_import.import_categories(xlsx([["a", "b", "c", ""]]), acting_user=cast.worker_a)
    assert not Category.objects.filter(name="a").exists()


# ---------------------------------------------------------------------------------------------------
# time limits and weights


def test_it_saves_time_limits_and_refuses_non_positive_ones(cast: Any) -> None:
    client = login(cast.city_admin)
    data = {}
    for p in TimeLimitPolicy.objects.all():
        data.update({f"{p.kind}-accept_minutes": p.accept_minutes, f"{p.kind}-response_hours": p.response_hours,
                     f"{p.kind}-handle_hours": p.handle_hours})
    bad = {**data, "ordinary-handle_hours": "0"}
    response = client.post(reverse("appeals:config_time_limits"), bad)
    assert response.status_code == 400
    assert "大于或等于" in response.content.decode()
    assert TimeLimitPolicy.objects.get(kind="ordinary").handle_hours == 168

    good = {**data, "ordinary-handle_hours": "120", "ordinary-accept_minutes": "60"}
    response = client.post(reverse("appeals:config_time_limits"), good)
    assert response.status_code == 302
    policy = TimeLimitPolicy.objects.get(kind="ordinary")
    assert (policy.accept_minutes, policy.handle_hours) == (60, 120)
    assert AuditEvent.objects.filter(verb="appeals.time_limit.update").count() == 1

    response = client.post(reverse("appeals:config_time_limits"), {"restore": "1"})
    assert response.status_code == 302
    assert TimeLimitPolicy.objects.get(kind="ordinary").handle_hours == 168


def test_it_validates_the_weights(cast: Any) -> None:
    client = login(cast.city_admin)
    response = client.post(reverse("appeals:config_weights"),
                           {"response_weight": "0.3", "resolution_weight": "0.3", "satisfaction_weight": "0.3"})
    assert response.status_code == 400
    assert "合计为0.9" in response.content.decode()
    config = RatesConfig.objects.get()
    assert (float(config.response_weight), float(config.resolution_weight)) == (0.1, 0.5)

    response = client.post(reverse("appeals:config_weights"),
                           {"response_weight": "0.2", "resolution_weight": "0.4", "satisfaction_weight": "0.4"})
    assert response.status_code == 302
    config.refresh_from_db()
    assert (float(config.response_weight), float(config.resolution_weight), float(config.satisfaction_weight)) == (
        0.2, 0.4, 0.4)
    assert AuditEvent.objects.filter(verb="appeals.rates_config.update").exists()
    with pytest.raises(ActionError):
        actions.do_update_rates_config(acting_user=cast.city_admin, response_weight=0.5, resolution_weight=0.5,
                                       satisfaction_weight=0.5)


# ---------------------------------------------------------------------------------------------------
# routing rules


def test_it_adds_a_routing_rule_that_changes_the_suggestion(cast: Any) -> None:
    leaf = Category.objects.get(name="垃圾清运")
    before = routing.suggest_route(leaf, cast.community_a)
    assert before.rule is None and before.lead is not None and before.lead.name == "和平街道办事处"

    client = login(cast.district_admin)
    sample = {"sample_category": leaf.pk, "sample_area": cast.community_a.pk}
    response = client.get(reverse("appeals:config_routing"), sample)
    assert "没有匹配的规则" in response.content.decode()

    response = client.post(reverse("appeals:config_routing"), {
        "category": leaf.parent_id, "area": cast.district.pk, "lead_unit": cast.department.pk,
        "assist_units": [cast.department.pk],
    })
    assert response.status_code == 302
    rule = RoutingRule.objects.get()
    assert rule.lead_unit == cast.department and list(rule.assist_units.all()) == []
    assert AuditEvent.objects.filter(verb="appeals.routing_rule.create").exists()

    after = routing.suggest_route(leaf, cast.community_a)
    assert after.rule == rule and after.lead == cast.department
    response = client.get(reverse("appeals:config_routing_sample"), sample, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert "东城区住房和城乡建设委员会" in text and f"规则 #{rule.pk} 胜出" in text

    # The same (category, area) twice is refused.
    response = client.post(reverse("appeals:config_routing"), {
        "category": leaf.parent_id, "area": cast.district.pk, "lead_unit": cast.department.pk})
    assert response.status_code == 400 and "已有针对该分类和区域的规则" in response.content.decode()

    response = client.post(reverse("appeals:config_routing_delete", args=[rule.pk]))
    assert response.status_code == 302
    assert not RoutingRule.objects.exists()
    assert AuditEvent.objects.filter(verb="appeals.routing_rule.delete").exists()


def test_it_scopes_routing_rules_to_the_admins_area(cast: Any) -> None:
    other = core_actions.do_create_area(parent=cast.city, name="西城区", level="district", acting_user=None)
    outside = actions.do_create_routing_rule(acting_user=None, lead_unit=cast.department, area=other)
    inside = actions.do_create_routing_rule(acting_user=None, lead_unit=cast.department, area=cast.subdistrict_a)

    district = login(cast.district_admin)
    listing = district.get(reverse("appeals:config_routing")).content.decode()
    assert f'id="rule-{inside.pk}"' in listing and f'id="rule-{outside.pk}"' not in listing
    assert district.post(reverse("appeals:config_routing_delete", args=[outside.pk])).status_code == 404
    response = district.post(reverse("appeals:config_routing"), {"area": other.pk, "lead_unit": cast.department.pk})
    assert response.status_code == 400
    assert RoutingRule.objects.count() == 2
    assert login(cast.worker_a).post(reverse("appeals:config_routing_delete", args=[inside.pk])).status_code == 403

    city = login(cast.city_admin)
    assert city.post(reverse("appeals:config_routing_delete", args=[outside.pk])).status_code == 302
    assert not RoutingRule.objects.filter(pk=outside.pk).exists()


# ---------------------------------------------------------------------------------------------------
# API (gongzhi/appeals/api_config.py; tested on its own router until it is mounted in gongzhi/api.py)


def test_it_imports_and_answers_routing_over_the_api(cast: Any) -> None:
    from django.core.exceptions import PermissionDenied
    from django.core.files.uploadedfile import SimpleUploadedFile
    from ninja.testing import TestClient

    from gongzhi.appeals.api_config import router

    def upload(rows: list[list[Any]]) -> SimpleUploadedFile:
        return SimpleUploadedFile("categories.xlsx", xlsx(rows).getvalue())

    client = TestClient(router)
    bad = client.post("/categories/import", FILES={"file": upload([["文化旅游", "", "门票", ""]])},
                      user=cast.city_admin)
    assert bad.status_code == 400 and bad.json()["errors"] == ["第2行：缺少二级分类。"]
    good = client.post("/categories/import", FILES={"file": upload([["文化旅游", "景区管理", "门票价格", "一般"]])},
                       user=cast.city_admin)
    assert good.status_code == 200 and good.json()["created"] == 3

    leaf = Category.objects.get(name="垃圾清运")
    query = f"/routing/suggest?category_id={leaf.pk}&area_id={cast.community_a.pk}"
    answer = client.get(query, user=cast.district_admin).json()
    assert answer["rule_id"] is None and "和平街道办事处" in answer["fallback"]
    rule = actions.do_create_routing_rule(acting_user=cast.district_admin, lead_unit=cast.department,
                                          category=leaf, area=cast.subdistrict_a)
    answer = client.get(query, user=cast.district_admin).json()
    assert (answer["rule_id"], answer["lead_unit_id"]) == (rule.pk, cast.department.pk)
    with pytest.raises(PermissionDenied):
        client.get(query, user=cast.worker_a)


def test_it_shows_city_wide_settings_read_only_to_district_admins(cast: Any) -> None:
    for name in ("appeals:config_categories", "appeals:config_time_limits", "appeals:config_weights"):
        district = login(cast.district_admin).get(reverse(name)).content.decode()
        assert "只有市级管理员可以修改" in district and 'method="post"' not in district.split("<main", 1)[1].split("cfg-tree")[0]
        city = login(cast.city_admin).get(reverse(name)).content.decode()
        assert "只有市级管理员可以修改" not in city and 'method="post"' in city
