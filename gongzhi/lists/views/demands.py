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
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.appeals.queries import appeals_visible_to
from gongzhi.core.api_schemas import MAX_ID
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area
from gongzhi.core.queries import common_area

from .. import actions, permissions, queries
from ..forms import DemandForm, ThemeForm
from ..models import Demand

signed_in = login_required(login_url="core:login")

# The sources the form takes (?source=...), each with its appeals (&appeals=1,2,3). Today: hot issues.
FORM_SOURCES = (Demand.Source.HOT_ISSUE,)


def _require_lists(user: Any) -> None:
    permissions.demand_policy.require_somewhere(user, "browse", message="")


@signed_in
@require_GET
def demand_list(request: HttpRequest) -> HttpResponse:
    _require_lists(request.user)
    status = request.GET.get("status") or ""
    page = Paginator(queries.demand_list(request.user, status=status), 30).get_page(request.GET.get("page"))
    return render(request, "lists/demand_list.html", {
        "page": page, "status": status, "statuses": Demand.Status.choices,
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
    return render(request, "lists/demand_detail.html", {"demand": demand, "appeals": appeals, "hidden": hidden})


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
    form_class = DemandForm if kind == "demand" else ThemeForm
    summary = queries.summary_of(appeals)
    if request.method == "POST":
        form = form_class(request.POST)
    else:
        default = _default_area(appeals, allowed, levels)
        initial: dict[str, Any] = {"title": appeals[0].title, "description": summary,
                                   "area": default.pk if default else None, "month": _this_month()}
        form = form_class(initial=initial)
    form.fields["area"].queryset = Area.objects.filter(pk__in=[a.pk for a in allowed])  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "demand":
                actions.do_create_demand(
                    acting_user=user, title=data["title"], description=data["description"], area=data["area"],  # type: ignore[arg-type]
                    source=source, source_ref=appeals[0].title, appeal_ids=[a.pk for a in appeals],
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
    return _from_source(request, "demand")


@signed_in
@require_http_methods(["GET", "POST"])
def theme_new(request: HttpRequest) -> HttpResponse:
    return _from_source(request, "theme")
