from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.appeals import actions as appeal_actions
from gongzhi.appeals.models import Appeal
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, AuditEvent
from gongzhi.lists import actions, permissions
from gongzhi.lists.models import Demand, MonthlyTheme


def submit(title: str, body: str, area: Area, phone: str) -> Appeal:
    return appeal_actions.do_submit_appeal(acting_user=None, title=title, body=body, callback_phone=phone, area=area,
                                           system=True)


@pytest.fixture
def lamp(cast):  # type: ignore[no-untyped-def]
    return [
        submit("和平小区路灯坏了", "和平小区1号楼前的路灯坏了一个星期，晚上很黑，请尽快修理路灯。", cast.building_a, "13800000001"),
        submit("小区路灯不亮", "和平小区1号楼门口路灯不亮，晚上出门很危险，希望修理路灯。", cast.estate_a, "13800000002"),
        submit("路灯坏了没人修", "和平小区1号楼旁边路灯坏了好几天了，晚上黑漆漆的，请修理。", cast.grid_a, "13800000003"),
    ]


def ids(appeals: list[Appeal]) -> str:
    return ",".join(str(a.pk) for a in appeals)


def test_it_turns_a_hot_issue_into_a_demand(client, cast, lamp) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    form = client.get(f"/lists/demands/new/?source=hot_issue&appeals={ids(lamp)}")
    assert form.status_code == 200
    html = form.content.decode()
    assert "转为需求" in html and "加入需求清单" in html
    assert f'<option value="{cast.community_a.pk}" selected>' in html  # the community the appeals are in

    response = client.post("/lists/demands/new/", {
        "source": "hot_issue", "appeals": ids(lamp), "title": "和平小区路灯维修", "description": "3件诉求",
        "area": cast.community_a.pk,
    })
    assert response.status_code == 302 and response["Location"] == "/lists/demands/"
    demand = Demand.objects.get()
    assert demand.source == Demand.Source.HOT_ISSUE and demand.area == cast.community_a
    assert sorted(demand.appeal_ids) == sorted(a.pk for a in lamp) and demand.created_by == cast.worker_a
    event = AuditEvent.objects.get(verb="lists.create_demand")
    assert event.object_id == str(demand.pk) and event.area_path == cast.community_a.path

    page = client.get("/lists/demands/").content.decode()
    assert "需求清单" in page and "和平小区路灯维修" in page and "热点问题" in page


def test_it_proposes_a_hot_issue_as_the_month_theme(client, cast, lamp) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.subdistrict_staff_a)
    form = client.get(f"/lists/themes/new/?source=hot_issue&appeals={ids(lamp)}").content.decode()
    assert "提议为每月一题" in form and f'<option value="{cast.subdistrict_a.pk}" selected>' in form
    response = client.post("/lists/themes/new/", {
        "source": "hot_issue", "appeals": ids(lamp), "title": "路灯不亮", "description": "", "area": cast.subdistrict_a.pk,
        "month": "2026-04",
    })
    assert response.status_code == 302
    theme = MonthlyTheme.objects.get()
    assert theme.month == date(2026, 4, 1) and theme.status == MonthlyTheme.Status.PROPOSED
    assert "3件诉求" in theme.source_summary
    assert AuditEvent.objects.filter(verb="lists.propose_monthly_theme", object_id=str(theme.pk)).exists()
    # The community below sees its subdistrict's theme.
    client.force_login(cast.worker_a)
    assert "路灯不亮" in client.get("/lists/themes/").content.decode()


def test_it_refuses_what_the_role_may_not_do(client, cast, lamp) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)  # community workers add demands but do not propose themes
    assert client.get(f"/lists/themes/new/?source=hot_issue&appeals={ids(lamp)}").status_code == 403
    client.force_login(cast.worker_b)  # these appeals are outside worker_b's community
    assert client.get(f"/lists/demands/new/?source=hot_issue&appeals={ids(lamp)}").status_code == 404
    client.force_login(cast.resident_user)
    assert client.get("/lists/demands/").status_code == 403
    with pytest.raises(PermissionDenied):
        actions.do_create_demand(acting_user=cast.worker_b, title="x", area=cast.community_a)
    with pytest.raises(ActionError):
        actions.do_create_demand(acting_user=cast.worker_b, title="x", area=cast.community_b,
                                 appeal_ids=[a.pk for a in lamp])
    with pytest.raises(ActionError):
        actions.do_propose_monthly_theme(acting_user=cast.subdistrict_staff_a, month=date(2026, 4, 1), title="x",
                                         area=cast.community_a)
    assert not Demand.objects.exists() and not MonthlyTheme.objects.exists()


def test_it_scopes_the_demand_list(cast) -> None:  # type: ignore[no-untyped-def]
    a = actions.do_create_demand(acting_user=cast.worker_a, title="A", area=cast.community_a)
    b = actions.do_create_demand(acting_user=cast.worker_b, title="B", area=cast.community_b)
    assert list(permissions.visible_to(cast.worker_a, Demand)) == [a]
    assert set(permissions.visible_to(cast.district_admin, Demand)) == {a, b}
    assert not permissions.visible_to(cast.resident_user, Demand).exists()


def test_it_creates_a_demand_over_the_api(client, cast, lamp) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    response = client.post("/api/lists/demands", {"appeal_ids": [a.pk for a in lamp],
                                                  "area_id": cast.community_a.pk},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    demand = Demand.objects.get(pk=response.json()["id"])
    assert demand.title == lamp[0].title and demand.source == "hot_issue"
    response = client.post("/api/lists/themes", {"appeal_ids": [a.pk for a in lamp], "month": "2026-04-01",
                                                 "area_id": cast.subdistrict_a.pk},
                           content_type="application/json")
    assert response.status_code == 403


@pytest.mark.parametrize("raw, message", [
    (str(2**63), "诉求列表无效"),  # past the database's integers: was a 500
    ("9" * 40, "诉求列表无效"),
    ("0", "诉求列表无效"),
    ("²", "诉求列表无效"),  # str.isdigit() but not a number int() reads: was a 500
    ("1,abc", "诉求列表无效"),
    (",".join(str(i) for i in range(1, 1002)), "诉求过多，最多1000件"),  # was cut to 1000 without a word
])
def test_the_source_appeals_are_bounded_with_a_chinese_error(client, cast, lamp, raw, message) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.subdistrict_staff_a)  # may add demands and propose themes
    for url in ("/lists/demands/new/", "/lists/themes/new/"):
        response = client.get(url, {"source": "hot_issue", "appeals": raw})
        assert response.status_code == 400, (url, response.status_code)
        assert message in response.content.decode()
        response = client.post(url, {"source": "hot_issue", "appeals": raw, "title": "t", "area": cast.community_a.pk})
        assert response.status_code == 400 and message in response.content.decode()
    assert not Demand.objects.exists() and not MonthlyTheme.objects.exists()
    # repeats and blanks are still fine
    assert client.get("/lists/demands/new/", {"source": "hot_issue",
                                              "appeals": f"{lamp[0].pk},,{lamp[0].pk}, {lamp[1].pk}"}).status_code == 200
