"""Dispute statistics per community, subdistrict (any area) or alliance: aggregates only, never a name, a title or a
party's particulars.

- by type and by outcome (agreement reached, no agreement, referred, still open; a closed dispute counts under the
  outcome it was closed with: its signed agreement, its referral, or no agreement);
- time to resolution: the median and mean days from recorded to resolved (disputes with a resolution date);
- agreements that held: follow-up visits made that found the agreement holds, over the visits made; and the visits
  that found it does not hold;
- disputes across communities: those of an alliance, or with a party from another community.

Who sees them (`dispute_policy.can_somewhere(user, "stats")`): area staff over their subtree (an area they cover,
the default being the highest one), and the alliances with a community in their scope (the whole alliance's
figures: aggregates only)."""

from __future__ import annotations

import io
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from gongzhi.core.audit import log_event
from gongzhi.core.models import Alliance, Area
from gongzhi.core.policy import is_superuser, path_q, scope_paths
from gongzhi.lib.spreadsheets import append_row, export_filename, xlsx_response

from .models import Agreement, Dispute, DisputeParty, FollowUp
from .permissions import STATS_ROLES, dispute_policy

OPEN = "open"
OUTCOMES = ("agreed", "not_agreed", "referred", OPEN)
STAT_LEVELS = (Area.Level.CITY, Area.Level.DISTRICT, Area.Level.SUBDISTRICT, Area.Level.COMMUNITY)
MAX_CHOICES = 300


def outcome_labels() -> dict[str, str]:
    return {"agreed": str(Dispute.Status.AGREED.label), "not_agreed": str(Dispute.Status.NOT_AGREED.label),
            "referred": str(Dispute.Status.REFERRED.label), OPEN: _("Still being handled")}


@dataclass(frozen=True)
class Scope:
    """What the figures are about: an area (its subtree) or an alliance (its communities and its own disputes)."""

    kind: str  # "area" or "alliance"
    pk: int
    name: str
    area: Area | None = None
    alliance: Alliance | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"


@dataclass
class Figures:
    scope: Scope
    total: int = 0
    by_kind: list[tuple[str, str, int]] = field(default_factory=list)  # (kind, label, count)
    by_outcome: list[tuple[str, str, int]] = field(default_factory=list)
    resolved: int = 0
    median_days: float | None = None
    mean_days: float | None = None
    agreements_signed: int = 0
    visits_done: int = 0
    visits_held: int = 0
    visits_not_held: int = 0
    cross_community: int = 0
    by_community: list[dict[str, Any]] = field(default_factory=list)

    @property
    def held_rate(self) -> float | None:
        return round(100 * self.visits_held / self.visits_done, 1) if self.visits_done else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope.key, "scope_kind": self.scope.kind, "scope_name": self.scope.name,
            "total": self.total,
            "by_kind": [{"key": k, "label": label, "count": n} for k, label, n in self.by_kind],
            "by_outcome": [{"key": k, "label": label, "count": n} for k, label, n in self.by_outcome],
            "resolved": self.resolved, "median_days": self.median_days, "mean_days": self.mean_days,
            "agreements_signed": self.agreements_signed, "visits_done": self.visits_done,
            "visits_held": self.visits_held, "visits_not_held": self.visits_not_held, "held_rate": self.held_rate,
            "cross_community": self.cross_community, "by_community": self.by_community,
        }


def can_see_stats(user: Any) -> bool:
    return dispute_policy.can_somewhere(user, "stats")


def area_choices(user: Any) -> list[Area]:
    qs = Area.objects.filter(level__in=STAT_LEVELS)
    if not is_superuser(user):
        qs = qs.filter(path_q(scope_paths(user, STATS_ROLES), "path"))
    return list(qs.order_by("path")[:MAX_CHOICES])


def alliance_choices(user: Any) -> list[Alliance]:
    qs = Alliance.objects.all()
    if not is_superuser(user):
        qs = qs.filter(path_q(scope_paths(user, STATS_ROLES), "communities__path"))
    return list(qs.distinct().order_by("name"))


