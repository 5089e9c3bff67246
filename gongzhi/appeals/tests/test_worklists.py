"""Worklist counts stay bounded however many cases a city has."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gongzhi.appeals import queries
from gongzhi.core import paging

from .conftest import submit

pytestmark = pytest.mark.django_db


def test_it_caps_worklist_counts(cast: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(4):
        submit(cast)
    assert queries.worklist_counts(cast.worker_a)["pending_dispatch"] == 4
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    assert queries.capped_count(queries.worklist(cast.worker_a, "pending_dispatch"), cap=2) == 3


def test_it_shows_capped_counts_on_the_worklist_page(cast: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(3):
        submit(cast)
    client = Client()
    client.force_login(cast.worker_a)
    monkeypatch.setattr(paging, "COUNT_CAP", 2)  # the pages' cap lives in core's paging
    response = client.get("/appeals/worklist/pending_dispatch/")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2  # the pages stop at the cap
