"""The project list's actions: creating from demands and resources (capacity reserved), claiming, partner units and
budget, milestones, sub-projects and their weighted progress, progress with photos, finishing (demands met, unused
capacity released), cancelling, and the overdue milestones' reminders."""

# mypy: disable-error-code="union-attr"
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.core.registry import registry
from gongzhi.lists import actions, capacity
from gongzhi.lists.models import AgreementItem, Demand, Milestone, ProgressPhoto, Project, Resource
from gongzhi.test import Cast

from .project_scene import agreed, claimed, day, demand, jpeg, other_unit, proposed, resource

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _audited(verb: str, project: Project) -> bool:
    return AuditEvent.objects.filter(verb=verb, object_id=str(project.pk)).exists()


# --- creating --------------------------------------------------------------------------------------------


def test_it_creates_a_project_reserving_capacity_and_matching_its_demands(cast: Cast) -> None:
    res = resource(cast, amount="100")
    d = demand(cast)
    before = Demand.objects.get(pk=d.pk).updated_at
    project = actions.do_create_project(acting_user=cast.worker_a, area=cast.community_a, title="楼道照明改造",
                                        demand_ids=[d.pk], reservations=[actions.Reservation(res.pk, Decimal(30))],
                                        budget=Decimal("5000"))
    assert project.status == Project.Status.PROPOSED and project.lead_unit is None
    res.refresh_from_db()
    assert res.promised == 30 and capacity.remaining(res) == 70
    d.refresh_from_db()
    assert d.status == Demand.Status.MATCHED and d.updated_at > before
    assert list(project.demands.all()) == [d]
    assert _audited("lists.create_project", project)


def test_creating_refuses_more_than_is_left_and_changes_nothing(cast: Cast) -> None:
    res = resource(cast, amount="20")
    d = demand(cast)
    with pytest.raises(ActionError) as err:
        actions.do_create_project(acting_user=cast.worker_a, area=cast.community_a, title="超额项目",
                                  demand_ids=[d.pk], reservations=[actions.Reservation(res.pk, Decimal(25))])
    assert "20" in err.value.message and "共建资金" in err.value.message
    res.refresh_from_db()
    assert res.promised == 0 and not Project.objects.exists()
    assert Demand.objects.get(pk=d.pk).status == Demand.Status.OPEN


@pytest.mark.parametrize("case", ["other_community", "not_open", "no_demand", "estate", "out_of_scope_resource"])
def test_creating_refuses_bad_input_with_a_message(cast: Cast, case: str) -> None:
    res = resource(cast)
    d = demand(cast)
    kwargs: dict[str, Any] = {"acting_user": cast.worker_a, "area": cast.community_a, "title": "项目",
                              "demand_ids": [d.pk], "reservations": [actions.Reservation(res.pk, Decimal(1))]}
    if case == "other_community":
        kwargs["demand_ids"] = [demand(cast, "安定门需求", cast.community_b).pk]
    elif case == "not_open":
        Demand.objects.filter(pk=d.pk).update(status=Demand.Status.MET)
    elif case == "no_demand":
        kwargs["demand_ids"] = []
    elif case == "estate":
        kwargs["area"] = cast.estate_a
    else:
        kwargs["reservations"] = [actions.Reservation(resource(cast, area=cast.community_b, unit=cast.department).pk,
                                                      Decimal(1))]
    with pytest.raises(ActionError) as err:
        actions.do_create_project(**kwargs)
    assert err.value.message
    assert not Project.objects.exists() and Resource.objects.filter(promised__gt=0).count() == 0


def test_only_the_communitys_staff_create_projects(cast: Cast) -> None:
    d = demand(cast)
    for user in (cast.liaison, cast.worker_b, cast.grid_worker_a):
        with pytest.raises(PermissionDenied):
            actions.do_create_project(acting_user=user, area=cast.community_a, title="项目", demand_ids=[d.pk])


