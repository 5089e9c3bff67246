"""Pagination that never counts a huge table in full."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

# Counts stop at COUNT_CAP: a list of a million rows pages through its first thousand and says "1000+".
COUNT_CAP = 1000
PAGE_SIZE = 30


def capped_count(qs: QuerySet[Any], cap: int = COUNT_CAP) -> int:
    """The number of rows, or cap + 1 when there are more than `cap` (one bounded query)."""
    return qs.order_by()[: cap + 1].count()


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return min(capped_count(self.object_list), COUNT_CAP)
        return len(self.object_list)


def page_of(request: HttpRequest, qs: QuerySet[Any] | Sequence[Any], size: int = PAGE_SIZE) -> Page[Any]:
    return CappedPaginator(qs, size).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
