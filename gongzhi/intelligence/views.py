"""Hot issues page (/intelligence/hot/): groups of recent appeals, a chart, Excel, and turning an issue into a
demand or proposing it as the month's theme."""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl import Workbook

from gongzhi.appeals import queries as appeals_queries
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area
from gongzhi.core.permissions import visible_to as core_visible_to
from gongzhi.lists import actions as list_actions
from gongzhi.lists import permissions as list_permissions
from gongzhi.lists.models import Demand

from . import hot_queries
from .permissions import require_view_hot

if TYPE_CHECKING:
    from gongzhi.appeals.models import Appeal

signed_in = login_required(login_url="core:login")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_GROUPS = 50
FILTER_LEVELS = ("district", "subdistrict", "community")


def _require_hot(user: Any) -> None:
    require_view_hot(user)


def _window(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days") or hot_queries.DEFAULT_WINDOW)
    except ValueError:
        return hot_queries.DEFAULT_WINDOW
    return days if days in hot_queries.WINDOWS else hot_queries.DEFAULT_WINDOW


def _filter_areas(user: Any) -> list[Area]:
    return list(core_visible_to(user, Area).filter(level__in=FILTER_LEVELS).only("id", "name", "level", "path")[:500])


def _area(request: HttpRequest, choices: list[Area]) -> Area | None:
    raw = request.GET.get("area") or ""
    if not raw.isdigit():
        return None
    area = next((a for a in choices if a.pk == int(raw)), None)
    if area is None:
        raise Http404
    return area


def _issues(request: HttpRequest) -> tuple[hot_queries.HotIssues, int, Area | None, list[Area]]:
    _require_hot(request.user)
    days = _window(request)
    choices = _filter_areas(request.user)
    area = _area(request, choices)
    return hot_queries.hot_issues_for(request.user, days=days, area=area), days, area, choices


def _rows(issues: hot_queries.HotIssues) -> list[dict[str, Any]]:
    rows = []
    for group in issues.groups[:PAGE_GROUPS]:
        refs = issues.refs(group)
        rows.append({"group": group, "refs": refs, "ids": ",".join(str(r.id) for r in refs)})
    return rows


@signed_in
@require_GET
def hot_page(request: HttpRequest) -> HttpResponse:
    issues, days, area, choices = _issues(request)
    top = issues.groups[:10]
    chart = {
        "names": [g.title[:16] + ("…" if len(g.title) > 16 else "") for g in top],
        "heat": [g.heat for g in top],
        "label": _("Heat"),
    }
    return render(request, "intelligence/hot.html", {
        "rows": _rows(issues), "total": len(issues.groups), "truncated": issues.truncated, "days": days,
        "windows": hot_queries.WINDOWS, "area": area, "areas": choices, "chart": chart,
        "can_demand": list_permissions.can_create_demands(request.user),
        "can_theme": list_permissions.can_propose_themes(request.user),
        "max_appeals": hot_queries.MAX_APPEALS,
    })


def _fmt(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@signed_in
@require_GET
def hot_export(request: HttpRequest) -> HttpResponse:
    issues, days, _area_filter, _choices = _issues(request)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Hot issues"))
    ws.append([_("Rank"), _("Hot issue"), _("Place"), _("Number of appeals"), _("Number of residents"), _("Likes"), _("Heat"),
               _("First appeal"), _("Latest appeal"), _("Appeal tracking codes"), _("Cases")])
    for group in issues.groups:
        refs = issues.refs(group)
        ws.append([group.rank, group.title, group.place_label, group.count, group.residents, group.likes, group.heat,
                   _fmt(group.first_at), _fmt(group.last_at), " ".join(r.tracking_code for r in refs),
                   " ".join(f"#{r.case_id}" for r in refs if r.case_id)])
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''hot-issues-{days}d-{timezone.localdate():%Y%m%d}.xlsx"
    )
    return response


# ---------------------------------------------------------------------------------------------------
# turning a hot issue into a demand or a monthly theme


def parse_ids(raw: str) -> list[int]:
    ids = []
    for part in (raw or "").replace(" ", "").split(","):
        if part.isdigit():
            ids.append(int(part))
    return list(dict.fromkeys(ids))[:list_actions.MAX_APPEALS]


def appeals_for_user(request: HttpRequest, raw_ids: str) -> list[Appeal]:
    """The hot issue's appeals, representative first; 404 unless every one is visible to the user."""
    ids = parse_ids(raw_ids)
    if not ids:
        raise Http404
    found = {a.pk: a for a in appeals_queries.visible_appeals(request.user)
             .filter(pk__in=ids).select_related("area")}
    if len(found) != len(ids):
        raise Http404
    return [found[i] for i in ids]


def summary_of(appeals: list[Appeal]) -> str:
    residents = {hot_queries.resident_key(a) or f"a:{a.pk}" for a in appeals}
    first = min(a.created_at for a in appeals)
    last = max(a.created_at for a in appeals)
    head = _("%(appeals)d appeals from %(residents)d residents, %(first)s to %(last)s.") % {
        "appeals": len(appeals), "residents": len(residents), "first": f"{timezone.localtime(first):%Y-%m-%d}",
        "last": f"{timezone.localtime(last):%Y-%m-%d}",
    }
    lines = [f"- {a.tracking_code} {a.title}" for a in appeals[:20]]
    return "\n".join([head, *lines])


def _default_area(appeals: list[Appeal], allowed: list[Area], levels: tuple[str, ...]) -> Area | None:
    """The lowest allowed area of one of `levels` that contains every appeal's place."""
    common = hot_queries.common_area([a.area_id for a in appeals if a.area_id])
    if common is not None:
        containing = [a for a in allowed if common.path.startswith(a.path) and a.level in levels]
        if containing:
            return max(containing, key=lambda a: len(a.path))
    return allowed[0] if allowed else None


class DemandForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 6}),
                                  required=False)
    area = forms.ModelChoiceField(label=gettext_lazy("Area"), queryset=Area.objects.none())


