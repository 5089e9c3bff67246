"""The demand list and the month's themes: the lists, one record's page (with the appeals it came from), and the
form that adds a demand or proposes a theme from a source, e.g. a hot issue's appeals:
/lists/demands/new/?source=hot_issue&appeals=1,2,3 (the hot-issue page links here)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.appeals.queries import appeals_visible_to, category_choices
from gongzhi.core.api_schemas import MAX_ID
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, Unit
from gongzhi.core.queries import common_area
from gongzhi.core.registry import render_panels

from .. import actions, demand_filters, permissions, queries
from ..forms import CloseDemandForm, DemandForm, NewDemandForm, ThemeForm
from ..models import Demand, ResourceKind, Urgency
from ..queries import registered_units

signed_in = login_required(login_url="core:login")

# The sources the form takes (?source=...), each with its appeals (&appeals=1,2,3). Today: hot issues.
FORM_SOURCES = (Demand.Source.HOT_ISSUE,)
# A demand's place on the forms: a community, one of its estates or buildings.
DEMAND_FORM_LEVELS = (Area.Level.COMMUNITY, Area.Level.ESTATE, Area.Level.BUILDING)


def _require_lists(user: Any) -> None:
    permissions.demand_policy.require_somewhere(user, "browse", message="")


@signed_in
@require_GET
def demand_list(request: HttpRequest) -> HttpResponse:
    _require_lists(request.user)
    filters = demand_filters.parse_filters(request.user, request.GET)
    page = Paginator(queries.demand_list(request.user, filters=filters), 30).get_page(request.GET.get("page"))
    return render(request, "lists/demand_list.html", {
        "page": page, "filters": filters, "query": filters.query_string(), "statuses": Demand.Status.choices,
        "sources": Demand.Source.choices, "urgencies": Urgency.choices, "kinds": ResourceKind.choices,
        "places": demand_filters.place_choices(request.user), "categories": category_choices(),
        "can_create": permissions.can_create_demands(request.user), "tab": "demands",
    })


@signed_in
@require_GET
def theme_list(request: HttpRequest) -> HttpResponse:
    _require_lists(request.user)
    page = Paginator(queries.theme_list(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "lists/theme_list.html", {"page": page})


@signed_in
@require_GET
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_lists(request.user)
    demand = permissions.get_demand_for_user(request.user, pk)
    appeals, hidden = queries.linked_appeals(request.user, demand)
    survey = demand.source_survey
    return render(request, "lists/demand_detail.html", {
        "demand": demand, "appeals": appeals, "hidden": hidden,
        "survey": survey if survey is not None and permissions.can(request.user, "view", survey) else None,
        "survey_respondents": survey.responses.count() if survey is not None else 0,
        "can_edit": permissions.can(request.user, "edit", demand)
        and demand.status not in (Demand.Status.MET, Demand.Status.CLOSED),
        "can_close": permissions.can(request.user, "close", demand)
        and demand.status in (Demand.Status.OPEN, Demand.Status.MATCHED),
        "can_reopen": permissions.can(request.user, "close", demand) and demand.status == Demand.Status.CLOSED,
        "close_form": CloseDemandForm(), "tab": "demands",
        "panels": render_panels("lists.demand", request, demand),
        "kind_labels": [ResourceKind(k).label for k in demand.resource_kinds if k in ResourceKind.values],
    })


@signed_in
@require_GET
def theme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_lists(request.user)
    theme = permissions.get_monthly_theme_for_user(request.user, pk)
    appeals, hidden = queries.linked_appeals(request.user, theme)
    return render(request, "lists/theme_detail.html", {"theme": theme, "appeals": appeals, "hidden": hidden})


# ---------------------------------------------------------------------------------------------------
# adding a demand or proposing a theme from a source (a hot issue's appeals)


def parse_ids(raw: str) -> list[int]:
    """"1,2,3" → [1, 2, 3] (repeats dropped, order kept). ActionError for anything but ids (1 to MAX_ID, ASCII
    digits) or more than MAX_APPEALS of them: the database cannot take a larger number, and a cut list would
    silently leave appeals out."""
    ids: dict[int, None] = {}
    for part in (raw or "").replace(" ", "").split(","):
        if not part:
            continue
        if not (part.isascii() and part.isdigit()) or len(part) > 19 or not 1 <= int(part) <= MAX_ID:
            raise ActionError(_("The list of appeals is not valid."), field="appeals")
        ids[int(part)] = None
        if len(ids) > actions.MAX_APPEALS:
            raise ActionError(_("Too many appeals: at most 1000."), field="appeals")
    return list(ids)


def source_appeals(user: Any, raw_ids: str) -> list[Any]:
    """The source's appeals, representative first; 404 unless every one is visible to the user."""
    ids = parse_ids(raw_ids)
    if not ids:
        raise Http404
    found = {a.pk: a for a in appeals_visible_to(user, ids)}
    if len(found) != len(ids):
        raise Http404
    return [found[i] for i in ids]


