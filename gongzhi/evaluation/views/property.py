"""The property part's pages (物业履约评价):

- /evaluation/property/ — the contracts the user sees, by estate, with each one's latest grade;
- /evaluation/property/estates/<id>/ — an estate's property page: the contract and its service items, inspections,
  grades by quarter, rectification notices; the community computes a quarter's grade there;
- /evaluation/property/estates/<id>/contracts/new/, /property/contracts/<id>/edit/ — a contract and its items;
- /evaluation/property/contracts/<id>/inspect/ — an inspection on a phone (a score and remark per item, photos);
- /evaluation/property/grades/<id>/ — a grade's breakdown; below the threshold, the rectification notice form;
- /evaluation/property/ranking/ — the companies ranked by their mean score over their estates in a quarter;
- /evaluation/property/notices/ and /notices/<id>/ — rectification notices (overdue and open first), reply, close.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Avg
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.core.files import file_response
from gongzhi.core.models import Area
from gongzhi.core.policy import has_role, is_superuser
from gongzhi.lists.queries import surveys_of_community

from .. import coverage, grading, permissions
from .. import queries_property as queries
from ..actions import property as actions
from ..forms_property import (
    CloseForm,
    ContractForm,
    GradeForm,
    InspectionForm,
    NoticeForm,
    ReplyForm,
    items_from_post,
    notice_items_from_post,
    scores_from_post,
)
from ..models import (
    EstateProfile,
    InspectionPhoto,
    InspectionScore,
    PropertyContract,
    PropertyGrade,
    RectificationNotice,
    ServiceItem,
)

signed_in = login_required(login_url="core:login")
PHOTO_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
MANAGE_MESSAGE = queries.MANAGE_MESSAGE


def gate(request: HttpRequest) -> None:
    user = request.user
    if not (is_superuser(user) or has_role(user, permissions.STAFF_ROLES | permissions.LIAISON)):
        raise PermissionDenied(_("This page is not available to your role."))


def _error(form: Any, exc: ActionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def get_estate_for_user(user: Any, estate_id: int) -> Area:
    estate = Area.objects.filter(pk=estate_id, level=Area.Level.ESTATE).first()
    if estate is None or not queries.sees_estate(user, estate):
        raise Http404(_("Not found, or outside your area."))
    return estate


def _contract(request: HttpRequest, pk: int, action: str = "") -> PropertyContract:
    return queries.contract_for(request.user, pk, action)


def _surveys(estate: Area) -> list[tuple[int, str, str]]:
    community = actions.community_of(estate)
    return surveys_of_community(community.pk) if community is not None else []


# --- the list and an estate's page -----------------------------------------------------------------------------


@signed_in
@require_GET
def property_list(request: HttpRequest) -> HttpResponse:
    gate(request)
    q = request.GET.get("q", "").strip()[:50]
    contracts = list(queries.contract_list(request.user, q=q)[:300])
    latest = queries.latest_grades([c.pk for c in contracts])
    today = timezone.localdate()
    for c in contracts:
        c.latest = latest.get(c.pk)  # type: ignore[attr-defined]
        c.in_force = c.starts_on <= today and (c.ends_on is None or c.ends_on >= today)  # type: ignore[attr-defined]
    estates = permissions.area_policy.areas_where(request.user, "manage_property").filter(
        level=Area.Level.ESTATE).exclude(property_contracts__isnull=False).order_by("path")[:50]
    return render(request, "evaluation/property_list.html", {
        "contracts": contracts, "q": q, "uncontracted": list(estates), "threshold": grading.threshold(),
    })


@signed_in
@require_GET
def property_estate(request: HttpRequest, estate_id: int) -> HttpResponse:
    estate = get_estate_for_user(request.user, estate_id)
    return _render_estate(request, estate)


def _render_estate(request: HttpRequest, estate: Area, grade_form: GradeForm | None = None,
                   status: int = 200) -> HttpResponse:
    user = request.user
    page = queries.estate_page(user, estate)
    can_manage = permissions.area_policy.can(user, "manage_property", estate)
    current = page.current
    can_inspect = current is not None and permissions.can(user, "inspect", current)
    if can_manage and current is not None and grade_form is None:
        y, q = grading.quarter_of(timezone.localdate())
        grade_form = GradeForm(initial={"quarter": f"{y}-{q}"}, surveys=_surveys(estate))
    for g in page.grades:
        g.low = grading.below_threshold(g.score)  # type: ignore[attr-defined]
    return render(request, "evaluation/property_estate.html", {
        "estate": estate, "page": page, "current": current, "can_manage": can_manage, "can_inspect": can_inspect,
        "grade_form": grade_form if can_manage and current is not None else None,
        "threshold": grading.threshold(), "today": timezone.localdate(),
        "can_profile": can_manage, "coverage": next(iter(coverage.estate_rows(estate)), None),
        "profile": EstateProfile.objects.filter(estate=estate).select_related("owners_committee").first(),
    }, status=status)


# --- contracts -------------------------------------------------------------------------------------------------


def _contract_form_page(request: HttpRequest, estate: Area, contract: PropertyContract | None) -> HttpResponse:
    if request.method == "POST":
        form = ContractForm(request.POST)
        rows = items_from_post(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                if contract is None:
                    contract = actions.do_create_contract(
                        acting_user=request.user, estate=estate, company=d["company"],  # type: ignore[arg-type]
                        starts_on=d["starts_on"], ends_on=d["ends_on"], note=d["note"], items=rows)
                    messages.success(request, _("The contract was saved."))
                else:
                    actions.do_update_contract(contract, acting_user=request.user,  # type: ignore[arg-type]
                                               company=d["company"], starts_on=d["starts_on"], ends_on=d["ends_on"],
                                               note=d["note"], items=rows)
                    messages.success(request, _("The contract was saved."))
            except ActionError as exc:
                _error(form, exc)
            else:
                return redirect("evaluation:property_estate", estate_id=estate.pk)
    else:
        if contract is None:
            form = ContractForm(initial={"starts_on": timezone.localdate()})
            rows = actions.default_items()
        else:
            form = ContractForm(initial={"company": contract.company, "starts_on": contract.starts_on,
                                         "ends_on": contract.ends_on, "note": contract.note})
            rows = [{"id": i.pk, "kind": i.kind, "name": i.name, "standard": i.standard, "points": i.points}
                    for i in contract.items.order_by("order", "id")]
    blank = {"id": None, "kind": ServiceItem.Kind.OTHER, "name": "", "standard": "", "points": ""}
    return render(request, "evaluation/property_contract_form.html", {
        "form": form, "estate": estate, "contract": contract, "rows": [*rows, blank, dict(blank)],
        "kinds": ServiceItem.Kind.choices,
    }, status=400 if form.errors else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def contract_new(request: HttpRequest, estate_id: int) -> HttpResponse:
    estate = get_estate_for_user(request.user, estate_id)
    if not permissions.area_policy.can(request.user, "manage_property", estate):
        raise PermissionDenied(_(MANAGE_MESSAGE))
    return _contract_form_page(request, estate, None)


@signed_in
@require_http_methods(["GET", "POST"])
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk, "manage")
    return _contract_form_page(request, contract.estate, contract)


# --- inspections -----------------------------------------------------------------------------------------------


@signed_in
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk, "inspect")
    items = list(contract.items.order_by("order", "id"))
    kinds = actions.inspector_kinds(request.user, contract)  # type: ignore[arg-type]
    values: dict[int, tuple[Any, str]] = {}
    if request.method == "POST":
        form = InspectionForm(request.POST, kinds=kinds)
        values = scores_from_post(request.POST, items)
        if form.is_valid():
            d = form.cleaned_data
            try:
                inspection = actions.do_record_inspection(
                    contract, acting_user=request.user, inspected_on=d["inspected_on"], by=d["by"],  # type: ignore[arg-type]
                    scores=values, note=d["note"], photos=request.FILES.getlist("photos"))
            except ActionError as exc:
                _error(form, exc)
                if exc.field and exc.field not in form.fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("The inspection was saved: %(score)s points.") % {
                    "score": inspection.score})
                return redirect("evaluation:property_estate", estate_id=contract.estate_id)
    else:
        form = InspectionForm(initial={"inspected_on": timezone.localdate(), "by": kinds[0] if kinds else ""},
                              kinds=kinds)
    rows = [{"item": i, "score": values.get(i.pk, ("", ""))[0], "remark": values.get(i.pk, ("", ""))[1]}
            for i in items]
    return render(request, "evaluation/property_inspection_form.html", {
        "form": form, "contract": contract, "rows": rows, "max_photos": actions.MAX_PHOTOS,
    }, status=400 if form.errors else 200)


@signed_in
@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = permissions.get_inspection_for_user(request.user, pk)
    scores = list(inspection.scores.select_related("item").order_by("item__order", "id"))
    return render(request, "evaluation/property_inspection.html", {
        "inspection": inspection, "scores": scores, "photos": list(inspection.photos.all()),
    })


@signed_in
@require_GET
def inspection_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An inspection photo, to whoever sees its inspection (404 otherwise)."""
    photo = InspectionPhoto.objects.filter(pk=pk).first()
    if photo is None:
        raise Http404(_("Not found, or outside your area."))
    permissions.get_inspection_for_user(request.user, photo.inspection_id)
    extension = (photo.image.name or "").rsplit(".", 1)[-1].lower()
    if extension not in PHOTO_TYPES:
        raise Http404(_("Not found, or outside your area."))
    return file_response(photo.image, content_type=PHOTO_TYPES[extension])


