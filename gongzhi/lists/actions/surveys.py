"""Surveys (问需于民): a community worker builds a short questionnaire, edits it while it is a draft, publishes it
(a public link and a QR code) and closes it; residents answer it on a phone without an account, one answer per
phone number, proven with a one-time code (`phone_codes`, purpose SURVEY).

Questions: single choice, multiple choice, free text, and priority ("which of these should we do first"): the
resident picks up to PRIORITY_PICKS options in order (1st, 2nd, 3rd); the results count how many residents picked
each option at all, how many put it first, and a score (3 points for a first place, 2 for a second, 1 for a third).

Answers reach `do_submit_survey_response` as {question id: [option ids]} (a priority question's in the order
picked) or {question id: "text"}; everything is checked before anything is written, and nothing is kept of the
phone but its keyed hash.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event, snapshot
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Area, User

from .. import permissions, phone_codes
from ..models import PhoneCode, Survey, SurveyAnswer, SurveyOption, SurveyQuestion, SurveyResponse

MAX_QUESTIONS = 30
MAX_OPTIONS = 20
MAX_TEXT_ANSWER = 1000
PRIORITY_PICKS = 3
CHOICE_KINDS = (SurveyQuestion.Kind.SINGLE, SurveyQuestion.Kind.MULTIPLE, SurveyQuestion.Kind.PRIORITY)
SURVEY_FIELDS = ["title", "intro", "status", "closes_at"]


def _text(value: str, *, field: str, limit: int, empty: str, too_long: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionError(empty, field=field)
    if len(value) > limit:
        raise ActionError(too_long, field=field)
    return value


def _clean_survey(title: str, intro: str, closes_at: datetime | None) -> tuple[str, str, datetime | None]:
    title = _text(title, field="title", limit=200, empty=_("Please enter a title."),
                  too_long=_("The title is too long: at most 200 characters."))
    intro = (intro or "").strip()
    if len(intro) > 2000:
        raise ActionError(_("The introduction is too long: at most 2000 characters."), field="intro")
    if closes_at is not None and closes_at <= timezone.now():
        raise ActionError(_("The closing time must be in the future."), field="closes_at")
    return title, intro, closes_at


def _draft(survey: Survey, user: User | None) -> Survey:
    """The survey locked for a change of its questions: it must be a draft the user manages."""
    survey = Survey.objects.select_for_update(of=("self",)).select_related("area").get(pk=survey.pk)
    permissions.require(user, "manage", survey, _("You may not change this survey."))
    if survey.status != Survey.Status.DRAFT:
        raise InvalidTransition(_("A published survey cannot be changed: its answers would no longer match."))
    return survey


def _new_token() -> str:
    while True:
        token = secrets.token_urlsafe(12)
        if not Survey.objects.filter(token=token).exists():
            return token


@transaction.atomic
def do_create_survey(*, acting_user: User | None, area: Area, title: str, intro: str = "",
                     closes_at: datetime | None = None) -> Survey:
    """A draft survey of a community."""
    if area.level != Area.Level.COMMUNITY:
        raise ActionError(_("A survey belongs to a community: please choose the community."), field="area")
    if not permissions.can(acting_user, "create_survey", area):
        raise PermissionDenied(_("You may not build surveys for this community."))
    title, intro, closes_at = _clean_survey(title, intro, closes_at)
    survey = Survey.objects.create(area=area, title=title, intro=intro, closes_at=closes_at, token=_new_token(),
                                   created_by=acting_user)
    log_event(acting_user, "lists.create_survey", survey, area=area, after=snapshot(survey, SURVEY_FIELDS))
    return survey


@transaction.atomic
def do_update_survey(survey: Survey, *, acting_user: User | None, title: str, intro: str = "",
                     closes_at: datetime | None = None) -> Survey:
    """Change a draft's title, introduction and closing time."""
    survey = _draft(survey, acting_user)
    before = snapshot(survey, SURVEY_FIELDS)
    survey.title, survey.intro, survey.closes_at = _clean_survey(title, intro, closes_at)
    survey.save(update_fields=["title", "intro", "closes_at"])
    log_event(acting_user, "lists.update_survey", survey, area=survey.area, before=before,
              after=snapshot(survey, SURVEY_FIELDS))
    return survey


