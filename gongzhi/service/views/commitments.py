"""The commitments part's pages (to be built)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def post_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def pledge_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def star_list(request: HttpRequest) -> HttpResponse:
    raise Http404

