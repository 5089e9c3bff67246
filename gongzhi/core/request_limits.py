"""A request body larger than REQUEST_MAX_BYTES is refused with 413 before any of it is read or written to
disk (Django reads nothing of a body without Content-Length, so the header is what counts). The reverse proxy
has the same limit (`client_max_body_size` in docs/deployment.md), so most such requests never get here."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import override


def _mb(size: int) -> str:
    return f"{size / 1048576:.1f}".removesuffix(".0")


def _message(size: int, limit: int) -> str:
    return _("The request is too large (%(size)s MB); at most %(limit)s MB can be sent at once. Send fewer or "
             "smaller files.") % {"size": _mb(size), "limit": _mb(limit)}


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.REQUEST_MAX_BYTES
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if limit and size > limit:
            return self.refuse(request, size, limit)
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, size: int, limit: int) -> HttpResponse:
        with override(settings.LANGUAGE_CODE):  # runs before LocaleMiddleware
            message = _message(size, limit)
            title = _("Request too large")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        return HttpResponse(
            format_html('<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>{}</title>'
                        "<h1>{}</h1><p>{}</p></html>", title, title, message),
            status=413, content_type="text/html; charset=utf-8",
        )