def scope_choices(user: Any) -> list[Scope]:
    return ([Scope("area", a.pk, a.name, area=a) for a in area_choices(user)]
            + [Scope("alliance", a.pk, a.name, alliance=a) for a in alliance_choices(user)])


def default_scope(user: Any) -> Scope:
    """The highest area the user's statistics roles cover (a superuser: the first city)."""
    paths = sorted(scope_paths(user, STATS_ROLES), key=len) if not is_superuser(user) else []
    qs = Area.objects.filter(path=paths[0]) if paths else Area.objects.filter(level=Area.Level.CITY).order_by("path")
    area = qs.first()
    if area is None:
        raise Http404(_("There is no area to show statistics for."))
    return Scope("area", area.pk, area.name, area=area)


def get_scope_for_user(user: Any, key: str | None) -> Scope:
    """The scope "area:<id>" or "alliance:<id>" when the user may see it (404 otherwise); the default if none."""
    if not key:
        return default_scope(user)
    kind, _sep, raw = str(key).partition(":")
    if kind not in ("area", "alliance") or not raw.isdigit():
        raise Http404(_("Unknown statistics scope."))
    pk = int(raw)
    if kind == "area":
        area = Area.objects.filter(pk=pk, level__in=STAT_LEVELS).first()
        if area is None or not (is_superuser(user) or any(area.path.startswith(p)
                                                          for p in scope_paths(user, STATS_ROLES))):
            raise Http404(_("Unknown statistics scope."))
        return Scope("area", area.pk, area.name, area=area)
    alliance = next((a for a in alliance_choices(user) if a.pk == pk), None)
    if alliance is None:
        raise Http404(_("Unknown statistics scope."))
    return Scope("alliance", alliance.pk, alliance.name, alliance=alliance)


def disputes_in(scope: Scope) -> QuerySet[Dispute]:
    if scope.area is not None:
        return Dispute.objects.filter(community__path__startswith=scope.area.path)
    return Dispute.objects.filter(Q(alliance_id=scope.pk) | Q(community__alliances=scope.pk)).distinct()


def outcome_of(status: str, has_agreement: bool, referred_to: str) -> str:
    if status in (Dispute.Status.AGREED, Dispute.Status.NOT_AGREED, Dispute.Status.REFERRED):
        return str(status)
    if status == Dispute.Status.CLOSED:
        if has_agreement:
            return "agreed"
        return "referred" if referred_to else "not_agreed"
    return OPEN


def compute(scope: Scope) -> Figures:
    """The figures of a scope in five queries, whatever the number of disputes."""
    base = disputes_in(scope)
    ids = base.values("pk")
    signed = Agreement.objects.filter(dispute=OuterRef("pk"), signed_on__isnull=False)
    other_side = DisputeParty.objects.filter(dispute=OuterRef("pk"), community__isnull=False).exclude(
        community_id=OuterRef("community_id"))
    rows = list(Dispute.objects.filter(pk__in=ids).annotate(signed=Exists(signed), across=Exists(other_side))
                .values_list("kind", "status", "referred_to", "signed", "across", "alliance_id", "created_at",
                             "resolved_at", "community_id", "community__name"))
    figures = Figures(scope=scope, total=len(rows))
    kinds: dict[str, int] = {}
    outcomes: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
    days: list[float] = []
    per_community: dict[int, dict[str, Any]] = {}
    for kind, status, referred_to, has_signed, across, alliance_id, created, resolved, community_id, name in rows:
        kinds[kind] = kinds.get(kind, 0) + 1
        outcome = outcome_of(status, has_signed, referred_to)
        outcomes[outcome] += 1
        if has_signed:
            figures.agreements_signed += 1
        if across or alliance_id is not None or kind == Dispute.Kind.CROSS_COMMUNITY:
            figures.cross_community += 1
        if resolved is not None:
            days.append(max((resolved - created).total_seconds(), 0) / 86400)
        row = per_community.setdefault(community_id, {"community": name, "total": 0, "agreed": 0, "open": 0})
        row["total"] += 1
        row["agreed"] += outcome == "agreed"
        row["open"] += outcome == OPEN
    kind_labels = dict(Dispute.Kind.choices)
    figures.by_kind = [(k, str(kind_labels[k]), kinds.get(k, 0)) for k in Dispute.Kind.values]
    labels = outcome_labels()
    figures.by_outcome = [(k, labels[k], outcomes[k]) for k in OUTCOMES]
    figures.resolved = len(days)
    if days:
        figures.median_days = round(statistics.median(days), 1)
        figures.mean_days = round(statistics.fmean(days), 1)
    visits = (FollowUp.objects.filter(dispute__in=ids, done_at__isnull=False, holds__isnull=False)
              .aggregate(done=Count("pk"), held=Count("pk", filter=Q(holds=True)),
                         broken=Count("pk", filter=Q(holds=False))))
    figures.visits_done, figures.visits_held = visits["done"] or 0, visits["held"] or 0
    figures.visits_not_held = visits["broken"] or 0
    figures.by_community = sorted(per_community.values(), key=lambda r: (-r["total"], r["community"]))
    return figures


