"""The demo city's project list (step 42): projects in every state at the community worker's community, real tasks
waiting for the unit liaison and the worker, capacity given back by the finished project, a progress photo."""

# mypy: disable-error-code="union-attr,operator"
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from gongzhi.core.models import Grant, Notification, User
from gongzhi.core.registry import registry
from gongzhi.lists.models import Demand, Milestone, ProgressPhoto, Project, ServiceAgreement
from gongzhi.lists.project_queries import ACTIVE

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(demo_city: Any) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=["sq_worker", "unit_liaison"])}


def _community(demo: dict[str, User]) -> Any:
    return Grant.objects.get(user=demo["sq_worker"]).area


def test_it_has_projects_in_every_state(demo: dict[str, User]) -> None:
    projects = Project.objects.filter(area=_community(demo), parent__isnull=True)
    assert set(projects.values_list("status", flat=True)) == set(Project.Status.values)
    large = projects.get(title__contains="二次供水")
    assert large.children.count() == 3 and 0 < large.progress < 100
    assert large.budget == 2000000
    overdue = [p for p in projects if Milestone.objects.filter(project=p, done_at__isnull=True,
                                                               due_on__lt=p.created_at.date()).exists()
               or p.milestones.filter(done_at__isnull=True, reminded_at__isnull=False).exists()]
    assert overdue and all(p.status in ACTIVE for p in overdue)
    assert ProgressPhoto.objects.filter(update__project__area=_community(demo)).exists()
    finished = projects.get(status=Project.Status.FINISHED)
    assert set(finished.demands.values_list("status", flat=True)) == {Demand.Status.MET}
    assert all(r.released_at is not None and r.used < r.amount for r in finished.reservations.all())
    assert ServiceAgreement.objects.filter(project__in=projects, status=ServiceAgreement.Status.SIGNED).count() >= 4


def test_the_liaison_and_the_worker_find_real_project_tasks(demo: dict[str, User]) -> None:
    liaison = {t.key.removeprefix("lists.projects_"): t.count for t in registry.tasks(demo["unit_liaison"]) if t.key.startswith("lists.projects_")}
    assert liaison["claim"] >= 1 and liaison["my_signature"] >= 1 and liaison["progress"] >= 1
    worker = {t.key.removeprefix("lists.projects_"): t.count for t in registry.tasks(demo["sq_worker"]) if t.key.startswith("lists.projects_")}
    assert worker["overdue"] >= 1 and worker["unclaimed"] >= 1
    unit = Grant.objects.get(user=demo["unit_liaison"]).unit
    assert Project.objects.filter(lead_unit=unit, parent__isnull=True).count() >= 2
    assert Notification.objects.filter(user=demo["sq_worker"], verb="lists.milestone_overdue").exists()


def test_the_resource_list_and_the_rounds(demo: dict[str, User]) -> None:
    """Step 41: resources from member units of every kind and from the community, one past its validity, one nearly
    exhausted, the liaison's own; a confirmed round whose projects step 42 used, and a round waiting for review."""
    from gongzhi.core.models import Unit
    from gongzhi.lists.models import MatchRound, Resource

    community = _community(demo)
    resources = Resource.objects.filter(area__path__startswith=community.parent.path)
    kinds = {r.provider_unit.kind if r.provider_unit else "community" for r in resources}
    assert {Unit.Kind.ENTERPRISE, Unit.Kind.SCHOOL, Unit.Kind.HOSPITAL, Unit.Kind.PROPERTY_COMPANY,
            Unit.Kind.SOCIAL_ORG, Unit.Kind.DEPARTMENT, "community"} <= kinds
    liaison_unit = Grant.objects.get(user=demo["unit_liaison"]).unit
    assert resources.filter(provider_unit=liaison_unit, created_by=demo["unit_liaison"]).count() >= 2
    from django.utils import timezone

    assert resources.filter(valid_until__lt=timezone.localdate()).exists()
    assert any(0 < r.capacity - r.promised <= r.capacity * Decimal("0.05") for r in resources)
    confirmed = MatchRound.objects.get(area=community, status=MatchRound.Status.CONFIRMED)
    made = Project.objects.filter(match_pairs__round=confirmed)
    assert made.count() >= 8 and made.exclude(status=Project.Status.PROPOSED).count() >= 7
    assert made.filter(title__contains="二次供水", reservations__resource__provider_unit__kind=Unit.Kind.DEPARTMENT)
    assert MatchRound.objects.filter(area=community, status=MatchRound.Status.PROPOSED).exists()
    # No project of the step is made outside a round (the project list comes from matching).
    assert not Project.objects.filter(area=community, parent__isnull=True, match_pairs__isnull=True).exists()
