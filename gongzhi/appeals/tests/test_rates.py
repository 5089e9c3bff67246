# mypy: disable-error-code="arg-type,operator,union-attr"
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongzhi.appeals import actions, rates

from .conftest import replied

TZ = ZoneInfo("Asia/Shanghai")


def follow(cast, ac, **kw):
    case = replied(cast, ac)
    actions.do_follow_up_case(case, acting_user=ac.caller, **kw)
    return case


def test_it_computes_the_three_rates_and_the_composite(cast, ac, client):
    with time_machine.travel(datetime(2026, 3, 10, 10, tzinfo=TZ), tick=False):
        satisfied = follow(cast, ac, contacted=True, solved=True, satisfaction="satisfied")
        basic = follow(cast, ac, contacted=True, solved=False, satisfaction="basically_satisfied")
        follow(cast, ac, contacted=True, solved=False, satisfaction="unsatisfied")
        not_reached = follow(cast, ac, contacted=False)
    with time_machine.travel(datetime(2026, 4, 1, 0, 30, tzinfo=TZ), tick=False):
        follow(cast, ac, contacted=True, solved=True, satisfaction="satisfied")  # next month
    [row] = rates.department_ranking(date(2026, 3, 1))
    assert (row.followed_up, row.contacted, row.solved) == (4, 3, 1)
    assert row.response_rate == pytest.approx(3 / 4)
    assert row.resolution_rate == pytest.approx(1 / 3)
    assert row.satisfaction_rate == pytest.approx((1 + 0.9) / 3)
    assert row.composite == pytest.approx(0.1 * 0.75 + 0.5 / 3 + 0.4 * 1.9 / 3)
    behind = rates.cases_behind(date(2026, 3, 1), figure="satisfied", unit_id=cast.department.pk)
    assert list(behind.values_list("pk", flat=True)) == [satisfied.pk]
    assert basic.pk in rates.cases_behind(date(2026, 3, 1), figure="contacted").values_list("pk", flat=True)
    assert not_reached.pk not in rates.cases_behind(date(2026, 3, 1), figure="contacted").values_list("pk", flat=True)
    [sub] = rates.subdistrict_ranking(date(2026, 3, 1))
    assert sub.name == "和平街道" and sub.followed_up == 4
    actions.do_update_rates_config(acting_user=cast.city_admin, response_weight=0.2, resolution_weight=0.4,
                                   satisfaction_weight=0.4)
    [row] = rates.department_ranking(date(2026, 3, 1))
    assert row.composite == pytest.approx(0.2 * 0.75 + 0.4 / 3 + 0.4 * 1.9 / 3)
    client.force_login(cast.worker_a)
    r = client.get("/api/appeals/rates/2026-03/departments")
    assert r.status_code == 200 and r.json()[0]["followed_up"] == 4
    assert client.get("/api/appeals/rates/2026-03/export").status_code == 200
    client.force_login(cast.resident_user)
    assert client.get("/api/appeals/rates/2026-03/departments").status_code == 403
