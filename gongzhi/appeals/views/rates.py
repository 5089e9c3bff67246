"""The three rates: monthly rankings of subdistricts and departments, the cases behind each figure, Excel."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.models import Area, Unit

from .. import exports, permissions, rates
from ..models import Case
from .common import page_of, query_without_page, require_allowed, signed_in
from .worklists import _with_codes, decorate

FIGURE_LABELS = ("followed_up", "contacted", "solved", "satisfied", "basically_satisfied", "unsatisfied")


def _month(request: HttpRequest) -> date:
    raw = (request.GET.get("month") or "").strip()
    if raw:
        try:
            return rates.parse_month(raw)
        except ValueError:
            pass
    today = timezone.localdate()
    return date(today.year, today.month, 1)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def score(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}"


def _shift(month: date, delta: int) -> str:
    index = month.year * 12 + month.month - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _rows(rows: list[rates.RateRow], month: date, key: str) -> list[dict[str, Any]]:
    out = []
    for row in rows:

        def link(figure: str, row: rates.RateRow = row) -> str:
            return (
                reverse("appeals:rate_cases")
                + "?"
                + urlencode({"month": f"{month:%Y-%m}", "figure": figure, key: str(row.key)})
            )

        out.append(
            {
                "row": row,
                "name": row.name,
                "rank": row.rank,
                "ranked": row.ranked,
                "tied": row.tied,
                "response": pct(row.response_rate),
                "resolution": pct(row.resolution_rate),
                "satisfaction": pct(row.satisfaction_rate),
                "composite": score(row.composite),
                "links": {f: link(f) for f in FIGURE_LABELS},
            }
        )
    return out


def _chart(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Bars in ranking order; rows too thin to rank are drawn too (greyed by appeals.js)."""
    return {
        "names": [r["name"] for r in rows],
        "scores": [round((r["row"].composite or 0) * 100, 1) for r in rows],
        "ranked": [r["ranked"] for r in rows],
        "follow_ups": [r["row"].followed_up for r in rows],
    }


@signed_in
@require_GET
def rates_page(request: HttpRequest) -> HttpResponse:
    require_allowed(permissions.can_view_rates(request.user))
    month = _month(request)
    subdistricts = _rows(rates.subdistrict_ranking(month), month, "subdistrict")
    departments = _rows(rates.department_ranking(month), month, "unit")
    chart = {
        "departments": _chart(departments),
        "subdistricts": _chart(subdistricts),
        "label": _("Composite score"),
        "unranked": _("Too few follow-ups to rank"),
    }
    w = rates.weights()
    return render(
        request,
        "appeals/rates.html",
        {
            "month": month,
            "month_value": f"{month:%Y-%m}",
            "prev_month": _shift(month, -1),
            "next_month": _shift(month, 1),
            "subdistricts": subdistricts,
            "departments": departments,
            "chart": chart,
            "min_follow_ups": rates.min_follow_ups(),
            "weights": {"response": f"{w[0]:g}", "resolution": f"{w[1]:g}", "satisfaction": f"{w[2]:g}"},
        },
    )


@signed_in
@require_GET
def rate_cases(request: HttpRequest) -> HttpResponse:
    """The cases behind one figure of one row (only those the user may see)."""
    require_allowed(permissions.can_view_rates(request.user))
    month = _month(request)
    figure = request.GET.get("figure") or "followed_up"
    if figure not in rates.FIGURES:
        raise Http404
    try:
        unit_id = int(request.GET["unit"]) if request.GET.get("unit") else None
        subdistrict_id = int(request.GET["subdistrict"]) if request.GET.get("subdistrict") else None
    except ValueError as exc:
        raise Http404 from exc
    qs = rates.cases_behind(month, figure=figure, unit_id=unit_id, subdistrict_id=subdistrict_id)
    visible = permissions.visible_to(request.user, Case).values("pk")
    page = page_of(request, _with_codes(qs.filter(pk__in=visible)))
    decorate(list(page.object_list))
    subject = ""
    if unit_id:
        subject = Unit.objects.filter(pk=unit_id).values_list("name", flat=True).first() or ""
    elif subdistrict_id:
        subject = Area.objects.filter(pk=subdistrict_id).values_list("name", flat=True).first() or ""
    labels = {
        "followed_up": _("Followed up"),
        "contacted": _("Resident reached"),
        "solved": _("Solved"),
        "satisfied": _("Satisfied"),
        "basically_satisfied": _("Basically satisfied"),
        "unsatisfied": _("Unsatisfied"),
    }
    return render(
        request,
        "appeals/rate_cases.html",
        {
            "page": page,
            "query": query_without_page(request),
            "month": month,
            "month_value": f"{month:%Y-%m}",
            "figure_label": labels[figure],
            "subject": subject,
            "hidden": qs.count() - page.paginator.count,
        },
    )


@signed_in
@require_GET
def rates_export(request: HttpRequest) -> HttpResponse:
    require_allowed(permissions.can_view_rates(request.user))
    return exports.ranking_response(_month(request))
