from __future__ import annotations

import io
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.appeals import actions as appeal_actions
from gongzhi.appeals.models import Appeal
from gongzhi.core.models import Area
from gongzhi.lib.text.grouping import HotRecord, group_hot_issues, heat_of, records_from_csv

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.get_fixed_timezone(480))


def rec(i: int, title: str, body: str, *, place: str | None, days_ago: float = 1, resident: str | None = None,
        likes: int = 0) -> HotRecord:
    return HotRecord(id=i, title=title, body=body, created_at=NOW - timedelta(days=days_ago), place_key=place,
                     place_label=place or "", resident_key=resident or f"r{i}", likes=likes)


def fixed_set() -> list[HotRecord]:
    lamp, noise = "/1/2/3/10/", "/1/2/4/20/"
    return [
        rec(1, "和平小区路灯坏了", "和平小区3号楼前的路灯坏了一个星期，晚上很黑，请尽快修理路灯。", place=lamp),
        rec(2, "小区路灯不亮", "和平小区3号楼门口路灯不亮，晚上出门很危险，希望修理路灯。", place=lamp),
        rec(3, "路灯坏了没人修", "和平小区3号楼旁边路灯坏了好几天了，晚上黑漆漆的，请修理。", place=lamp),
        rec(4, "夜间施工噪音扰民", "安定小区旁工地夜间施工噪音很大，影响休息，请处理噪音问题。", place=noise),
        rec(5, "工地噪音太大", "安定小区旁边工地晚上施工噪音扰民，严重影响休息。", place=noise),
        rec(6, "咨询社保卡办理", "请问社保卡丢失后如何补办，需要带哪些材料？", place=lamp),
    ]


def test_it_groups_a_small_fixed_set() -> None:
    groups = group_hot_issues(fixed_set(), now=NOW)
    assert [sorted(g.member_ids) for g in groups] == [[1, 2, 3], [4, 5]]  # type: ignore[type-var]
    lamp = groups[0]
    assert lamp.rank == 1 and lamp.count == 3 and lamp.residents == 3
    assert "路灯" in lamp.title and lamp.place_key == "/1/2/3/10/"


def test_it_keeps_the_same_problem_at_different_places_apart() -> None:
    records = fixed_set()[:3] + [
        rec(7, "路灯坏了", "安定小区路灯坏了一个星期，晚上很黑，请尽快修理路灯。", place="/1/2/4/20/"),
        rec(8, "安定小区路灯不亮", "安定小区门口路灯不亮，请修理路灯。", place="/1/2/4/20/"),
    ]
    groups = group_hot_issues(records, now=NOW)
    assert sorted(sorted(g.member_ids) for g in groups) == [[1, 2, 3], [7, 8]]  # type: ignore[type-var]


def test_it_lets_a_community_level_appeal_join_its_estate() -> None:
    records = fixed_set()[:2] + [
        rec(9, "路灯坏了", "和平小区路灯坏了，晚上很黑，请修理路灯。", place="/1/2/3/"),  # the community itself
    ]
    groups = group_hot_issues(records, now=NOW)
    assert [sorted(g.member_ids) for g in groups] == [[1, 2, 9]]  # type: ignore[type-var]


def test_it_raises_heat_with_likes_recency_and_distinct_residents() -> None:
    base = [rec(1, "a", "", place=None, resident="x"), rec(2, "a", "", place=None, resident="y")]
    liked = [rec(1, "a", "", place=None, resident="x", likes=30), rec(2, "a", "", place=None, resident="y")]
    older = [rec(1, "a", "", place=None, resident="x", days_ago=30),
             rec(2, "a", "", place=None, resident="y", days_ago=30)]
    same_resident = [rec(1, "a", "", place=None, resident="x"), rec(2, "a", "", place=None, resident="x")]
    three = [*base, rec(3, "a", "", place=None, resident="z")]
    assert heat_of(liked, NOW) > heat_of(base, NOW)
    assert heat_of(older, NOW) < heat_of(base, NOW)
    assert heat_of(same_resident, NOW) < heat_of(base, NOW)
    assert heat_of(three, NOW) > heat_of(base, NOW)


def test_it_counts_distinct_residents() -> None:
    records = fixed_set()
    records[1] = rec(2, records[1].title, records[1].body, place=records[1].place_key, resident="r1")
    groups = group_hot_issues(records, now=NOW)
    assert groups[0].count == 3 and groups[0].residents == 2


