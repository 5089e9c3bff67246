"""The bank part's pages (to be built)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def account_home(request: HttpRequest) -> HttpResponse:
    raise Http404


def reward_list(request: HttpRequest) -> HttpResponse:
    raise Http404

