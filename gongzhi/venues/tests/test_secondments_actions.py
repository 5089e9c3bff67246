"""Secondments (挂职): the agreement of both sides, the host community's role for the period only (granted on the
first day, taken back after the last), cancellation before the start, the report; every rule and its message."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import AuditEvent, Grant, Notification, Role, User
from gongzhi.core.policy import covers
from gongzhi.test import PASSWORD, make_alliance
from gongzhi.venues.actions import secondments as actions
from gongzhi.venues.models import Secondment

pytestmark = pytest.mark.django_db

WORKER = frozenset({Role.COMMUNITY_WORKER})


def seconded_person(cast: Any) -> User:
    """A second community worker of community A: the one seconded to C."""
    person = User.objects.create_user(username="worker_a2", password=PASSWORD, display_name="和平里社工李娜")
    core_actions.do_grant_role(person, role=Role.COMMUNITY_WORKER, area=cast.community_a, acting_user=None)
    return person


def propose(cast: Any, scene_c: Any, person: User, *, start: date, days: int = 30, by: Any = None) -> Secondment:
    return actions.do_propose_secondment(
        acting_user=by or cast.worker_a, person=person, from_community=cast.community_a,
        to_community=scene_c.community_c, starts_on=start, ends_on=start + timedelta(days=days),
        role_title="社区党委副书记（挂职）", work="学习新塘的网格化治理")


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_both_sides_agree_and_the_role_holds_for_the_period_only(cast: Any) -> None:
    scene_c = make_alliance(cast)
    person = seconded_person(cast)
    today = timezone.localdate()
    start = today + timedelta(days=10)
    s = propose(cast, scene_c, person, start=start)
    assert s.status == "proposed" and s.from_agreed_by == cast.worker_a and s.to_agreed_at is None
    assert Notification.objects.filter(user=scene_c.worker_c, verb="venues.secondment.propose").exists()
    with pytest.raises(Conflict, match="已经同意"):
        actions.do_agree_secondment(s, acting_user=cast.worker_a)
    with pytest.raises(PermissionDenied):
        actions.do_agree_secondment(s, acting_user=cast.worker_b)
    actions.do_agree_secondment(s, acting_user=scene_c.worker_c)
    s.refresh_from_db()
    assert s.status == "agreed" and s.to_agreed_by == scene_c.worker_c and s.grant is None
    assert not covers(fresh(person), scene_c.community_c, WORKER)  # before the first day

    assert actions.do_run_secondments(today=start - timedelta(days=1)) == {"started": 0, "ended": 0}
    assert actions.do_run_secondments(today=start) == {"started": 1, "ended": 0}
    s.refresh_from_db()
    assert s.status == "active" and s.grant is not None
    assert s.grant.role == Role.COMMUNITY_WORKER and s.grant.area == scene_c.community_c
    assert covers(fresh(person), scene_c.community_c, WORKER)  # during the period
    assert covers(fresh(person), cast.community_a, WORKER)  # their own role stays
    assert Notification.objects.filter(user=person, verb="venues.secondment.start").exists()
    assert actions.do_run_secondments(today=start + timedelta(days=30)) == {"started": 0, "ended": 0}  # last day

    assert actions.do_run_secondments(today=start + timedelta(days=31)) == {"started": 0, "ended": 1}
    s.refresh_from_db()
    assert s.status == "ended" and s.grant is None
    assert not covers(fresh(person), scene_c.community_c, WORKER)  # after the period
    assert covers(fresh(person), cast.community_a, WORKER)
    assert not Grant.objects.filter(user=person, area=scene_c.community_c).exists()
    assert Notification.objects.filter(user=person, verb="venues.secondment.end").exists()
    verbs = list(AuditEvent.objects.filter(object_id=str(s.pk), object_type="venues.secondment")
                 .order_by("pk").values_list("verb", flat=True))
    assert verbs == ["venues.secondment.propose", "venues.secondment.agree", "venues.secondment.start",
                     "venues.secondment.end"]
    assert AuditEvent.objects.filter(verb="core.grant.revoke", before__user="worker_a2").exists()


def test_it_starts_at_once_when_agreed_on_or_after_the_first_day(cast: Any) -> None:
    scene_c = make_alliance(cast)
    person = seconded_person(cast)
    s = propose(cast, scene_c, person, start=timezone.localdate())
    actions.do_agree_secondment(s, acting_user=scene_c.worker_c)
    s.refresh_from_db()
    assert s.status == "active" and covers(fresh(person), scene_c.community_c, WORKER)


def test_staff_over_both_communities_agree_for_both(cast: Any) -> None:
    scene_c = make_alliance(cast)
    person = seconded_person(cast)
    s = propose(cast, scene_c, person, start=timezone.localdate() + timedelta(days=3), by=cast.superuser)
    assert s.status == "agreed" and s.from_agreed_at and s.to_agreed_at


def test_the_host_side_may_propose_and_the_sending_side_agrees(cast: Any) -> None:
    scene_c = make_alliance(cast)
    person = seconded_person(cast)
    s = propose(cast, scene_c, person, start=timezone.localdate() + timedelta(days=3), by=scene_c.worker_c)
    assert s.to_agreed_by == scene_c.worker_c and s.from_agreed_at is None
    actions.do_agree_secondment(s, acting_user=cast.worker_a)
    s.refresh_from_db()
    assert s.status == "agreed"
    with pytest.raises(Conflict, match="不再等待同意"):
        actions.do_agree_secondment(s, acting_user=cast.worker_a)


def test_proposals_refuse_what_breaks_a_rule(cast: Any) -> None:
    scene_c = make_alliance(cast)
    person = seconded_person(cast)
    today = timezone.localdate()
    go = actions.do_propose_secondment
    base: dict[str, Any] = {"acting_user": cast.worker_a, "person": person, "from_community": cast.community_a,
                            "to_community": scene_c.community_c, "starts_on": today + timedelta(days=1),
                            "ends_on": today + timedelta(days=30), "role_title": "副书记"}
    cases = [
        ({"person": None}, "挂职的人"),
        ({"from_community": cast.subdistrict_a}, "派出"),
        ({"to_community": None}, "接收社区"),
        ({"to_community": cast.community_a}, "两个不同的社区"),
        ({"to_community": cast.community_b}, "不在同一个联盟"),
        ({"starts_on": ""}, "第一天"),
        ({"ends_on": ""}, "最后一天"),
        ({"starts_on": "2026-13-01"}, "日期"),
        ({"ends_on": today}, "不能早于"),
        ({"starts_on": today - timedelta(days=1)}, "不能是过去"),
        ({"role_title": ""}, "担任的职务"),
        ({"person": cast.worker_b}, "不在和平里社区工作"),
    ]
    for change, message in cases:
        with pytest.raises(ActionError, match=message):
            go(**{**base, **change})
    with pytest.raises(PermissionDenied):
        go(**{**base, "acting_user": cast.worker_b})
    with pytest.raises(PermissionDenied):
        go(**{**base, "acting_user": cast.resident_user})
    host = User.objects.create_user(username="both", password=PASSWORD, display_name="两边都有")
    core_actions.do_grant_role(host, role=Role.COMMUNITY_WORKER, area=cast.community_a, acting_user=None)
    core_actions.do_grant_role(host, role=Role.COMMUNITY_WORKER, area=scene_c.community_c, acting_user=None)
    with pytest.raises(ActionError, match="已经是新塘社区的社区工作者"):
        go(**{**base, "person": host})
    go(**base)
    with pytest.raises(ActionError, match="这段时间已有挂职"):
        go(**{**base, "starts_on": today + timedelta(days=20), "ends_on": today + timedelta(days=40)})


def test_cancel_before_the_start_only(cast: Any) -> None:
    scene_c = make_alliance(cast)
    person = seconded_person(cast)
    s = propose(cast, scene_c, person, start=timezone.localdate() + timedelta(days=5))
    with pytest.raises(ActionError, match="取消的原因"):
        actions.do_cancel_secondment(s, acting_user=scene_c.worker_c, reason="")
    with pytest.raises(PermissionDenied):
        actions.do_cancel_secondment(s, acting_user=cast.worker_b, reason="不去了")
    actions.do_cancel_secondment(s, acting_user=scene_c.worker_c, reason="人手紧张，改到明年")
    s.refresh_from_db()
    assert s.status == "cancelled"
    assert Notification.objects.filter(user=person, verb="venues.secondment.cancel").exists()
    with pytest.raises(Conflict, match="尚未开始"):
        actions.do_cancel_secondment(s, acting_user=scene_c.worker_c, reason="再取消")
    started = propose(cast, scene_c, person, start=timezone.localdate())
    actions.do_agree_secondment(started, acting_user=scene_c.worker_c)
    with pytest.raises(Conflict, match="尚未开始"):
        actions.do_cancel_secondment(started, acting_user=cast.worker_a, reason="x")


def test_the_person_files_the_report_once(cast: Any) -> None:
    scene_c = make_alliance(cast)
    person = seconded_person(cast)
    s = propose(cast, scene_c, person, start=timezone.localdate() + timedelta(days=2))
    with pytest.raises(PermissionDenied):  # not started yet
        actions.do_file_secondment_report(s, acting_user=person, learned="a", brought="b")
    actions.do_agree_secondment(s, acting_user=scene_c.worker_c)
    actions.do_run_secondments(today=s.starts_on)
    actions.do_run_secondments(today=s.ends_on + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        actions.do_file_secondment_report(s, acting_user=cast.worker_a, learned="a", brought="b")
    with pytest.raises(ActionError, match="学到了什么"):
        actions.do_file_secondment_report(s, acting_user=person, learned="", brought="b")
    with pytest.raises(ActionError, match="带回了什么"):
        actions.do_file_secondment_report(s, acting_user=person, learned="a", brought=" ")
    actions.do_file_secondment_report(s, acting_user=person, learned="议事会流程", brought="岗位推送")
    s.refresh_from_db()
    assert s.report_filed_at is not None and s.report_brought == "岗位推送"
    assert Notification.objects.filter(user=cast.worker_a, verb="venues.secondment.report").exists()
    with pytest.raises(Conflict, match="已经提交"):
        actions.do_file_secondment_report(s, acting_user=person, learned="a", brought="b")
    assert AuditEvent.objects.filter(verb="venues.secondment.report", actor=person).exists()


def test_the_seconded_person_sees_the_host_community_during_the_period_only(cast: Any) -> None:
    """What the role opens: the host community's venues policy scope (a page only its workers see)."""
    from gongzhi.venues.models import Venue
    from gongzhi.venues.permissions import venue_policy

    scene_c = make_alliance(cast)
    person = seconded_person(cast)
    venue = Venue.objects.create(name="新塘社区党群服务站", level=Venue.Level.STATION, area=scene_c.community_c)
    s = propose(cast, scene_c, person, start=timezone.localdate() + timedelta(days=1), days=5)
    actions.do_agree_secondment(s, acting_user=scene_c.worker_c)
    assert not venue_policy.can(fresh(person), "manage", venue)
    actions.do_run_secondments(today=s.starts_on)
    assert venue_policy.can(fresh(person), "manage", venue)
    actions.do_run_secondments(today=s.ends_on + timedelta(days=1))
    assert not venue_policy.can(fresh(person), "manage", venue)
