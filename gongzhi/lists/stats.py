"""What lists publishes for dashboards (`registry.stat`): figures for an area's subtree."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area
from gongzhi.core.registry import registry

from .models import Demand, MonthlyTheme


def open_demands(area: Area) -> int:
    return Demand.objects.filter(area__path__startswith=area.path, status=Demand.Status.OPEN).count()


def proposed_themes(area: Area) -> int:
    return MonthlyTheme.objects.filter(area__path__startswith=area.path,
                                       status=MonthlyTheme.Status.PROPOSED).count()


def register() -> None:
    registry.stat("lists.open_demands", _("Open demands"), open_demands)
    registry.stat("lists.proposed_themes", _("Proposed monthly themes"), proposed_themes)