def _clean_question(kind: str, text: str, options: Iterable[str]) -> tuple[str, list[str]]:
    if kind not in SurveyQuestion.Kind.values:
        raise ActionError(_("Please choose a kind of question from the list."), field="kind")
    text = _text(text, field="text", limit=300, empty=_("Please enter the question."),
                 too_long=_("The question is too long: at most 300 characters."))
    cleaned: list[str] = []
    for option in options or ():
        option = (option or "").strip()
        if not option:
            continue
        if len(option) > 200:
            raise ActionError(_("An option is too long: at most 200 characters."), field="options")
        if option in cleaned:
            raise ActionError(_("The option “%(option)s” is given twice.") % {"option": option}, field="options")
        cleaned.append(option)
    if kind in CHOICE_KINDS:
        if len(cleaned) < 2:
            raise ActionError(_("A choice question needs at least two options, one per line."), field="options")
        if len(cleaned) > MAX_OPTIONS:
            raise ActionError(_("Too many options: at most 20."), field="options")
    elif cleaned:
        raise ActionError(_("A free-text question has no options: leave them empty."), field="options")
    return text, cleaned


def _question_snapshot(question: SurveyQuestion) -> dict[str, Any]:
    return {"kind": question.kind, "text": question.text, "required": question.required,
            "options": [o.text for o in question.options.all()]}


@transaction.atomic
def do_add_question(survey: Survey, *, acting_user: User | None, kind: str, text: str, required: bool = True,
                    options: Iterable[str] = ()) -> SurveyQuestion:
    """Add a question at the end of a draft (choice questions with their options, one per line in the form)."""
    survey = _draft(survey, acting_user)
    text, cleaned = _clean_question(kind, text, options)
    count = survey.questions.count()
    if count >= MAX_QUESTIONS:
        raise ActionError(_("A survey has at most 30 questions: keep it short."), field="text")
    last = survey.questions.order_by("-order").values_list("order", flat=True).first()
    question = SurveyQuestion.objects.create(survey=survey, order=(last or 0) + 1, kind=kind, text=text,
                                             required=bool(required))
    SurveyOption.objects.bulk_create([SurveyOption(question=question, order=i, text=option)
                                      for i, option in enumerate(cleaned, start=1)])
    log_event(acting_user, "lists.edit_survey_questions", survey, area=survey.area,
              after={"added": _question_snapshot(question)})
    return question


@transaction.atomic
def do_update_question(question: SurveyQuestion, *, acting_user: User | None, kind: str, text: str,
                       required: bool = True, options: Iterable[str] = ()) -> SurveyQuestion:
    """Change a draft's question; its options are replaced by the new list (a draft has no answers)."""
    survey = _draft(question.survey, acting_user)
    question = SurveyQuestion.objects.select_for_update().get(pk=question.pk, survey=survey)
    text, cleaned = _clean_question(kind, text, options)
    before = _question_snapshot(question)
    question.kind, question.text, question.required = kind, text, bool(required)
    question.save(update_fields=["kind", "text", "required"])
    question.options.all().delete()
    SurveyOption.objects.bulk_create([SurveyOption(question=question, order=i, text=option)
                                      for i, option in enumerate(cleaned, start=1)])
    log_event(acting_user, "lists.edit_survey_questions", survey, area=survey.area, before={"question": before},
              after={"question": _question_snapshot(question)})
    return question


@transaction.atomic
def do_delete_question(question: SurveyQuestion, *, acting_user: User | None) -> None:
    survey = _draft(question.survey, acting_user)
    question = SurveyQuestion.objects.get(pk=question.pk, survey=survey)
    before = _question_snapshot(question)
    question.delete()
    log_event(acting_user, "lists.edit_survey_questions", survey, area=survey.area, before={"deleted": before})


