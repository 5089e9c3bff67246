"""Follow-up visits: scheduled 30 days after the signing, moved or added by the worker, recorded by the mediators
(holds / does not hold, with the reopening of mediation), the due notice sent once, the home task."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.core.errors import ActionError
from gongzhi.core.models import AuditEvent, Notification, User
from gongzhi.disputes.actions import agreements as actions
from gongzhi.disputes.models import Dispute, FollowUp
from gongzhi.disputes.reg_agreements import follow_up_tasks

from .agreements_scene import make_scene, sign


@pytest.fixture
def scene(cast: Any) -> Any:
    s = make_scene(cast)
    sign(s.dispute_a, cast.worker_a, days_ago=25)
    return s


def _visit(scene: Any) -> FollowUp:
    return FollowUp.objects.get(dispute=scene.dispute_a)


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_the_worker_moves_and_adds_visits_with_chinese_errors(scene: Any) -> None:
    today = timezone.localdate()
    visit = _visit(scene)
    assert visit.due_on == today + timedelta(days=5)
    moved = actions.do_reschedule_follow_up(visit, due_on=today + timedelta(days=9), acting_user=scene.c.worker_a)
    assert moved.due_on == today + timedelta(days=9)
    second = actions.do_schedule_follow_up(scene.dispute_a, due_on=(today + timedelta(days=60)).isoformat(),
                                           acting_user=scene.c.worker_a)
    assert FollowUp.objects.filter(dispute=scene.dispute_a).count() == 2 and second.done_at is None
    cases = [(today - timedelta(days=1), "早于今天"), (today + timedelta(days=401), "400"), ("2026-02-30", "YYYY-MM-DD"),
             (None, "选择"), (today + timedelta(days=60), "已经安排")]
    for due, words in cases:
        with pytest.raises(ActionError) as e:
            actions.do_schedule_follow_up(scene.dispute_a, due_on=due, acting_user=scene.c.worker_a)  # type: ignore[arg-type]
        assert e.value.field == "due_on" and words in e.value.message, (due, e.value.message)
    verbs = set(AuditEvent.objects.filter(object_type="disputes.followup").values_list("verb", flat=True))
    assert verbs == {"disputes.follow_up.reschedule", "disputes.follow_up.schedule"}


def test_a_community_worker_schedules_without_seeing_the_content(scene: Any) -> None:
    """The worker schedules (dates only); the mediators record. Community B's worker, not on B's committee."""
    b = scene.dispute_b
    sign(b, scene.mediator_b, days_ago=1)
    visit = FollowUp.objects.get(dispute=b)
    worker_b = _fresh(scene.c.worker_b)
    assert actions.do_reschedule_follow_up(visit, due_on=timezone.localdate() + timedelta(days=3),
                                           acting_user=worker_b).due_on
    with pytest.raises(PermissionDenied):
        actions.do_record_follow_up(visit, holds=True, acting_user=worker_b)
    with pytest.raises(PermissionDenied):
        actions.do_schedule_follow_up(b, due_on=timezone.localdate() + timedelta(days=3),
                                      acting_user=_fresh(scene.c.grid_worker_a))


def test_no_visit_before_the_signing(cast: Any) -> None:
    s = make_scene(cast)
    with pytest.raises(ActionError) as e:
        actions.do_schedule_follow_up(s.dispute_a, due_on=timezone.localdate() + timedelta(days=3),
                                      acting_user=cast.worker_a)
    assert "签署后" in e.value.message


def test_a_visit_that_holds(scene: Any) -> None:
    visit = actions.do_record_follow_up(_visit(scene), holds=True, note="双方均已履行，关系缓和。",
                                        acting_user=scene.c.worker_a)
    assert visit.done_at is not None and visit.holds is True and visit.done_by == scene.c.worker_a
    with pytest.raises(ActionError) as e:
        actions.do_record_follow_up(visit, holds=True, acting_user=scene.c.worker_a)
    assert "已经记录" in e.value.message
    with pytest.raises(ActionError) as e:
        actions.do_reopen_mediation(scene.dispute_a, acting_user=scene.c.worker_a)
    assert "未履行" in e.value.message
    with pytest.raises(ActionError) as e:
        actions.do_reschedule_follow_up(visit, due_on=timezone.localdate(), acting_user=scene.c.worker_a)
    assert "已完成" in e.value.message


def test_the_visit_needs_an_answer_a_reason_and_a_sensible_time(scene: Any) -> None:
    visit, worker = _visit(scene), scene.c.worker_a
    now = timezone.now()
    cases: list[tuple[dict[str, Any], str, str]] = [({"holds": None}, "holds", "是否"), ({"holds": False}, "note", "原因"),
                             ({"holds": True, "visited_at": now + timedelta(days=1)}, "visited_at", "将来"),
                             ({"holds": True, "visited_at": now - timedelta(days=40)}, "visited_at", "早于"),
                             ({"holds": True, "note": "长" * 2001}, "note", "2000")]
    for kw, field, words in cases:
        with pytest.raises(ActionError) as e:
            actions.do_record_follow_up(visit, acting_user=worker, **kw)
        assert e.value.field == field and words in e.value.message, (kw, e.value.message)
    with pytest.raises(PermissionDenied):
        actions.do_record_follow_up(visit, holds=True, acting_user=_fresh(scene.c.subdistrict_staff_a))


def test_a_visit_that_does_not_hold_reopens_mediation(scene: Any) -> None:
    scene.dispute_a.assignments.create(mediator=scene.c.grid_worker_a)
    actions.do_schedule_follow_up(scene.dispute_a, due_on=timezone.localdate() + timedelta(days=40),
                                  acting_user=scene.c.worker_a)
    actions.do_record_follow_up(FollowUp.objects.filter(dispute=scene.dispute_a).first(),  # type: ignore[arg-type]
                                holds=False, note="被申请人未按期支付维修费。", acting_user=scene.c.worker_a)
    assert Notification.objects.filter(user=scene.c.grid_worker_a, verb="disputes.agreement_broken").exists()
    assert actions.broken(scene.dispute_a)
    d = actions.do_reopen_mediation(scene.dispute_a, acting_user=scene.c.worker_a)
    assert d.status == Dispute.Status.IN_MEDIATION and d.resolved_at is None
    # the signed agreement is kept; the visits still to make of the failed agreement go
    assert [a.signed_on is not None for a in actions.earlier_agreements(d)] == [True]
    assert actions.agreement_in_hand(d) is None
    assert not FollowUp.objects.filter(dispute=d, done_at__isnull=True).exists()
    assert AuditEvent.objects.filter(verb="disputes.mediation.reopen", object_id=str(d.pk)).exists()
    with pytest.raises(ActionError) as e:
        actions.do_reopen_mediation(d, acting_user=scene.c.worker_a)
    assert "已达成协议" in e.value.message


def test_the_due_notice_is_sent_once_and_again_after_a_move(scene: Any) -> None:
    today = timezone.localdate()
    assert actions.notify_due_follow_ups(today) == {"notified": 0}
    assert actions.notify_due_follow_ups(today + timedelta(days=5)) == {"notified": 1}
    assert actions.notify_due_follow_ups(today + timedelta(days=6)) == {"notified": 0}
    notes = Notification.objects.filter(user=scene.c.worker_a, verb="disputes.follow_up_due")
    assert notes.count() == 1 and scene.dispute_a.reference in notes[0].text
    actions.do_reschedule_follow_up(_visit(scene), due_on=today + timedelta(days=8), acting_user=scene.c.worker_a)
    assert actions.notify_due_follow_ups(today + timedelta(days=8)) == {"notified": 1}
    assert notes.count() == 2


def test_the_home_task_counts_visits_due_within_a_week(scene: Any) -> None:
    tasks = follow_up_tasks(_fresh(scene.c.worker_a))
    assert [(t.key, t.count, t.kind) for t in tasks] == [("disputes.follow_ups", 1, "soon")]
    assert tasks[0].url.startswith("/disputes/follow-ups/")
    assert follow_up_tasks(_fresh(scene.c.worker_b)) == []
    assert follow_up_tasks(_fresh(scene.c.resident_user)) == []
    FollowUp.objects.filter(dispute=scene.dispute_a).update(due_on=timezone.localdate() - timedelta(days=1))
    assert follow_up_tasks(_fresh(scene.c.worker_a))[0].kind == "overdue"
    FollowUp.objects.filter(dispute=scene.dispute_a).update(due_on=timezone.localdate() + timedelta(days=8))
    assert follow_up_tasks(_fresh(scene.c.worker_a)) == []


def test_after_reopening_a_new_agreement_is_written_signed_and_visited(scene: Any, client: Any) -> None:
    from django.urls import reverse

    from gongzhi.disputes.models import Agreement

    from .agreements_scene import FACTS, PERFORMANCE

    c = scene.c
    first = actions.agreement_in_hand(scene.dispute_a)
    actions.do_record_follow_up(_visit(scene), holds=False, note="被申请人未按期支付维修费。", acting_user=c.worker_a)
    d = actions.do_reopen_mediation(scene.dispute_a, acting_user=c.worker_a)
    client.force_login(c.worker_a)
    form = client.get(reverse("disputes:agreement", args=[d.pk])).content.decode()
    assert 'data-testid="agreement-form"' in form and FACTS in form  # the facts carry over, the terms are new
    # a draft of the new agreement, then signed: the failed one is kept as it was
    draft = actions.do_record_agreement(d, facts=FACTS, terms="1、被申请人于三日内一次性支付维修费一千二百元。",
                                        performance="", acting_user=c.worker_a)
    assert draft.pk != first.pk and draft.signed_on is None  # type: ignore[union-attr]
    again = actions.do_record_agreement(d, facts=FACTS, terms=draft.terms, performance=PERFORMANCE,
                                        signed_on=timezone.localdate(), acting_user=c.worker_a)
    assert again.pk == draft.pk and again.signed_on == timezone.localdate()
    d.refresh_from_db()
    assert d.status == Dispute.Status.AGREED and Agreement.objects.filter(dispute=d).count() == 2
    assert actions.agreement_in_hand(d) == again and actions.earlier_agreements(d) == [first]
    # the old visit that found the first agreement broken does not count against the new one
    assert not actions.broken(d)
    assert FollowUp.objects.filter(dispute=d, done_at__isnull=True).count() == 1
    with pytest.raises(ActionError) as e:
        actions.do_record_agreement(d, facts=FACTS, terms="改", performance=PERFORMANCE, acting_user=c.worker_a)
    assert "不能再修改" in e.value.message
    # the page lists the earlier agreement, whose Word document still downloads; another dispute's is 404
    page = client.get(reverse("disputes:agreement", args=[d.pk])).content.decode()
    assert 'data-testid="earlier-agreements"' in page and f"?agreement={first.pk}" in page  # type: ignore[union-attr]
    old = client.get(reverse("disputes:agreement_docx", args=[d.pk]), {"agreement": first.pk})  # type: ignore[union-attr]
    assert old.status_code == 200 and old["Content-Type"].startswith("application/vnd.openxmlformats")
    other = sign(scene.dispute_b, scene.mediator_b)
    assert client.get(reverse("disputes:agreement_docx", args=[d.pk]), {"agreement": other.pk}).status_code == 404
    body = client.get(f"/api/disputes/{d.pk}/agreement").json()
    assert body["signed"] and body["earlier"] == [{"id": first.pk, "signed_on": first.signed_on.isoformat()}]  # type: ignore[union-attr]
