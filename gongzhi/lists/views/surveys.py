"""Surveys (问需于民): the staff pages (list, build while a draft, publish, close, results with charts and an Excel
export, the QR code and a printable poster, turning an option or a group of text answers into a demand) and the
residents' public page /lists/s/<token>/ (no account: a phone, a code by SMS, the answers)."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.appeals.queries import category_choices
from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area
from gongzhi.lib import ratelimit
from gongzhi.lib.net import client_ip
from gongzhi.lib.spreadsheets import append_row, export_filename, xlsx_response

from .. import actions, permissions
from .. import survey_results as results_q
from ..actions.surveys import PRIORITY_PICKS, is_open
from ..forms import DemandForm, QuestionForm, SurveyForm
from ..models import Demand, Survey, SurveyQuestion
from .demands import demand_fields, staff_areas

signed_in = login_required(login_url="core:login")

MAX_ANSWER_IDS = 2000


def _require_surveys(user: Any) -> None:
    if not permissions.can_view_surveys(user):
        raise PermissionDenied(_("This page is not available to your role."))


def _survey(request: HttpRequest, pk: int, action: str = "view") -> Survey:
    _require_surveys(request.user)
    survey = permissions.get_survey_for_user(request.user, pk)
    if action != "view":
        permissions.require(request.user, action, survey, _("You may not change this survey."))
    return survey


def public_url(request: HttpRequest, survey: Survey) -> str:
    return request.build_absolute_uri(reverse("lists:survey_public", args=[survey.token]))


def _error(request: HttpRequest, exc: ActionError) -> None:
    messages.error(request, exc.message)


# --- staff pages ------------------------------------------------------------------------------------------


@signed_in
@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    _require_surveys(request.user)
    qs = (permissions.visible_to(request.user, Survey).select_related("area")
          .annotate(answer_count=Count("responses")).order_by("-created_at", "-id"))
    status = request.GET.get("status") or ""
    if status in Survey.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "lists/survey_list.html", {
        "page": page, "status": status, "statuses": Survey.Status.choices, "tab": "surveys",
        "can_create": permissions.community_areas(request.user, "create_survey").exists(),
        "query": f"status={status}" if status else "",
    })


def _survey_form(request: HttpRequest, survey: Survey | None) -> SurveyForm:
    data = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {}
    if survey is not None:
        initial = {"area": survey.area_id, "title": survey.title, "intro": survey.intro,
                   "closes_at": timezone.localtime(survey.closes_at) if survey.closes_at else None}
    form = SurveyForm(data, initial=initial)
    areas = permissions.community_areas(request.user, "create_survey").order_by("path")
    form.fields["area"].queryset = areas  # type: ignore[attr-defined]
    if survey is not None:
        form.fields["area"].disabled = True
        form.fields["area"].queryset = Area.objects.filter(pk=survey.area_id)  # type: ignore[attr-defined]
    elif areas.count() == 1:
        form.fields["area"].initial = areas.first()
    return form


@signed_in
@require_http_methods(["GET", "POST"])
def survey_new(request: HttpRequest) -> HttpResponse:
    _require_surveys(request.user)
    if not permissions.community_areas(request.user, "create_survey").exists():
        raise PermissionDenied(_("You may not build surveys."))
    form = _survey_form(request, None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = actions.do_create_survey(acting_user=request.user, area=data["area"], title=data["title"],  # type: ignore[arg-type]
                                              intro=data["intro"], closes_at=data["closes_at"])
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The survey was created. Add its questions, then publish it."))
            return redirect("lists:survey", pk=survey.pk)
    return render(request, "lists/survey_form.html", {"form": form, "tab": "surveys"},
                  status=400 if form.errors else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk, "manage")
    form = _survey_form(request, survey)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_update_survey(survey, acting_user=request.user, title=data["title"], intro=data["intro"],  # type: ignore[arg-type]
                                     closes_at=data["closes_at"])
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The survey was saved."))
            return redirect("lists:survey", pk=survey.pk)
    return render(request, "lists/survey_form.html", {"form": form, "survey": survey, "tab": "surveys"},
                  status=400 if form.errors else 200)


def _questions(survey: Survey) -> list[SurveyQuestion]:
    return list(survey.questions.prefetch_related("options").order_by("order", "id"))


@signed_in
@require_GET
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    return render(request, "lists/survey_detail.html", _detail_context(request, survey, QuestionForm()))


def _detail_context(request: HttpRequest, survey: Survey, question_form: QuestionForm,
                    editing: int | None = None) -> dict[str, Any]:
    return {
        "survey": survey, "questions": _questions(survey), "question_form": question_form, "editing": editing,
        "can_manage": permissions.can(request.user, "manage", survey), "public_url": public_url(request, survey),
        "respondents": survey.responses.count(), "tab": "surveys", "priority_picks": PRIORITY_PICKS,
    }


def _question_from_form(request: HttpRequest, survey: Survey, question: SurveyQuestion | None) -> HttpResponse:
    form = QuestionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if question is None:
                actions.do_add_question(survey, acting_user=request.user, kind=data["kind"], text=data["text"],  # type: ignore[arg-type]
                                        required=data["required"], options=form.option_list())
                messages.success(request, _("The question was added."))
            else:
                actions.do_update_question(question, acting_user=request.user, kind=data["kind"],  # type: ignore[arg-type]
                                           text=data["text"], required=data["required"], options=form.option_list())
                messages.success(request, _("The question was saved."))
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect(reverse("lists:survey", args=[survey.pk]) + "#questions")
    return render(request, "lists/survey_detail.html",
                  _detail_context(request, survey, form, editing=question.pk if question else None), status=400)


@signed_in
@require_POST
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk, "manage")
    return _question_from_form(request, survey, None)


@signed_in
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    survey = _survey(request, pk, "manage")
    question = get_object_or_404(SurveyQuestion, pk=qid, survey=survey)
    if request.method == "POST":
        return _question_from_form(request, survey, question)
    form = QuestionForm(initial={"kind": question.kind, "text": question.text, "required": question.required,
                                 "options": "\n".join(o.text for o in question.options.all())})
    return render(request, "lists/survey_detail.html", _detail_context(request, survey, form, editing=question.pk))


@signed_in
@require_POST
def question_delete(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    survey = _survey(request, pk, "manage")
    question = get_object_or_404(SurveyQuestion, pk=qid, survey=survey)
    try:
        actions.do_delete_question(question, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The question was deleted."))
    return redirect(reverse("lists:survey", args=[survey.pk]) + "#questions")


@signed_in
@require_POST
def question_move(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    survey = _survey(request, pk, "manage")
    question = get_object_or_404(SurveyQuestion, pk=qid, survey=survey)
    try:
        actions.do_move_question(question, acting_user=request.user, up=request.POST.get("direction") != "down")  # type: ignore[arg-type]
    except ActionError as exc:
        _error(request, exc)
    return redirect(reverse("lists:survey", args=[survey.pk]) + "#questions")


@signed_in
@require_POST
def survey_publish(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk, "manage")
    try:
        actions.do_publish_survey(survey, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The survey is published: residents can answer it through the link or the QR "
                                    "code."))
    return redirect("lists:survey", pk=survey.pk)


@signed_in
@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk, "manage")
    try:
        actions.do_close_survey(survey, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The survey is closed: it takes no more answers."))
    return redirect("lists:survey", pk=survey.pk)


@signed_in
@require_GET
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    results = survey_results_of(survey)
    demands = list(permissions.visible_to(request.user, Demand).filter(source_survey=survey).order_by("-created_at"))
    return render(request, "lists/survey_results.html", {
        "survey": survey, "results": results, "charts": results.chart_data(), "demands": demands,
        "can_demand": permissions.can(request.user, "create_demand", survey.area), "tab": "surveys",
    })


def survey_results_of(survey: Survey) -> results_q.SurveyResults:
    return results_q.survey_results(survey)


@signed_in
@require_GET
def survey_export(request: HttpRequest, pk: int) -> HttpResponse:
    from openpyxl import Workbook

    survey = _survey(request, pk)
    counts, texts = results_q.export_rows(survey_results_of(survey))
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Counts")
    for row in counts:
        append_row(ws, row)
    ws2 = wb.create_sheet(_("Text answers"))
    for row in texts:
        append_row(ws2, row)
    buffer = io.BytesIO()
    wb.save(buffer)
    log_event(request.user, "lists.export_survey", survey, area=survey.area,  # type: ignore[arg-type]
              after={"rows": len(counts) + len(texts) - 2})
    name = export_filename(_("Survey results"), survey.title[:30], day=timezone.localdate())
    return xlsx_response(buffer.getvalue(), name)


def _qr(request: HttpRequest, survey: Survey) -> Any:
    return segno.make(public_url(request, survey), error="m")


@signed_in
@require_GET
def survey_qr(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The public link's QR code, made here (no outside service): SVG for the page and print, PNG to download."""
    survey = _survey(request, pk)
    if survey.status == Survey.Status.DRAFT:
        raise Http404(_("A draft has no public link yet."))
    buffer = io.BytesIO()
    if fmt == "svg":
        _qr(request, survey).save(buffer, kind="svg", scale=8, border=2, xmldecl=False)
        content_type = "image/svg+xml"
    elif fmt == "png":
        _qr(request, survey).save(buffer, kind="png", scale=10, border=2)
        content_type = "image/png"
    else:
        raise Http404
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-qr.{fmt}"'
    return response