def _default_area(appeals: list[Any], allowed: list[Area], levels: tuple[str, ...]) -> Area | None:
    """The lowest allowed area of one of `levels` that contains every appeal's place."""
    common = common_area([a.area_id for a in appeals if a.area_id])
    if common is not None:
        containing = [a for a in allowed if common.path.startswith(a.path) and a.level in levels]
        if containing:
            return max(containing, key=lambda a: len(a.path))
    return allowed[0] if allowed else None


def _this_month() -> date:
    return timezone.localdate().replace(day=1)


def _param(request: HttpRequest, name: str) -> str:
    value = request.POST.get(name) if request.method == "POST" else None
    return value if value is not None else request.GET.get(name, "")


def _back(request: HttpRequest) -> str:
    back = _param(request, "back")
    return back if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) else ""


def _from_source(request: HttpRequest, kind: str) -> HttpResponse:
    """GET: the form prefilled from the source's appeals; POST: create the demand or theme."""
    user = request.user
    if kind == "demand":
        if not permissions.can_create_demands(user):
            raise PermissionDenied(_("You may not add demands."))
        allowed = list(permissions.demand_areas(user).order_by("path")[:500])
        levels: tuple[str, ...] = ("community", "subdistrict", "district", "city")
    else:
        if not permissions.can_propose_themes(user):
            raise PermissionDenied(_("You may not propose the month's theme."))
        allowed = list(permissions.theme_areas(user).order_by("path")[:500])
        levels = permissions.THEME_LEVELS
    source = _param(request, "source") or Demand.Source.HOT_ISSUE
    if source not in FORM_SOURCES:
        raise Http404
    try:
        appeals = source_appeals(user, _param(request, "appeals"))
    except ActionError as exc:
        return render(request, "lists/source_error.html", {"message": exc.message, "kind": kind}, status=400)
    extra: dict[str, Any] = {"categories": category_choices()} if kind == "demand" else {}
    form_class = DemandForm if kind == "demand" else ThemeForm
    summary = queries.summary_of(appeals)
    if request.method == "POST":
        form = form_class(request.POST, **extra)
    else:
        default = _default_area(appeals, allowed, levels)
        initial: dict[str, Any] = {"title": appeals[0].title, "description": summary,
                                   "area": default.pk if default else None, "month": _this_month(),
                                   "beneficiary_count": queries.resident_count(appeals)}
        form = form_class(initial=initial, **extra)
    form.fields["area"].queryset = Area.objects.filter(pk__in=[a.pk for a in allowed])  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "demand":
                actions.do_create_demand(
                    acting_user=user, area=data["area"], source=source, source_ref=appeals[0].title,  # type: ignore[arg-type]
                    appeal_ids=[a.pk for a in appeals], **demand_fields(data),
                )
                messages.success(request, _("The hot issue was added to the demand list."))
                return redirect("lists:demands")
            actions.do_propose_monthly_theme(
                acting_user=user, month=data["month"], title=data["title"], description=data["description"],  # type: ignore[arg-type]
                area=data["area"], source_summary=summary, appeal_ids=[a.pk for a in appeals],
            )
            messages.success(request, _("The hot issue was proposed as the month's theme."))
            return redirect("lists:themes")
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "lists/from_source.html", {
        "form": form, "kind": kind, "appeals": appeals, "ids": ",".join(str(a.pk) for a in appeals),
        "source": source, "back": _back(request),
    })


@signed_in
@require_http_methods(["GET", "POST"])
def demand_new(request: HttpRequest) -> HttpResponse:
    """From a hot issue (?source=hot_issue&appeals=...), or the full form: staff entry, a council proposal, a member
    unit's own need (a unit liaison's only choice)."""
    if _param(request, "appeals") or _param(request, "source") in FORM_SOURCES:
        return _from_source(request, "demand")
    return _new_demand(request)


def demand_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The cleaned form's values as `do_create_demand` / `do_update_demand` take them."""
    return {name: data.get(name) for name in ("title", "description", "category", "beneficiaries",
                                               "beneficiary_count", "urgency", "resource_kinds", "cost_estimate",
                                               "need_quantity")} | {
        "description": data.get("description") or "", "beneficiaries": data.get("beneficiaries") or "",
        "beneficiary_count": data.get("beneficiary_count") or 0, "resource_kinds": data.get("resource_kinds") or [],
        "urgency": data.get("urgency") or Urgency.NORMAL,
    }


