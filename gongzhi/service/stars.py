"""Star ratings (星级管理): each party member's points and stars for a year at a community, from its `StarRule`.

The measures, for the year (local time) and the community:

- hours: confirmed minutes served (`SignUp.minutes` whose `hours_confirmed_at` falls in the year) on the
  community's activities, in hours × `points_per_hour`;
- party_days: party days attended (a confirmed sign-up with hours confirmed and minutes served on an activity of
  kind PARTY_DAY) × `points_per_party_day`;
- pledges_kept: pledges kept (a pledge partly kept counts half) × `points_per_pledge_kept`;
- posts: post terms held at the community that overlap the year × `points_per_post`;
- feedback: the average residents' score (1–5) on the activities they served; each point above 3 gives
  `points_per_feedback` (nothing at or below 3, nothing without feedback).

Stars: 1, then one more for each threshold reached (2 at `two_stars` points, … 5 at `five_stars`).

Members considered: party members with a confirmed registration (kind party_member) at the community, and those
whose home area is the community (or below it). `recompute` writes the ratings (bounded queries for the whole
community) and keeps an adjustment the community made: it updates only the computed part.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from gongzhi.core.models import Area, PartyMember, Registration

from .models import ActivityFeedback, ActivityKind, Pledge, PostTerm, SignUp, StarRating, StarRule

MEASURES = ("hours", "party_days", "pledges_kept", "posts", "feedback")
TWO = Decimal("0.01")


def q2(value: Decimal | float | int) -> Decimal:
    return Decimal(str(value)).quantize(TWO, rounding=ROUND_HALF_UP)


def rule_for(community: Area) -> StarRule:
    """The community's rules, or the defaults (unsaved) when it has not configured them."""
    rule = StarRule.objects.filter(community=community).first()
    return rule if rule is not None else StarRule(community=community)


def thresholds(rule: StarRule) -> list[tuple[int, int]]:
    return [(2, rule.two_stars), (3, rule.three_stars), (4, rule.four_stars), (5, rule.five_stars)]


def stars_for(points: Decimal, rule: StarRule) -> int:
    stars = 1
    for n, needed in thresholds(rule):
        if points >= needed:
            stars = n
    return stars