@signed_in
@require_GET
def survey_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable page: the title, what it is for, the QR code and the link."""
    survey = _survey(request, pk)
    if survey.status == Survey.Status.DRAFT:
        raise Http404(_("A draft has no public link yet."))
    return render(request, "lists/survey_poster.html", {"survey": survey, "public_url": public_url(request, survey)})


# --- turning results into a demand ------------------------------------------------------------------------


def _parse_answer_ids(raw: str) -> list[int]:
    ids: list[int] = []
    for part in (raw or "").split(","):
        part = part.strip()
        if not part:
            continue
        if not (part.isascii() and part.isdigit()) or len(part) > 12:
            raise ActionError(_("The list of answers is not valid."), field="answers")
        if int(part) not in ids:
            ids.append(int(part))
    if not ids or len(ids) > MAX_ANSWER_IDS:
        raise ActionError(_("The list of answers is not valid."), field="answers")
    return ids


def _source_of(request: HttpRequest, survey: Survey) -> tuple[str, str, int, dict[str, str]]:
    """(title, description, count, hidden fields) from ?option=<id> or ?answers=<ids>; Http404 for an option or
    answers that are not this survey's."""
    params = request.POST if request.method == "POST" else request.GET
    option_raw = (params.get("option") or "").strip()
    if option_raw:
        if not (option_raw.isascii() and option_raw.isdigit()) or len(option_raw) > 12:
            raise Http404
        question = SurveyQuestion.objects.filter(survey=survey, options__pk=int(option_raw)).first()
        if question is None:
            raise Http404
        option = question.options.get(pk=int(option_raw))
        count = results_q.option_respondents(survey, option.pk)
        description = _("In the survey “%(survey)s”, %(count)d residents chose “%(option)s” for the question "
                        "“%(question)s”.") % {"survey": survey.title, "count": count, "option": option.text,
                                               "question": question.text}
        return option.text[:200], description, count, {"option": str(option.pk)}
    try:
        ids = _parse_answer_ids(params.get("answers") or "")
    except ActionError as exc:
        raise Http404 from exc
    answers = list(results_q.text_answers(survey, ids))
    if len(answers) != len(ids):
        raise Http404
    count = len(answers)
    question = answers[0].question
    lines = "\n".join(f"- {a.text[:200]}" for a in answers[:20])
    description = _("In the survey “%(survey)s”, %(count)d residents wrote answers like these to the question "
                    "“%(question)s”:") % {"survey": survey.title, "count": count, "question": question.text}
    title = answers[0].text.strip().splitlines()[0][:60] if answers[0].text.strip() else question.text[:200]
    return title, f"{description}\n{lines}", count, {"answers": ",".join(str(i) for i in ids)}


