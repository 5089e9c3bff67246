"""Read-side helpers of the campaigns part: a rater's tasks (their ratees with their own rating), the next ratee to
rate, and the set-up pages' rows (ratees with how many have rated them, raters with how many they have rated —
counts only: nobody but the rater sees a rating)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from .models import Campaign, Ratee, Rater, Rating
from .permissions import rater_area_q

URGENT = timedelta(days=3)


def ratees_of(rater: Rater) -> Any:
    """The ratees a rater rates (their group's kinds, in their community or the whole campaign), each with
    `my_grade` (their own rating's grade, or None)."""
    qs = Ratee.objects.filter(rater_area_q(rater), campaign_id=rater.campaign_id, kind__in=rater.group.ratee_kinds)
    mine = Rating.objects.filter(rater=rater, ratee=OuterRef("pk"))
    return (qs.select_related("community").annotate(my_grade=Subquery(mine.values("grade")[:1]))
            .order_by("kind", "community__path", "name", "pk"))


@dataclass
class Task:
    campaign: Campaign
    rater: Rater
    ratees: list[Ratee] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for r in self.ratees if getattr(r, "my_grade", None))

    @property
    def total(self) -> int:
        return len(self.ratees)

    @property
    def left(self) -> int:
        return self.total - self.done

    @property
    def next_ratee(self) -> Ratee | None:
        return next((r for r in self.ratees if not r.my_grade), None)  # type: ignore[attr-defined]

    @property
    def urgent(self) -> bool:
        return self.left > 0 and self.campaign.deadline - timezone.now() <= URGENT


def my_raters(user: Any) -> list[Rater]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Rater.objects.filter(user=user, campaign__status=Campaign.Status.OPEN)
                .select_related("campaign", "campaign__area", "group", "community").order_by("campaign__deadline",
                                                                                             "pk"))


def my_tasks(user: Any) -> list[Task]:
    """The user's rating tasks in open campaigns (one per campaign they rate in), soonest deadline first."""
    return [Task(campaign=r.campaign, rater=r, ratees=list(ratees_of(r))) for r in my_raters(user)]


def next_unrated(rater: Rater, after: Ratee | None = None) -> Ratee | None:
    """The next ratee the rater has not rated yet (after `after` in their list, then from the top)."""
    ratees = list(ratees_of(rater))
    start = next((i + 1 for i, r in enumerate(ratees) if after is not None and r.pk == after.pk), 0)
    for r in ratees[start:] + ratees[:start]:
        if not r.my_grade and (after is None or r.pk != after.pk):  # type: ignore[attr-defined]
            return r
    return None


def unrated_count(user: Any) -> tuple[int, bool]:
    """Ratings still to give in open campaigns before their deadline, and whether one deadline is within 3 days."""
    now = timezone.now()
    left, urgent = 0, False
    for rater in my_raters(user):
        if rater.campaign.deadline < now:
            continue
        qs = Ratee.objects.filter(rater_area_q(rater), campaign_id=rater.campaign_id,
                                  kind__in=rater.group.ratee_kinds)
        n = qs.exclude(ratings__rater=rater).count()
        left += n
        if n and rater.campaign.deadline - now <= URGENT:
            urgent = True
    return left, urgent


def ratee_rows(campaign: Campaign) -> list[Ratee]:
    """The campaign's ratees with `ratings_count` (how many raters have rated them)."""
    return list(campaign.ratees.select_related("community", "unit", "membership").annotate(
        ratings_count=Count("ratings")).order_by("kind", "community__path", "name", "pk"))


def rater_rows(campaign: Campaign) -> list[Rater]:
    """The campaign's raters with `rated` (how many ratings they have given) and `to_rate` (how many they rate)."""
    raters: list[Rater] = list(campaign.raters.select_related("group", "user", "community", "party_org", "unit").annotate(
        rated=Count("ratings")).order_by("group__id", "community__path", "user__username", "pk"))
    counts: dict[tuple[str, str], int] = {}
    for row in campaign.ratees.values("kind", "community__path").annotate(n=Count("pk")):
        counts[(row["kind"], row["community__path"])] = row["n"]
    for r in raters:
        prefix = r.community.path if r.community is not None else ""
        r.to_rate = sum(n for (kind, path), n in counts.items()  # type: ignore[attr-defined]
                        if kind in r.group.ratee_kinds and path.startswith(prefix))
    return raters


def progress(campaign: Campaign) -> dict[str, int]:
    """Ratings given and expected (raters × the ratees each rates)."""
    expected = sum(r.to_rate for r in rater_rows(campaign))  # type: ignore[attr-defined]
    return {"given": campaign.ratings.count(), "expected": expected}


def my_rating(rater: Rater | None, ratee: Ratee) -> Rating | None:
    if rater is None:
        return None
    return Rating.objects.filter(rater=rater, ratee=ratee).first()
