"""A member's year and the community's members (filter: registered and never served), and the yearly report to a
unit (双报告): the page, the Word document, "send to the unit" and the liaison's view. Personal data masked;
another community's member is 404."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from gongzhi.core import actions as core_actions
from gongzhi.core.models import AuditEvent, Notification, PartyMember
from gongzhi.service.actions import members as actions
from gongzhi.service.models import Pledge, Post, PostTerm, ServiceReport, StarRating
from gongzhi.test import Cast

from .members_scene import days_ago_in_year, serve

pytestmark = pytest.mark.django_db


def _client(user):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _confirmed(cast: Cast) -> None:
    registration = actions.do_register_member(acting_user=cast.party_member_user, community=cast.community_a)
    actions.do_decide_registration(registration, acting_user=cast.worker_a, confirm=True)


def _year_of_service(cast: Cast) -> None:
    _confirmed(cast)
    year = timezone.localdate().year
    serve(cast.party_member_user, cast.community_a, days_ago=days_ago_in_year(10), minutes=90, title="楼道清洁")
    serve(cast.party_member_user, cast.community_b, days_ago=days_ago_in_year(5), minutes=60, title="别处活动")
    serve(cast.party_member_user, cast.community_a, days_ago=days_ago_in_year(3), minutes=60, title="未确认",
          confirmed=False)
    post = Post.objects.create(community=cast.community_a, name="楼栋长", duties="联系住户")
    PostTerm.objects.create(post=post, party_member=cast.party_member_a, starts_on=date(year, 1, 1),
                            ends_on=date(year, 12, 31))
    Pledge.objects.create(party_member=cast.party_member_a, community=cast.community_a, year=year,
                          text="每月为独居老人代买一次药", status=Pledge.Status.KEPT)
    StarRating.objects.create(party_member=cast.party_member_a, community=cast.community_a, year=year,
                              computed_stars=4)


def test_a_member_s_year(cast: Cast) -> None:
    _year_of_service(cast)
    response = _client(cast.party_member_user).get(reverse("service:member_year", args=[cast.party_member_a.pk]))
    assert response.status_code == 200
    y = response.context["y"]
    assert str(y.hours) == "2.50"  # 90 + 60 minutes confirmed; the unconfirmed one does not count
    assert y.activities == 2 and [t.post.name for t in y.terms] == ["楼栋长"]
    assert [p.status for p in y.pledges] == ["kept"] and [s.stars for s in y.stars] == [4]
    html = response.content.decode()
    assert "137****7000" in html and "13700137000" not in html
    assert "楼道清洁" in html and "未确认" not in html and "已确认" in html


def test_who_sees_a_member_s_year(cast: Cast) -> None:
    _confirmed(cast)
    url = reverse("service:member_year", args=[cast.party_member_a.pk])
    assert _client(cast.worker_a).get(url).status_code == 200
    assert _client(cast.liaison).get(url).status_code == 200  # the member's work unit
    assert _client(cast.worker_b).get(url).status_code == 404
    assert _client(cast.volunteer).get(url).status_code == 404
    assert _client(cast.resident_user).get(url).status_code == 404
    other = core_actions.do_create_party_member(acting_user=None, home_area=cast.community_b, name="赵六",
                                                phone="13600136000")
    assert _client(cast.worker_a).get(reverse("service:member_year", args=[other.pk])).status_code == 404
    assert _client(cast.party_member_user).get(reverse("service:member_year", args=[other.pk])).status_code == 404


def test_the_community_lists_who_registered_and_never_served(cast: Cast) -> None:
    _confirmed(cast)
    idle = core_actions.do_create_party_member(acting_user=None, home_area=cast.community_a, name="李四",
                                               phone="13500135000", in_service=True)
    core_actions.do_register_party_member(idle, community=cast.community_a, acting_user=cast.worker_a)
    serve(cast.party_member_user, cast.community_a, days_ago=days_ago_in_year(2))
    worker = _client(cast.worker_a)
    everyone = worker.get(reverse("service:members"))
    assert everyone.status_code == 200
    assert {r.party_member.name for r in everyone.context["rows"]} == {"王红", "李四"}
    never = worker.get(reverse("service:members") + "?never=ever")
    assert [r.party_member.name for r in never.context["rows"]] == ["李四"]
    assert "135****5000" in never.content.decode()
    this_year = worker.get(reverse("service:members") + "?never=year")
    assert [r.party_member.name for r in this_year.context["rows"]] == ["李四"]
    # Not a community's staff, not a liaison: a member lands on their own year; a resident is refused.
    assert _client(cast.party_member_user).get(reverse("service:members")).status_code == 302
    assert _client(cast.resident_user).get(reverse("service:members")).status_code == 403
    liaison = _client(cast.liaison).get(reverse("service:members"))
    assert [m.name for m in liaison.context["unit_members"]] == ["王红"]


def test_the_yearly_report_to_the_unit(cast: Cast) -> None:
    _year_of_service(cast)
    year = timezone.localdate().year
    worker = _client(cast.worker_a)
    listing = worker.get(reverse("service:reports"))
    assert [u.name for u in listing.context["units"]] == [cast.member_unit.name]
    args = [cast.community_a.pk, cast.member_unit.pk, year]
    page = worker.get(reverse("service:unit_report", args=args))
    assert page.status_code == 200 and str(page.context["report"].hours) == "1.50"
    doc = worker.get(reverse("service:unit_report_docx", args=args))
    assert doc.status_code == 200 and doc["Content-Type"].startswith("application/vnd.openxmlformats")
    text = "\n".join([p.text for p in Document(io.BytesIO(doc.content)).paragraphs]
                     + [c.text for t in Document(io.BytesIO(doc.content)).tables for r in t.rows for c in r.cells])
    assert "王红" in text and "楼栋长" in text and "每月为独居老人代买一次药" in text and "别处活动" not in text
    # The liaison sees nothing before it is sent.
    liaison = _client(cast.liaison)
    assert liaison.get(reverse("service:unit_report", args=args)).status_code == 404
    assert liaison.post(reverse("service:unit_report_send", args=args)).status_code == 404
    assert _client(cast.grid_worker_a).post(reverse("service:unit_report_send", args=args)).status_code == 404
    assert not ServiceReport.objects.exists()
    sent = worker.post(reverse("service:unit_report_send", args=args))
    assert sent.status_code == 302
    report = ServiceReport.objects.get()
    assert (report.members, str(report.hours), report.sent_by) == (1, "1.50", cast.worker_a)
    assert Notification.objects.filter(user=cast.liaison, verb="service.report.sent").exists()
    assert AuditEvent.objects.filter(verb="service.report.send").exists()
    assert liaison.get(reverse("service:reports")).context["received"] == [report]
    assert liaison.get(reverse("service:unit_report", args=args)).status_code == 200
    assert liaison.get(reverse("service:unit_report_docx", args=args)).status_code == 200
    assert liaison.post(reverse("service:unit_report_send", args=args)).status_code == 403
    assert _client(cast.worker_b).get(reverse("service:unit_report", args=args)).status_code == 404


def test_a_report_without_members_is_refused(cast: Cast) -> None:
    year = timezone.localdate().year
    response = _client(cast.worker_a).post(reverse("service:unit_report_send",
                                                   args=[cast.community_a.pk, cast.member_unit.pk, year]))
    assert response.status_code == 400 and not ServiceReport.objects.exists()
    future = _client(cast.worker_a).get(reverse("service:unit_report",
                                                args=[cast.community_a.pk, cast.member_unit.pk, year + 1]))
    assert future.status_code == 404
    assert PartyMember.objects.count() == 1


def test_the_hub_card(cast: Cast) -> None:
    actions.do_register_member(acting_user=cast.party_member_user, community=cast.community_a)
    member = _client(cast.party_member_user).get(reverse("service:home"))
    assert member.status_code == 200
    card = next(c for c in member.context["cards"] if c.key == "members")
    assert ("和平里社区", "待确认") in [(str(a), str(b)) for a, b in card.lines]
    staff = _client(cast.worker_a).get(reverse("service:home"))
    card = next(c for c in staff.context["cards"] if c.key == "members")
    assert ("待确认", "1") in [(str(a), str(b)) for a, b in card.lines]
    volunteer = _client(cast.volunteer).get(reverse("service:home"))
    assert any(c.key == "members" for c in volunteer.context["cards"])


def test_the_task_for_community_staff(cast: Cast) -> None:
    from gongzhi.service.reg_members import registration_tasks

    assert [t.count for t in registration_tasks(cast.worker_a)] == [0]
    actions.do_register_member(acting_user=cast.party_member_user, community=cast.community_a)
    assert [t.count for t in registration_tasks(cast.worker_a)] == [1]
    assert [t.count for t in registration_tasks(cast.worker_b)] == [0]
    assert registration_tasks(cast.party_member_user) == []
    assert registration_tasks(cast.grid_worker_a) == []


def test_the_unit_report_reads_in_a_fixed_number_of_queries(cast: Cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.service import queries_members as queries

    _year_of_service(cast)
    year = timezone.localdate().year

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            report = queries.unit_report(cast.community_a, cast.member_unit, year)
            assert report.rows
        return len(ctx.captured_queries)

    one = count()
    for n in range(3):
        m = core_actions.do_create_party_member(acting_user=None, home_area=cast.community_a, name=f"成员{n}",
                                                in_service=True, work_unit=cast.member_unit)
        core_actions.do_register_party_member(m, community=cast.community_a, acting_user=cast.worker_a)
    assert count() == one
