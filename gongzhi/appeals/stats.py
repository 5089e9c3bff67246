"""What appeals publishes for dashboards (`registry.stat`): figures for an area's subtree, each one query over
indexed columns. A dashboard reads them through the registry and never imports appeals."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area
from gongzhi.core.registry import registry

from .models import Case, Whistle


def open_cases(area: Area) -> int:
    return Case.objects.under(area).open().count()


def overdue_cases(area: Area) -> int:
    return Case.objects.under(area).overdue().count()


def cases_this_month(area: Area) -> int:
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return Case.objects.under(area).filter(created_at__gte=start).count()


def open_whistles(area: Area) -> int:
    return Whistle.objects.filter(whistler_area_path__startswith=area.path, status=Whistle.Status.OPEN).count()


def register() -> None:
    registry.stat("appeals.open_cases", _("Open cases"), open_cases)
    registry.stat("appeals.overdue_cases", _("Overdue cases"), overdue_cases)
    registry.stat("appeals.cases_this_month", _("Cases this month"), cases_this_month)
    registry.stat("appeals.open_whistles", _("Open whistles"), open_whistles)
