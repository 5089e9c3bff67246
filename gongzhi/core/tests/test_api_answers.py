# mypy: disable-error-code="arg-type,union-attr,index"
"""Issue 17, findings 14 and 15: the OpenAPI document says what the API does (one class per schema name, every
error answer declared, month patterns, enumerations), and every error under /api/ is JSON in Chinese."""

from __future__ import annotations

import json
import re
import typing
from typing import Any

import jsonschema_rs
import pytest
from django.test import Client
from pydantic import BaseModel

from gongzhi.api import api
from gongzhi.core.api_errors import USUAL_ERRORS

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return json.loads(json.dumps(api.get_openapi_schema()))  # as /api/openapi.json sends it


def _operations() -> list[Any]:
    return [op for bound in api._get_bound_routers() for view in bound.path_operations.values()
            for op in view.operations]


def _models(annotation: Any, seen: set[type]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, seen)
        return
    for arg in typing.get_args(annotation):
        _models(arg, seen)


# -- finding 14: the document --------------------------------------------------------------------------------


def test_it_gives_each_schema_name_to_one_class() -> None:
    """Two classes of one name overwrite each other in the document's components (RouteOut did)."""
    seen: set[type] = set()
    for operation in _operations():
        for model in [*operation.models, *operation.response_models.values()]:
            if isinstance(model, type):
                _models(model, seen)
    by_name: dict[str, set[str]] = {}
    for model in seen:
        if model.__name__ in ("NinjaResponseSchema", "QueryParams", "PathParams", "BodyParams", "FormParams",
                              "FileParams", "HeaderParams", "CookieParams") or model.__module__.startswith("ninja."):
            continue
        by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    twice = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert not twice, twice


def test_every_operation_declares_its_error_answers(document: dict[str, Any]) -> None:
    missing = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            codes = [*USUAL_ERRORS, *([401] if operation.get("security") else [])]
            for code in codes:
                answer = operation["responses"].get(str(code))
                schema = (answer or {}).get("content", {}).get("application/json", {}).get("schema", {})
                if not schema.get("$ref"):
                    missing.append(f"{method.upper()} {path} {code}")
    assert not missing, missing
    assert set(document["components"]["schemas"]["ErrorOut"]["required"]) == {"detail"}


def test_month_parameters_have_a_pattern_and_choices_are_listed(document: dict[str, Any]) -> None:
    months = [(path, p) for path, methods in document["paths"].items() for op in methods.values()
              for p in op.get("parameters", []) if p["name"] == "month"]
    assert len(months) >= 4
    assert all(p["schema"].get("pattern") == r"^\d{4}-(0[1-9]|1[0-2])$" for _, p in months), months
    schemas = document["components"]["schemas"]
    assert set(schemas["AppealIn"]["properties"]["appeal_type"]["enum"]) >= {"help", "complaint"}
    assert schemas["AppealIn"]["properties"]["urgency"]["enum"] == ["normal", "urgent", "emergency"]
    assert "hotline" in schemas["AppealIn"]["properties"]["channel"]["enum"]
    assert "community" in schemas["AreaIn"]["properties"]["level"]["enum"]
    assert "department" in schemas["UnitIn"]["properties"]["kind"]["enum"]
    assert schemas["RateIn"]["properties"]["rating"]["enum"] == ["excellent", "qualified", "unqualified"]
    worklist = document["paths"]["/api/appeals/worklists/{name}"]["get"]["parameters"][0]
    assert "pending_dispatch" in worklist["schema"]["enum"]
    figure = next(p for p in document["paths"]["/api/appeals/rates/{month}/cases"]["get"]["parameters"]
                  if p["name"] == "figure")
    assert "satisfied" in figure["schema"]["enum"]


# -- finding 15: the answers -------------------------------------------------------------------------------------


def _error_validator(document: dict[str, Any]) -> Any:
    return jsonschema_rs.validator_for({**document["components"]["schemas"]["ErrorOut"],
                                        "components": document["components"]})


def _chinese_json(response: Any, status: int, document: dict[str, Any]) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert CJK.search(body["detail"]), body
    _error_validator(document).validate(body)  # the answer is what the document says errors look like
    return body


def test_it_answers_401_in_chinese(document: dict[str, Any], db: Any) -> None:
    body = _chinese_json(Client().get("/api/appeals/worklists"), 401, document)
    assert "X-API-Key" in body["detail"]


def test_it_answers_a_failed_csrf_check_in_chinese(cast: Any, document: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.worker_a)
    body = _chinese_json(client.post("/api/appeals/whistles", data="{}", content_type="application/json"), 403,
                         document)
    assert "X-CSRFToken" in body["detail"]


def test_it_answers_validation_errors_in_chinese_field_by_field(cast: Any, client: Any,
                                                                document: dict[str, Any]) -> None:
    client.force_login(cast.worker_a)
    body = _chinese_json(client.post("/api/appeals/whistles", data=json.dumps({"unit_ids": "x"}),
                                     content_type="application/json"), 422, document)
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert fields == {"title": "必填，请填写。", "unit_ids": "请填写一个列表。"}
    assert all(e["location"] == "body" for e in body["errors"])
    bad_month = _chinese_json(client.get("/api/appeals/rates/2026-13/departments"), 422, document)
    assert bad_month["errors"][0]["message"] == "请按 YYYY-MM 填写月份，如 2026-03。"
    bad_choice = _chinese_json(client.get("/api/appeals/worklists/nothing"), 422, document)
    assert "pending_dispatch" in bad_choice["errors"][0]["message"]


def test_it_answers_an_unreadable_body_in_chinese(cast: Any, client: Any, document: dict[str, Any]) -> None:
    client.force_login(cast.worker_a)
    body = _chinese_json(client.post("/api/appeals/whistles", data="{not json", content_type="application/json"),
                         400, document)
    assert "JSON" in body["detail"]


def test_it_answers_a_wrong_method_in_chinese(cast: Any, client: Any, document: dict[str, Any]) -> None:
    client.force_login(cast.worker_a)
    response = client.delete("/api/appeals/whistles")
    body = _chinese_json(response, 405, document)
    assert "DELETE" in body["detail"] and "GET" in response["Allow"]


def test_it_answers_an_unknown_address_in_chinese_and_keeps_the_headers(db: Any, document: dict[str, Any]) -> None:
    response = Client().get("/api/no-such-thing")
    _chinese_json(response, 404, document)
    assert response["X-Frame-Options"] == "DENY"
    page = Client().get("/no-such-page/")  # outside /api/ people still get the page
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_it_answers_a_crash_in_chinese(cast: Any, client: Any, document: dict[str, Any],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from gongzhi.appeals import queries

    def crash(user: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(queries, "worklist_counts", crash)
    client.raise_request_exception = False
    client.force_login(cast.worker_a)
    body = _chinese_json(client.get("/api/appeals/worklists"), 500, document)
    assert "boom" not in body["detail"]