def chart_data(figures: Figures) -> dict[str, Any]:
    """What the charts draw (the tables next to them hold the same figures)."""
    return {"kinds": {"names": [label for _k, label, _n in figures.by_kind],
                      "counts": [n for _k, _label, n in figures.by_kind], "label": _("Disputes")},
            "outcomes": {"names": [label for _k, label, _n in figures.by_outcome],
                         "counts": [n for _k, _label, n in figures.by_outcome], "label": _("Disputes")}}



def workbook(figures: Figures) -> bytes:
    """The figures as an Excel workbook (one sheet; every cell through append_row: no text is ever a formula)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Dispute statistics"))
    append_row(ws, [_("Scope"), figures.scope.name])
    append_row(ws, [_("Disputes"), figures.total])
    append_row(ws, [])
    append_row(ws, [_("By type"), _("Disputes")])
    for _k, label, n in figures.by_kind:
        append_row(ws, [label, n])
    append_row(ws, [])
    append_row(ws, [_("By outcome"), _("Disputes")])
    for _k, label, n in figures.by_outcome:
        append_row(ws, [label, n])
    append_row(ws, [])
    append_row(ws, [_("Resolved"), figures.resolved])
    append_row(ws, [_("Median days to resolution"), figures.median_days if figures.median_days is not None else "—"])
    append_row(ws, [_("Mean days to resolution"), figures.mean_days if figures.mean_days is not None else "—"])
    append_row(ws, [_("Agreements signed"), figures.agreements_signed])
    append_row(ws, [_("Follow-up visits made"), figures.visits_done])
    append_row(ws, [_("Visits that found the agreement holds"), figures.visits_held])
    append_row(ws, [_("Visits that found it does not hold"), figures.visits_not_held])
    append_row(ws, [_("Share that held (%)"), figures.held_rate if figures.held_rate is not None else "—"])
    append_row(ws, [_("Disputes across communities"), figures.cross_community])
    append_row(ws, [])
    append_row(ws, [_("Community"), _("Disputes"), _("Agreement reached"), _("Still being handled")])
    for row in figures.by_community:
        append_row(ws, [row["community"], row["total"], row["agreed"], row["open"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def workbook_response(user: Any, figures: Figures) -> HttpResponse:
    response = xlsx_response(workbook(figures), export_filename(_("Dispute statistics"), figures.scope.name,
                                                                day=timezone.localdate()))
    area = figures.scope.area
    subject: Any = area if area is not None else figures.scope.alliance
    log_event(user, "disputes.stats.export", subject, area=area,
              after={"scope": figures.scope.key, "disputes": figures.total})
    return response
