"""The evaluation app's read side, for its own pages and for other apps.

- `final_results_for_unit(unit)`, `final_results_for_membership(membership)`, `final_results_for_party_org(org)`:
  the outcomes of final campaigns (the basis for honours, 评优评先依据), newest first.
- `result_groups(ratee, ...)`: a ratee's breakdown per rater group as a page shows it, with the anonymity rule:
  aggregates only (count, mean, distribution), the resident representatives' group only over at least three
  ratings; the organizer also sees the individual grades of the organizations' raters (never the residents').
- `outcome_distribution(ratees)`: how many of each outcome, per kind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import CommitteeMembership, PartyOrg, Unit

from .models import Campaign, Grade, Objection, Ratee, RaterGroup, Rating
from .results import COUNTED, NO_RATINGS, RESIDENTS_MIN, TOO_FEW

STATUS_LABELS = {
    COUNTED: _("Counted"),
    NO_RATINGS: _("No ratings (无评议)"),
    TOO_FEW: _("Fewer than 3 raters, not counted (不足3人，不计入)"),
}
GROUP_LABELS = dict(RaterGroup.Kind.choices)
GRADE_LABELS = dict(Grade.choices)


def _final() -> QuerySet[Ratee]:
    return (Ratee.objects.filter(campaign__status=Campaign.Status.FINAL)
            .select_related("campaign", "campaign__area", "membership", "membership__unit", "unit", "community")
            .order_by("-campaign__period_end", "-campaign_id", "kind", "name", "pk"))


def final_results_for_unit(unit: Unit) -> list[Ratee]:
    """The unit's own final results and its part-time committee members' (whose seat is held for the unit)."""
    return list(_final().filter(Q(kind=Ratee.Kind.UNIT, unit=unit) | Q(kind=Ratee.Kind.MEMBER,
                                                                          membership__unit=unit)))


def final_results_for_membership(membership: CommitteeMembership) -> list[Ratee]:
    return list(_final().filter(kind=Ratee.Kind.MEMBER, membership=membership))


def final_results_for_party_org(org: PartyOrg) -> list[Ratee]:
    """The final results of the part-time members of a community party committee."""
    return list(_final().filter(kind=Ratee.Kind.MEMBER, membership__party_org=org))


def unqualified_final_memberships(membership_ids: Iterable[int]) -> set[int]:
    """Of these memberships, those rated 不合格 in a final campaign (for the title-only check)."""
    return set(Ratee.objects.filter(campaign__status=Campaign.Status.FINAL, kind=Ratee.Kind.MEMBER,
                                    membership_id__in=list(membership_ids), outcome=Grade.UNQUALIFIED)
               .values_list("membership_id", flat=True))


@dataclass
class GroupView:
    kind: str
    label: Any
    weight: int
    share: float | None
    status: str
    status_label: Any
    count: int
    mean: float | None
    # (grade, label, count) when the group counted; empty otherwise.
    distribution: list[tuple[str, Any, int]] = field(default_factory=list)
    # (rater's name, grade label): the organizer's view of the organizations' raters only.
    individual: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def counted(self) -> bool:
        return self.status == COUNTED


def result_groups(ratee: Ratee, *, individual: bool = False) -> list[GroupView]:
    """The breakdown per group from the ratee's stored result. `individual` (the organizer's view) adds the grade
    of each rater of the groups other than the resident representatives (one query)."""
    views: list[GroupView] = []
    by_group: dict[str, list[tuple[str, Any]]] = {}
    if individual:
        for kind, name, username, grade in (Rating.objects.filter(ratee=ratee)
                                            .exclude(rater__group__kind=RaterGroup.Kind.RESIDENTS)
                                            .order_by("rater__group_id", "pk")
                                            .values_list("rater__group__kind", "rater__user__display_name",
                                                         "rater__user__username", "grade")):
            by_group.setdefault(kind, []).append((name or username, GRADE_LABELS.get(grade, grade)))
    for g in (ratee.breakdown or {}).get("groups", []):
        status = g.get("status", NO_RATINGS)
        counted = status == COUNTED
        too_few_residents = g["kind"] == RaterGroup.Kind.RESIDENTS and g.get("count", 0) < RESIDENTS_MIN
        dist = g.get("distribution") or {}
        views.append(GroupView(
            kind=g["kind"], label=GROUP_LABELS.get(g["kind"], g["kind"]), weight=g.get("weight", 0),
            share=g.get("share") if counted else None, status=status, status_label=STATUS_LABELS.get(status, status),
            count=g.get("count", 0), mean=g.get("mean") if counted and not too_few_residents else None,
            distribution=[(grade, GRADE_LABELS[grade], int(dist.get(grade, 0))) for grade in Grade.values]
            if counted and not too_few_residents else [],
            individual=by_group.get(g["kind"], []) if g["kind"] != RaterGroup.Kind.RESIDENTS else []))
    return views


def adjustments(ratee: Ratee) -> list[dict[str, Any]]:
    rows = []
    for a in (ratee.breakdown or {}).get("adjustments", []):
        rows.append({**a, "before_label": GRADE_LABELS.get(a.get("before", ""), "—"),
                     "after_label": GRADE_LABELS.get(a.get("after", ""), "—")})
    return rows


def campaign_ratees(campaign: Campaign) -> list[Ratee]:
    """The campaign's ratees in ranking order, each with `objection_count` and `open_objections` (one query)."""
    qs = (Ratee.objects.filter(campaign=campaign).select_related("community", "membership", "membership__unit",
                                                                  "unit")
          .annotate(objection_count=Count("objections", distinct=True),
                    open_objections=Count("objections", filter=Q(objections__status=Objection.Status.OPEN),
                                          distinct=True)))
    from .results import sorted_for_ranking

    return sorted_for_ranking(qs)


def by_kind(ratees: Iterable[Ratee]) -> list[tuple[str, Any, list[Ratee]]]:
    """(kind, label, ratees) in the kinds' order, kinds with no ratee left out."""
    groups: dict[str, list[Ratee]] = {}
    for r in ratees:
        groups.setdefault(r.kind, []).append(r)
    return [(kind, label, groups[kind]) for kind, label in Ratee.Kind.choices if kind in groups]


def outcome_distribution(ratees: Iterable[Ratee]) -> list[tuple[Any, list[tuple[Any, int]], int]]:
    """Per kind: (kind label, [(outcome label, count)] with "none" last, total)."""
    out = []
    for _kind, label, rows in by_kind(ratees):
        counts = Counter(r.outcome for r in rows)
        cells = [(GRADE_LABELS[g], counts.get(g, 0)) for g in Grade.values]
        cells.append((_("No outcome"), counts.get("", 0)))
        out.append((label, cells, len(rows)))
    return out


def campaign_objections(campaign: Campaign) -> QuerySet[Objection]:
    return (Objection.objects.filter(ratee__campaign=campaign)
            .select_related("ratee", "raised_by", "answered_by").order_by("status", "-raised_at", "-pk"))
