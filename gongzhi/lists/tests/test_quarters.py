"""The quarterly refresh (每季度动态更新): a community's quarter page (new, changed, met and stale items of each list),
closing a quarter into a snapshot, past quarters read from it, two quarters compared, the Excel export."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.errors import ActionError
from gongzhi.core.models import AuditEvent
from gongzhi.lists.actions import quarters as quarter_actions
from gongzhi.lists.models import Demand, Project, QuarterSnapshot, Resource, ServiceAgreement
from gongzhi.lists.quarters import Quarter, compare, quarter_view, snapshot_data
from gongzhi.test import Cast, race, require_postgresql

from .public_fixtures import add_milestone, add_update, make_demand, make_project

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
Q3 = Quarter(2026, 3)
Q4 = Quarter(2026, 4)


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=TZ)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(at("2026-09-20"), tick=False) as traveller:
        yield traveller


def resource(cast: Cast, title: str, *, created: datetime, valid_until: date | None = None,
             **fields: Any) -> Resource:
    return Resource.objects.create(kind=Resource.Kind.VENUE, title=title, provider_unit=cast.member_unit,
                                   area=cast.community_a, capacity_unit="people", capacity=Decimal(40),
                                   valid_until=valid_until, created_at=created, updated_at=created, **fields)


@pytest.fixture
def lists(cast: Cast, clock: Any) -> dict[str, Any]:
    """Community A's lists on 2026-09-20, late in Q3, and one row of community B."""
    old = at("2026-03-01")
    rows: dict[str, Any] = {
        "stale": make_demand(cast.community_a, "楼顶防水", at=old),  # open, untouched since March
        "touched": make_demand(cast.community_a, "健身器材", at=old),
        "new": make_demand(cast.community_a, "老年食堂", at=at("2026-07-15"), beneficiaries=80),
        "met": make_demand(cast.community_a, "楼道照明", at=at("2026-05-10"), status=Demand.Status.MET,
                           met_at=at("2026-08-30"), beneficiaries=96),
        "met_long_ago": make_demand(cast.community_a, "去年的需求", at=at("2025-05-10"), status=Demand.Status.MET,
                                    met_at=at("2025-08-30")),
        "other": make_demand(cast.community_b, "安定门的需求", at=old),
        "venue": resource(cast, "党群服务中心活动室", created=at("2026-08-01")),
        "expired": resource(cast, "暑期托管场地", created=old, valid_until=date(2026, 8, 31)),
    }
    Demand.objects.filter(pk=rows["touched"].pk).update(updated_at=at("2026-08-20"))
    rows["finished"] = make_project(cast.community_a, "楼道照明改造", status=Project.Status.FINISHED,
                                    lead=cast.member_unit, demands=(rows["met"],), at=at("2026-06-01"),
                                    finished_at=at("2026-08-30"))
    rows["late"] = make_project(cast.community_a, "加装电梯", lead=cast.member_unit, progress=30,
                                at=at("2026-07-01"))
    add_milestone(rows["late"], "井道施工", date(2026, 9, 1))
    add_update(rows["late"], 30, "开工", at=at("2026-07-20"))
    return rows


def ids(view: Any, name: str, flag: str) -> set[int]:
    return {r["id"] for r in view.rows(name, flag)}


def test_the_quarter_under_way_shows_new_changed_met_and_stale(cast: Cast, lists: dict[str, Any]) -> None:
    view = quarter_view(cast.community_a, Q3)
    assert not view.closed
    demands = {r["id"] for r in view.rows("demands")}
    assert lists["met_long_ago"].pk not in demands and lists["other"].pk not in demands
    assert ids(view, "demands", "new") == {lists["new"].pk}
    assert ids(view, "demands", "changed") == {lists["touched"].pk}
    assert ids(view, "demands", "met") == {lists["met"].pk}
    assert ids(view, "demands", "stale") == {lists["stale"].pk}
    assert ids(view, "resources", "new") == {lists["venue"].pk}
    assert ids(view, "resources", "stale") == {lists["expired"].pk}
    assert ids(view, "projects", "finished") == {lists["finished"].pk}
    assert ids(view, "projects", "stale") == {lists["late"].pk}
    counts = view.counts("demands")
    assert (counts["total"], counts["new"], counts["met"], counts["stale"]) == (4, 1, 1, 1)
    assert counts["by_status"] == {"open": 3, "met": 1}


