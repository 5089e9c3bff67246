"""Duplicate detection: same problem, same place, still open, recent — precision first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.utils import timezone

from gongzhi.appeals import actions as appeals_actions
from gongzhi.appeals.models import Appeal, Case, Category
from gongzhi.intelligence.duplicates import find_duplicates, normalize_address, similarities

LEAK = ("3号楼楼顶漏水", "我家住3号楼顶层，最近下雨楼顶一直漏水，墙面都泡坏了，请尽快维修。")
# A neighbour writing about the same leak (cosine ≈ 0.65: above 0.5, below the community-only 0.8).
LEAK_AGAIN = ("楼顶漏水", "3号楼顶层最近下雨楼顶一直漏水，墙面都泡坏了，请尽快维修，谢谢。")
NOISE = ("夜间施工噪音", "小区旁边工地每天晚上十一点以后还在施工，噪音太大没法睡觉。")


def submit(cast: Any, title: str, body: str, area: Any = None, **kw: Any) -> Appeal:
    return appeals_actions.do_submit_appeal(acting_user=cast.resident_user, title=title, body=body,
                                            callback_phone="13800138000", area=area or cast.building_a, **kw)


def test_it_finds_a_clear_duplicate_in_the_same_building(cast: Any) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        first = submit(cast, *LEAK)
    second = submit(cast, *LEAK_AGAIN)
    found = find_duplicates(second)
    assert [d.appeal for d in found] == [first]
    d = found[0]
    assert d.place == "building" and d.days == 3 and d.similarity >= 0.5
    assert d.reason.startswith("同一楼栋，内容相似度 ") and d.reason.endswith("，3 天前提交")


def test_it_ignores_the_same_text_in_another_estate(cast: Any) -> None:
    submit(cast, *LEAK, area=cast.building_b)
    assert find_duplicates(submit(cast, *LEAK)) == []


def test_it_ignores_another_problem_at_the_same_place(cast: Any) -> None:
    submit(cast, *NOISE)
    assert find_duplicates(submit(cast, *LEAK)) == []


def test_it_ignores_closed_and_merged_cases(cast: Any) -> None:
    closed = submit(cast, *LEAK)
    Case.objects.filter(pk=closed.case_id or 0).update(status=Case.Status.CLOSED)
    assert find_duplicates(submit(cast, *LEAK_AGAIN)) == []


def test_it_ignores_appeals_outside_the_window(cast: Any) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        submit(cast, *LEAK)
    assert find_duplicates(submit(cast, *LEAK_AGAIN)) == []


def test_it_needs_very_similar_text_when_only_the_community_is_shared(cast: Any) -> None:
    first = submit(cast, *LEAK, area=cast.community_a)
    assert find_duplicates(submit(cast, *LEAK_AGAIN, area=cast.building_a)) == []  # similar, not near-identical
    found = find_duplicates(submit(cast, *LEAK, area=cast.estate_b.parent))  # community B: not the same place
    assert found == []
    found = find_duplicates(submit(cast, *LEAK, area=cast.grid_a))
    assert found[0].appeal == first and found[0].place == "community" and found[0].similarity > 0.99


def test_it_matches_identical_free_addresses(cast: Any) -> None:
    def hotline(title: str, body: str, address: str) -> Appeal:
        return appeals_actions.do_submit_appeal(acting_user=None, title=title, body=body, address=address,
                                                callback_phone="13800138000", system=True)

    first = hotline(*LEAK, "和平路12号3号楼")
    hotline(*LEAK, "安定路8号")
    second = hotline(*LEAK_AGAIN, "和平路12号3号楼")
    found = find_duplicates(second)
    assert [d.appeal for d in found] == [first] and found[0].place == "address"
    assert found[0].reason.startswith("同一地址")
    assert normalize_address("和平路 12 号3号楼") == normalize_address("和平路１２号，3号楼")


def test_it_shows_duplicates_on_the_case_page_and_merges(client: Any, cast: Any) -> None:
    first = submit(cast, *LEAK)
    second = submit(cast, *LEAK_AGAIN)
    client.force_login(cast.worker_a)
    page = client.get(f"/appeals/cases/{second.case_id}/").content.decode()
    assert "疑似重复诉求" in page and first.masked_code in page and "合并到该工单" in page
    assert "合并到本工单" in page  # the earlier case also waits for dispatch
    response = client.post(f"/appeals/cases/{second.case_id}/merge_duplicate/",
                           {"other": first.case_id, "direction": "there"})
    assert response.status_code == 302 and response["Location"] == f"/appeals/cases/{first.case_id}/"
    second.refresh_from_db()
    assert second.case_id == first.case_id
    assert Case.objects.get(pk=first.case_id or 0).appeals.count() == 2


def test_it_hides_duplicates_from_users_who_cannot_dispatch(client: Any, cast: Any) -> None:
    submit(cast, *LEAK)
    second = submit(cast, *LEAK_AGAIN)
    assert second.case is not None
    appeals_actions.do_dispatch_case(second.case, acting_user=cast.worker_a, lead_unit=cast.department,
                                     category=Category.objects.get(name="房屋漏雨"))
    client.force_login(cast.handler)
    assert "疑似重复诉求" not in client.get(f"/appeals/cases/{second.case_id}/").content.decode()
    assert client.get(f"/api/intelligence/cases/{second.case_id}/duplicates").status_code == 403
    client.force_login(cast.worker_b)
    assert client.get(f"/api/intelligence/cases/{second.case_id}/duplicates").status_code == 404


def test_it_lists_duplicates_over_the_api(client: Any, cast: Any) -> None:
    first = submit(cast, *LEAK)
    second = submit(cast, *LEAK_AGAIN)
    client.force_login(cast.worker_a)
    rows = client.get(f"/api/intelligence/cases/{second.case_id}/duplicates").json()
    assert [r["case_id"] for r in rows] == [first.case_id]
    assert rows[0]["reason"].startswith("同一楼栋") and rows[0]["place"] == "building"


def test_it_scores_identical_texts_as_one() -> None:
    scores = similarities("小区门口路灯坏了", ["小区门口路灯坏了", "工地夜间施工噪音"])
    assert scores[0] > 0.99 and scores[1] < 0.2
