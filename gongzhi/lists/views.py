"""The demand list and the month's themes (read-only lists; demands are added from hot issues for now)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import permissions
from .models import Demand, MonthlyTheme

signed_in = login_required(login_url="core:login")


@signed_in
@require_GET
def demand_list(request: HttpRequest) -> HttpResponse:
    permissions.demand_policy.require_somewhere(request.user, "browse", message="")
    qs = permissions.visible_to(request.user, Demand).select_related("area", "created_by")
    status = request.GET.get("status") or ""
    if status in Demand.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "lists/demand_list.html", {
        "page": page, "status": status, "statuses": Demand.Status.choices,
    })


@signed_in
@require_GET
def theme_list(request: HttpRequest) -> HttpResponse:
    permissions.demand_policy.require_somewhere(request.user, "browse", message="")
    qs = permissions.visible_to(request.user, MonthlyTheme).select_related("area", "proposed_by")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "lists/theme_list.html", {"page": page})
