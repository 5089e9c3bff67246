"""Resolutions: decided at a meeting, progress by the responsible units only, done with evidence, cancelled with a
reason; reminders 3 days before the deadline and once when overdue, with frozen time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.lists.models import Demand, Project
from gongzhi.lists.tests.project_scene import jpeg, other_unit
from gongzhi.meetings.actions import agenda as agenda_actions
from gongzhi.meetings.actions import resolutions as actions
from gongzhi.meetings.models import Resolution, ResolutionUpdate

from . import agenda_scene


@pytest.fixture
def scene(cast):  # type: ignore[no-untyped-def]
    return agenda_scene.build(cast)


def add(cast, scene, *, days: int = 30, **kw):  # type: ignore[no-untyped-def]
    data: dict[str, Any] = {"approach": "物业与住建委联合疏通", "task": "疏通3号楼下水道", "units": [cast.member_unit],
            "due_on": timezone.localdate() + timedelta(days=days)}
    data.update(kw)
    return actions.do_add_resolution(scene.meeting, acting_user=cast.worker_a, **data)


def test_it_records_a_resolution_linked_to_its_agenda_item(cast, scene) -> None:  # type: ignore[no-untyped-def]
    items = agenda_actions.do_propose_agenda(scene.meeting, acting_user=cast.worker_a,
                                             keys=[f"appeals.case:{scene.overdue_case.pk}"])
    r = add(cast, scene, agenda_item=items[0])
    assert r.case_id == scene.overdue_case.pk and r.status == Resolution.Status.OPEN
    assert list(r.units.all()) == [cast.member_unit] and r.area == cast.community_a
    assert Notification.objects.filter(user=cast.liaison, verb="meetings.resolution_assigned").exists()
    assert AuditEvent.objects.filter(verb="meetings.add_resolution", object_id=str(r.pk)).exists()


def test_it_refuses_a_resolution_without_units_task_or_a_good_deadline(cast, scene) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ActionError) as no_units:
        add(cast, scene, units=[])
    assert no_units.value.field == "units"
    with pytest.raises(ActionError):
        add(cast, scene, task=" ")
    with pytest.raises(ActionError) as early:
        add(cast, scene, days=-30)
    assert early.value.field == "due_on"
    with pytest.raises(PermissionDenied):
        actions.do_add_resolution(scene.meeting, acting_user=cast.liaison, approach="a", task="b",
                                  units=[cast.member_unit], due_on=timezone.localdate() + timedelta(days=3))
    assert not Resolution.objects.filter(meeting=scene.meeting).exists()


def test_it_can_create_a_demand_and_a_project(cast, scene) -> None:  # type: ignore[no-untyped-def]
    r = add(cast, scene, task="增设老年助餐点", create="demand")
    demand = Demand.objects.get(pk=r.demand_id)
    assert demand.source_key == f"meetings.resolution:{r.pk}" and demand.area == cast.community_a
    p = add(cast, scene, task="楼道加装扶手", create="project")
    assert Project.objects.get(pk=p.project_id).demands.get().pk == p.demand_id


def test_the_lifecycle_progress_done_with_evidence(cast, scene) -> None:  # type: ignore[no-untyped-def]
    r = add(cast, scene)
    update = actions.do_post_resolution_update(r, acting_user=cast.liaison, percent=40, note="已进场施工",
                                               photo=jpeg(exif=True))
    r.refresh_from_db()
    assert r.status == Resolution.Status.IN_PROGRESS and r.progress == 40
    assert update.unit == cast.member_unit and update.photo.name.endswith(".jpg")
    with pytest.raises(ActionError):
        actions.do_complete_resolution(r, acting_user=cast.liaison, evidence="  ")
    actions.do_complete_resolution(r, acting_user=cast.liaison, evidence="下水道已疏通，居民签字确认")
    r.refresh_from_db()
    assert r.status == Resolution.Status.DONE and r.progress == 100 and r.completed_at and "疏通" in r.evidence
    assert r.updates.filter(completes=True).count() == 1
    with pytest.raises(InvalidTransition):
        actions.do_post_resolution_update(r, acting_user=cast.liaison, percent=50, note="再报")
    assert {"meetings.post_resolution_update", "meetings.complete_resolution"} <= set(
        AuditEvent.objects.values_list("verb", flat=True))


def test_a_large_or_broken_photo_is_refused(cast, scene, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = add(cast, scene)
    with pytest.raises(ActionError):
        actions.do_post_resolution_update(r, acting_user=cast.liaison, percent=10, note="照片",
                                          photo=SimpleUploadedFile("x.jpg", b"not an image"))
    assert not ResolutionUpdate.objects.filter(resolution=r).exists()


def test_only_the_responsible_units_liaisons_post(cast, scene) -> None:  # type: ignore[no-untyped-def]
    other = other_unit(cast)
    r = add(cast, scene)
    with pytest.raises(PermissionDenied):
        actions.do_post_resolution_update(r, acting_user=other.liaison, percent=10, note="不是我们的")
    with pytest.raises(PermissionDenied):
        actions.do_complete_resolution(r, acting_user=other.liaison, evidence="不是我们的")
    with pytest.raises(PermissionDenied):
        actions.do_post_resolution_update(r, acting_user=cast.worker_b, percent=10, note="别的社区")
    with pytest.raises(PermissionDenied):
        actions.do_cancel_resolution(r, acting_user=cast.liaison, reason="想撤销")
    actions.do_post_resolution_update(r, acting_user=cast.worker_a, percent=20, note="社区代填")
    assert not ResolutionUpdate.objects.filter(by=other.liaison).exists()


def test_cancel_needs_a_reason(cast, scene) -> None:  # type: ignore[no-untyped-def]
    r = add(cast, scene)
    with pytest.raises(ActionError):
        actions.do_cancel_resolution(r, acting_user=cast.worker_a, reason="")
    actions.do_cancel_resolution(r, acting_user=cast.worker_a, reason="问题已由区里统一解决")
    r.refresh_from_db()
    assert r.status == Resolution.Status.CANCELLED
    assert "问题已由区里统一解决" in r.updates.get().note
    with pytest.raises(InvalidTransition):
        actions.do_cancel_resolution(r, acting_user=cast.worker_a, reason="再撤")


def test_reminders_before_the_deadline_and_once_when_overdue(cast, scene, time_machine) -> None:  # type: ignore[no-untyped-def]
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    r = add(cast, scene, days=10)
    Notification.objects.all().delete()
    assert actions.do_remind_resolutions() == {"due_soon": 0, "overdue": 1}  # the scene's earlier resolution
    assert Notification.objects.filter(user=cast.worker_a, verb="meetings.resolution_overdue").exists()
    time_machine.move_to(start + timedelta(days=7), tick=False)
    assert actions.do_remind_resolutions() == {"due_soon": 1, "overdue": 0}
    assert Notification.objects.filter(user=cast.liaison, verb="meetings.resolution_due").count() == 1
    assert actions.do_remind_resolutions() == {"due_soon": 0, "overdue": 0}  # once
    r.refresh_from_db()
    assert r.reminded_at is not None and not r.overdue
    time_machine.move_to(start + timedelta(days=11), tick=False)
    r.refresh_from_db()
    assert r.overdue
    assert actions.do_remind_resolutions() == {"due_soon": 0, "overdue": 1}
    assert actions.do_remind_resolutions() == {"due_soon": 0, "overdue": 0}
    r.refresh_from_db()
    assert r.overdue_reminded_at is not None
    assert Notification.objects.filter(user=cast.liaison, verb="meetings.resolution_overdue").count() == 2
    assert AuditEvent.objects.filter(verb="meetings.remind_resolution_overdue", actor=None).count() == 2


def test_a_done_resolution_is_never_reminded(cast, scene, time_machine) -> None:  # type: ignore[no-untyped-def]
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    r = add(cast, scene, days=8)
    actions.do_complete_resolution(r, acting_user=cast.liaison, evidence="已完成")
    actions.do_complete_resolution(scene.resolution, acting_user=cast.liaison, evidence="路灯已修好")
    time_machine.move_to(start + timedelta(days=10), tick=False)
    assert actions.do_remind_resolutions() == {"due_soon": 0, "overdue": 0}
