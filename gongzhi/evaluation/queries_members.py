"""Read-side helpers of the members part: the flags list, a flag's page, the committee's history (flags and
removals) and the liaisons a removal is told to."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gongzhi.core.models import Area, CommitteeMembership, PartyOrg, Role, User

from .evidence import Evidence, EvidenceItem
from .models import Grade, TitleOnlyFlag
from .permissions import flag_policy

END_PREFIX = "因履职不到位（空挂）免去兼职委员："


def visible_flags(user: Any) -> QuerySet[TitleOnlyFlag]:
    return flag_policy.visible_to(user).select_related(
        "membership", "membership__unit", "membership__party_org", "community", "reviewed_by")


def flag_list(user: Any, *, status: str = "", community: int | None = None) -> QuerySet[TitleOnlyFlag]:
    """The flags the user sees, open ones first, newest first."""
    qs = visible_flags(user)
    if status in TitleOnlyFlag.Status.values:
        qs = qs.filter(status=status)
    if community:
        qs = qs.filter(community_id=community)
    return qs.annotate(open_first=Case(When(status=TitleOnlyFlag.Status.OPEN, then=Value(0)), default=Value(1),
                                       output_field=IntegerField())).order_by("open_first", "-flagged_at", "-pk")


def flag_communities(user: Any) -> list[Area]:
    """The communities the user's flags list may be filtered by (those under their grants, with a committee)."""
    ids = visible_flags(user).values("community_id")
    return list(Area.objects.filter(pk__in=ids).order_by("path"))


def review_areas(user: Any) -> list[Area]:
    """The subdistricts (or larger areas) where the user may run the check and review flags."""
    return list(flag_policy.areas_where(user, "review").filter(
        level__in=(Area.Level.SUBDISTRICT, Area.Level.DISTRICT, Area.Level.CITY)).order_by("path")[:50])


def committee_history(user: Any, org: PartyOrg) -> tuple[list[TitleOnlyFlag], list[CommitteeMembership]]:
    """A committee's flags the user sees, and its memberships ended as title-only."""
    flags = list(visible_flags(user).filter(membership__party_org=org).order_by("-flagged_at", "-pk")[:100])
    removed = list(CommitteeMembership.objects.filter(party_org=org, active=False,
                                                      end_reason__startswith=END_PREFIX)
                   .select_related("unit").order_by("-ended_on", "-pk")[:100])
    return flags, removed


def unit_liaisons(unit_id: int | None) -> list[User]:
    if not unit_id:
        return []
    return list(User.objects.filter(is_active=True, grants__role=Role.UNIT_LIAISON, grants__unit_id=unit_id)
                .distinct().order_by("pk"))


FACT_LABELS = {
    "meetings_attended": _lazy("Meetings attended"),
    "projects_claimed": _lazy("Projects claimed"),
    "duty_reports_filed": _lazy("Duty reports filed"),
}


def flag_evidence(flag: TitleOnlyFlag) -> Evidence:
    """The flag's facts as the evidence block the rating pages use (`evaluation/_evidence.html`)."""
    facts = flag.facts or {}
    m = flag.membership
    items: list[EvidenceItem] = []
    invited, attended = int(facts.get("meetings_invited", 0) or 0), int(facts.get("meetings_attended", 0) or 0)
    if invited:
        value = _("%(attended)d of %(invited)d meetings invited to") % {"attended": attended, "invited": invited}
    else:
        value = _("never invited to a meeting")
    items.append(EvidenceItem("meetings_attended", FACT_LABELS["meetings_attended"], value,
                              "bad" if attended == 0 else "good"))
    for key in ("projects_claimed", "duty_reports_filed"):
        n = int(facts.get(key, 0) or 0)
        items.append(EvidenceItem(key, FACT_LABELS[key], str(n), "bad" if n == 0 else "good"))
    if facts.get("campaign"):
        outcome = str(dict(Grade.choices).get(facts.get("outcome") or "", "")) or _("no outcome")
        items.append(EvidenceItem("campaign", _("Latest final evaluation"), f"{facts['campaign']}：{outcome}",
                                  "bad" if facts.get("outcome") == Grade.UNQUALIFIED else ""))
    return Evidence(name=f"{m.person_name}（{m.unit.name if m.unit else ''}）", period_start=flag.period_start,
                    period_end=flag.period_end, items=items)


def reason_labels(reasons: list[str]) -> list[str]:
    labels = dict(TitleOnlyFlag.Reason.choices)
    return [str(labels.get(r, r)) for r in reasons]


def open_count(user: Any) -> int:
    return flag_policy.visible_to(user).filter(status=TitleOnlyFlag.Status.OPEN).count()
