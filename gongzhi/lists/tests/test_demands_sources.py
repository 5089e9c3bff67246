"""Demands from every source, their fields, editing, closing, the list's filters and the demand API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.appeals.models import Category
from gongzhi.core import actions as core_actions
from gongzhi.core.errors import ActionError
from gongzhi.core.models import AuditEvent, Unit
from gongzhi.lists import actions
from gongzhi.lists.models import Demand, ResourceKind, Urgency

pytestmark = pytest.mark.django_db


def lighting() -> Category:
    return Category.objects.filter(active=True, level=3).order_by("id").first()  # type: ignore[return-value]


def full(cast: Any, **extra: Any) -> Demand:
    fields: dict[str, Any] = {
        "acting_user": cast.worker_a, "title": "高层二次供水改造", "area": cast.building_a,
        "description": "1号楼18层以上水压不足", "category": lighting().pk, "beneficiaries": "1号楼高层住户",
        "beneficiary_count": 234, "urgency": Urgency.HIGH, "resource_kinds": ["funds", "service", "funds"],
        "cost_estimate": "2000000", "need_quantity": None,
    }
    fields.update(extra)
    return actions.do_create_demand(**fields)


def test_staff_enter_a_demand_with_every_field(cast: Any) -> None:
    demand = full(cast)
    assert demand.source == Demand.Source.MANUAL and demand.area == cast.building_a
    assert demand.resource_kinds == [ResourceKind.FUNDS, ResourceKind.SERVICE]  # repeats dropped, in kind order
    assert demand.cost_estimate == Decimal("2000000.00") and demand.beneficiary_count == 234
    assert demand.category == lighting() and demand.urgency == "high"
    event = AuditEvent.objects.get(verb="lists.create_demand")
    assert (event.after or {})["beneficiary_count"] == 234


@pytest.mark.parametrize("field, value, message", [
    ("cost_estimate", "-5", "费用估算"),
    ("cost_estimate", "两万", "费用估算"),
    ("beneficiary_count", "-1", "受益人数"),
    ("need_quantity", "abc", "所需数量"),
    ("resource_kinds", ["money"], "资源类型"),
    ("urgency", "panic", "紧急程度"),
    ("category", 999999, "分类"),
    ("title", "  ", "标题"),
])
def test_wrong_fields_are_refused_in_chinese_and_nothing_is_saved(cast: Any, field: str, value: Any,
                                                                   message: str) -> None:
    with pytest.raises(ActionError) as err:
        full(cast, **{field: value})
    assert err.value.field == field and message in err.value.message
    assert not Demand.objects.exists()


def test_each_source_is_checked(cast: Any) -> None:
    council = actions.do_create_demand(acting_user=cast.worker_a, title="加装电梯", area=cast.estate_a,
                                       source=Demand.Source.COUNCIL, source_ref="2026年第三次居民议事会第2项提议",
                                       source_key="meetings.proposal:7")
    assert council.source_key == "meetings.proposal:7"
    with pytest.raises(ActionError) as err:
        actions.do_create_demand(acting_user=cast.worker_a, title="x", area=cast.community_a,
                                 source=Demand.Source.COUNCIL)
    assert err.value.field == "source_ref"
    with pytest.raises(ActionError) as err:
        actions.do_create_demand(acting_user=cast.worker_a, title="x", area=cast.community_a,
                                 source=Demand.Source.SURVEY)
    assert err.value.field == "source_survey"
    with pytest.raises(ActionError) as err:
        actions.do_create_demand(acting_user=cast.worker_a, title="x", area=cast.community_a,
                                 source=Demand.Source.UNIT)
    assert err.value.field == "source_unit"
    stranger = core_actions.do_create_unit(acting_user=None, area=cast.community_b, name="安定商贸公司",
                                           kind=Unit.Kind.ENTERPRISE)
    with pytest.raises(ActionError) as err:  # not registered at community A
        actions.do_create_demand(acting_user=cast.worker_a, title="x", area=cast.community_a,
                                 source=Demand.Source.UNIT, source_unit=stranger)
    assert "未在本社区报到" in err.value.message
    own = actions.do_create_demand(acting_user=cast.worker_a, title="员工子女暑期托管", area=cast.community_a,
                                   source=Demand.Source.UNIT, source_unit=cast.member_unit)
    assert own.source_ref == cast.member_unit.name


def test_a_liaison_adds_only_the_units_own_need_for_the_community(cast: Any) -> None:
    need = actions.do_create_demand(acting_user=cast.liaison, title="物业员工培训场地", area=cast.community_a,
                                    source=Demand.Source.UNIT, source_unit=cast.member_unit,
                                    resource_kinds=["venue"], beneficiary_count=30)
    assert need.source_unit == cast.member_unit
    with pytest.raises(PermissionDenied):
        actions.do_create_demand(acting_user=cast.liaison, title="x", area=cast.community_a)
    with pytest.raises(ActionError) as err:
        actions.do_create_demand(acting_user=cast.liaison, title="x", area=cast.building_a,
                                 source=Demand.Source.UNIT, source_unit=cast.member_unit)
    assert err.value.field == "area"
    with pytest.raises(PermissionDenied):
        actions.do_create_demand(acting_user=cast.liaison, title="x", area=cast.community_b,
                                 source=Demand.Source.UNIT, source_unit=cast.member_unit)
    # The liaison edits and closes the unit's own open need, not the community's demands.
    actions.do_update_demand(need, acting_user=cast.liaison, title="物业员工消防培训场地", beneficiary_count=40)
    other = full(cast)
    with pytest.raises(PermissionDenied):
        actions.do_update_demand(other, acting_user=cast.liaison, title="改")
    actions.do_close_demand(need, acting_user=cast.liaison, reason="已借用单位自有会议室")
    need.refresh_from_db()
    assert need.status == Demand.Status.CLOSED and need.title == "物业员工消防培训场地"


def test_edit_close_and_reopen_touch_the_demand(cast: Any) -> None:
    demand = full(cast)
    old = demand.updated_at
    demand = actions.do_update_demand(demand, acting_user=cast.worker_a, urgency="urgent", resource_kinds=["venue"],
                                      area=cast.estate_a)
    assert demand.updated_at > old and demand.area == cast.estate_a and demand.resource_kinds == ["venue"]
    with pytest.raises(PermissionDenied):
        actions.do_update_demand(demand, acting_user=cast.worker_b, title="x")
    with pytest.raises(PermissionDenied):  # moving it out of one's area
        actions.do_update_demand(demand, acting_user=cast.worker_a, area=cast.building_b)
    with pytest.raises(ActionError) as err:
        actions.do_close_demand(demand, acting_user=cast.worker_a, reason=" ")
    assert err.value.field == "reason"
    actions.do_close_demand(demand, acting_user=cast.worker_a, reason="物业已自行解决")
    with pytest.raises(ActionError):
        actions.do_update_demand(demand, acting_user=cast.worker_a, title="x")
    with pytest.raises(ActionError):
        actions.do_close_demand(demand, acting_user=cast.worker_a, reason="again")
    actions.do_reopen_demand(demand, acting_user=cast.worker_a)
    demand.refresh_from_db()
    assert demand.status == Demand.Status.OPEN and demand.closed_reason == ""
    verbs = list(AuditEvent.objects.filter(verb__startswith="lists.").values_list("verb", flat=True))
    assert {"lists.update_demand", "lists.close_demand", "lists.reopen_demand"} <= set(verbs)


def test_the_pages_add_edit_and_close_a_demand(client: Any, cast: Any) -> None:
    client.force_login(cast.worker_a)
    page = client.get("/lists/demands/new/")
    assert page.status_code == 200 and "居民议事" in page.content.decode()
    response = client.post("/lists/demands/new/", {
        "source": "council", "source_ref": "第三次议事会", "title": "楼道照明改造", "area": cast.estate_a.pk,
        "urgency": "high", "resource_kinds": ["funds", "volunteer_hours"], "cost_estimate": "abc",
        "beneficiary_count": "120",
    })
    assert response.status_code == 400 and not Demand.objects.exists()
    response = client.post("/lists/demands/new/", {
        "source": "council", "source_ref": "第三次议事会", "title": "楼道照明改造", "area": cast.estate_a.pk,
        "urgency": "high", "resource_kinds": ["funds", "volunteer_hours"], "cost_estimate": "8000",
        "beneficiary_count": "120", "need_quantity": "40",
    })
    demand = Demand.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/lists/demands/{demand.pk}/"
    assert demand.source == "council" and demand.need_quantity == 40 and demand.resource_kinds == [
        "funds", "volunteer_hours"]
    html = client.get(f"/lists/demands/{demand.pk}/").content.decode()
    assert "第三次议事会" in html and "居民议事" in html
    response = client.post(f"/lists/demands/{demand.pk}/edit/", {
        "title": "楼道照明改造（1-3号楼）", "area": cast.estate_a.pk, "urgency": "normal", "beneficiary_count": "150",
    })
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.title == "楼道照明改造（1-3号楼）" and demand.beneficiary_count == 150
    client.post(f"/lists/demands/{demand.pk}/close/", {"reason": "并入加装电梯项目"})
    demand.refresh_from_db()
    assert demand.status == "closed" and "并入加装电梯项目" in client.get(f"/lists/demands/{demand.pk}/").content.decode()
    client.force_login(cast.worker_b)
    assert client.get(f"/lists/demands/{demand.pk}/edit/").status_code == 404
    assert client.post(f"/lists/demands/{demand.pk}/close/", {"reason": "x"}).status_code == 404


def test_the_liaison_form_offers_only_the_units_own_need(client: Any, cast: Any) -> None:
    client.force_login(cast.liaison)
    html = client.get("/lists/demands/new/").content.decode()
    assert cast.member_unit.name in html and "社区录入" not in html
    response = client.post("/lists/demands/new/", {
        "source": "unit", "source_unit": cast.member_unit.pk, "title": "员工志愿服务对接", "area": cast.community_a.pk,
        "urgency": "normal",
    })
    assert response.status_code == 302
    demand = Demand.objects.get()
    assert demand.source_unit == cast.member_unit
    assert cast.member_unit.name in client.get(f"/lists/demands/{demand.pk}/").content.decode()


def test_the_list_filters_are_kept_in_the_url_and_bad_values_explained(client: Any, cast: Any) -> None:
    water = full(cast)
    lamp = actions.do_create_demand(acting_user=cast.worker_a, title="楼道照明", area=cast.estate_a,
                                    urgency="low", resource_kinds=["volunteer_hours"])
    client.force_login(cast.worker_a)

    def titles(**params: Any) -> set[str]:
        html = client.get("/lists/demands/", params).content.decode()
        return {d.title for d in (water, lamp) if f">{d.title}<" in html}

    assert titles() == {"高层二次供水改造", "楼道照明"}
    assert titles(urgency="high") == {"高层二次供水改造"}
    assert titles(kind="volunteer_hours") == {"楼道照明"}
    assert titles(kind="funds", q="供水") == {"高层二次供水改造"}
    assert titles(area=cast.building_a.pk) == {"高层二次供水改造"}
    assert titles(category=lighting().pk) == {"高层二次供水改造"}
    assert titles(category=lighting().parent_id) == {"高层二次供水改造"}  # a parent takes in its leaves
    assert titles(source="council") == set()
    html = client.get("/lists/demands/", {"status": "bogus", "area": cast.community_b.pk}).content.decode()
    assert "未知的状态" in html and "不存在或不在您的管辖范围" in html
    html = client.get("/lists/demands/", {"urgency": "high"}).content.decode()
    assert 'value="high" selected' in html


def test_the_demand_api(client: Any, cast: Any) -> None:
    client.force_login(cast.worker_a)
    response = client.post("/api/lists/demands", {
        "area_id": cast.community_a.pk, "title": "老年助餐点", "source": "manual", "beneficiary_count": 80,
        "resource_kinds": ["venue", "service"], "cost_estimate": "30000", "urgency": "high",
        "category_id": lighting().pk,
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    detail = client.get(f"/api/lists/demands/{pk}").json()
    assert detail["resource_kinds"] == ["venue", "service"] and detail["beneficiary_count"] == 80
    response = client.post("/api/lists/demands", {"area_id": cast.community_a.pk, "title": "x", "source": "unit"},
                           content_type="application/json")
    assert response.status_code == 400 and "单位" in response.json()["detail"]
    response = client.post("/api/lists/demands", {"area_id": cast.community_a.pk, "source": "hot_issue"},
                           content_type="application/json")
    assert response.status_code == 400 and "诉求" in response.json()["detail"]
    response = client.patch(f"/api/lists/demands/{pk}", {"need_quantity": 20, "category_id": 0},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["need_quantity"] == 20
    assert response.json()["category_id"] is None and response.json()["title"] == "老年助餐点"
    listed = client.get("/api/lists/demands", {"kind": "venue", "urgency": "high"}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == pk
    response = client.get("/api/lists/demands", {"status": "nope"})
    assert response.status_code == 400 and "状态" in response.json()["detail"]
    response = client.post(f"/api/lists/demands/{pk}/close", {"reason": ""}, content_type="application/json")
    assert response.status_code == 400
    response = client.post(f"/api/lists/demands/{pk}/close", {"reason": "已由街道统筹解决"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    client.force_login(cast.worker_b)
    assert client.get(f"/api/lists/demands/{pk}").status_code == 404
    assert client.get("/api/lists/demands").json()["count"] == 0
    assert client.patch(f"/api/lists/demands/{pk}", {"title": "x"}, content_type="application/json").status_code == 404
