"""The activities part's pages (to be built)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def activity_list(request: HttpRequest) -> HttpResponse:
    raise Http404

