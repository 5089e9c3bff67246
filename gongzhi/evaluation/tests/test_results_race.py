"""Two organizers at once (PostgreSQL row locks; skipped on SQLite): closing the rating twice computes and tells
once (the campaign's row is locked), answering one objection twice answers it once (the objection's row), two
objections from the ratee's side at once leave one open."""

from __future__ import annotations

import pytest

from gongzhi.core.models import AuditEvent, Notification
from gongzhi.evaluation.actions import results as actions
from gongzhi.evaluation.models import Campaign, Grade, Objection, Ratee
from gongzhi.lib.errors import ActionError
from gongzhi.test import race, require_postgresql

from .results_scene import close, make_scene, rate_all

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_organizers_closing_at_once_close_once(cast) -> None:
    require_postgresql("PostgreSQL row locks")
    scene = make_scene(cast)
    rate_all(scene)
    results = race(lambda: actions.do_close_rating(Campaign.objects.get(pk=scene.campaign.pk),
                                                   acting_user=cast.subdistrict_staff_a),
                   lambda: actions.do_close_rating(Campaign.objects.get(pk=scene.campaign.pk),
                                                   acting_user=cast.district_admin))
    assert sum(isinstance(r, Campaign) for r in results) == 1, results
    assert sum(isinstance(r, ActionError) for r in results) == 1, results
    assert AuditEvent.objects.filter(verb="evaluation.close").count() == 1
    assert Notification.objects.filter(user=cast.liaison, verb="evaluation.notice").count() == 2


def test_one_objection_answered_twice_at_once_is_answered_once(cast) -> None:
    require_postgresql("PostgreSQL row locks")
    scene = make_scene(cast)
    rate_all(scene)
    close(scene)
    objection = actions.do_object(Ratee.objects.get(pk=scene.unit.pk), reason="理由", acting_user=cast.liaison)
    results = race(
        lambda: actions.do_answer_objection(Objection.objects.get(pk=objection.pk), upheld=True, answer="成立",
                                            new_outcome=Grade.EXCELLENT, acting_user=cast.subdistrict_staff_a),
        lambda: actions.do_answer_objection(Objection.objects.get(pk=objection.pk), upheld=False, answer="不成立",
                                            acting_user=cast.district_admin))
    assert sum(isinstance(r, Objection) for r in results) == 1, results
    assert AuditEvent.objects.filter(verb="evaluation.answer_objection").count() == 1
    answered = Objection.objects.get(pk=objection.pk)
    unit = Ratee.objects.get(pk=scene.unit.pk)
    assert (unit.outcome == Grade.EXCELLENT) == (answered.status == Objection.Status.UPHELD)
    assert len(unit.breakdown.get("adjustments", [])) == (1 if answered.status == Objection.Status.UPHELD else 0)


def test_two_objections_at_once_leave_one_open(cast) -> None:
    require_postgresql("PostgreSQL row locks")
    scene = make_scene(cast)
    rate_all(scene)
    close(scene)
    results = race(*[lambda: actions.do_object(Ratee.objects.get(pk=scene.unit.pk), reason="理由",
                                               acting_user=cast.liaison)] * 2)
    assert sum(isinstance(r, Objection) for r in results) == 1, results
    assert Objection.objects.filter(ratee=scene.unit, status=Objection.Status.OPEN).count() == 1