@signed_in
@require_http_methods(["GET", "POST"])
def survey_to_demand(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn an option (count: the residents who chose it) or a group of text answers (count: its answers) into a
    demand from this survey, with the count in `beneficiary_count` and in the description."""
    survey = _survey(request, pk)
    user = request.user
    if not permissions.can(user, "create_demand", survey.area):
        raise PermissionDenied(_("You may not add demands for this community."))
    title, description, count, hidden = _source_of(request, survey)
    areas = [a for a in staff_areas(user) if a.path.startswith(survey.area.path)]
    form = DemandForm(request.POST if request.method == "POST" else None, categories=category_choices(),
                      initial={"title": title, "description": description, "beneficiary_count": count,
                               "area": survey.area_id})
    form.fields["area"].queryset = Area.objects.filter(pk__in=[a.pk for a in areas] + [survey.area_id])  # type: ignore[attr-defined]
    # The count is the survey's, not typed: the residents who chose the option, or the group's answers.
    form.fields["beneficiary_count"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["beneficiary_count"] = count
        source_line = description.splitlines()[0]
        if source_line not in (data.get("description") or ""):
            data["description"] = f"{source_line}\n{data.get('description') or ''}".strip()
        try:
            demand = actions.do_create_demand(acting_user=user, area=data["area"], source=Demand.Source.SURVEY,  # type: ignore[arg-type]
                                              source_survey=survey, source_ref=survey.title, **demand_fields(data))
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The survey's answer was added to the demand list."))
            return redirect("lists:demand", pk=demand.pk)
    note = _("From the survey “%(survey)s”: %(count)d residents.") % {"survey": survey.title, "count": count}
    return render(request, "lists/demand_form.html", {
        "form": form, "new": True, "hidden": hidden, "source_note": note, "tab": "demands",
        "back": reverse("lists:survey_results", args=[survey.pk]),
    }, status=400 if form.errors else 200)


# --- the residents' public page ---------------------------------------------------------------------------


def _limits() -> tuple[int, int]:
    value = getattr(settings, "LISTS_SURVEY_RATE", (30, 600))
    return int(value[0]), int(value[1])


def _over_limit(request: HttpRequest) -> bool:
    limit, window = _limits()
    return not ratelimit.hit(f"lists:survey:{client_ip(request)}", limit=limit, window_seconds=window)


def _public(token: str) -> Survey:
    """A published or closed survey by its public token (a draft, or an unknown token: 404)."""
    if not token.isascii() or len(token) > 32:
        raise Http404
    survey = Survey.objects.filter(token=token).exclude(status=Survey.Status.DRAFT).select_related("area").first()
    if survey is None:
        raise Http404
    return survey


def parse_answers(survey: Survey, data: Any) -> dict[int, Any]:
    """The posted answers as `do_submit_survey_response` takes them: q<id> (single, text), q<id> repeated
    (multiple), q<id>_1 .. q<id>_3 (priority: first, second, third)."""
    answers: dict[int, Any] = {}
    for question in survey.questions.all():
        name = f"q{question.pk}"
        if question.kind == SurveyQuestion.Kind.TEXT:
            answers[question.pk] = data.get(name, "")
        elif question.kind == SurveyQuestion.Kind.MULTIPLE:
            answers[question.pk] = [v for v in data.getlist(name) if v]
        elif question.kind == SurveyQuestion.Kind.PRIORITY:
            answers[question.pk] = [v for v in (data.get(f"{name}_{i}", "") for i in range(1, PRIORITY_PICKS + 1))
                                    if v]
        else:
            answers[question.pk] = [v for v in data.getlist(name) if v]
    return answers


def _public_context(survey: Survey, chosen: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """The page's questions, each with what the resident had chosen (after a refusal the form stays filled in)."""
    chosen = chosen or {}
    items = []
    for number, question in enumerate(_questions(survey), start=1):
        name = f"q{question.pk}"
        picked = chosen.get(name) or []
        items.append({
            "question": question, "number": number, "name": name,
            "options": [(o, str(o.pk) in picked) for o in question.options.all()],
            "text": chosen.get(name, "") if question.kind == SurveyQuestion.Kind.TEXT else "",
            "ranks": [(rank, f"{name}_{rank}", chosen.get(f"{name}_{rank}", ""))
                      for rank in range(1, min(PRIORITY_PICKS, len(question.options.all())) + 1)],
        })
    return {"survey": survey, "items": items, "open": is_open(survey), **extra}


def _too_many(request: HttpRequest, survey: Survey) -> HttpResponse:
    return render(request, "lists/survey_public.html", _public_context(
        survey, error=_("Too many requests from your network in a short time. Please wait ten minutes and try "
                        "again.")), status=429)


@require_http_methods(["GET", "POST"])
def public_survey(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the questions; POST: the answers with the phone and its code."""
    survey = _public(token)
    if request.method == "GET":
        return render(request, "lists/survey_public.html", _public_context(survey))
    if _over_limit(request):
        return _too_many(request, survey)
    phone = (request.POST.get("phone") or "").strip()
    answers = parse_answers(survey, request.POST)
    try:
        actions.do_submit_survey_response(survey, phone=phone, code=request.POST.get("code") or "", answers=answers)
    except ActionError as exc:
        return render(request, "lists/survey_public.html", _public_context(
            survey, chosen=_chosen(answers), error=exc.message, error_field=exc.field, phone=phone[:20]), status=400)
    return render(request, "lists/survey_thanks.html", {"survey": survey})


def _chosen(answers: dict[int, Any]) -> dict[str, Any]:
    """What the resident had picked, to keep the form filled in after a refusal ("q<id>" → list of option ids as
    strings, or the text; "q<id>_<rank>" → the option id)."""
    out: dict[str, Any] = {}
    for qid, value in answers.items():
        if isinstance(value, list):
            out[f"q{qid}"] = [str(v) for v in value]
            for rank, v in enumerate(value, start=1):
                out[f"q{qid}_{rank}"] = str(v)
        else:
            out[f"q{qid}"] = value
    return out


@require_POST
def public_survey_code(request: HttpRequest, token: str) -> HttpResponse:
    """Send the one-time code to the phone typed in (the page comes back with the phone filled in)."""
    survey = _public(token)
    if _over_limit(request):
        return _too_many(request, survey)
    phone = (request.POST.get("phone") or "").strip()
    try:
        actions.do_send_survey_code(survey, phone)
    except ActionError as exc:
        return render(request, "lists/survey_public.html", _public_context(
            survey, error=exc.message, error_field=exc.field, phone=phone[:20]), status=400)
    return render(request, "lists/survey_public.html", _public_context(
        survey, phone=phone[:20], sent=_("A code has been sent to your phone. Enter it below with your answers.")))