# --- claiming ----------------------------------------------------------------------------------------------


def test_a_liaison_claims_a_project_its_demands_go_into_it_and_the_agreement_is_drafted(cast: Cast) -> None:
    project = proposed(cast)
    d = project.demands.get()
    before = d.updated_at
    actions.do_claim_project(project, acting_user=cast.liaison)
    project.refresh_from_db()
    assert (project.status, project.lead_unit, project.claimed_by) == (
        Project.Status.CLAIMED, cast.member_unit, cast.liaison)
    assert project.claimed_at is not None
    d.refresh_from_db()
    assert d.status == Demand.Status.IN_PROJECT and d.updated_at > before
    items = list(AgreementItem.objects.filter(agreement__project=project).order_by("order"))
    assert [i.unit for i in items] == [cast.member_unit, None]
    assert "共建资金" in items[0].text and "60" in items[0].text
    assert _audited("lists.claim_project", project)
    assert Notification.objects.filter(user=cast.worker_a, verb="lists.claim_project").exists()


def test_a_claimed_project_cannot_be_claimed_again_and_says_by_whom(cast: Cast) -> None:
    project = claimed(cast)
    second = other_unit(cast)
    with pytest.raises(InvalidTransition) as err:
        actions.do_claim_project(project, acting_user=second.liaison)
    assert "和平物业服务有限公司" in err.value.message


def test_only_a_liaison_of_a_unit_registered_there_claims(cast: Cast) -> None:
    project = proposed(cast)
    elsewhere = other_unit(cast, name="安定医院", community=cast.community_b, username="liaison_b")
    for user in (cast.worker_a, cast.district_admin, elsewhere.liaison):
        with pytest.raises(PermissionDenied):
            actions.do_claim_project(project, acting_user=user)
    with pytest.raises(PermissionDenied):
        actions.do_claim_project(project, acting_user=cast.liaison, unit=elsewhere.unit)
    assert Project.objects.get(pk=project.pk).status == Project.Status.PROPOSED


# --- partners, budget, milestones --------------------------------------------------------------------------


def test_staff_add_partner_units_and_a_budget(cast: Cast) -> None:
    project = claimed(cast)
    school = other_unit(cast)
    actions.do_add_partner_units(project, acting_user=cast.worker_a, units=[school.unit])
    assert list(project.partner_units.all()) == [school.unit]
    with pytest.raises(ActionError):
        actions.do_add_partner_units(project, acting_user=cast.worker_a, units=[school.unit])
    with pytest.raises(PermissionDenied):
        actions.do_add_partner_units(project, acting_user=cast.liaison, units=[cast.department])
    actions.do_set_project_budget(project, acting_user=cast.worker_a, budget="20000.50")
    assert Project.objects.get(pk=project.pk).budget == Decimal("20000.50")
    with pytest.raises(ActionError) as err:
        actions.do_set_project_budget(project, acting_user=cast.worker_a, budget="两万")
    assert err.value.field == "budget"


def test_milestones_are_added_and_marked_done_by_the_projects_people(cast: Cast) -> None:
    project = claimed(cast)
    m = actions.do_add_milestone(project, acting_user=cast.liaison, title="完成采购", due_on=day(10))
    with pytest.raises(PermissionDenied):
        actions.do_add_milestone(project, acting_user=cast.worker_b, title="x", due_on=day(1))
    with pytest.raises(ActionError):
        actions.do_add_milestone(project, acting_user=cast.worker_a, title="  ", due_on=day(1))
    actions.do_complete_milestone(m, acting_user=cast.worker_a)
    assert Milestone.objects.get(pk=m.pk).done_at is not None
    with pytest.raises(InvalidTransition):
        actions.do_complete_milestone(m, acting_user=cast.worker_a)


# --- progress ---------------------------------------------------------------------------------------------


