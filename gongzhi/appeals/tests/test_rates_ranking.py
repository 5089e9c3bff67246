"""Rankings read right: ties share a rank (并列, 1, 1, 3), rows resting on too few follow-ups are listed but not
ranked (APPEALS_RANKING_MIN_FOLLOW_UPS), each rate says how many follow-ups it rests on, the export names the
ranked column 单位 / 街道."""

# mypy: disable-error-code="arg-type,operator,union-attr"
from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from openpyxl import load_workbook

from gongzhi.appeals import actions, exports, rates
from gongzhi.appeals.rates import RateRow

from .conftest import replied

TZ = ZoneInfo("Asia/Shanghai")
MARCH = date(2026, 3, 1)


def row(key: int, name: str, composite: float, followed_up: int = 10) -> RateRow:
    return RateRow(key=key, name=name, followed_up=followed_up, contacted=followed_up, solved=0, satisfied=0,
                   basically_satisfied=0, response_rate=1.0, resolution_rate=0.0, satisfaction_rate=0.0,
                   composite=composite)


def test_it_ranks_ties_as_ties_with_competition_ranks():
    rows = rates.rank_rows([row(1, "乙局", 0.9), row(2, "甲局", 0.9), row(3, "丙局", 0.8), row(4, "丁局", 0.95)],
                           minimum=5)
    assert [(r.name, r.rank, r.tied) for r in rows] == [
        ("丁局", 1, False), ("乙局", 2, True), ("甲局", 2, True), ("丙局", 4, False)]


def test_it_ties_scores_that_read_the_same():
    # 90.04 and 90.0 both show as 90.0: one rank.
    rows = rates.rank_rows([row(1, "甲", 0.9004), row(2, "乙", 0.9)], minimum=0)
    assert [r.rank for r in rows] == [1, 1]


def test_it_lists_thin_rows_last_without_a_rank():
    rows = rates.rank_rows([row(1, "满分但只有一件", 1.0, followed_up=1), row(2, "甲局", 0.7), row(3, "乙局", 0.6)],
                           minimum=5)
    assert [(r.name, r.rank, r.ranked) for r in rows] == [
        ("甲局", 1, True), ("乙局", 2, True), ("满分但只有一件", None, False)]


def _follow(cast, ac, n: int, **kw):
    for _ in range(n):
        case = replied(cast, ac)
        actions.do_follow_up_case(case, acting_user=ac.caller, **kw)


def test_it_uses_the_setting_and_shows_it_on_the_page_and_in_the_export(cast, ac, client, settings):
    settings.APPEALS_RANKING_MIN_FOLLOW_UPS = 3
    with time_machine.travel(datetime(2026, 3, 10, 10, tzinfo=TZ), tick=False):
        _follow(cast, ac, 2, contacted=True, solved=True, satisfaction="satisfied")
    [dept] = rates.department_ranking(MARCH)
    assert dept.rank is None and not dept.ranked
    client.force_login(cast.worker_a)
    page = client.get("/appeals/rates/?month=2026-03").content.decode()
    assert "样本不足" in page and "基于 2 件回访" in page and "基于 2 件有效回访" in page
    sheet = load_workbook(io.BytesIO(exports.ranking_bytes(MARCH)))
    departments, subdistricts = sheet.worksheets
    assert [c.value for c in departments[1]][:2] == ["排名", "单位"]
    assert [c.value for c in subdistricts[1]][:2] == ["排名", "街道"]
    assert departments[2][0].value == "样本不足"
    api = client.get("/api/appeals/rates/2026-03/departments").json()
    assert api[0]["rank"] is None and api[0]["tied"] is False

    with time_machine.travel(datetime(2026, 3, 11, 10, tzinfo=TZ), tick=False):
        _follow(cast, ac, 1, contacted=True, solved=True, satisfaction="satisfied")
    [dept] = rates.department_ranking(MARCH)
    assert dept.rank == 1
    page = client.get("/appeals/rates/?month=2026-03").content.decode()
    assert "样本不足" not in page.split("data-testid=\"department-rates\"")[1].split("</table>")[0]
