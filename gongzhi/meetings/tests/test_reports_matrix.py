"""DutyReportPolicy and MinutesPolicy matrices with the cast (A: community A's meeting, the member unit invited
and reporting; B: community B's meeting with a unit of its own), and the report page's HTTP matrix (GET the form,
POST a save: 302) — 404 out of scope, 403 not allowed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.core.models import Unit
from gongzhi.meetings.actions import minutes as minutes_actions
from gongzhi.meetings.actions import reports
from gongzhi.meetings.models import DutyReport, Minutes
from gongzhi.meetings.permissions import can, get_duty_report_for_user, get_minutes_for_user
from gongzhi.test import check_http_matrix, check_policy_matrix, parse_matrix

from .test_duty_scene import invite, make_meeting

pytestmark = pytest.mark.django_db

DUTY_MATRIX = """
                     view     fill
superuser            ok/ok    ok/ok
city_admin           ok/ok    ok/ok
district_admin       ok/ok    ok/ok
subdistrict_staff_a  ok/404   ok/404
worker_a             ok/404   ok/404
worker_b             404/ok   404/ok
grid_worker_a        404      404
handler              404      404
liaison              ok/404   ok/404
party_member_user    404      404
volunteer            404      404
resident_user        404      404
"""

# The liaison's unit is invited to meeting A: it sees the minutes (read only).
MINUTES_MATRIX = """
                     view     edit
superuser            ok/ok    ok/ok
city_admin           ok/ok    ok/ok
district_admin       ok/ok    ok/ok
subdistrict_staff_a  ok/404   ok/404
worker_a             ok/404   ok/404
worker_b             404/ok   404/ok
grid_worker_a        404      404
handler              404      404
liaison              ok/404   403/404
party_member_user    404      404
volunteer            404      404
resident_user        404      404
"""


def _reports(cast: Any) -> tuple[DutyReport, DutyReport]:
    start = timezone.now() + timedelta(days=3)
    a = make_meeting(cast, starts_at=start)
    b = make_meeting(cast, starts_at=start, area=cast.community_b, title="安定门社区联席会议")
    b.organizer = cast.worker_b
    b.save()
    unit_b = core_actions.do_create_unit(acting_user=None, area=cast.community_b, name="安定门物业",
                                         kind=Unit.Kind.PROPERTY_COMPANY)
    invite(a, cast.member_unit)
    invite(b, unit_b)
    return (reports.do_prepare_duty_reports(a, acting_user=None)[0],
            reports.do_prepare_duty_reports(b, acting_user=None)[0])


def _minutes(cast: Any) -> tuple[Minutes, Minutes]:
    ra, rb = _reports(cast)
    return (minutes_actions.do_start_minutes(ra.meeting, acting_user=cast.worker_a),
            minutes_actions.do_start_minutes(rb.meeting, acting_user=cast.worker_b))


def test_the_duty_report_policy_matrix(cast: Any) -> None:
    assert check_policy_matrix(cast, DUTY_MATRIX, subjects=_reports(cast), can=can,
                               fetch=get_duty_report_for_user) == 48


def test_the_minutes_policy_matrix(cast: Any) -> None:
    assert check_policy_matrix(cast, MINUTES_MATRIX, subjects=_minutes(cast), can=can,
                               fetch=get_minutes_for_user) == 48


def test_the_report_page_http_matrix(cast: Any, client: Client) -> None:
    a, b = _reports(cast)

    def url(action: str, report: DutyReport) -> str:
        return reverse("meetings:report" if action == "view" else "meetings:report_save", args=[report.pk])

    duty = parse_matrix(DUTY_MATRIX)
    assert check_http_matrix(client, cast, duty.only("view"), url=url, subjects=(a, b)) == 24
    # The saves (nothing submitted): 302 back to the report.
    assert check_http_matrix(client, cast, duty.only("fill"), url=url, subjects=(a, b), method="post",
                             data=lambda action, r: {"notes": "说明", "do": "save"}, ok_status=302) == 24
    assert DutyReport.objects.filter(status=DutyReport.Status.SUBMITTED).count() == 0


def test_the_minutes_page_and_download_http_matrix(cast: Any, client: Client) -> None:
    a, b = _minutes(cast)

    def url(action: str, m: Minutes) -> str:
        return reverse("meetings:minutes_docx", args=[m.pk]) if action == "view" else \
            reverse("meetings:minutes_edit", args=[m.pk])

    view = parse_matrix(MINUTES_MATRIX).only("view")
    edit = parse_matrix(MINUTES_MATRIX).only("edit")
    assert check_http_matrix(client, cast, view, url=url, subjects=(a, b)) == 24
    assert check_http_matrix(client, cast, edit, url=url, subjects=(a, b), method="post",
                             data=lambda action, m: {"summary": "概要"}, ok_status=302) == 24