def year_range(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def members_of(community: Area) -> QuerySet[PartyMember]:
    """Party members considered at the community: confirmed registrations there, and those who live there."""
    registered = Registration.objects.confirmed().filter(
        kind=Registration.Kind.PARTY_MEMBER, community=community).values("party_member_id")
    return PartyMember.objects.filter(Q(pk__in=registered) | Q(home_area__path__startswith=community.path))


@dataclass
class Result:
    member_id: int
    points: Decimal
    stars: int
    breakdown: dict[str, dict[str, Any]]


def compute(community: Area, year: int, rule: StarRule | None = None,
            members: list[PartyMember] | None = None) -> list[Result]:
    """Every member's points, stars and breakdown (a fixed number of queries, whatever the number of members)."""
    rule = rule or rule_for(community)
    if members is None:
        members = list(members_of(community).only("pk", "user_id"))
    start, end = year_range(year)
    user_of = {m.pk: m.user_id for m in members if m.user_id is not None}
    user_ids = list(user_of.values())

    served = SignUp.objects.exclude(status=SignUp.Status.CANCELLED).filter(
        activity__community=community, user_id__in=user_ids,
                                   hours_confirmed_at__gte=start, hours_confirmed_at__lt=end)
    minutes = dict(served.values("user_id").annotate(n=Sum("minutes")).values_list("user_id", "n"))
    party_days = dict(served.filter(status=SignUp.Status.CONFIRMED, minutes__gt=0,
                                    activity__kind=ActivityKind.PARTY_DAY)
                      .values("user_id").annotate(n=Count("activity", distinct=True)).values_list("user_id", "n"))
    activities_of: dict[int, set[int]] = defaultdict(set)
    for user_id, activity_id in served.filter(minutes__gt=0).values_list("user_id", "activity_id"):
        activities_of[user_id].add(activity_id)
    all_activities = set().union(*activities_of.values()) if activities_of else set()
    scores: dict[int, tuple[int, int]] = {}  # activity -> (sum of scores, number of answers)
    if all_activities:
        for activity_id, total, n in (ActivityFeedback.objects.filter(activity_id__in=all_activities)
                                      .values("activity_id").annotate(t=Sum("score"), n=Count("id"))
                                      .values_list("activity_id", "t", "n")):
            scores[activity_id] = (int(total or 0), int(n))

    member_ids = [m.pk for m in members]
    pledges: dict[int, Decimal] = defaultdict(Decimal)
    for member_id, status, n in (Pledge.objects.filter(community=community, year=year, party_member_id__in=member_ids,
                                                       status__in=[Pledge.Status.KEPT, Pledge.Status.PARTLY])
                                 .values("party_member_id", "status").annotate(n=Count("id"))
                                 .values_list("party_member_id", "status", "n")):
        pledges[member_id] += Decimal(n) if status == Pledge.Status.KEPT else Decimal(n) / 2
    posts = dict(PostTerm.objects.filter(post__community=community, party_member_id__in=member_ids,
                                         starts_on__lte=date(year, 12, 31))
                 .annotate(until=Coalesce("ended_on", "ends_on")).filter(until__gte=start.date())
                 .values("party_member_id").annotate(n=Count("id")).values_list("party_member_id", "n"))

    results = []
    for m in members:
        user_id = user_of.get(m.pk, 0)
        hours = q2(Decimal(minutes.get(user_id, 0) or 0) / 60)
        days = int(party_days.get(user_id, 0) or 0)
        kept = pledges.get(m.pk, Decimal(0))
        held = int(posts.get(m.pk, 0) or 0)
        total_scores = [scores[a] for a in activities_of.get(user_id, set()) if a in scores]
        answers = sum(n for _t, n in total_scores)
        average = q2(Decimal(sum(t for t, _n in total_scores)) / answers) if answers else None
        breakdown: dict[str, dict[str, Any]] = {
            "hours": {"value": str(hours), "points": str(q2(hours * rule.points_per_hour))},
            "party_days": {"value": days, "points": str(q2(days * rule.points_per_party_day))},
            "pledges_kept": {"value": str(q2(kept)), "points": str(q2(kept * rule.points_per_pledge_kept))},
            "posts": {"value": held, "points": str(q2(held * rule.points_per_post))},
            "feedback": {"value": str(average) if average is not None else None, "answers": answers,
                         "points": str(q2(max(Decimal(0), (average or Decimal(3)) - 3) * rule.points_per_feedback))},
        }
        points = q2(sum(Decimal(v["points"]) for v in breakdown.values()))
        results.append(Result(member_id=m.pk, points=points, stars=stars_for(points, rule), breakdown=breakdown))
    return results


@transaction.atomic
def recompute(community: Area, year: int, rule: StarRule | None = None) -> int:
    """Write every member's rating for the year at the community (creating the missing ones); an adjustment is
    kept. Returns the number of ratings written."""
    # One recompute of a community at a time (the nightly job and a worker's button): the community's row is locked.
    Area.objects.select_for_update().filter(pk=community.pk).first()
    rule = rule or rule_for(community)
    now = timezone.now()
    results = compute(community, year, rule)
    existing = {r.party_member_id: r for r in StarRating.objects.select_for_update().filter(
        community=community, year=year)}
    new, changed = [], []
    for res in results:
        rating = existing.get(res.member_id)
        if rating is None:
            new.append(StarRating(party_member_id=res.member_id, community=community, year=year, points=res.points,
                                  computed_stars=res.stars, breakdown=res.breakdown, computed_at=now))
        else:
            rating.points, rating.computed_stars, rating.breakdown = res.points, res.stars, res.breakdown
            rating.computed_at = now
            changed.append(rating)
    StarRating.objects.bulk_create(new, batch_size=500)
    StarRating.objects.bulk_update(changed, ["points", "computed_stars", "breakdown", "computed_at"], batch_size=500)
    return len(new) + len(changed)


def distribution(community: Area, year: int) -> list[int]:
    """How many members have 1, 2, 3, 4 and 5 stars (the adjusted stars where the community adjusted)."""
    counts = dict(StarRating.objects.filter(community=community, year=year)
                  .annotate(s=Coalesce(F("adjusted_stars"), F("computed_stars")))
                  .values("s").annotate(n=Count("id")).values_list("s", "n"))
    return [int(counts.get(n, 0)) for n in range(1, 6)]

