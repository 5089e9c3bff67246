"""The resource list's filters (kind, provider, area, status, expiring), shared by the list page, the API and the
Excel export, so that an export holds what the page shows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from gongzhi.core.models import Area

from . import permissions
from .models import Resource, ResourceKind

EXPIRING_DAYS = 30
STATUS_FILTERS = (*Resource.Status.choices, ("expired", gettext_lazy("Expired")))
NAMES = ("kind", "provider", "area", "status", "expiring")


def chosen_filters(params: Any) -> dict[str, str]:
    return {name: ((params.get(name) if params is not None else "") or "").strip() for name in NAMES}


def apply_resource_filters(qs: QuerySet[Resource], chosen: dict[str, str]) -> QuerySet[Resource]:
    today = timezone.localdate()
    if chosen["kind"] in ResourceKind.values:
        qs = qs.filter(kind=chosen["kind"])
    if chosen["provider"] == "community":
        qs = qs.filter(provider_unit__isnull=True)
    elif chosen["provider"].isdigit():
        qs = qs.filter(provider_unit_id=int(chosen["provider"]))
    if chosen["area"].isdigit():
        area = Area.objects.filter(pk=int(chosen["area"])).first()
        if area is not None:
            qs = qs.filter(area__path__startswith=area.path)
    if chosen["status"] == "expired":
        qs = qs.filter(valid_until__lt=today).exclude(status=Resource.Status.WITHDRAWN)
    elif chosen["status"] == Resource.Status.ACTIVE:
        qs = qs.filter(status=Resource.Status.ACTIVE).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    elif chosen["status"] in Resource.Status.values:
        qs = qs.filter(status=chosen["status"])
    if chosen["expiring"] == "1":
        qs = qs.filter(valid_until__gte=today, valid_until__lte=today + timedelta(days=EXPIRING_DAYS))
    return qs


def resource_list_qs(user: Any, params: Any) -> tuple[QuerySet[Resource], dict[str, str]]:
    """The resources the user sees, with the list's filters applied, newest first."""
    chosen = chosen_filters(params)
    qs = permissions.visible_to(user, Resource).select_related("area", "provider_unit", "alliance")
    return apply_resource_filters(qs, chosen).order_by("-created_at", "-id"), chosen