class ThemeForm(DemandForm):
    month = forms.DateField(label=gettext_lazy("Month"), input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    area = forms.ModelChoiceField(label=gettext_lazy("Proposing area"), queryset=Area.objects.none())


def _this_month() -> date:
    return timezone.localdate().replace(day=1)


@signed_in
@require_http_methods(["GET", "POST"])
def hot_convert(request: HttpRequest, kind: str) -> HttpResponse:
    """GET: a form prefilled from the hot issue's appeals (?ids=...); POST: create the demand or theme."""
    _require_hot(request.user)
    if kind not in ("demand", "theme"):
        raise Http404
    user = request.user
    if kind == "demand":
        if not list_permissions.can_create_demands(user):
            raise PermissionDenied(_("You may not add demands."))
        allowed = list(list_permissions.demand_areas(user).order_by("path")[:500])
        levels: tuple[str, ...] = ("community", "subdistrict", "district", "city")
    else:
        if not list_permissions.can_propose_themes(user):
            raise PermissionDenied(_("You may not propose the month's theme."))
        allowed = list(list_permissions.theme_areas(user).order_by("path")[:500])
        levels = list_permissions.THEME_LEVELS
    raw_ids = request.POST.get("ids") if request.method == "POST" else request.GET.get("ids")
    appeals = appeals_for_user(request, raw_ids or "")
    form_class = DemandForm if kind == "demand" else ThemeForm
    summary = summary_of(appeals)
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
                list_actions.do_create_demand(
                    acting_user=user, title=data["title"], description=data["description"], area=data["area"],  # type: ignore[arg-type]
                    source=Demand.Source.HOT_ISSUE, source_ref=appeals[0].title, appeal_ids=[a.pk for a in appeals],
                )
                messages.success(request, _("The hot issue was added to the demand list."))
                return redirect("lists:demands")
            list_actions.do_propose_monthly_theme(
                acting_user=user, month=data["month"], title=data["title"], description=data["description"],  # type: ignore[arg-type]
                area=data["area"], source_summary=summary, appeal_ids=[a.pk for a in appeals],
            )
            messages.success(request, _("The hot issue was proposed as the month's theme."))
            return redirect("lists:themes")
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "intelligence/hot_convert.html", {
        "form": form, "kind": kind, "appeals": appeals, "ids": ",".join(str(a.pk) for a in appeals),
    })
