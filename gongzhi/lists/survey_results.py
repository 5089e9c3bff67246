"""A survey's results, read side: counts per option (for a priority question also first places and a score),
free-text answers grouped by text similarity (the hot-issue grouping of `gongzhi.lib.text.grouping`, without
places), the charts' data, and the Excel export's rows.

Counts are of residents (responses): a multiple-choice option counts each resident who ticked it once.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.lib.text.grouping import HotRecord, cluster, vectorize

from .actions.surveys import PRIORITY_PICKS
from .models import Survey, SurveyAnswer, SurveyQuestion

MAX_TEXT_ANSWERS = 2000
# Survey answers are a line or two: their n-gram vectors are sparser than appeals', so a lower cosine threshold than
# the hot issues' 0.35 groups answers about the same thing ("楼道灯坏了很久" / "楼道灯坏了，老人上下楼危险": 0.30).
TEXT_THRESHOLD = 0.25


@dataclass
class OptionResult:
    id: int
    text: str
    count: int = 0  # residents who chose it (at any place, for a priority question)
    first: int = 0  # priority: residents who put it first
    score: int = 0  # priority: 3 points a first place, 2 a second, 1 a third
    share: float = 0.0  # count / respondents


@dataclass
class TextCluster:
    number: int
    label: str  # the most representative answer, shortened
    answers: list[SurveyAnswer]

    @property
    def answer_ids(self) -> str:
        return ",".join(str(a.pk) for a in self.answers)


@dataclass
class QuestionResult:
    question: SurveyQuestion
    number: int
    answered: int = 0
    options: list[OptionResult] = field(default_factory=list)
    clusters: list[TextCluster] = field(default_factory=list)
    truncated: bool = False

    @property
    def is_text(self) -> bool:
        return self.question.kind == SurveyQuestion.Kind.TEXT

    @property
    def is_priority(self) -> bool:
        return self.question.kind == SurveyQuestion.Kind.PRIORITY


@dataclass
class SurveyResults:
    survey: Survey
    respondents: int
    questions: list[QuestionResult]

    def chart_data(self) -> list[dict[str, Any]]:
        """One bar chart per choice question: option texts and counts (and first places for a priority one)."""
        out = []
        for q in self.questions:
            if q.is_text or not q.options:
                continue
            out.append({"id": f"chart-q{q.question.pk}", "title": q.question.text,
                        "names": [o.text for o in q.options], "counts": [o.count for o in q.options],
                        "first": [o.first for o in q.options] if q.is_priority else None,
                        "label": _("Residents"), "first_label": _("Put first")})
        return out


def survey_results(survey: Survey) -> SurveyResults:
    """Counts for every question (a few queries, whatever the number of answers) and the text clusters."""
    questions = list(survey.questions.prefetch_related("options").order_by("order", "id"))
    respondents = survey.responses.count()
    rows = (SurveyAnswer.objects.filter(response__survey=survey, option__isnull=False)
            .values("option_id", "rank").annotate(n=Count("response_id", distinct=True)))
    count: Counter[int] = Counter()
    first: Counter[int] = Counter()
    score: Counter[int] = Counter()
    for row in rows:
        count[row["option_id"]] += row["n"]
        rank = row["rank"]
        if rank:
            score[row["option_id"]] += row["n"] * max(0, PRIORITY_PICKS + 1 - rank)
            if rank == 1:
                first[row["option_id"]] += row["n"]
    answered = dict(SurveyAnswer.objects.filter(response__survey=survey).values("question_id")
                    .annotate(n=Count("response_id", distinct=True)).values_list("question_id", "n"))
    results = []
    texts = _text_answers(survey, [q for q in questions if q.kind == SurveyQuestion.Kind.TEXT])
    for number, question in enumerate(questions, start=1):
        result = QuestionResult(question=question, number=number, answered=answered.get(question.pk, 0))
        if question.kind == SurveyQuestion.Kind.TEXT:
            answers = texts.get(question.pk, [])
            result.truncated = len(answers) >= MAX_TEXT_ANSWERS
            result.clusters = cluster_answers(answers)
        else:
            result.options = [OptionResult(id=o.pk, text=o.text, count=count[o.pk], first=first[o.pk],
                                           score=score[o.pk], share=count[o.pk] / respondents if respondents else 0.0)
                              for o in question.options.all()]
            if question.kind == SurveyQuestion.Kind.PRIORITY:
                result.options.sort(key=lambda o: (-o.score, -o.first, -o.count))
        results.append(result)
    return SurveyResults(survey=survey, respondents=respondents, questions=results)


def _text_answers(survey: Survey, questions: list[SurveyQuestion]) -> dict[int, list[SurveyAnswer]]:
    out: dict[int, list[SurveyAnswer]] = defaultdict(list)
    for question in questions:
        qs = (SurveyAnswer.objects.filter(question=question, option__isnull=True).exclude(text="")
              .select_related("response").order_by("-response__created_at", "-id"))
        out[question.pk] = list(qs[:MAX_TEXT_ANSWERS])
    return out


def cluster_answers(answers: list[SurveyAnswer], threshold: float = TEXT_THRESHOLD) -> list[TextCluster]:
    """Free-text answers grouped by text similarity (character n-grams, star clustering), largest group first; a
    lone answer is a group of one."""
    if not answers:
        return []
    records = [HotRecord(id=a.pk, title=a.text[:200], body=a.text[200:], created_at=a.response.created_at)
               for a in answers]
    groups = cluster(vectorize(records), records, threshold) if len(records) > 1 else [[0]]
    groups = sorted(groups, key=lambda g: (-len(g), min(g)))
    out = []
    for number, members in enumerate(groups, start=1):
        rows = [answers[i] for i in members]
        label = rows[0].text.strip().replace("\n", " ")
        out.append(TextCluster(number=number, label=label[:40] + ("…" if len(label) > 40 else ""), answers=rows))
    return out


def option_respondents(survey: Survey, option_id: int) -> int:
    """Residents who chose this option of the survey (at any place of a priority question)."""
    return (SurveyAnswer.objects.filter(response__survey=survey, option_id=option_id)
            .values("response_id").distinct().count())


def text_answers(survey: Survey, ids: Iterable[int]) -> QuerySet[SurveyAnswer]:
    """The survey's free-text answers with these ids."""
    return SurveyAnswer.objects.filter(response__survey=survey, pk__in=list(ids), option__isnull=True,
                                       question__kind=SurveyQuestion.Kind.TEXT).exclude(text="") \
        .select_related("question").order_by("id")


def export_rows(results: SurveyResults) -> tuple[list[list[Any]], list[list[Any]]]:
    """The export's two sheets: counts per option, and the free-text answers with their group."""
    counts: list[list[Any]] = [[_("No."), _("Question"), _("Kind"), _("Option"), _("Residents"), _("Share"),
                                _("Put first"), _("Priority score")]]
    texts: list[list[Any]] = [[_("No."), _("Question"), _("Group"), _("Answer"), _("Answered at")]]
    for q in results.questions:
        if q.is_text:
            for c in q.clusters:
                for a in c.answers:
                    texts.append([q.number, q.question.text, f"{c.number} {c.label}", a.text,
                                  f"{timezone.localtime(a.response.created_at):%Y-%m-%d %H:%M}"])
            continue
        for o in q.options:
            counts.append([q.number, q.question.text, q.question.get_kind_display(), o.text, o.count,
                           f"{o.share:.0%}", o.first if q.is_priority else "", o.score if q.is_priority else ""])
    return counts, texts
