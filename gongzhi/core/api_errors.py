"""Every error under /api/ is JSON in Chinese: `{"detail": "...", "field": ..., "errors": [...]}` (`ErrorOut`).

- `install(api)` puts the handlers on the NinjaAPI: validation (422, each field's error in Chinese), the
  framework's own errors (401 not signed in, 403 CSRF, 400 unreadable body, 429 throttled), actions' errors (400,
  409), PermissionDenied (403) and Http404 (404).
- `add_error_responses(api)` declares those answers on every operation of the OpenAPI document.
- `ApiErrorMiddleware` answers in the same shape for what happens outside django-ninja under /api/: an unknown
  address (404), a method the address does not take (405), a request Django refuses (400, 413), a crash (500).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

from gongzhi.lib.errors import ActionError, Conflict, RateLimited

from .api_schemas import MONTH_PATTERN, ErrorOut

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("gongzhi.api")

API_PREFIX = "/api/"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_QUOTED = re.compile(r"'([^']*)'")
# Parameter names that hold a whole schema (the body, a query filter): a field's name is what follows them.
_SCHEMA_PARAMS = {"payload", "filters"}


# --- messages ------------------------------------------------------------------------------------------------


def _expected(ctx: dict[str, Any]) -> str:
    values = _QUOTED.findall(str(ctx.get("expected", "")))
    return "、".join(values) if values else str(ctx.get("expected", ""))


def field_message(error: dict[str, Any]) -> str:
    """One pydantic error (as django-ninja reports it) in a Chinese sentence: what is wrong and what to give."""
    kind = str(error.get("type", ""))
    ctx: dict[str, Any] = error.get("ctx") or {}
    simple: dict[str, Callable[[], str]] = {
        "missing": lambda: _("This is required."),
        "int_parsing": lambda: _("Give a whole number."),
        "int_type": lambda: _("Give a whole number."),
        "int_from_float": lambda: _("Give a whole number, without decimals."),
        "float_parsing": lambda: _("Give a number."),
        "float_type": lambda: _("Give a number."),
        "finite_number": lambda: _("Give a finite number."),
        "bool_parsing": lambda: _("Give true or false."),
        "bool_type": lambda: _("Give true or false."),
        "string_type": lambda: _("Give text."),
        "string_unicode": lambda: _("Give text in UTF-8."),
        "list_type": lambda: _("Give a list."),
        "dict_type": lambda: _("Give a JSON object."),
        "model_type": lambda: _("Give a JSON object."),
        "model_attributes_type": lambda: _("Give a JSON object."),
        "json_invalid": lambda: _("This is not valid JSON."),
        "json_type": lambda: _("This is not valid JSON."),
        "datetime_parsing": lambda: _("Give a date and time in ISO 8601, e.g. 2026-05-01T09:00:00+08:00."),
        "datetime_type": lambda: _("Give a date and time in ISO 8601, e.g. 2026-05-01T09:00:00+08:00."),
        "datetime_from_date_parsing": lambda: _("Give a date and time in ISO 8601, e.g. 2026-05-01T09:00:00+08:00."),
        "datetime_object_invalid": lambda: _("Give a date and time in ISO 8601, e.g. 2026-05-01T09:00:00+08:00."),
        "timezone_aware": lambda: _("Give the time with its time zone, e.g. +08:00."),
        "date_parsing": lambda: _("Give a date as YYYY-MM-DD, e.g. 2026-05-01."),
        "date_type": lambda: _("Give a date as YYYY-MM-DD, e.g. 2026-05-01."),
        "date_from_datetime_parsing": lambda: _("Give a date as YYYY-MM-DD, e.g. 2026-05-01."),
        "date_from_datetime_inexact": lambda: _("Give a date as YYYY-MM-DD, without a time."),
        "extra_forbidden": lambda: _("This field is not accepted here; remove it."),
        "none_required": lambda: _("Leave this empty."),
    }
    if kind in simple:
        return simple[kind]()
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {"greater_than_equal": "ge", "greater_than": "gt", "less_than_equal": "le", "less_than": "lt"}[kind]
        texts = {
            "ge": _("Give at least %(bound)s."), "gt": _("Give more than %(bound)s."),
            "le": _("Give at most %(bound)s."), "lt": _("Give less than %(bound)s."),
        }
        return texts[bound] % {"bound": ctx.get(bound)}
    if kind == "string_too_long":
        return _("Give at most %(count)s characters.") % {"count": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("Give at least %(count)s characters.") % {"count": ctx.get("min_length")}
    if kind == "too_long":
        return _("Give at most %(count)s items.") % {"count": ctx.get("max_length")}
    if kind == "too_short":
        return _("Give at least %(count)s items.") % {"count": ctx.get("min_length")}
    if kind in ("literal_error", "enum"):
        return _("Give one of: %(values)s.") % {"values": _expected(ctx)}
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == MONTH_PATTERN:
            return _("Give the month as YYYY-MM, e.g. 2026-03.")
        return _("The format is wrong: it must match %(pattern)s.") % {"pattern": ctx.get("pattern")}
    if kind == "value_error" and ctx.get("error") is not None:
        message = str(ctx["error"])
        if _CJK.search(message):
            return message
    return _("This value is not valid.")


def _location_and_field(loc: list[Any] | tuple[Any, ...]) -> tuple[str, str]:
    parts = [str(p) for p in loc]
    location = parts[0] if parts else "body"
    rest = parts[1:]
    if len(rest) > 1 and rest[0] in _SCHEMA_PARAMS:
        rest = rest[1:]
    return location, ".".join(rest) or location


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for error in errors:
        location, field = _location_and_field(error.get("loc") or ())
        out.append({"location": location, "field": field, "message": field_message(error),
                    "type": str(error.get("type", ""))})
    return out


def validation_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    items = field_errors(errors)
    listed = "；".join(f"{e['field']}：{e['message']}" for e in items[:5])
    if len(items) > 5:
        listed += "；……"
    detail = _("The request has errors; please correct them: %(errors)s") % {"errors": listed}
    return {"detail": detail, "field": items[0]["field"] if len(items) == 1 else None, "errors": items}


def status_message(status: int, request: HttpRequest | None = None, response: HttpResponseBase | None = None) -> str:
    """The Chinese sentence for an error status that carries no message of its own."""
    if status == 405:
        allowed = response.get("Allow", "") if response is not None else ""
        method = request.method if request is not None else ""
        return _("This address does not take %(method)s; use %(allowed)s.") % {"method": method,
                                                                             "allowed": allowed or "-"}
    messages = {
        400: _("The request could not be read; check its format and parameters (see /api/docs)."),
        401: _("Please sign in first, or send a valid API key in the X-API-Key header."),
        403: _("You are not allowed to do this."),
        404: _("There is no such API address; check it against the list at /api/docs."),
        409: _("This conflicts with the current state; reload and try again."),
        413: _("The request is too large."),
        415: _("This content type is not accepted; send JSON (application/json) or a form."),
        429: _("Too many requests; please wait a moment and try again."),
        500: _("Something went wrong on the server; it has been logged. Please try again later."),
        502: _("The service is temporarily unavailable; please try again later."),
        503: _("The service is temporarily unavailable; please try again later."),
        504: _("The service is temporarily unavailable; please try again later."),
    }
    return messages.get(status, _("The request could not be completed (HTTP %(status)s).") % {"status": status})


def http_error_message(exc: HttpError) -> str:
    message = str(exc)
    if _CJK.search(message):
        return message  # our own, already in Chinese
    if exc.status_code == 403 and "CSRF" in message:
        return _("The CSRF check failed: when signed in with the session cookie, send the value of the csrftoken "
                 "cookie in the X-CSRFToken header with every write, or use an API key (X-API-Key).")
    if exc.status_code == 400 and "parse" in message.lower():
        return _("The request body could not be read: send valid JSON with Content-Type: application/json, "
                 "or a multipart form where the address takes files.")
    return status_message(exc.status_code)


# --- django-ninja ----------------------------------------------------------------------------------------------


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(request, validation_body(list(exc.errors)), 422)

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        response = respond(request, {"detail": http_error_message(exc)}, exc.status_code)
        if isinstance(exc, AuthenticationError):
            response["WWW-Authenticate"] = 'Session, ApiKey header="X-API-Key"'
        wait = getattr(exc, "wait", None)
        if exc.status_code == 429 and wait:
            response["Retry-After"] = str(int(wait))
        return response

    @api.exception_handler(ActionError)
    def on_action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
        status = 409 if isinstance(exc, Conflict) else 429 if isinstance(exc, RateLimited) else 400
        return respond(request, {"detail": exc.message, "field": exc.field}, status)

    @api.exception_handler(PermissionDenied)
    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, {"detail": str(exc) or status_message(403)}, 403)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, {"detail": _("Not found, or you may not see it.")}, 404)


# The answers every operation may give besides its own (401 only where it needs a sign-in or a key).
USUAL_ERRORS = (400, 403, 404, 422, 429)


def add_error_responses(api: NinjaAPI) -> int:
    """Declare ErrorOut for the usual error answers of every operation (those it does not declare itself), so the
    OpenAPI document describes every answer. Call once, after every router is added. Returns the operations seen."""
    seen = 0
    for bound in api._get_bound_routers():
        for view in bound.path_operations.values():
            for operation in view.operations:
                seen += 1
                codes = [*USUAL_ERRORS, *([401] if operation.auth_callbacks else [])]
                for code in codes:
                    if code not in operation.response_models:
                        operation.response_models[code] = operation._create_response_model(ErrorOut)
    return seen


# --- outside django-ninja --------------------------------------------------------------------------------------


class ApiErrorMiddleware:
    """Under /api/, an error answer that is not JSON (Django's 404 and 500 pages, django-ninja's bare 405, a 400
    or 413 from Django) is replaced by `{"detail": "<Chinese>"}` with the same status and headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        body = json.dumps({"detail": status_message(response.status_code, request, response)}, ensure_ascii=False)
        if isinstance(response, HttpResponse):  # in place: the security headers the other middleware set stay
            response.content = body.encode()
            response["Content-Type"] = "application/json; charset=utf-8"
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            return response
        replacement = HttpResponse(body, status=response.status_code, content_type="application/json; charset=utf-8")
        for header, value in response.items():
            if header.lower() not in ("content-type", "content-length", "content-disposition"):
                replacement[header] = value
        return replacement