# --- grades ------------------------------------------------------------------------------------------------------


@signed_in
@require_POST
def grade_compute(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk, "manage")
    form = GradeForm(request.POST, surveys=_surveys(contract.estate))
    if form.is_valid():
        year, quarter = form.year_quarter()
        try:
            grade = actions.do_compute_grade(contract, year, quarter, form.cleaned_data["survey"],
                                             request.user)  # type: ignore[arg-type]
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The grade was computed: %(score)s (%(level)s).") % {
                "score": grade.score, "level": grade.get_level_display()})
            return redirect("evaluation:property_grade", pk=grade.pk)
    return _render_estate(request, contract.estate, grade_form=form, status=400)


def _render_grade(request: HttpRequest, grade: PropertyGrade, form: NoticeForm | None = None,
                  items: list[dict[str, str]] | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    low = grading.below_threshold(grade.score)
    open_notice = grade.rectifications.exclude(status=RectificationNotice.Status.CLOSED).first()
    can_rectify = permissions.can(user, "rectify", grade) and open_notice is None
    if can_rectify and form is None:
        form = NoticeForm(initial={"deadline": timezone.localdate() + timedelta(days=30)})
    if items is None:
        items = [{"item": s["name"], "requirement": s["remarks"]} for s in _weak_items(grade)] or [
            {"item": "", "requirement": ""}]
    return render(request, "evaluation/property_grade.html", {
        "grade": grade, "details": grade.details or {}, "low": low, "threshold": grading.threshold(),
        "quarter": grading.quarter_label(grade.year, grade.quarter), "form": form if can_rectify else None,
        "items": [*items, {"item": "", "requirement": ""}], "open_notice": open_notice,
        "item_names": list(grade.contract.items.order_by("order", "id").values_list("name", flat=True)),
        "notices": list(grade.rectifications.order_by("-issued_at")),
    }, status=status)


def _weak_items(grade: PropertyGrade) -> list[dict[str, Any]]:
    """The service items that lost the most points in the quarter's inspections (below 80 % of their points on
    average), each with the inspectors' remarks as the first draft of what must be fixed (two queries)."""
    start, end = grading.quarter_bounds(grade.year, grade.quarter)
    scores = InspectionScore.objects.filter(inspection__contract=grade.contract, inspection__inspected_on__gte=start,
                                            inspection__inspected_on__lte=end)
    data = (scores.values("item_id", "item__name", "item__points", "item__order").annotate(mean=Avg("score"))
            .order_by("item__order", "item_id"))
    remarks: dict[int, list[str]] = {}
    for item_id, remark in scores.exclude(remark="").order_by("-inspection__inspected_on").values_list("item_id",
                                                                                                    "remark"):
        if remark not in remarks.setdefault(item_id, []):
            remarks[item_id].append(remark)
    return [{"name": r["item__name"], "mean": r["mean"], "remarks": "；".join(remarks.get(r["item_id"], [])[:3])}
            for r in data if r["mean"] is not None and r["mean"] < r["item__points"] * 0.8]


@signed_in
@require_GET
def grade_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_grade(request, permissions.get_grade_for_user(request.user, pk))


@signed_in
@require_POST
def grade_rectify(request: HttpRequest, pk: int) -> HttpResponse:
    grade = permissions.get_grade_for_user(request.user, pk)
    permissions.require(request.user, "rectify", grade, _(MANAGE_MESSAGE))
    form = NoticeForm(request.POST)
    items = notice_items_from_post(request.POST)
    if form.is_valid():
        try:
            notice = actions.do_issue_rectification(grade, acting_user=request.user, items=items,  # type: ignore[arg-type]
                                                    deadline=form.cleaned_data["deadline"])
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The rectification notice was sent to the company."))
            return redirect("evaluation:property_notice", pk=notice.pk)
    return _render_grade(request, grade, form=form, items=[i for i in items if i["item"] or i["requirement"]],
                         status=400)


# --- the ranking ---------------------------------------------------------------------------------------------


def _quarter_param(request: HttpRequest, quarters: list[tuple[int, int]]) -> tuple[int, int] | None:
    raw = request.GET.get("quarter", "")
    year, _sep, quarter = raw.partition("-")
    if year.isdigit() and quarter.isdigit() and 1 <= int(quarter) <= 4 and 2000 <= int(year) <= 2100:
        return int(year), int(quarter)
    return quarters[0] if quarters else None


@signed_in
@require_GET
def property_ranking(request: HttpRequest) -> HttpResponse:
    gate(request)
    quarters = queries.graded_quarters(request.user)
    chosen = _quarter_param(request, quarters)
    rows = queries.ranking(request.user, *chosen) if chosen else []
    choices = [(f"{y}-{q}", grading.quarter_label(y, q)) for y, q in quarters]
    if chosen and (chosen[0], chosen[1]) not in quarters:
        choices.insert(0, (f"{chosen[0]}-{chosen[1]}", grading.quarter_label(*chosen)))
    return render(request, "evaluation/property_ranking.html", {
        "rows": rows, "quarter": f"{chosen[0]}-{chosen[1]}" if chosen else "",
        "quarter_label": grading.quarter_label(*chosen) if chosen else "", "choices": choices,
        "threshold": grading.threshold(),
    })


# --- rectification notices ---------------------------------------------------------------------------------------


@signed_in
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    gate(request)
    status = request.GET.get("status", "")
    notices = list(queries.notice_list(request.user, status=status)[:200])
    return render(request, "evaluation/property_notices.html", {
        "notices": notices, "status": status, "statuses": RectificationNotice.Status.choices,
    })


def _render_notice(request: HttpRequest, notice: RectificationNotice, reply_form: ReplyForm | None = None,
                   close_form: CloseForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    can_reply = permissions.can(user, "reply", notice)
    can_close = permissions.can(user, "close", notice)
    return render(request, "evaluation/property_notice.html", {
        "notice": notice, "can_reply": can_reply, "can_close": can_close,
        "reply_form": (reply_form or ReplyForm()) if can_reply else None,
        "close_form": (close_form or CloseForm()) if can_close else None,
    }, status=status)


@signed_in
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_notice(request, permissions.get_rectification_for_user(request.user, pk))


@signed_in
@require_POST
def notice_reply(request: HttpRequest, pk: int) -> HttpResponse:
    notice = permissions.get_rectification_for_user(request.user, pk)
    permissions.require(request.user, "reply", notice, _("Only the property company's liaison replies to this "
                                                         "notice."))
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            actions.do_reply_rectification(notice, acting_user=request.user,  # type: ignore[arg-type]
                                           reply=form.cleaned_data["reply"])
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Your reply was sent to the community."))
            return redirect("evaluation:property_notice", pk=notice.pk)
    return _render_notice(request, notice, reply_form=form, status=400)


@signed_in
@require_POST
def notice_close(request: HttpRequest, pk: int) -> HttpResponse:
    notice = permissions.get_rectification_for_user(request.user, pk)
    permissions.require(request.user, "close", notice, _(MANAGE_MESSAGE))
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            actions.do_close_rectification(notice, acting_user=request.user,  # type: ignore[arg-type]
                                           accept=form.cleaned_data["decision"] == "close",
                                           note=form.cleaned_data["note"])
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The notice was closed.") if form.cleaned_data["decision"] == "close"
                             else _("The notice was sent back to the company."))
            return redirect("evaluation:property_notice", pk=notice.pk)
    return _render_notice(request, notice, close_form=form, status=400)