def test_it_groups_thousands_of_real_messages_quickly() -> None:
    path = Path(settings.PROJECT_DIR).parent / "shared/data/messages/hot_candidates.csv"
    if not path.exists():
        pytest.skip(f"{path} is not here")
    records = records_from_csv(path)
    assert len(records) == 4316
    start = time.perf_counter()
    groups = group_hot_issues(records, half_life_days=365)
    elapsed = time.perf_counter() - start
    for g in groups[:5]:
        print(f"{g.rank}. heat {g.heat} · {g.count} messages · {g.likes} likes · {g.title}")
    assert elapsed < 20
    assert len(groups) > 100
    # The best-known cluster of this data: residents of 丽发新城 against a concrete mixing plant next door.
    top = groups[:3]
    assert any("搅拌" in g.title and g.count >= 20 for g in top)
    for g in groups[:5]:
        assert g.count >= 5


# ---------------------------------------------------------------------------------------------------
# the page, scoped by the appeals a user may see


def submit(title: str, body: str, area: Area, phone: str = "13800000001") -> Appeal:
    return appeal_actions.do_submit_appeal(acting_user=None, title=title, body=body, callback_phone=phone, area=area,
                                           system=True)


@pytest.fixture
def appeals(cast):  # type: ignore[no-untyped-def]
    a = [
        submit("和平小区路灯坏了", "和平小区1号楼前的路灯坏了一个星期，晚上很黑，请尽快修理路灯。", cast.building_a, "13800000001"),
        submit("小区路灯不亮", "和平小区1号楼门口路灯不亮，晚上出门很危险，希望修理路灯。", cast.estate_a, "13800000002"),
        submit("路灯坏了没人修", "和平小区1号楼旁边路灯坏了好几天了，晚上黑漆漆的，请修理。", cast.grid_a, "13800000003"),
    ]
    b = [
        submit("安定小区路灯坏了", "安定小区2号楼前的路灯坏了一个星期，晚上很黑，请尽快修理路灯。", cast.building_b, "13900000001"),
        submit("安定小区路灯不亮", "安定小区2号楼门口路灯不亮，晚上出门很危险，希望修理路灯。", cast.estate_b, "13900000002"),
    ]
    return a, b


def test_it_shows_hot_issues_in_chinese_within_scope(client, cast, appeals) -> None:  # type: ignore[no-untyped-def]
    in_scope, out_of_scope = appeals
    client.force_login(cast.worker_a)
    response = client.get("/intelligence/hot/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "热点诉求" in html and "热度" in html and "转为需求" in html
    assert "和平里社区 和平小区" in html
    for appeal in in_scope:
        assert f"/appeals/cases/{appeal.case_id}/" in html
    for appeal in out_of_scope:
        assert f"/appeals/cases/{appeal.case_id}/" not in html
    assert "安定小区路灯" not in html


def test_it_filters_by_window_and_area(client, cast, appeals) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.district_admin)
    html = client.get(f"/intelligence/hot/?days=7&area={cast.community_b.pk}").content.decode()
    assert "安定小区路灯" in html and "和平小区路灯坏了" not in html
    Appeal.objects.update(created_at=timezone.now() - timedelta(days=40))
    html = client.get("/intelligence/hot/?days=30").content.decode()
    assert "路灯" not in html
    assert "路灯" in client.get("/intelligence/hot/?days=90").content.decode()


def test_it_refuses_residents_and_anonymous_users(client, cast, appeals) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/intelligence/hot/").status_code == 302
    client.force_login(cast.resident_user)
    assert client.get("/intelligence/hot/").status_code == 403
    assert client.get("/intelligence/hot/export/").status_code == 403
    assert client.get("/api/intelligence/hot/").status_code == 403


def test_it_hides_areas_out_of_scope(client, cast, appeals) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    assert client.get(f"/intelligence/hot/?area={cast.community_b.pk}").status_code == 404


def test_it_exports_xlsx(client, cast, appeals) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    response = client.get("/intelligence/hot/export/?days=30")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(ws.values)
    assert rows[0][:3] == ("排名", "热点问题", "地点")
    assert len(rows) == 2 and rows[1][3] == 3


def test_it_lists_hot_issues_over_the_api(client, cast, appeals) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    data = client.get("/api/intelligence/hot/?days=30").json()
    assert len(data) == 1 and data[0]["appeals"] == 3 and data[0]["residents"] == 3
    assert sorted(data[0]["appeal_ids"]) == sorted(a.pk for a in appeals[0])
