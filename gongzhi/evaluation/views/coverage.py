"""The coverage pages (三率) and an estate's profile:

- /evaluation/coverage/ — the user's top area's coverage (the first area their staff grants cover);
- /evaluation/coverage/<area>/ — an area's three rates (a community, subdistrict, district or the city), each
  linking to the estates behind it, and the child areas' rates (a community: its estates and what each lacks);
- /evaluation/coverage/<area>/estates/?figure=committee|service|party&covered=1|0 — the estates behind a figure;
- /evaluation/property/estates/<id>/profile/ — what an estate has (owners' committee, property management
  committee, party-building instructor), kept by the community's workers and up.

The panel on an area's page (`area_panel`, registry.panel("core.area", "evaluation.coverage")) shows the three
rates with a link.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area
from gongzhi.core.policy import is_superuser, path_q, scope_paths

from .. import coverage, permissions
from ..actions import property as actions
from ..forms_property import ProfileForm
from ..models import EstateProfile

signed_in = login_required(login_url="core:login")


def get_coverage_area_for_user(user: Any, area_id: int) -> Area:
    """An area whose coverage the user sees (404 when it is not theirs, 403 for a level without rates)."""
    area = Area.objects.filter(pk=area_id).first()
    if area is None or not permissions.covers(user, area, permissions.STAFF_ROLES):
        raise Http404(_("Not found, or outside your area."))
    if not permissions.area_policy.can(user, "see_coverage", area):
        raise PermissionDenied(_("Coverage rates are counted for communities, subdistricts, districts and the city."))
    return area


def _top_area(user: Any) -> Area | None:
    qs = Area.objects.filter(level__in=coverage.LEVELS)
    if not is_superuser(user):
        qs = qs.filter(path_q(scope_paths(user, permissions.STAFF_ROLES), "path"))
    return qs.order_by("path").first()


@signed_in
@require_GET
def coverage_home(request: HttpRequest) -> HttpResponse:
    area = _top_area(request.user)
    if area is None:
        raise PermissionDenied(_("This page is not available to your role."))
    return redirect("evaluation:coverage_area", area_id=area.pk)


@signed_in
@require_GET
def coverage_area(request: HttpRequest, area_id: int) -> HttpResponse:
    area = get_coverage_area_for_user(request.user, area_id)
    total, children = coverage.area_coverage(area)
    return render(request, "evaluation/coverage_area.html", {
        "area": area, "total": total, "figures": total.figures(), "children": children,
        "child_rows": [(c, c.figures()) for c in children], "estates": total.rows if not children else [],
        "parents": [a for a in area.ancestors() if a.level in coverage.LEVELS and a.pk != area.pk
                    and permissions.covers(request.user, a, permissions.STAFF_ROLES)],
        "figure_names": coverage.FIGURES,
    })


@signed_in
@require_GET
def coverage_estates(request: HttpRequest, area_id: int) -> HttpResponse:
    area = get_coverage_area_for_user(request.user, area_id)
    figure = request.GET.get("figure", "")
    if figure not in coverage.FIGURES:
        raise Http404(_("Not found, or outside your area."))
    covered = request.GET.get("covered", "1") != "0"
    rows = coverage.behind(area, figure, covered)
    return render(request, "evaluation/coverage_estates.html", {
        "area": area, "figure": figure, "figure_label": coverage.FIGURES[figure], "covered": covered, "rows": rows,
    })


def area_panel(request: HttpRequest, area: Area) -> str:
    """On an area's page: its three coverage rates and a link (nothing for an estate or below, or for someone who
    does not see them)."""
    user = request.user
    if area.level not in coverage.LEVELS or not permissions.area_policy.can(user, "see_coverage", area):
        return ""
    total, _children = coverage.area_coverage(area, with_children=False)
    return render_to_string("evaluation/coverage_panel.html", {"area": area, "figures": total.figures(),
                                                                "total": total}, request=request)


@signed_in
@require_http_methods(["GET", "POST"])
def estate_profile(request: HttpRequest, estate_id: int) -> HttpResponse:
    estate = Area.objects.filter(pk=estate_id, level=Area.Level.ESTATE).first()
    if estate is None or not permissions.covers(request.user, estate, permissions.STAFF_ROLES):
        raise Http404(_("Not found, or outside your area."))
    if not permissions.area_policy.can(request.user, "manage_property", estate):
        raise PermissionDenied(_("Only the community's workers over this estate may do this."))
    profile = EstateProfile.objects.filter(estate=estate).select_related("owners_committee").first()
    community = actions.community_of(estate)
    if request.method == "POST":
        form = ProfileForm(request.POST, community=community)
        if form.is_valid():
            d = form.cleaned_data
            try:
                actions.do_update_estate_profile(estate, acting_user=request.user,  # type: ignore[arg-type]
                                                 owners_committee=d["owners_committee"],
                                                 management_committee=d["management_committee"],
                                                 party_instructor=d["party_instructor"])
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The estate's profile was saved."))
                return redirect("evaluation:property_estate", estate_id=estate.pk)
    else:
        form = ProfileForm(community=community, initial={
            "owners_committee": profile.owners_committee if profile else None,
            "management_committee": profile.management_committee if profile else False,
            "party_instructor": profile.party_instructor if profile else ""})
    return render(request, "evaluation/coverage_profile_form.html", {"form": form, "estate": estate},
                  status=400 if form.errors else 200)
