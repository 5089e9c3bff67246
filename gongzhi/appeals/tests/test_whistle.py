# mypy: disable-error-code="arg-type,operator,union-attr"
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.appeals import actions
from gongzhi.appeals.models import Whistle
from gongzhi.core.errors import InvalidTransition
from gongzhi.core.models import AuditEvent


def test_it_runs_a_whistle_until_every_department_is_done(cast, ac):
    whistle = actions.do_whistle(acting_user=cast.worker_a, title="小区污水外溢", area=cast.estate_a,
                                 units=[cast.department, ac.department2], urgent=True)
    assert whistle.report_deadline - whistle.created_at == timedelta(minutes=30)
    assert whistle.whistler_area == cast.community_a
    r1, r2 = whistle.reports.order_by("id")
    with pytest.raises(PermissionDenied):
        actions.do_report_whistle(r1, acting_user=ac.handler2)
    with pytest.raises(InvalidTransition):
        actions.do_complete_whistle_report(r1, acting_user=cast.handler, action_taken="x")
    actions.do_report_whistle(r1, acting_user=cast.handler)
    with pytest.raises(InvalidTransition):
        actions.do_report_whistle(r1, acting_user=cast.handler)
    actions.do_complete_whistle_report(r1, acting_user=cast.handler, action_taken="疏通管道")
    whistle.refresh_from_db()
    assert whistle.status == Whistle.Status.OPEN
    actions.do_report_whistle(r2, acting_user=ac.handler2)
    actions.do_complete_whistle_report(r2, acting_user=ac.handler2, action_taken="排查水源")
    whistle.refresh_from_db()
    assert whistle.status == Whistle.Status.CLOSED
    with pytest.raises(PermissionDenied):
        actions.do_rate_whistle_report(r1, acting_user=cast.worker_b, rating="excellent")
    actions.do_rate_whistle_report(r1, acting_user=cast.worker_a, rating="excellent")
    with pytest.raises(InvalidTransition):
        actions.do_rate_whistle_report(r1, acting_user=cast.worker_a, rating="qualified")
    assert AuditEvent.objects.filter(verb="appeals.whistle_close").exists()


def test_it_gives_a_day_when_not_urgent_and_refuses_outsiders(cast, ac):
    whistle = actions.do_whistle(acting_user=cast.subdistrict_staff_a, title="占道经营", area=cast.community_a,
                                 units=[cast.department])
    assert whistle.report_deadline - whistle.created_at == timedelta(hours=24)
    with pytest.raises(PermissionDenied):
        actions.do_whistle(acting_user=cast.worker_b, title="x", area=cast.community_a, units=[cast.department])
    with pytest.raises(PermissionDenied):
        actions.do_whistle(acting_user=cast.handler, title="x", area=cast.community_a, units=[cast.department])


def test_it_shows_whistles_to_summoned_departments_only(client, cast, ac):
    whistle = actions.do_whistle(acting_user=cast.worker_a, title="井盖缺失", area=cast.estate_a,
                                 units=[cast.department])
    client.force_login(cast.handler)
    assert client.get(f"/api/appeals/whistles/{whistle.pk}").status_code == 200
    client.force_login(ac.handler2)
    assert client.get(f"/api/appeals/whistles/{whistle.pk}").status_code == 404
    client.force_login(cast.worker_b)
    assert client.get(f"/api/appeals/whistles/{whistle.pk}").status_code == 404