def test_progress_waits_for_the_agreement_then_starts_the_project(cast: Cast) -> None:
    project = claimed(cast)
    with pytest.raises(InvalidTransition):
        actions.do_post_progress(project, acting_user=cast.liaison, percent=10, note="开工")
    project = agreed(cast, title="第二个项目")
    update = actions.do_post_progress(project, acting_user=cast.liaison, percent=40, note="完成一半楼栋",
                                      photos=[jpeg(exif=True)])
    project.refresh_from_db()
    assert (project.status, project.progress) == (Project.Status.IN_PROGRESS, 40)
    assert project.started_at is not None and update.unit == cast.member_unit
    photo = ProgressPhoto.objects.get(update=update)
    with Image.open(photo.image.path) as stored:
        assert stored.format == "JPEG" and not stored.getexif()  # re-encoded, EXIF gone
    assert photo.image.name.endswith(".jpg") and "现场" not in photo.image.name
    assert (photo.width, photo.height) == (64, 48)


@pytest.mark.parametrize("bad", ["percent", "not_an_image", "too_big", "too_many"])
def test_bad_progress_is_refused_and_nothing_is_stored(cast: Cast, bad: str) -> None:
    project = agreed(cast)
    kwargs: dict[str, Any] = {"acting_user": cast.liaison, "percent": 50, "note": "进展", "photos": []}
    if bad == "percent":
        kwargs["percent"] = 101
    elif bad == "not_an_image":
        kwargs["photos"] = [SimpleUploadedFile("a.jpg", b"<html>not a photo</html>", content_type="image/jpeg")]
    elif bad == "too_big":
        big = jpeg()
        big.size = 6 * 1024 * 1024
        kwargs["photos"] = [big]
    else:
        kwargs["photos"] = [jpeg() for _ in range(6)]
    with pytest.raises(ActionError) as err:
        actions.do_post_progress(project, **kwargs)
    assert err.value.field == ("percent" if bad == "percent" else "photos")
    assert not project.updates.exists() and not ProgressPhoto.objects.exists()
    assert Project.objects.get(pk=project.pk).status == Project.Status.AGREED


def test_a_large_projects_progress_is_the_weighted_average_of_its_sub_projects(cast: Cast) -> None:
    project = proposed(cast, title="二次供水改造")
    pumps = actions.do_add_subproject(project, acting_user=cast.worker_a, title="泵房", weight=3)
    pipes = actions.do_add_subproject(project, acting_user=cast.worker_a, title="管道", weight="1")
    with pytest.raises(ActionError):
        actions.do_add_subproject(pumps, acting_user=cast.worker_a, title="孙项目")
    with pytest.raises(ActionError):
        actions.do_add_subproject(project, acting_user=cast.worker_a, title="零权重", weight=0)
    actions.do_claim_project(project, acting_user=cast.liaison)
    assert set(Project.objects.filter(parent=project).values_list("lead_unit", "status")) == {
        (cast.member_unit.pk, Project.Status.CLAIMED)}
    actions.do_send_agreement(project, acting_user=cast.worker_a)
    actions.do_sign_agreement(project, acting_user=cast.worker_a, unit=None)
    actions.do_sign_agreement(project, acting_user=cast.liaison, unit=cast.member_unit)
    assert Project.objects.get(pk=pumps.pk).status == Project.Status.AGREED
    with pytest.raises(ActionError):
        actions.do_post_progress(project, acting_user=cast.liaison, percent=50, note="总进度")
    actions.do_post_progress(pumps, acting_user=cast.liaison, percent=80, note="泵房")
    actions.do_post_progress(pipes, acting_user=cast.liaison, percent=20, note="管道")
    project.refresh_from_db()
    assert project.progress == 65  # (80 × 3 + 20 × 1) / 4
    assert project.status == Project.Status.IN_PROGRESS


# --- finishing and cancelling ------------------------------------------------------------------------------


