"""Objections: only during the public notice, only from the ratee's side, one open at a time, a reason required; the
organizer's answer (required) may change the outcome (kept on the objection and in the breakdown), the objector is
told; through the pages with 403 and 404."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from gongzhi.core.models import AuditEvent, Notification
from gongzhi.evaluation.actions import results as actions
from gongzhi.evaluation.models import Campaign, Grade, Objection
from gongzhi.lib.errors import ActionError, Conflict, InvalidTransition

from .results_scene import close, end_notice, make_scene, rate_all, refreshed

pytestmark = pytest.mark.django_db
REASON = "我单位全年认领并完成了3个项目，社区评议未予体现"


@pytest.fixture
def scene(cast):  # type: ignore[no-untyped-def]
    s = make_scene(cast)
    rate_all(s)
    return s


def test_it_takes_an_objection_only_during_the_notice(scene, cast) -> None:
    with pytest.raises((InvalidTransition, PermissionDenied)):
        actions.do_object(scene.unit, reason=REASON, acting_user=cast.liaison)
    close(scene)
    objection = actions.do_object(scene.unit, reason=REASON, acting_user=cast.liaison)
    assert objection.status == Objection.Status.OPEN and objection.raised_by == cast.liaison
    event = AuditEvent.objects.get(verb="evaluation.object")
    assert event.actor == cast.liaison and (event.after or {})["reason"] == REASON
    # The organizer (granted at the subdistrict, and the campaign's creator) is told.
    assert Notification.objects.filter(user=scene.organizer, verb="evaluation.objection").exists()
    end_notice(scene.campaign)
    with pytest.raises(InvalidTransition):
        actions.do_object(scene.member, reason=REASON, acting_user=cast.liaison)


def test_the_liaison_objects_for_its_units_part_time_member(scene, cast) -> None:
    close(scene)
    actions.do_object(scene.member, reason=REASON, acting_user=cast.liaison)
    assert Objection.objects.filter(ratee=scene.member).count() == 1


def test_only_the_ratees_side_objects(scene, cast) -> None:
    close(scene)
    for user in (cast.worker_a, scene.organizer, cast.resident_user, cast.worker_b):
        with pytest.raises(PermissionDenied):
            actions.do_object(scene.unit, reason=REASON, acting_user=user)
    # The liaison of the member unit is not the school's side.
    with pytest.raises(PermissionDenied):
        actions.do_object(scene.school, reason=REASON, acting_user=cast.liaison)
    assert not Objection.objects.exists()


def test_one_open_objection_at_a_time_and_a_reason(scene, cast) -> None:
    close(scene)
    with pytest.raises(ActionError) as err:
        actions.do_object(scene.unit, reason="  ", acting_user=cast.liaison)
    assert err.value.field == "reason"
    with pytest.raises(ActionError):
        actions.do_object(scene.unit, reason="长" * 1001, acting_user=cast.liaison)
    first = actions.do_object(scene.unit, reason=REASON, acting_user=cast.liaison)
    with pytest.raises(Conflict):
        actions.do_object(scene.unit, reason=REASON, acting_user=cast.liaison)
    actions.do_answer_objection(first, upheld=False, answer="评议符合实际", acting_user=scene.organizer)
    # Answered: another may be raised.
    actions.do_object(scene.unit, reason="补充说明", acting_user=cast.liaison)
    assert Objection.objects.filter(ratee=scene.unit).count() == 2


def test_an_upheld_objection_changes_the_outcome(scene, cast) -> None:
    close(scene)
    assert refreshed(scene.unit).outcome == Grade.QUALIFIED
    objection = actions.do_object(scene.unit, reason=REASON, acting_user=cast.liaison)
    answered = actions.do_answer_objection(objection, upheld=True, answer="经核实，该单位完成项目3个，调整为优秀",
                                           new_outcome=Grade.EXCELLENT, acting_user=scene.organizer)
    assert answered.status == Objection.Status.UPHELD
    assert (answered.outcome_before, answered.outcome_after) == (Grade.QUALIFIED, Grade.EXCELLENT)
    unit = refreshed(scene.unit)
    assert unit.outcome == Grade.EXCELLENT
    adjustment = unit.breakdown["adjustments"][0]
    assert adjustment["before"] == Grade.QUALIFIED and adjustment["after"] == Grade.EXCELLENT
    assert adjustment["reason"].startswith("经核实") and adjustment["objection"] == objection.pk
    assert unit.breakdown["computed_outcome"] == Grade.QUALIFIED
    note = Notification.objects.get(user=cast.liaison, verb="evaluation.objection_answered")
    assert "经核实" in note.text and note.url == reverse("evaluation:result", args=[scene.unit.pk])
    event = AuditEvent.objects.get(verb="evaluation.answer_objection")
    assert (event.before or {})["outcome"] == Grade.QUALIFIED and (event.after or {})["outcome"] == Grade.EXCELLENT


def test_a_dismissed_objection_keeps_the_outcome(scene, cast) -> None:
    close(scene)
    objection = actions.do_object(scene.unit, reason=REASON, acting_user=cast.liaison)
    with pytest.raises(ActionError):  # a dismissal does not change the outcome
        actions.do_answer_objection(objection, upheld=False, answer="不成立", new_outcome=Grade.EXCELLENT,
                                    acting_user=scene.organizer)
    with pytest.raises(ActionError):  # an answer is required
        actions.do_answer_objection(objection, upheld=False, answer=" ", acting_user=scene.organizer)
    with pytest.raises(ActionError):
        actions.do_answer_objection(objection, upheld=True, answer="成立", new_outcome="perfect",
                                    acting_user=scene.organizer)
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.OPEN
    actions.do_answer_objection(objection, upheld=False, answer="评议符合实际", acting_user=scene.organizer)
    assert refreshed(scene.unit).outcome == Grade.QUALIFIED
    assert Objection.objects.get(pk=objection.pk).outcome_after == ""
    with pytest.raises(Conflict):
        actions.do_answer_objection(objection, upheld=True, answer="再答", acting_user=scene.organizer)


def test_only_the_organizer_answers(scene, cast) -> None:
    close(scene)
    objection = actions.do_object(scene.unit, reason=REASON, acting_user=cast.liaison)
    for user in (cast.liaison, cast.worker_a):
        with pytest.raises(PermissionDenied):
            actions.do_answer_objection(objection, upheld=False, answer="不成立", acting_user=user)
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.OPEN


def test_no_answer_once_final(scene, cast) -> None:
    close(scene)
    objection = actions.do_object(scene.unit, reason=REASON, acting_user=cast.liaison)
    Campaign.objects.filter(pk=scene.campaign.pk).update(status=Campaign.Status.FINAL)
    with pytest.raises(InvalidTransition):
        actions.do_answer_objection(objection, upheld=False, answer="不成立", acting_user=scene.organizer)


# --- pages -------------------------------------------------------------------------------------------------


def test_the_liaison_objects_through_the_result_page(client, scene, cast) -> None:
    close(scene)
    client.force_login(cast.liaison)
    url = reverse("evaluation:result", args=[scene.unit.pk])
    page = client.get(url)
    assert page.status_code == 200 and b'data-testid="object-form"' in page.content
    bad = client.post(reverse("evaluation:result_object", args=[scene.unit.pk]), {"reason": ""})
    assert bad.status_code == 400 and not Objection.objects.exists()
    response = client.post(reverse("evaluation:result_object", args=[scene.unit.pk]), {"reason": REASON})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert REASON in page and 'data-testid="object-form"' not in page


def test_the_object_page_refuses_others(client, scene, cast) -> None:
    close(scene)
    url = reverse("evaluation:result_object", args=[scene.unit.pk])
    client.force_login(cast.worker_b)
    assert client.post(url, {"reason": REASON}).status_code == 404
    client.force_login(scene.organizer)
    assert client.post(url, {"reason": REASON}).status_code == 403
    client.force_login(cast.liaison)
    assert client.post(reverse("evaluation:result_object", args=[scene.school.pk]),
                       {"reason": REASON}).status_code == 404
    assert not Objection.objects.exists()


def test_the_organizer_answers_through_the_objections_page(client, scene, cast) -> None:
    close(scene)
    objection = actions.do_object(scene.unit, reason=REASON, acting_user=cast.liaison)
    client.force_login(scene.organizer)
    page = client.get(reverse("evaluation:objections", args=[scene.campaign.pk]))
    assert page.status_code == 200 and REASON in page.content.decode()
    url = reverse("evaluation:objection_answer", args=[objection.pk])
    prefix = f"o{objection.pk}"
    bad = client.post(url, {f"{prefix}-decision": "uphold", f"{prefix}-answer": ""})
    assert bad.status_code == 400
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.OPEN
    response = client.post(url, {f"{prefix}-decision": "uphold", f"{prefix}-answer": "经核实调整",
                                 f"{prefix}-new_outcome": Grade.EXCELLENT})
    assert response.status_code == 302
    assert refreshed(scene.unit).outcome == Grade.EXCELLENT
    client.force_login(cast.liaison)
    assert client.post(url, {f"{prefix}-decision": "dismiss", f"{prefix}-answer": "x"}).status_code == 403
    assert client.get(reverse("evaluation:objections", args=[scene.campaign.pk])).status_code == 403
    client.force_login(cast.worker_b)
    assert client.post(url, {f"{prefix}-decision": "dismiss", f"{prefix}-answer": "x"}).status_code == 404