@transaction.atomic
def do_move_question(question: SurveyQuestion, *, acting_user: User | None, up: bool) -> None:
    """Swap a draft's question with the one before it (`up`) or after it; nothing at the first or last place."""
    survey = _draft(question.survey, acting_user)
    questions = list(survey.questions.order_by("order", "id"))
    index = next((i for i, q in enumerate(questions) if q.pk == question.pk), None)
    if index is None:
        raise ActionError(_("This question is not in the survey."))
    other = index - 1 if up else index + 1
    if not 0 <= other < len(questions):
        return
    questions[index], questions[other] = questions[other], questions[index]
    for order, row in enumerate(questions, start=1):
        row.order = order
    SurveyQuestion.objects.bulk_update(questions, ["order"])
    log_event(acting_user, "lists.edit_survey_questions", survey, area=survey.area,
              after={"order": [q.text[:30] for q in questions]})


@transaction.atomic
def do_publish_survey(survey: Survey, *, acting_user: User | None) -> Survey:
    """Open a draft to residents (its public link and QR code start working)."""
    survey = _draft(survey, acting_user)
    if not survey.questions.exists():
        raise ActionError(_("Add at least one question before publishing."))
    if survey.closes_at is not None and survey.closes_at <= timezone.now():
        raise ActionError(_("The closing time has passed: change it before publishing."), field="closes_at")
    before = snapshot(survey, SURVEY_FIELDS)
    survey.status, survey.published_at = Survey.Status.PUBLISHED, timezone.now()
    survey.save(update_fields=["status", "published_at"])
    log_event(acting_user, "lists.publish_survey", survey, area=survey.area, before=before,
              after=snapshot(survey, SURVEY_FIELDS))
    return survey


@transaction.atomic
def do_close_survey(survey: Survey, *, acting_user: User | None) -> Survey:
    """Stop taking answers (the results stay)."""
    survey = Survey.objects.select_for_update(of=("self",)).select_related("area").get(pk=survey.pk)
    permissions.require(acting_user, "manage", survey, _("You may not change this survey."))
    if survey.status != Survey.Status.PUBLISHED:
        raise InvalidTransition(_("Only a published survey can be closed."))
    before = snapshot(survey, SURVEY_FIELDS)
    survey.status = Survey.Status.CLOSED
    survey.save(update_fields=["status"])
    log_event(acting_user, "lists.close_survey", survey, area=survey.area, before=before,
              after=snapshot(survey, SURVEY_FIELDS))
    return survey


# --- answering ------------------------------------------------------------------------------------------------


def is_open(survey: Survey, now: datetime | None = None) -> bool:
    """Does the survey take answers now?"""
    now = now or timezone.now()
    return survey.status == Survey.Status.PUBLISHED and (survey.closes_at is None or survey.closes_at > now)


def _require_open(survey: Survey) -> None:
    if not is_open(survey):
        raise InvalidTransition(_("This survey is closed and takes no more answers. Thank you."))


ALREADY_ANSWERED = "This phone number has already answered this survey: each phone answers once. Thank you."


def already_answered(survey: Survey, phone_key: str) -> bool:
    return SurveyResponse.objects.filter(survey=survey, phone_hash=phone_key).exists()


def do_send_survey_code(survey: Survey, phone: str) -> None:
    """Send the one-time code for answering to `phone` (refused when the phone has already answered)."""
    _require_open(survey)
    if already_answered(survey, phone_codes.phone_hash(phone)):
        raise ActionError(_(ALREADY_ANSWERED), field="phone")
    phone_codes.do_send_code(PhoneCode.Purpose.SURVEY, survey.pk, phone, what=survey.title)


@dataclass(frozen=True)
class CleanAnswer:
    question: SurveyQuestion
    options: tuple[SurveyOption, ...] = ()  # in the order picked (a priority question's ranks)
    text: str = ""


def _label(question: SurveyQuestion, number: int) -> str:
    return _("Question %(n)d (%(text)s)") % {"n": number, "text": question.text[:30]}


