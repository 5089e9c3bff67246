"""TitleOnlyFlagPolicy: who sees a title-only flag and who reviews it, on an open flag and a removed one, at
community A (subdistrict A) and community B (subdistrict B); the pages answer the same (200 / 403 / 404)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.core.models import CommitteeMembership
from gongzhi.evaluation.models import TitleOnlyFlag
from gongzhi.evaluation.permissions import flag_policy, get_flag_for_user
from gongzhi.test import Cast, check_http_matrix, check_policy_matrix

pytestmark = pytest.mark.django_db

OPEN = """
                      view     review
superuser             ok/ok    ok/ok
city_admin            ok/ok    ok/ok
district_admin        ok/ok    ok/ok
subdistrict_staff_a   ok/404   ok/404
worker_a              ok/404   403/404
worker_b              404/ok   404/403
grid_worker_a         404      404
handler               404      404
liaison               404      404
party_member_user     404      404
volunteer             404      404
resident_user         404      404
"""

# Once removed nobody reviews again; the unit's liaison sees its members' removals wherever they sat.
REMOVED = """
                      view     review
superuser             ok/ok    403/403
city_admin            ok/ok    403/403
district_admin        ok/ok    403/403
subdistrict_staff_a   ok/404   403/404
worker_a              ok/404   403/404
worker_b              404/ok   404/403
grid_worker_a         404      404
handler               404      404
liaison               ok/ok    403/403
party_member_user     404      404
volunteer             404      404
resident_user         404      404
"""


def _flags(cast: Cast, status: str) -> tuple[TitleOnlyFlag, TitleOnlyFlag]:
    org_b = core_actions.do_create_party_org(area=cast.community_b, name="安定门社区大党委", acting_user=None)
    flags = []
    for org, community in ((cast.committee_a, cast.community_a), (org_b, cast.community_b)):
        m = core_actions.do_add_committee_member(org, person_name=f"{community.name}委员", unit=cast.member_unit,
                                                 role=CommitteeMembership.Role.PART_TIME_MEMBER, acting_user=None)
        today = timezone.localdate()
        flags.append(TitleOnlyFlag.objects.create(membership=m, community=community, status=status,
                                                  period_start=today - timedelta(days=180), period_end=today,
                                                  reasons=["no_meeting"], facts={"meetings_invited": 0}))
    return flags[0], flags[1]


def test_the_policy_on_open_flags(cast: Cast) -> None:
    pair = _flags(cast, TitleOnlyFlag.Status.OPEN)
    assert check_policy_matrix(cast, OPEN, subjects=pair, can=flag_policy.can, fetch=get_flag_for_user) > 40


def test_the_policy_on_removed_flags(cast: Cast) -> None:
    pair = _flags(cast, TitleOnlyFlag.Status.REMOVED)
    assert check_policy_matrix(cast, REMOVED, subjects=pair, can=flag_policy.can, fetch=get_flag_for_user) > 40


PAGES = """
                      page     letter
superuser             ok/ok    ok/ok
city_admin            ok/ok    ok/ok
district_admin        ok/ok    ok/ok
subdistrict_staff_a   ok/404   ok/404
worker_a              ok/404   ok/404
worker_b              404/ok   404/ok
grid_worker_a         404      404
handler               404      404
liaison               ok/ok    ok/ok
party_member_user     404      404
volunteer             404      404
resident_user         404      404
"""


def test_the_flag_page_and_the_letter(client: Client, cast: Cast) -> None:
    pair = _flags(cast, TitleOnlyFlag.Status.REMOVED)
    names = {"page": "evaluation:flag", "letter": "evaluation:flag_letter"}
    assert check_http_matrix(client, cast, PAGES, url=lambda action, f: reverse(names[action], args=[f.pk]),
                             subjects=pair) > 40


REVIEW = """
                      keep
superuser             ok/ok
city_admin            ok/ok
district_admin        ok/ok
subdistrict_staff_a   ok/404
worker_a              403/404
worker_b              404/403
grid_worker_a         404
handler               404
liaison               404
party_member_user     404
volunteer             404
resident_user         404
"""


def test_the_review_pages(client: Client, cast: Cast) -> None:
    """A keep through the page (each allowed user keeps a fresh pair: the flags are put back open after)."""
    pair = _flags(cast, TitleOnlyFlag.Status.OPEN)

    def url(action: str, flag: TitleOnlyFlag) -> str:
        TitleOnlyFlag.objects.filter(pk=flag.pk).update(status=TitleOnlyFlag.Status.OPEN, reviewed_by=None)
        return reverse("evaluation:flag_keep", args=[flag.pk])

    assert check_http_matrix(client, cast, REVIEW, url=url, subjects=pair, method="post",
                             data=lambda action, f: {"note": "保留"}, ok_status=302) > 15


def test_the_list_page_gate(client: Client, cast: Cast) -> None:
    for user, status in ((cast.worker_a, 200), (cast.liaison, 200), (cast.subdistrict_staff_a, 200),
                         (cast.resident_user, 403), (cast.grid_worker_a, 403), (cast.handler, 403)):
        client.force_login(user)
        assert client.get(reverse("evaluation:flags")).status_code == status, user.username
    client.force_login(cast.worker_a)
    assert client.post(reverse("evaluation:flag_check"), {"area": cast.subdistrict_a.pk}).status_code == 403
