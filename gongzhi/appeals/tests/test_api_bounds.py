# mypy: disable-error-code="arg-type,union-attr,index,operator"
"""Issue 17, finding 13: numbers nobody bounded answered 500 (a negative offset or limit, 2^63 as an offset, a limit
or an id in a JSON list). Every such input is a 422 in Chinese that names the field; lists have a maximum."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from gongzhi.core.api_schemas import MAX_LIMIT, ErrorOut

from .conftest import dispatched, submit

BIG = 2**63
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture
def objects(cast: Any, ac: Any) -> dict[str, Any]:
    """Real objects, so that the old code went past the lookups and reached the database with the number."""
    waiting = submit(cast).case
    running = dispatched(cast, ac, title="路灯坏了")
    return {"waiting": waiting.pk, "running": running.pk, "appeal": running.appeals.get().pk,
            "area": cast.community_a.pk, "unit": cast.department.pk, "month": timezone.localdate().strftime("%Y-%m")}


# (who, method, address, JSON body, the field the answer names): the fourteen operations of the finding.
CASES: list[tuple[str, str, str, dict[str, Any] | None, str]] = [
    ("worker_a", "get", "/api/appeals/worklists/pending_dispatch?offset=-1", None, "offset"),
    ("worker_a", "get", "/api/appeals/worklists/pending_dispatch?limit=-1", None, "limit"),
    ("worker_a", "get", f"/api/appeals/worklists/pending_dispatch?offset={BIG}", None, "offset"),
    ("resident_user", "get", "/api/appeals/appeals/mine?offset=-1", None, "offset"),
    ("resident_user", "get", f"/api/appeals/appeals/mine?offset={BIG}", None, "offset"),
    ("worker_a", "get", "/api/appeals/whistles?offset=-1", None, "offset"),
    ("worker_a", "get", f"/api/appeals/whistles?offset={BIG}", None, "offset"),
    ("district_admin", "get", "/api/appeals/rates/{month}/cases?offset=-1", None, "offset"),
    ("district_admin", "get", "/api/appeals/rates/{month}/cases?offset=" + str(BIG), None, "offset"),
    ("worker_a", "get", "/api/core/notifications?limit=-1", None, "limit"),
    ("worker_a", "get", f"/api/core/notifications?limit={BIG}", None, "limit"),
    ("worker_a", "get", "/api/appeals/notifications?limit=-1", None, "limit"),
    ("worker_a", "get", f"/api/core/residents?offset={BIG}", None, "offset"),
    ("worker_a", "get", f"/api/core/residents?limit={BIG}", None, "limit"),
    ("worker_a", "get", f"/api/core/party-members?offset={BIG}", None, "offset"),
    ("district_admin", "get", f"/api/core/audit?offset={BIG}", None, "offset"),
    ("district_admin", "get", f"/api/core/audit?limit={BIG}", None, "limit"),
    ("worker_a", "post", "/api/appeals/cases/{waiting}/dispatch",
     {"lead_unit_id": "{unit}", "assist_unit_ids": [BIG]}, "assist_unit_ids.0"),
    ("worker_a", "post", "/api/appeals/cases/{running}/reassign",
     {"lead_unit_id": "{unit}", "assist_unit_ids": [BIG], "note": "换单位"}, "assist_unit_ids.0"),
    ("worker_a", "post", "/api/appeals/whistles", {"title": "污水外溢", "area_id": "{area}", "unit_ids": [BIG]},
     "unit_ids.0"),
    ("worker_a", "post", "/api/appeals/cases/{running}/merge", {"appeal_ids": [BIG]}, "appeal_ids.0"),
    ("subdistrict_staff_a", "post", "/api/lists/demands",
     {"appeal_ids": ["{appeal}", BIG], "area_id": "{area}"}, "appeal_ids.1"),
    ("subdistrict_staff_a", "post", "/api/lists/themes",
     {"appeal_ids": [BIG], "area_id": "{area}", "month": "2026-03-01"}, "appeal_ids.0"),
]


def _fill(value: Any, objects: dict[str, Any]) -> Any:
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in objects:
            return objects[value[1:-1]]
        return value.format(**objects)
    if isinstance(value, list):
        return [_fill(v, objects) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, objects) for k, v in value.items()}
    return value


def test_it_answers_422_in_chinese_to_numbers_out_of_bounds(client: Any, cast: Any, objects: dict[str, Any]) -> None:
    client.raise_request_exception = False  # the old code's 500 is the failure to see, not a traceback
    wrong = []
    for who, method, url, body, field in CASES:
        client.force_login(getattr(cast, who))
        address = _fill(url, objects)
        if method == "get":
            response = client.get(address)
        else:
            response = client.post(address, data=json.dumps(_fill(body, objects)), content_type="application/json")
        if response.status_code != 422:
            wrong.append(f"{method.upper()} {address}: HTTP {response.status_code} {response.content[:80]!r}")
            continue
        answer = response.json()
        ErrorOut.model_validate(answer)
        if not CJK.search(answer["detail"]) or [e["field"] for e in answer["errors"]] != [field] or not CJK.search(
                answer["errors"][0]["message"]):
            wrong.append(f"{method.upper()} {address}: {answer}")
    assert not wrong, "\n".join(wrong)


def test_lists_have_a_maximum(client: Any, cast: Any, objects: dict[str, Any]) -> None:
    client.force_login(cast.worker_a)
    assert client.get(f"/api/appeals/worklists/pending_dispatch?limit={MAX_LIMIT}").status_code == 200
    too_many = client.get(f"/api/appeals/worklists/pending_dispatch?limit={MAX_LIMIT + 1}")
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["message"] == f"不能大于 {MAX_LIMIT}。"
    assert client.get(f"/api/core/residents?limit={MAX_LIMIT + 1}").status_code == 422
    assert len(client.get(f"/api/core/residents?limit={MAX_LIMIT}").json()["items"]) <= MAX_LIMIT


def test_path_ids_beyond_the_database_answer_422_never_500(client: Any, cast: Any) -> None:
    client.raise_request_exception = False
    client.force_login(cast.city_admin)
    for url in ("/api/appeals/cases/{big}", "/api/core/areas/{big}", "/api/core/residents/{big}",
                "/api/appeals/whistles/{big}", "/api/intelligence/trainings/{big}"):
        response = client.get(url.format(big=BIG))
        assert response.status_code == 422, (url, response.content[:300])
        assert CJK.search(response.json()["detail"])


def test_an_extension_moves_the_deadline_by_a_year_at_most(client: Any, cast: Any, ac: Any) -> None:
    """Finding 16: an extension to the year 3892 was accepted."""
    from datetime import timedelta

    from .conftest import in_progress

    case = in_progress(cast, ac)
    client.force_login(cast.handler)
    url = f"/api/appeals/cases/{case.pk}/extensions"
    far = json.dumps({"new_due_at": "3892-01-01T00:00:00+08:00", "reason": "材料未到"})
    response = client.post(url, data=far, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json() == {"detail": "新的办理期限最多只能比当前期限晚 365 天。", "field": "new_due_at"}
    assert not case.extensions.exists()
    later = (case.due_at + timedelta(days=3)).isoformat()
    ok = client.post(url, data=json.dumps({"new_due_at": later, "reason": "材料未到"}), content_type="application/json")
    assert ok.status_code == 200, ok.content