def test_the_page_lists_them_with_counts_and_links(cast: Cast, lists: dict[str, Any]) -> None:
    client = Client()
    client.force_login(cast.worker_a)
    response = client.get(reverse("lists:quarter_current", args=[cast.community_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026年第3季度" in html and "本季度进行中" in html
    assert 'data-count="demands-stale">90 天无人跟进 1<' in html
    assert 'data-count="projects-stale">节点逾期 1<' in html and 'data-count="resources-stale">已过有效期 1<' in html
    assert "楼顶防水" in html and reverse("lists:demand", args=[lists["stale"].pk]) in html
    assert "安定门的需求" not in html
    assert "关闭本季度" in html


def test_closing_snapshots_the_three_lists(cast: Cast, lists: dict[str, Any]) -> None:
    snapshot = quarter_actions.do_close_quarter(cast.community_a, Q3, acting_user=cast.worker_a)
    data = QuarterSnapshot.objects.get(pk=snapshot.pk).data
    assert data["version"] == 1 and data["quarter"] == "2026-Q3"
    row = next(r for r in data["lists"]["demands"] if r["id"] == lists["new"].pk)
    assert row == {"id": lists["new"].pk, "title": "老年食堂", "status": "open", "area": cast.community_a.name,
                   "beneficiaries": 80, "urgency": "normal", "last_change": "2026-07-15", "flags": ["new"]}
    venue = next(r for r in data["lists"]["resources"] if r["id"] == lists["venue"].pk)
    assert (venue["capacity"], venue["promised"], venue["remaining"], venue["provider"]) == (
        "40", "0", "40", cast.member_unit.name)
    late = next(r for r in data["lists"]["projects"] if r["id"] == lists["late"].pk)
    assert (late["status"], late["progress"], late["overdue"], late["lead_unit"]) == (
        "in_progress", 30, 1, cast.member_unit.name)
    assert data["counts"]["projects"]["finished"] == 1 and data["counts"]["resources"]["total"] == 2
    assert snapshot.closed_by == cast.worker_a
    event = AuditEvent.objects.get(verb="lists.close_quarter")
    assert event.actor == cast.worker_a and event.after is not None
    assert event.after["counts"]["demands"]["stale"] == 1


def test_a_quarter_is_closed_once(cast: Cast, lists: dict[str, Any]) -> None:
    quarter_actions.do_close_quarter(cast.community_a, Q3, acting_user=cast.worker_a)
    with pytest.raises(ActionError, match="已于 2026-09-20 10:00 关闭"):
        quarter_actions.do_close_quarter(cast.community_a, Q3, acting_user=cast.worker_a)
    with pytest.raises(ActionError, match="还没有开始"):
        quarter_actions.do_close_quarter(cast.community_a, Q4, acting_user=cast.worker_a)
    client = Client()
    client.force_login(cast.worker_a)
    response = client.post(reverse("lists:quarter_close", args=[cast.community_a.pk, Q3.slug]), follow=True)
    assert "每个季度只关闭一次" in response.content.decode()
    assert QuarterSnapshot.objects.count() == 1
    # The closed quarter's page has no closing button any more.
    assert "关闭本季度" not in client.get(reverse("lists:quarter", args=[cast.community_a.pk, Q3.slug])).content.decode()


def test_a_past_quarter_is_read_from_its_snapshot_after_later_edits(
        cast: Cast, lists: dict[str, Any], clock: Any) -> None:
    quarter_actions.do_close_quarter(cast.community_a, Q3, acting_user=cast.worker_a)
    clock.move_to(at("2026-11-10"))
    Demand.objects.filter(pk=lists["new"].pk).update(title="老年食堂（已改名）", status=Demand.Status.MET,
                                                     met_at=at("2026-11-01"), updated_at=at("2026-11-01"))
    Project.objects.filter(pk=lists["late"].pk).update(status=Project.Status.FINISHED, progress=100,
                                                       finished_at=at("2026-11-02"), updated_at=at("2026-11-02"))
    make_demand(cast.community_a, "十月的新需求", at=at("2026-10-08"))
    q3 = quarter_view(cast.community_a, Q3)
    assert q3.closed
    row = next(r for r in q3.rows("demands") if r["id"] == lists["new"].pk)
    assert (row["title"], row["status"]) == ("老年食堂", "open")
    assert "十月的新需求" not in {r["title"] for r in q3.rows("demands")}
    assert next(r for r in q3.rows("projects") if r["id"] == lists["late"].pk)["status"] == "in_progress"
    client = Client()
    client.force_login(cast.worker_a)
    html = client.get(reverse("lists:quarter", args=[cast.community_a.pk, Q3.slug])).content.decode()
    assert "老年食堂" in html and "已改名" not in html and "和平里社工于" in html


def test_an_unclosed_past_quarter_is_rebuilt_from_the_dates(cast: Cast, lists: dict[str, Any], clock: Any) -> None:
    """Nobody closed Q3; in November its page still shows the lists as they stood on 30 September."""
    ServiceAgreement.objects.create(project=lists["late"], status=ServiceAgreement.Status.SIGNED,
                                    signed_at=at("2026-07-10"))
    clock.move_to(at("2026-11-10"))
    Project.objects.filter(pk=lists["late"].pk).update(status=Project.Status.FINISHED, progress=100,
                                                       finished_at=at("2026-11-02"), updated_at=at("2026-11-02"))
    add_update(lists["late"], 80, "主体完工", at=at("2026-10-20"))
    Demand.objects.filter(pk=lists["stale"].pk).update(updated_at=at("2026-10-05"))
    data = snapshot_data(cast.community_a, Q3)
    late = next(r for r in data["lists"]["projects"] if r["id"] == lists["late"].pk)
    assert (late["status"], late["progress"], late["overdue"], late["flags"]) == ("in_progress", 30, 1,
                                                                                   ["new", "stale"])
    stale = next(r for r in data["lists"]["demands"] if r["id"] == lists["stale"].pk)
    assert "stale" in stale["flags"]  # touched in October, after the quarter: still stale at its end
    # And Q4, under way, has it finished.
    q4 = snapshot_data(cast.community_a, Q4)
    assert next(r for r in q4["lists"]["projects"] if r["id"] == lists["late"].pk)["flags"] == ["changed", "finished"]


def test_two_quarters_compared(cast: Cast, lists: dict[str, Any], clock: Any) -> None:
    quarter_actions.do_close_quarter(cast.community_a, Q3, acting_user=cast.worker_a)
    clock.move_to(at("2026-11-10"))
    Demand.objects.filter(pk=lists["new"].pk).update(status=Demand.Status.IN_PROJECT, updated_at=at("2026-11-01"))
    fresh = make_demand(cast.community_a, "十月的新需求", at=at("2026-10-08"))
    result = compare(quarter_view(cast.community_a, Q3), quarter_view(cast.community_a, Q4))
    moved = {c.id: (c.before, c.after) for c in result["changes"]["demands"]}
    assert moved[lists["new"].pk] == ("open", "in_project")
    assert moved[fresh.pk] == ("", "open")
    assert moved[lists["met"].pk] == ("met", "")  # met in Q3: not on Q4's list
    total = next(row for row in result["counts"]["demands"] if row[0] == "total")
    assert total[1:] == (4, 4, 0)
    client = Client()
    client.force_login(cast.worker_a)
    response = client.get(reverse("lists:quarter_compare", args=[cast.community_a.pk]), {"a": "2026-Q3",
                                                                                          "b": "2026-Q4"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "老年食堂" in html and "十月的新需求" in html and "未在清单中" in html and "已移出清单" in html
    assert "已关闭（存档）" in html and "进行中（当前情况）" in html


def test_the_export_has_a_sheet_per_list_and_no_formulas(cast: Cast, lists: dict[str, Any]) -> None:
    Demand.objects.filter(pk=lists["new"].pk).update(title="=HYPERLINK(\"http://x\")")
    client = Client()
    client.force_login(cast.worker_a)
    response = client.get(reverse("lists:quarter_export", args=[cast.community_a.pk, Q3.slug]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["概览", "需求清单", "资源清单", "项目清单"]
    demands = list(wb["需求清单"].iter_rows(values_only=True))
    assert demands[0][:3] == ("编号", "标题", "状态")
    cell = next(c for row in wb["需求清单"].iter_rows() for c in row if "HYPERLINK" in str(c.value))
    assert cell.data_type == "s"  # text, never a formula
    summary = list(wb["概览"].iter_rows(values_only=True))
    assert ("需求清单", 4, 1, 1, 1, 1) in summary


def test_bad_quarters_are_404(cast: Cast, lists: dict[str, Any]) -> None:
    client = Client()
    client.force_login(cast.worker_a)
    for text in ("2026-Q5", "2026", "abcd-Q1", "2027-Q1"):
        assert client.get(reverse("lists:quarter", args=[cast.community_a.pk, text])).status_code == 404, text
    assert Quarter.parse("2026-q3") == Q3 and Q3.start == date(2026, 7, 1) and Q3.end == date(2026, 10, 1)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4) and Q4.next() == Quarter(2027, 1)
    assert (Q3.start_at - timedelta(seconds=1)).date() == date(2026, 6, 30)


@pytest.mark.django_db(transaction=True)
def test_two_closings_racing_make_one_snapshot(cast: Cast) -> None:
    require_postgresql("two transactions closing the same quarter")
    make_demand(cast.community_a, "楼顶防水")
    quarter = Quarter.current()
    results = race(*[lambda: quarter_actions.do_close_quarter(cast.community_a, quarter, acting_user=cast.worker_a)
                     for _ in range(2)])
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "QuarterSnapshot"]
    assert QuarterSnapshot.objects.count() == 1


def test_the_quarter_page_reads_in_a_fixed_number_of_queries(cast: Cast, lists: dict[str, Any]) -> None:
    client = Client()
    client.force_login(cast.worker_a)
    url = reverse("lists:quarter", args=[cast.community_a.pk, Q3.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(6):
        demand = make_demand(cast.community_a, f"需求{i}", at=at("2026-08-01"))
        project = make_project(cast.community_a, f"项目{i}", lead=cast.member_unit, demands=(demand,),
                               at=at("2026-08-02"))
        add_milestone(project, "节点", date(2026, 9, 1))
        resource(cast, f"资源{i}", created=at("2026-08-03"))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
