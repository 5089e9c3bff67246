"""Worklist search, filters and sort: each filter narrows, sorts order, nothing outside the scope ever shows,
bad values give a Chinese message (400, never 500), phone search only for the roles that may, and the export is
exactly the list shown."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from openpyxl import load_workbook

from gongzhi.appeals import actions
from gongzhi.appeals.models import Case, Category
from gongzhi.appeals.worklist_filters import parse_date, parse_filters
from gongzhi.core.models import AuditEvent

from .conftest import AppealsCast

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class World:
    a_old: Case  # community A, pending, 2026-11-02, web
    a_new: Case  # community A, pending, 2026-11-20, hotline, urgent
    a_run: Case  # community A, dispatched to the department, 2026-11-10
    b_case: Case  # community B: outside worker_a's scope


def _submit(cast: Any, when: datetime, **kw: Any) -> Case:
    data: dict[str, Any] = {"acting_user": None, "system": True, "title": "垃圾没人清", "body": "小区门口垃圾三天没清运了",
                            "callback_phone": "13800138000", "area": cast.building_a}
    data.update(kw)
    with time_machine.travel(when, tick=False):
        appeal = actions.do_submit_appeal(**data)
    assert appeal.case is not None
    return appeal.case


@pytest.fixture
def world(cast: Any, ac: AppealsCast) -> World:
    a_old = _submit(cast, datetime(2026, 11, 2, 9, 0, tzinfo=TZ), title="楼道灯坏了", callback_phone="13811112222")
    a_new = _submit(cast, datetime(2026, 11, 20, 9, 0, tzinfo=TZ), title="停车位被占", channel="hotline",
                    urgency="urgent")
    a_run = _submit(cast, datetime(2026, 11, 10, 9, 0, tzinfo=TZ), title="垃圾桶满了")
    with time_machine.travel(datetime(2026, 11, 10, 10, 0, tzinfo=TZ), tick=False):
        a_run = actions.do_dispatch_case(a_run, acting_user=cast.worker_a, lead_unit=cast.department, category=ac.leaf)
    b_case = _submit(cast, datetime(2026, 11, 15, 9, 0, tzinfo=TZ), title="楼道灯坏了", area=cast.building_b,
                     callback_phone="13811112222")
    return World(a_old=a_old, a_new=a_new, a_run=a_run, b_case=b_case)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ids(response: Any) -> list[int]:
    return [case.pk for case in response.context["page"].object_list]


def test_it_narrows_by_each_filter(cast: Any, ac: AppealsCast, world: World) -> None:
    client = _client(cast.district_admin)
    url = "/appeals/worklist/pending_dispatch/"
    assert set(_ids(client.get(url))) == {world.a_old.pk, world.a_new.pk, world.b_case.pk}
    assert _ids(client.get(url, {"area": cast.community_b.pk})) == [world.b_case.pk]
    assert set(_ids(client.get(url, {"area": cast.subdistrict_a.pk}))) == {world.a_old.pk, world.a_new.pk}
    assert _ids(client.get(url, {"channel": "hotline"})) == [world.a_new.pk]
    assert _ids(client.get(url, {"urgency": "urgent"})) == [world.a_new.pk]
    assert set(_ids(client.get(url, {"q": "楼道灯"}))) == {world.a_old.pk, world.b_case.pk}
    assert _ids(client.get(url, {"q": f"#{world.a_new.pk}"})) == [world.a_new.pk]
    code = world.a_new.appeals.get().tracking_code
    assert _ids(client.get(url, {"q": code.lower()})) == [world.a_new.pk]
    days = {"submitted_from": "2026-11-10", "submitted_to": "2026年11月20日"}
    assert set(_ids(client.get(url, days))) == {world.a_new.pk, world.b_case.pk}
    assert _ids(client.get(url, {**days, "area": cast.community_a.pk})) == [world.a_new.pk]
    everything = client.get("/appeals/worklist/all/", {"category": str(ac.leaf.parent_id)})
    assert _ids(everything) == [world.a_run.pk]  # a second-level category finds the cases of its leaves
    assert _ids(client.get("/appeals/worklist/all/", {"unit": cast.department.pk})) == [world.a_run.pk]
    assert _ids(client.get("/appeals/worklist/all/", {"status": "dispatched"})) == [world.a_run.pk]


def test_it_sorts(cast: Any, world: World) -> None:
    client = _client(cast.worker_a)
    url = "/appeals/worklist/pending_dispatch/"
    assert _ids(client.get(url)) == [world.a_old.pk, world.a_new.pk]  # the list's own order: oldest first
    assert _ids(client.get(url, {"sort": "-submitted"})) == [world.a_new.pk, world.a_old.pk]
    assert _ids(client.get(url, {"sort": "submitted"})) == [world.a_old.pk, world.a_new.pk]
    all_url = "/appeals/worklist/all/"
    assert _ids(client.get(all_url, {"sort": "due"}))[0] == world.a_run.pk  # the only one with a deadline
    # last change: a_old submitted 11-02, a_run dispatched 11-10, a_new submitted 11-20
    assert _ids(client.get(all_url, {"sort": "-changed"})) == [world.a_new.pk, world.a_run.pk, world.a_old.pk]
    assert _ids(client.get(all_url, {"sort": "changed"})) == [world.a_old.pk, world.a_run.pk, world.a_new.pk]


def test_it_never_shows_cases_outside_the_scope(cast: Any, ac: AppealsCast, world: World) -> None:
    client = _client(cast.worker_a)
    for params in ({}, {"q": "楼道灯"}, {"q": f"#{world.b_case.pk}"}, {"q": "13811112222"},
                   {"submitted_from": "2026-11-01"}, {"sort": "-changed"}, {"category": ac.leaf.pk}):
        for name in ("pending_dispatch", "all"):
            assert world.b_case.pk not in _ids(client.get(f"/appeals/worklist/{name}/", params))
    response = client.get("/appeals/worklist/all/", {"area": cast.community_b.pk})
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.content.decode()
    assert world.b_case.pk not in _ids(response)


@pytest.mark.parametrize("params", [
    {"area": "abc"}, {"area": "999999"}, {"unit": "x"}, {"category": "-1"}, {"channel": "fax"}, {"urgency": "!!"},
    {"deadline": "yesterday"}, {"sort": "title; drop table"}, {"submitted_from": "12/01/2026"},
    {"submitted_to": "2026-02-30"}, {"submitted_from": "2026-12-02", "submitted_to": "2026-12-01"}, {"q": "长" * 51},
    {"status": "nope"},
])
def test_bad_filter_values_give_a_chinese_message_not_a_500(cast: Any, world: World, params: dict[str, str]) -> None:
    client = _client(cast.worker_a)
    response = client.get("/appeals/worklist/pending_dispatch/", params)
    assert response.status_code == 400
    assert re.search("[\u4e00-\u9fff]", " ".join(response.context["errors"]))
    export = client.get("/appeals/worklist/pending_dispatch/export/", params)
    assert export.status_code == 400
    assert re.search("[\u4e00-\u9fff]", export.content.decode())
    api = client.get("/api/appeals/worklists/pending_dispatch", params)
    assert api.status_code == 400


def test_dates_are_read_in_chinese_order_only() -> None:
    assert parse_date("2026-12-01").isoformat() == "2026-12-01"
    assert parse_date("2026年12月1日").isoformat() == "2026-12-01"
    assert parse_date("2026/12/1").isoformat() == "2026-12-01"
    with pytest.raises(ValueError):
        parse_date("12/01/2026")


def test_a_phone_search_finds_cases_for_the_roles_that_may_and_is_audited(cast: Any, world: World) -> None:
    cache.clear()
    client = _client(cast.worker_a)
    response = client.get("/appeals/worklist/pending_dispatch/", {"q": "13811112222"})
    assert _ids(response) == [world.a_old.pk]
    event = AuditEvent.objects.get(verb="core.pii.search")
    assert event.actor == cast.worker_a and "13811112222" not in str(event.after)
    assert (event.after or {})["kind"] == "appeals"


def test_a_phone_search_is_refused_for_roles_without_the_right(cast: Any, ac: AppealsCast, world: World) -> None:
    client = _client(cast.handler)  # a department handler: sees its cases, never searches by phone
    actions.do_accept_assignment(world.a_run.assignments.get(), acting_user=cast.handler)
    response = client.get("/appeals/worklist/all/", {"q": "13800138000"})
    assert response.status_code == 200
    assert _ids(response) == []
    assert response.context["phone_refused"]
    assert "不能按电话号码查找" in response.content.decode()
    assert not AuditEvent.objects.filter(verb="core.pii.search").exists()
    client = _client(cast.district_admin)  # an admin manages but sees personal data masked
    assert _ids(client.get("/appeals/worklist/pending_dispatch/", {"q": "13811112222"})) == []


def test_a_phone_search_is_rate_limited(cast: Any, world: World, settings: Any) -> None:
    cache.clear()
    settings.PII_SEARCH_RATE = (1, 3600)
    client = _client(cast.worker_a)
    assert client.get("/appeals/worklist/pending_dispatch/", {"q": "13811112222"}).status_code == 200
    limited = client.get("/appeals/worklist/pending_dispatch/", {"q": "13811112222"})
    assert limited.status_code == 429
    assert _ids(limited) == []


def test_the_place_reads_estate_and_building(cast: Any, world: World) -> None:
    response = _client(cast.worker_a).get("/appeals/worklist/pending_dispatch/")
    html = response.content.decode()
    assert "和平小区 1号楼" in html
    assert "和平里社区" in html


def test_the_tab_query_is_the_same_list(cast: Any, world: World) -> None:
    client = _client(cast.worker_a)
    by_query = client.get("/appeals/", {"tab": "pending_dispatch", "sort": "-submitted"})
    assert by_query.context["current"] == "pending_dispatch"
    assert _ids(by_query) == [world.a_new.pk, world.a_old.pk]
    assert client.get("/appeals/", {"tab": "nope"}).status_code == 404


def _table(html: str) -> list[list[str]]:
    rows = []
    for row in re.findall(r"<tr data-case=\"\d+\">(.*?)</tr>", html, re.S):
        cells = re.findall(r"<td[^>]*data-col=\"(\w+)\"[^>]*>(.*?)</td>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", value).split("\n")[0].strip() for _col, value in cells])
    return rows


def test_the_export_is_exactly_the_list_shown(cast: Any, world: World) -> None:
    client = _client(cast.district_admin)
    params = {"area": cast.community_a.pk, "submitted_from": "2026-11-01", "sort": "-submitted"}
    page = client.get("/appeals/worklist/pending_dispatch/", params)
    shown = _table(page.content.decode())
    assert len(shown) == 2
    export_link = re.search(r'data-export href="([^"]+)"', page.content.decode())
    assert export_link is not None
    response = client.get(export_link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    name = unquote(disposition.split("''", 1)[1])
    assert re.fullmatch(r"诉求工单-待派单-和平里社区-\d{4}-\d{2}-\d{2}\.xlsx", name)
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws is not None
    rows = [[("" if v is None else str(v)) for v in row] for row in ws.iter_rows(values_only=True)]
    assert rows[0][:10] == ["查询码", "标题", "分类", "社区", "地点", "主办单位", "状态", "提交时间", "办理期限", "最近变更"]
    exported = [[v or "—" for v in row[:10]] for row in rows[1:]]
    assert [[cell.replace("自动", "").strip() for cell in row] for row in shown] == exported


def test_the_api_list_takes_the_same_filters(cast: Any, world: World) -> None:
    client = _client(cast.district_admin)
    response = client.get("/api/appeals/worklists/pending_dispatch", {"area": cast.community_b.pk})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [world.b_case.pk]
    assert client.get("/api/appeals/worklists/all", {"sort": "-submitted"}).status_code == 200


def test_parse_filters_round_trips_to_the_query_string(cast: Any, ac: AppealsCast) -> None:
    leaf = Category.objects.get(pk=ac.leaf.pk)
    filters = parse_filters(cast.worker_a, {"q": " 灯 ", "area": str(cast.community_a.pk), "category": str(leaf.pk),
                                            "submitted_from": "2026年11月1日", "sort": "due"})
    assert filters.errors == ()
    assert filters.query_string() == (f"q=%E7%81%AF&area={cast.community_a.pk}&category={leaf.pk}"
                                      "&submitted_from=2026-11-01&sort=due")