def staff_areas(user: Any) -> list[Area]:
    """The areas offered on the demand forms: communities, estates and buildings where the user may add demands
    (a liaison: the communities where the unit is registered)."""
    return list(permissions.demand_areas(user).filter(level__in=DEMAND_FORM_LEVELS).order_by("path")[:1500])


def _is_liaison_only(user: Any) -> bool:
    """Does the user add demands only as a unit liaison (no staff grant for them anywhere)?"""
    return not permissions.area_policy.areas_where(user, "create_demand").exists()


def _unit_choices(user: Any, liaison_only: bool) -> Any:
    if liaison_only:
        return Unit.objects.filter(pk__in=permissions.liaison_unit_ids(user)).order_by("name")
    return registered_units(permissions.area_policy.areas_where(user, "create_demand")
                            .filter(level=Area.Level.COMMUNITY))


def _new_demand(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can_create_demands(user):
        raise PermissionDenied(_("You may not add demands."))
    liaison_only = _is_liaison_only(user)
    areas = staff_areas(user)
    if liaison_only:
        areas = [a for a in areas if a.level == Area.Level.COMMUNITY]
    units = _unit_choices(user, liaison_only)
    form = NewDemandForm(request.POST if request.method == "POST" else None, categories=category_choices(),
                         initial={"source": Demand.Source.UNIT if liaison_only else Demand.Source.MANUAL,
                                  "area": areas[0].pk if len(areas) == 1 else None,
                                  "source_unit": units.first().pk if liaison_only and units.exists() else None})
    form.fields["area"].queryset = Area.objects.filter(pk__in=[a.pk for a in areas]).order_by("path")  # type: ignore[attr-defined]
    form.fields["source_unit"].queryset = units  # type: ignore[attr-defined]
    if liaison_only:
        form.fields["source"].choices = [(Demand.Source.UNIT, Demand.Source.UNIT.label)]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            demand = actions.do_create_demand(
                acting_user=user, area=data["area"], source=data["source"],  # type: ignore[arg-type]
                source_ref=data.get("source_ref") or "",
                source_unit=data.get("source_unit") if data["source"] == Demand.Source.UNIT else None,
                **demand_fields(data),
            )
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The demand was added to the demand list."))
            return redirect("lists:demand", pk=demand.pk)
    return render(request, "lists/demand_form.html", {"form": form, "liaison_only": liaison_only, "new": True,
                                                      "tab": "demands"}, status=400 if form.errors else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def demand_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_lists(user)
    demand = permissions.get_demand_for_user(user, pk)
    permissions.require(user, "edit", demand, _("You may not edit this demand."))
    initial = {name: getattr(demand, name) for name in actions.demands.EDITABLE}
    initial["category"] = demand.category_id
    initial["area"] = demand.area_id
    form = DemandForm(request.POST if request.method == "POST" else None, initial=initial,
                      categories=category_choices())
    areas = staff_areas(user)
    if demand.source == Demand.Source.UNIT and not permissions.area_policy.in_scope(user, demand.area,
                                                                                    permissions.DEMAND_ROLES):
        areas = [a for a in areas if a.level == Area.Level.COMMUNITY]
    form.fields["area"].queryset = Area.objects.filter(pk__in=[a.pk for a in areas] + [demand.area_id])  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_update_demand(demand, acting_user=user, area=data["area"], **demand_fields(data))  # type: ignore[arg-type]
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The demand was saved."))
            return redirect("lists:demand", pk=demand.pk)
    return render(request, "lists/demand_form.html", {"form": form, "demand": demand, "new": False,
                                                      "tab": "demands"}, status=400 if form.errors else 200)


@signed_in
@require_POST
def demand_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_lists(user)
    demand = permissions.get_demand_for_user(user, pk)
    form = CloseDemandForm(request.POST)
    try:
        if not form.is_valid():
            raise ActionError(_("Please say why the demand is closed."), field="reason")
        actions.do_close_demand(demand, acting_user=user, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The demand was closed."))
    return redirect("lists:demand", pk=demand.pk)


@signed_in
@require_POST
def demand_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_lists(user)
    demand = permissions.get_demand_for_user(user, pk)
    try:
        actions.do_reopen_demand(demand, acting_user=user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The demand was reopened."))
    return redirect("lists:demand", pk=demand.pk)


@signed_in
@require_http_methods(["GET", "POST"])
def theme_new(request: HttpRequest) -> HttpResponse:
    return _from_source(request, "theme")
