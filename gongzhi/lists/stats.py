"""What lists publishes for dashboards (`registry.stat`): figures for an area's subtree."""

from __future__ import annotations

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area
from gongzhi.core.registry import registry

from .models import Demand, MonthlyTheme, Project, Resource
from .notice import satisfaction
from .quarters import Quarter


def open_demands(area: Area) -> int:
    return Demand.objects.filter(area__path__startswith=area.path, status=Demand.Status.OPEN).count()


def proposed_themes(area: Area) -> int:
    return MonthlyTheme.objects.filter(area__path__startswith=area.path,
                                       status=MonthlyTheme.Status.PROPOSED).count()


# --- the three lists' figures (public notice and quarterly refresh) ---------------------------------------------

ACTIVE_PROJECTS = (Project.Status.CLAIMED, Project.Status.AGREED, Project.Status.IN_PROGRESS)


def demands_met_this_quarter(area: Area) -> int:
    """Demands of the subtree met since the current quarter began."""
    start = Quarter.current().start_at
    return Demand.objects.filter(area__path__startswith=area.path, status=Demand.Status.MET,
                                 met_at__gte=start).count()


def resources_available(area: Area) -> int:
    """Resources serving the subtree that are available now: active, within their validity, with capacity left."""
    today = timezone.localdate()
    return (Resource.objects.filter(area__path__startswith=area.path, status=Resource.Status.ACTIVE,
                                    capacity__gt=F("promised"))
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today)).count())


def projects_in_progress(area: Area) -> int:
    """Projects of the subtree claimed and not yet finished (claimed, agreement signed, in progress)."""
    return Project.objects.filter(area__path__startswith=area.path, status__in=ACTIVE_PROJECTS).count()


def overdue_projects(area: Area) -> int:
    """Projects under way with a milestone past its date and not done."""
    return (Project.objects.filter(area__path__startswith=area.path, status__in=ACTIVE_PROJECTS,
                                   milestones__done_at__isnull=True,
                                   milestones__due_on__lt=timezone.localdate())
            .distinct().count())


def finished_projects_satisfaction(area: Area) -> float:
    """Residents' satisfaction with the subtree's finished projects, in % ((满意 + 0.9 × 基本满意) / ratings);
    0 without ratings."""
    finished = Project.objects.filter(area__path__startswith=area.path, status=Project.Status.FINISHED)
    rate = satisfaction(finished).rate
    return round(rate * 100, 1) if rate is not None else 0.0


def register() -> None:
    registry.stat("lists.open_demands", _("Open demands"), open_demands)
    registry.stat("lists.proposed_themes", _("Proposed monthly themes"), proposed_themes)
    registry.stat("lists.demands_met_this_quarter", _("Demands met this quarter"), demands_met_this_quarter)
    registry.stat("lists.resources_available", _("Resources available"), resources_available)
    registry.stat("lists.projects_in_progress", _("Projects under way"), projects_in_progress)
    registry.stat("lists.overdue_projects", _("Projects with an overdue milestone"), overdue_projects)
    registry.stat("lists.finished_projects_satisfaction", _("Satisfaction with finished projects (%)"),
                  finished_projects_satisfaction)
