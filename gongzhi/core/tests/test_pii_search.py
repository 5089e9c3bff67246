"""Finding 2 of issue 17: a masked role turned 138****8000 into the full number by searching each candidate.

Searching by phone or ID number is a reveal: only roles that may reveal personal data (subdistrict staff,
community and grid workers) find anyone by it, only in their own subtree, each such search is audited with the
term masked, and it is limited per user. For everyone else such a term matches names only. The roster import's
duplicate check looks only inside the import's scope.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from gongzhi.core import actions
from gongzhi.core.models import AuditEvent, ImportJob, Resident, Role
from gongzhi.core.roster_import import do_create_import_job, run_import
from gongzhi.test import Cast

from .test_rosters import BUILDING_A, BUILDING_B, xlsx

pytestmark = pytest.mark.django_db

RESIDENTS = reverse("core:resident_list")
API = "/api/core/residents"


@pytest.fixture(autouse=True)
def _fresh_limits(settings: Any) -> None:
    cache.clear()
    settings.PII_SEARCH_RATE = (20, 3600)


def _found(client: Client, q: str, url: str = RESIDENTS) -> set[str]:
    response = client.get(url, {"q": q})
    if url == API:
        return {row["name"] for row in response.json()["items"]}
    return {p.name for p in response.context["page"].object_list}


def test_it_finds_nobody_by_phone_or_id_number_for_masked_roles(cast: Cast, client: Client) -> None:
    phone, id_number = cast.resident_a.phone, cast.resident_a.id_number
    for admin in (cast.district_admin, cast.city_admin):
        client.force_login(admin)
        # The attack: the list shows 138****8000; trying each of the 10,000 candidates found the full number.
        assert _found(client, phone) == set()
        assert _found(client, id_number) == set()
        assert _found(client, phone, API) == set()
        assert _found(client, id_number, API) == set()
        assert _found(client, "张桂") == {"张桂兰"}  # names still work
        assert _found(client, "张桂", API) == {"张桂兰"}
    assert not AuditEvent.objects.filter(verb="core.pii.search").exists()  # nothing searched by personal data


def test_it_finds_people_by_phone_only_where_one_may_reveal_them(cast: Cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    assert _found(client, cast.resident_a.phone) == {"张桂兰"}
    assert _found(client, cast.resident_a.id_number) == {"张桂兰"}
    assert _found(client, cast.resident_a.id_number.lower(), API) == {"张桂兰"}
    # A district admin who is also community B's worker finds B's residents by phone, not A's.
    actions.do_grant_role(cast.district_admin, role=Role.COMMUNITY_WORKER, area=cast.community_b, acting_user=None)
    client.force_login(cast.district_admin)
    assert _found(client, cast.resident_b.phone) == {"李建国"}
    assert _found(client, cast.resident_a.phone) == set()
    assert _found(client, cast.resident_a.phone, API) == set()
    # Party members follow the same rule.
    assert _found(client, cast.party_member_a.phone, reverse("core:party_member_list")) == set()
    client.force_login(cast.worker_a)
    assert _found(client, cast.party_member_a.phone, reverse("core:party_member_list")) == {"王红"}


def test_it_audits_each_search_by_phone_with_the_term_masked(cast: Cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    _found(client, cast.resident_a.phone)
    _found(client, cast.resident_a.id_number, API)
    _found(client, "张桂")  # a name: not audited
    _found(client, "138001")  # part of a number typed so far: searched as a name, not audited
    events = list(AuditEvent.objects.filter(verb="core.pii.search").order_by("pk"))
    assert [(e.actor, e.after) for e in events] == [
        (cast.worker_a, {"kind": "residents", "term": "138****8000"}),
        (cast.worker_a, {"kind": "residents", "term": "110***********1239"}),
    ]
    dumped = json.dumps([AuditEvent.objects.filter(pk=e.pk).values().get() for e in events], default=str)
    assert cast.resident_a.phone not in dumped and cast.resident_a.id_number not in dumped
    assert all(e.area_path == cast.community_a.path for e in events)  # the admins over A read them


def test_it_limits_searches_by_phone_per_user(cast: Cast, client: Client, settings: Any) -> None:
    settings.PII_SEARCH_RATE = (3, 3600)
    client.force_login(cast.worker_a)
    for _ in range(3):
        assert _found(client, cast.resident_a.phone) == {"张桂兰"}
    response = client.get(RESIDENTS, {"q": cast.resident_a.phone})
    assert response.status_code == 429
    assert "次数过多" in response.content.decode() and list(response.context["page"].object_list) == []
    response = client.get(API, {"q": cast.resident_a.phone})
    assert response.status_code == 429 and "次数过多" in response.json()["detail"]
    assert AuditEvent.objects.filter(verb="core.pii.search").count() == 3  # refused searches are not run
    assert _found(client, "张桂") == {"张桂兰"}  # names are not limited
    client.force_login(cast.subdistrict_staff_a)  # per user
    assert _found(client, cast.resident_a.phone) == {"张桂兰"}


def _import(user: Any, rows: list[list[Any]], scope: Any) -> ImportJob:
    content = xlsx("residents", rows)
    job = do_create_import_job(acting_user=user, kind="residents", scope_area=scope, upload=io.BytesIO(content),
                               name="居民.xlsx", size=len(content))
    return run_import(job)


def test_it_checks_duplicate_id_numbers_only_within_the_import_scope(cast: Cast) -> None:
    # Resident A lives in community A. Worker B imports B's roster with A's ID number in it: before, the row
    # error ("already in the roster") told worker B that this ID number exists somewhere in the city.
    id_a = cast.resident_a.id_number
    job = _import(cast.worker_b, [["张三", "", "", "", id_a, BUILDING_B, "", ""]], cast.community_b)
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.errors == []
    # The row is a new record of B's roster; A's record is untouched.
    copy = Resident.objects.get(id_number=id_a, area=cast.building_b)
    assert copy.name == "张三" and Resident.objects.filter(id_number=id_a).count() == 2
    # Inside the scope the duplicate is still refused, and the message names only the scope.
    job = _import(cast.worker_a, [["张三", "", "", "", id_a, BUILDING_A, "", ""]], cast.community_a)
    assert job.status == ImportJob.Status.FAILED
    (error,) = job.errors
    assert "和平里社区" in error["message"] and id_a not in error["message"]