def clean_answers(survey: Survey, answers: Mapping[int, Any]) -> list[CleanAnswer]:
    """Check the answers against the survey's questions: every required one answered, options of that very
    question, one option for a single choice, no repeats, at most PRIORITY_PICKS for a priority question.
    ActionError (field "q<id>") for the first wrong one; nothing is written."""
    questions = list(survey.questions.prefetch_related("options").order_by("order", "id"))
    by_id = {q.pk: q for q in questions}
    for key in answers:
        if key not in by_id:
            raise ActionError(_("An answer is for a question that is not in this survey. Please reload the page."))
    out: list[CleanAnswer] = []
    for number, question in enumerate(questions, start=1):
        value = answers.get(question.pk)
        label = _label(question, number)
        field = f"q{question.pk}"
        if question.kind == SurveyQuestion.Kind.TEXT:
            text = (value if isinstance(value, str) else "").strip()
            if len(text) > MAX_TEXT_ANSWER:
                raise ActionError(_("%(question)s: the answer is too long, at most 1000 characters.")
                                  % {"question": label}, field=field)
            if text:
                out.append(CleanAnswer(question, text=text))
            elif question.required:
                raise ActionError(_("%(question)s: please answer this question.") % {"question": label}, field=field)
            continue
        raw = [] if value in (None, "") else (value if isinstance(value, list | tuple) else [value])
        options = {o.pk: o for o in question.options.all()}
        picked: list[SurveyOption] = []
        for item in raw:
            try:
                option = options.get(int(item))
            except (TypeError, ValueError):
                option = None
            if option is None:
                raise ActionError(_("%(question)s: this option is not one of the question's options.")
                                  % {"question": label}, field=field)
            if option in picked:
                raise ActionError(_("%(question)s: the same option is chosen twice.") % {"question": label},
                                  field=field)
            picked.append(option)
        if question.kind == SurveyQuestion.Kind.SINGLE and len(picked) > 1:
            raise ActionError(_("%(question)s: please choose only one option.") % {"question": label}, field=field)
        if question.kind == SurveyQuestion.Kind.PRIORITY and len(picked) > PRIORITY_PICKS:
            raise ActionError(_("%(question)s: please pick at most %(n)d, in order.")
                              % {"question": label, "n": PRIORITY_PICKS}, field=field)
        if picked:
            out.append(CleanAnswer(question, options=tuple(picked)))
        elif question.required:
            raise ActionError(_("%(question)s: please answer this question.") % {"question": label}, field=field)
    if not out:
        raise ActionError(_("Please answer at least one question."))
    return out


def record_response(survey: Survey, phone_key: str, answers: list[CleanAnswer]) -> SurveyResponse:
    """Write one resident's checked answers. The unique constraint on (survey, phone hash) turns a second answer
    from the same phone, even one racing this one, into ActionError."""
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(survey=survey, phone_hash=phone_key)
            rows: list[SurveyAnswer] = []
            for answer in answers:
                if answer.question.kind == SurveyQuestion.Kind.TEXT:
                    rows.append(SurveyAnswer(response=response, question=answer.question, text=answer.text))
                    continue
                ranked = answer.question.kind == SurveyQuestion.Kind.PRIORITY
                rows += [SurveyAnswer(response=response, question=answer.question, option=option,
                                      rank=i if ranked else None)
                         for i, option in enumerate(answer.options, start=1)]
            SurveyAnswer.objects.bulk_create(rows)
            log_event(None, "lists.answer_survey", survey, area=survey.area,
                      after={"response": response.pk, "answers": len(rows)})
    except IntegrityError as exc:
        raise ActionError(_(ALREADY_ANSWERED), field="phone") from exc
    return response


def do_submit_survey_response(survey: Survey, *, phone: str, code: str, answers: Mapping[int, Any]) -> SurveyResponse:
    """A resident's answers, proven with the code sent to `phone`. Checked in this order, each refusal saving
    nothing: the survey is open, the answers are valid, the phone has not answered yet, the code is right (a
    wrong code is counted in its own transaction), then the answers are written in one transaction."""
    _require_open(survey)
    cleaned = clean_answers(survey, answers)
    phone_key = phone_codes.phone_hash(phone)
    if already_answered(survey, phone_key):
        raise ActionError(_(ALREADY_ANSWERED), field="phone")
    if not phone_codes.use_code(PhoneCode.Purpose.SURVEY, survey.pk, phone, code):
        raise ActionError(_("The code is wrong or has expired. Please check it, or ask for a new code."), field="code")
    return record_response(survey, phone_key, cleaned)