def test_finishing_meets_the_demands_and_gives_back_what_was_not_used(cast: Cast) -> None:
    res = resource(cast, amount="100")
    project = agreed(cast, res=res, amount="60")
    reservation = project.reservations.get()
    with pytest.raises(ActionError) as err:
        actions.do_finish_project(project, acting_user=cast.worker_a, used={reservation.pk: "61"})
    assert err.value.field == f"used_{reservation.pk}"
    with pytest.raises(PermissionDenied):
        actions.do_finish_project(project, acting_user=cast.liaison)
    actions.do_finish_project(project, acting_user=cast.worker_a, used={reservation.pk: "45"})
    project.refresh_from_db()
    assert (project.status, project.progress) == (Project.Status.FINISHED, 100)
    assert project.finished_at is not None
    d = project.demands.get()
    assert d.status == Demand.Status.MET and d.met_at is not None
    res.refresh_from_db()
    assert (res.capacity, res.promised, capacity.remaining(res)) == (55, 0, 55)  # 15 unused came back
    with pytest.raises(InvalidTransition):
        actions.do_post_progress(project, acting_user=cast.liaison, percent=100, note="再填")


def test_a_project_is_finished_only_once_its_agreement_is_signed(cast: Cast) -> None:
    project = claimed(cast)
    with pytest.raises(InvalidTransition):
        actions.do_finish_project(project, acting_user=cast.worker_a)


def test_cancelling_releases_everything_and_opens_the_demands_again(cast: Cast) -> None:
    res = resource(cast, amount="100")
    project = claimed(cast, res=res, amount="60")
    with pytest.raises(ActionError):
        actions.do_cancel_project(project, acting_user=cast.worker_a, reason=" ")
    actions.do_cancel_project(project, acting_user=cast.worker_a, reason="居民议事会决定暂缓")
    project.refresh_from_db()
    assert project.status == Project.Status.CANCELLED and not project.public
    assert project.demands.get().status == Demand.Status.OPEN
    res.refresh_from_db()
    assert (res.capacity, res.promised) == (100, 0)
    assert _audited("lists.cancel_project", project)


# --- overdue milestones --------------------------------------------------------------------------------------


def test_the_worker_reminds_each_overdue_milestone_once(cast: Cast) -> None:
    project = agreed(cast)
    late = actions.do_add_milestone(project, acting_user=cast.worker_a, title="完成招标", due_on=day(-3))
    actions.do_add_milestone(project, acting_user=cast.worker_a, title="完工", due_on=day(20))
    done = actions.do_add_milestone(project, acting_user=cast.worker_a, title="已完成的", due_on=day(-5))
    actions.do_complete_milestone(done, acting_user=cast.worker_a)
    proposed(cast, title="未认领")  # not being worked on: its milestones are nobody's yet
    check = next(c for c in registry.scheduled_checks if c.name.endswith("remind_overdue_milestones"))
    assert check.fn() == {"reminded": 1}
    assert check.fn() == {"reminded": 0}  # once per milestone
    assert Milestone.objects.get(pk=late.pk).reminded_at is not None
    for user in (cast.liaison, cast.worker_a):
        assert Notification.objects.filter(user=user, verb="lists.milestone_overdue", text__contains="完成招标").count() == 1
    assert not Notification.objects.filter(user=cast.worker_b, verb="lists.milestone_overdue").exists()
    assert AuditEvent.objects.filter(verb="lists.remind_milestone", actor__isnull=True).count() == 1


def test_updated_at_moves_on_every_change(cast: Cast) -> None:
    project = proposed(cast)
    stamps = [project.updated_at]
    actions.do_claim_project(project, acting_user=cast.liaison)
    project.refresh_from_db()
    stamps.append(project.updated_at)
    actions.do_add_milestone(project, acting_user=cast.worker_a, title="m", due_on=timezone.localdate() + timedelta(1))
    project.refresh_from_db()
    stamps.append(project.updated_at)
    assert stamps == sorted(stamps) and len(set(stamps)) == 3
