"""Read side of the lists: their pages, and what their panels on other apps' pages show."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appeals.queries import appeals_visible_to, resident_key
from gongzhi.core.models import Area, Registration, Unit
from gongzhi.core.queries import links_to

from . import permissions
from .demand_filters import DemandFilters, apply_filters
from .models import DEMAND_APPEAL, THEME_APPEAL, Demand, MonthlyTheme


def _with_appeal_counts(qs: QuerySet[Any], kind: str) -> QuerySet[Any]:
    """`appeal_count` on each row (a GROUP BY query drops the model's default ordering: keep it explicitly)."""
    ordering = qs.model._meta.ordering
    return qs.annotate(appeal_count=Count("links", filter=Q(links__kind=kind))).order_by(*ordering)


def demand_list(user: Any, *, status: str = "", filters: DemandFilters | None = None) -> QuerySet[Demand]:
    qs = permissions.visible_to(user, Demand).select_related("area", "created_by", "category", "source_unit")
    if status in Demand.Status.values:
        qs = qs.filter(status=status)
    if filters is not None:
        qs = apply_filters(qs, filters)
    return _with_appeal_counts(qs, DEMAND_APPEAL)


def registered_units(communities: QuerySet[Area]) -> QuerySet[Unit]:
    """The units registered (双报到) at these communities or sitting in them, by name."""
    registered = Registration.objects.confirmed().filter(kind=Registration.Kind.UNIT, community__in=communities).values("unit_id")
    paths = list(communities.values_list("path", flat=True)[:500])
    q = Q(pk__in=registered)
    for path in paths:
        q |= Q(area__path__startswith=path)
    return Unit.objects.filter(q).order_by("name")


def resident_count(appeals: list[Any]) -> int:
    """How many distinct residents wrote these appeals."""
    return len({resident_key(a) or f"a:{a.pk}" for a in appeals})


def theme_list(user: Any) -> QuerySet[MonthlyTheme]:
    qs = permissions.visible_to(user, MonthlyTheme).select_related("area", "proposed_by")
    return _with_appeal_counts(qs, THEME_APPEAL)


def linked_appeals(user: Any, record: Demand | MonthlyTheme) -> tuple[list[Any], int]:
    """The appeals a demand or theme came from that `user` may see (in link order), and how many are hidden."""
    ids = record.appeal_ids
    found = {a.pk: a for a in appeals_visible_to(user, ids)}
    return [found[i] for i in ids if i in found], len([i for i in ids if i not in found])


def records_from_appeals(user: Any, appeals: QuerySet[Any]) -> tuple[list[Demand], list[MonthlyTheme]]:
    """The demands and themes linked to any of these appeals that `user` may see (one query when there are no
    links, three at most)."""
    rows = list(links_to(appeals).filter(kind__in=[DEMAND_APPEAL, THEME_APPEAL]).values_list("kind", "from_id"))
    demand_ids = {from_id for kind, from_id in rows if kind == DEMAND_APPEAL}
    theme_ids = {from_id for kind, from_id in rows if kind == THEME_APPEAL}
    demands = list(permissions.visible_to(user, Demand).filter(pk__in=demand_ids).select_related("area")) \
        if demand_ids else []
    themes = list(permissions.visible_to(user, MonthlyTheme).filter(pk__in=theme_ids).select_related("area")) \
        if theme_ids else []
    return demands, themes


def summary_of(appeals: list[Any]) -> str:
    """What a hot issue's appeals are, in a few lines: how many, from how many residents, when; their codes."""
    residents = {resident_key(a) or f"a:{a.pk}" for a in appeals}
    first = min(a.created_at for a in appeals)
    last = max(a.created_at for a in appeals)
    head = _("%(appeals)d appeals from %(residents)d residents, %(first)s to %(last)s.") % {
        "appeals": len(appeals), "residents": len(residents), "first": f"{timezone.localtime(first):%Y-%m-%d}",
        "last": f"{timezone.localtime(last):%Y-%m-%d}",
    }
    lines = [f"- {a.masked_code} {a.title}" for a in appeals[:20]]
    return "\n".join([head, *lines])



# --- residents' satisfaction, read by other apps (the evaluation's property grades) -----------------------------


def survey_satisfaction(survey_id: int) -> tuple[int, float | None]:
    """A survey's satisfaction score: its first single-choice question's answers, the options mapped by their order
    to 100 .. 0 evenly (the first option 100, the last 0; a single option is 100). Returns (respondents, the mean
    score) — (0, None) when the survey, the question or the answers are missing. Three queries."""
    from .models import SurveyAnswer, SurveyOption, SurveyQuestion

    question = (SurveyQuestion.objects.filter(survey_id=survey_id, kind=SurveyQuestion.Kind.SINGLE)
                .order_by("order", "id").values_list("pk", flat=True).first())
    if question is None:
        return 0, None
    options = list(SurveyOption.objects.filter(question_id=question).order_by("order", "id")
                   .values_list("pk", flat=True))
    if not options:
        return 0, None
    step = 100.0 / (len(options) - 1) if len(options) > 1 else 0.0
    value = {pk: 100.0 - i * step for i, pk in enumerate(options)}
    counts = (SurveyAnswer.objects.filter(question_id=question, option_id__in=options)
              .values("option_id").annotate(n=Count("response_id", distinct=True)).order_by())
    total = sum(row["n"] for row in counts)
    if not total:
        return 0, None
    return total, sum(value[row["option_id"]] * row["n"] for row in counts) / total


def surveys_of_community(community_id: int) -> list[tuple[int, str, str]]:
    """The community's surveys that are or were published, newest first: (id, title, status) — for choosing the
    residents' satisfaction survey of a quarter."""
    from .models import Survey

    return list(Survey.objects.filter(area_id=community_id).exclude(status=Survey.Status.DRAFT)
                .order_by("-created_at", "-id").values_list("pk", "title", "status")[:100])


def survey_area_id(survey_id: int) -> int | None:
    """The community a survey belongs to (None when there is no such survey)."""
    from .models import Survey

    return Survey.objects.filter(pk=survey_id).values_list("area_id", flat=True).first()
