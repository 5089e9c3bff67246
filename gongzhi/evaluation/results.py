"""How a campaign's results are computed (shown on the results page as they are written here).

1. A rating counts points: 优秀 = 100, 合格 = 80, 不合格 = 50. When the campaign scores each criterion, a rating's
   points are its criterion scores' sum over the criteria's maxima × 100 (a rating without scores falls back to
   its grade's points).
2. A rater group's score for a ratee is the mean of its ratings' points.
3. A ratee's score is the weighted mean of the scores of the groups that rated it, their weights renormalized to
   the groups counted (a group with no rating is shown "无评议" and does not count; when the counted groups' weights
   are all 0 their plain mean is taken).
4. The resident representatives' group counts only with at least 3 ratings for that ratee: with fewer it is shown
   "不足3人，不计入" and neither its mean nor its grades are kept (otherwise the ratee could work an individual
   resident's rating out of the total).
5. Outcome: a score of 90 or more is 优秀, 60 or more 合格, less 不合格; no counted rating at all gives no outcome.
6. Ranking per kind of ratee by score, highest first; equal scores (to two decimals) share a rank (1, 2, 2, 4), then
   by name. A ratee without a score has no rank.
7. An objection upheld by the organizer may set the outcome; the change is kept in the breakdown as an adjustment
   (before, after, the answer as its reason) and survives a recompute.

`aggregate(groups, ratings)` is the pure rule (1–5); `compute_results(campaign)` applies it to every ratee of the
campaign in one pass (a fixed number of queries) and ranks them (6).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from .models import Campaign, Grade, Ratee, RaterGroup, Rating

POINTS: dict[str, Decimal] = {Grade.EXCELLENT: Decimal(100), Grade.QUALIFIED: Decimal(80),
                              Grade.UNQUALIFIED: Decimal(50)}
RESIDENTS_MIN = 3
EXCELLENT_FROM = Decimal(90)
QUALIFIED_FROM = Decimal(60)
CENT = Decimal("0.01")

# A group's status in a ratee's breakdown.
COUNTED = "counted"
NO_RATINGS = "none"
TOO_FEW = "too_few"


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def outcome_for(score: Decimal | None) -> str:
    if score is None:
        return ""
    if score >= EXCELLENT_FROM:
        return Grade.EXCELLENT.value
    if score >= QUALIFIED_FROM:
        return Grade.QUALIFIED.value
    return Grade.UNQUALIFIED.value


def rating_points(grade: str, normalized: Decimal | float | None) -> Decimal:
    """A rating's points: its normalized criterion score when there is one, else its grade's points."""
    if normalized is not None:
        return Decimal(str(normalized))
    return POINTS[grade]


def normalized_scores(scores: Mapping[str, Any], maxima: Mapping[str, int]) -> Decimal | None:
    """A rating's criterion scores as a share of the maxima × 100 (None when it has none, or nothing to divide by).
    Scores for criteria the campaign no longer has are ignored; a score is clamped to [0, its maximum]."""
    total_max = sum(maxima.values())
    if not scores or not total_max:
        return None
    got = Decimal(0)
    seen = False
    for key, value in scores.items():
        top = maxima.get(str(key))
        if top is None:
            continue
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            continue
        if not number.is_finite():
            continue
        got += min(max(number, Decimal(0)), Decimal(top))
        seen = True
    if not seen:
        return None
    return got / Decimal(total_max) * 100


@dataclass
class GroupResult:
    kind: str
    weight: int
    count: int = 0
    mean: Decimal | None = None
    status: str = NO_RATINGS
    # The weight it carried after renormalization (percent of the counted groups' weights), None when not counted.
    share: Decimal | None = None
    distribution: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "weight": self.weight, "count": self.count, "status": self.status,
                "mean": None if self.mean is None else float(self.mean),
                "share": None if self.share is None else float(self.share),
                "distribution": dict(self.distribution)}


@dataclass
class Aggregate:
    score: Decimal | None
    outcome: str
    groups: list[GroupResult]


def aggregate(groups: Sequence[tuple[str, int]],
              ratings: Iterable[tuple[str, str, Decimal | float | None]]) -> Aggregate:
    """The rule: `groups` are (kind, weight) of the groups that rate this kind of ratee, `ratings` are
    (group kind, grade, criterion score normalized to 100 or None). Ratings of a group not listed are ignored."""
    points: dict[str, list[Decimal]] = defaultdict(list)
    grades: dict[str, dict[str, int]] = defaultdict(dict)
    kinds = {kind for kind, _ in groups}
    for kind, grade, normalized in ratings:
        if kind not in kinds:
            continue
        points[kind].append(rating_points(grade, normalized))
        grades[kind][grade] = grades[kind].get(grade, 0) + 1
    results: list[GroupResult] = []
    for kind, weight in groups:
        got = points.get(kind, [])
        result = GroupResult(kind=kind, weight=int(weight), count=len(got))
        if not got:
            result.status = NO_RATINGS
        elif kind == RaterGroup.Kind.RESIDENTS and len(got) < RESIDENTS_MIN:
            result.status = TOO_FEW
        else:
            result.status = COUNTED
            result.mean = q2(sum(got, Decimal(0)) / len(got))
            result.distribution = {g: grades[kind].get(g, 0) for g in Grade.values}
        results.append(result)
    counted = [r for r in results if r.status == COUNTED]
    score: Decimal | None = None
    if counted:
        total = sum((Decimal(r.weight) for r in counted), Decimal(0))
        means = [r.mean for r in counted if r.mean is not None]
        if total > 0:
            score = q2(sum((Decimal(r.weight) * (r.mean or 0) for r in counted), Decimal(0)) / total)
            for r in counted:
                r.share = q2(Decimal(r.weight) / total * 100)
        else:
            score = q2(sum(means, Decimal(0)) / len(means))
            for r in counted:
                r.share = q2(Decimal(100) / len(counted))
    return Aggregate(score=score, outcome=outcome_for(score), groups=results)


def rank(rows: Sequence[tuple[Any, str, Decimal | None, str]]) -> dict[Any, int | None]:
    """Competition ranking per kind: rows are (key, kind, score, name); equal scores share a rank (1, 2, 2, 4)."""
    ranks: dict[Any, int | None] = {}
    by_kind: dict[str, list[tuple[Any, Decimal, str]]] = defaultdict(list)
    for key, kind, score, name in rows:
        if score is None:
            ranks[key] = None
        else:
            by_kind[kind].append((key, score, name))
    for entries in by_kind.values():
        entries.sort(key=lambda e: (-e[1], e[2]))
        previous: Decimal | None = None
        current = 0
        for position, (key, score, _name) in enumerate(entries, start=1):
            if score != previous:
                current, previous = position, score
            ranks[key] = current
    return ranks


def sorted_for_ranking(ratees: Iterable[Ratee]) -> list[Ratee]:
    """Ratees in ranking order within their kind: rank (unranked last), then name."""
    return sorted(ratees, key=lambda r: (r.kind, r.rank is None, r.rank or 0, r.name, r.pk))


def compute_results(campaign: Campaign) -> list[Ratee]:
    """Compute and save score, outcome, rank, breakdown and computed_at of every ratee of the campaign (four
    queries whatever its size: groups, criteria, ratings, ratees; and one bulk update). Upheld objections'
    adjustments are kept and their last outcome stays the ratee's outcome."""
    groups = list(RaterGroup.objects.filter(campaign=campaign).values_list("kind", "weight"))
    maxima: dict[str, int] = {}
    if campaign.uses_scores:
        maxima = {str(pk): top for pk, top in campaign.criteria.values_list("pk", "max_score")}
    by_ratee: dict[int, list[tuple[str, str, Decimal | None]]] = defaultdict(list)
    for ratee_id, kind, grade, scores in Rating.objects.filter(campaign=campaign).values_list(
            "ratee_id", "rater__group__kind", "grade", "scores"):
        normalized = normalized_scores(scores or {}, maxima) if maxima else None
        by_ratee[ratee_id].append((kind, grade, normalized))
    ratees = list(Ratee.objects.filter(campaign=campaign).order_by("pk"))
    now = timezone.now()
    aggregates: dict[int, Aggregate] = {}
    for ratee in ratees:
        applicable = [(kind, weight) for kind, weight in groups if ratee.kind in RaterGroup.RATES.get(kind, ())]
        aggregates[ratee.pk] = aggregate(applicable, by_ratee.get(ratee.pk, []))
    ranks = rank([(r.pk, r.kind, aggregates[r.pk].score, r.name) for r in ratees])
    for ratee in ratees:
        agg = aggregates[ratee.pk]
        adjustments = list((ratee.breakdown or {}).get("adjustments", []))
        ratee.score = agg.score
        ratee.outcome = adjustments[-1]["after"] if adjustments else agg.outcome
        ratee.rank = ranks.get(ratee.pk)
        ratee.breakdown = {"groups": [g.as_json() for g in agg.groups], "computed_outcome": agg.outcome,
                           "adjustments": adjustments}
        ratee.computed_at = now
    Ratee.objects.bulk_update(ratees, ["score", "outcome", "rank", "breakdown", "computed_at"], batch_size=500)
    return ratees
