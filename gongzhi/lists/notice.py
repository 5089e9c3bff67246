"""Read side of the public notice (公示): every community's projects and their progress, for residents without an
account, and the residents' ratings of finished projects.

What it shows is public by construction: projects that are `public` and not cancelled; for each, its title,
description, status, progress, the lead and partner units (unit names are public), milestones, the notes and photos
of its progress updates (never who posted them), and the demands it meets by title with how many people benefit.
Never a resident's name or phone, a staff account's name, a tracking code, a demand's description (it may quote
appeals) or a rating's comment. Free text written by staff (descriptions, progress notes, titles) goes through
`public_text`, which masks anything that looks like a mobile or ID number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from gongzhi.core.models import Area
from gongzhi.lib.masking import mask_id_number, mask_phone

from .models import Demand, Milestone, ProgressPhoto, ProgressUpdate, Project, ProjectRating

# Statuses a resident sees the project in (cancelled ones leave the notice).
SHOWN = (Project.Status.PROPOSED, Project.Status.CLAIMED, Project.Status.AGREED, Project.Status.IN_PROGRESS,
         Project.Status.FINISHED)
WORKING = (Project.Status.CLAIMED, Project.Status.AGREED, Project.Status.IN_PROGRESS)
# How many progress updates a project's public page shows (newest first), and on the community page.
UPDATES_SHOWN = 30
# Weight of 基本满意 in the satisfaction rate, as in the appeals' three rates.
BASIC_WEIGHT = 0.9

_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)|(?<!\d)\d{15}(?!\d)")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def public_text(text: str) -> str:
    """Staff-written text as the public notice shows it: mobile and ID numbers masked (138****8000)."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text or "")
    return _MOBILE.sub(lambda m: mask_phone(m.group(0)), text)


def shown_projects() -> QuerySet[Project]:
    """Every project on the public notice (a sub-project only while its project is on it too)."""
    return Project.objects.filter(public=True, status__in=SHOWN).filter(
        Q(parent__isnull=True) | Q(parent__public=True, parent__status__in=SHOWN))


def communities(q: str = "") -> list[dict[str, Any]]:
    """Communities to choose from, grouped by subdistrict: those with projects on the notice, or, with a search
    term, every community whose name (or subdistrict's name) contains it. Two queries."""
    term = (q or "").strip()[:50]
    counted = dict(shown_projects().filter(parent__isnull=True).values_list("area_id").annotate(n=Count("pk"))
                   .values_list("area_id", "n"))
    qs = Area.objects.filter(level=Area.Level.COMMUNITY).select_related("parent")
    if term:
        qs = qs.filter(Q(name__icontains=term) | Q(parent__name__icontains=term))[:200]
    else:
        qs = qs.filter(pk__in=list(counted))
    groups: dict[int | None, dict[str, Any]] = {}
    for community in sorted(qs, key=lambda a: a.path):
        parent = community.parent
        key = parent.pk if parent is not None else None
        group = groups.setdefault(key, {"subdistrict": parent, "communities": []})
        group["communities"].append({"area": community, "projects": counted.get(community.pk, 0)})
    return list(groups.values())


def get_community(community_id: Any) -> Area | None:
    try:
        pk = int(community_id)
    except (TypeError, ValueError):
        return None
    return Area.objects.filter(pk=pk, level=Area.Level.COMMUNITY).select_related("parent").first()


@dataclass(frozen=True)
class Satisfaction:
    """Residents' ratings of a project (or of several): counts and the rate (满意 + 0.9 × 基本满意) / all."""

    satisfied: int = 0
    basically: int = 0
    unsatisfied: int = 0

    @property
    def total(self) -> int:
        return self.satisfied + self.basically + self.unsatisfied

    @property
    def rate(self) -> float | None:
        if not self.total:
            return None
        return (self.satisfied + BASIC_WEIGHT * self.basically) / self.total

    @property
    def percent(self) -> str:
        """The rate as "93.3%" ("" without ratings)."""
        rate = self.rate
        return "" if rate is None else f"{rate * 100:.1f}%"

    def shares(self) -> list[tuple[str, int, float]]:
        """(kind, count, share of all in %) per kind, for the bars."""
        total = self.total or 1
        return [(kind, n, round(n * 100 / total, 1)) for kind, n in
                (("satisfied", self.satisfied), ("basically", self.basically), ("unsatisfied", self.unsatisfied))]


S = ProjectRating.Satisfaction


def _satisfaction_of(row: dict[str, Any]) -> Satisfaction:
    return Satisfaction(satisfied=row.get("s") or 0, basically=row.get("b") or 0, unsatisfied=row.get("u") or 0)


_COUNTS = {"s": Count("pk", filter=Q(satisfaction=S.SATISFIED)),
           "b": Count("pk", filter=Q(satisfaction=S.BASICALLY)),
           "u": Count("pk", filter=Q(satisfaction=S.UNSATISFIED))}


def satisfaction(projects: QuerySet[Project] | list[Project] | Project) -> Satisfaction:
    """The ratings of one project, or of all these projects together (one query)."""
    qs = ProjectRating.objects.all()
    if isinstance(projects, Project):
        qs = qs.filter(project=projects)
    else:
        qs = qs.filter(project__in=projects)
    return _satisfaction_of(qs.aggregate(**_COUNTS))


def satisfaction_by_project(project_ids: list[int]) -> dict[int, Satisfaction]:
    rows = (ProjectRating.objects.filter(project_id__in=project_ids).values("project_id").annotate(**_COUNTS)
            .order_by())
    return {row["project_id"]: _satisfaction_of(row) for row in rows}


def _public_demands() -> Prefetch[Any]:
    # Only public fields: never the description (it may quote the appeals it came from) nor who benefits in words.
    return Prefetch("demands", queryset=Demand.objects.only("pk", "title", "status", "beneficiary_count")
                    .exclude(status=Demand.Status.CLOSED).order_by("pk"))


def community_projects(community: Area) -> list[Project]:
    """The community's projects on the notice (top-level; sub-projects show on their parent's page), working ones
    first, then waiting to be claimed, then finished; each with `satisfaction`, `beneficiaries` and
    `overdue_count`. A fixed number of queries."""
    today = timezone.localdate()
    order: dict[str, int] = {str(s): i for i, s in enumerate((Project.Status.IN_PROGRESS, Project.Status.AGREED, Project.Status.CLAIMED,
                                         Project.Status.PROPOSED, Project.Status.FINISHED))}
    projects: list[Project] = list(
        shown_projects().filter(area=community, parent__isnull=True)
        .select_related("lead_unit")
        .prefetch_related("partner_units", _public_demands())
        .annotate(overdue_count=Count("milestones", filter=Q(milestones__done_at__isnull=True,
                                                              milestones__due_on__lt=today), distinct=True))
    )
    ratings = satisfaction_by_project([p.pk for p in projects])
    for p in projects:
        p.satisfaction = ratings.get(p.pk, Satisfaction())  # type: ignore[attr-defined]
        p.beneficiaries = sum(d.beneficiary_count for d in p.demands.all())  # type: ignore[attr-defined]
        p.public_description = public_text(p.description)  # type: ignore[attr-defined]
    projects.sort(key=lambda p: (order.get(p.status, 9), -(p.finished_at or p.updated_at).timestamp()))
    return projects


def community_figures(projects: list[Project]) -> dict[str, Any]:
    """The figures at the top of a community's notice."""
    finished = [p for p in projects if p.status == Project.Status.FINISHED]
    total = Satisfaction(
        satisfied=sum(p.satisfaction.satisfied for p in finished),  # type: ignore[attr-defined]
        basically=sum(p.satisfaction.basically for p in finished),  # type: ignore[attr-defined]
        unsatisfied=sum(p.satisfaction.unsatisfied for p in finished),  # type: ignore[attr-defined]
    )
    return {
        "projects": len(projects),
        "working": sum(1 for p in projects if p.status in WORKING),
        "finished": len(finished),
        "beneficiaries": sum(p.beneficiaries for p in projects),  # type: ignore[attr-defined]
        "satisfaction": total,
    }


def get_public_project(community: Area, project_id: Any) -> Project | None:
    """One project on the notice of `community` (None when it is not shown: cancelled, not public, elsewhere)."""
    try:
        pk = int(project_id)
    except (TypeError, ValueError):
        return None
    return shown_projects().filter(pk=pk, area=community).select_related("lead_unit", "parent").first()


def project_page(project: Project) -> dict[str, Any]:
    """What a project's public page shows (a fixed number of queries)."""
    today = timezone.localdate()
    demands = list(Demand.objects.filter(projects=project).exclude(status=Demand.Status.CLOSED)
                   .only("pk", "title", "status", "beneficiary_count").order_by("pk"))
    milestones = list(Milestone.objects.filter(project=project).order_by("due_on", "order", "pk"))
    for m in milestones:
        m.overdue = m.done_at is None and m.due_on < today  # type: ignore[attr-defined]
        m.public_title = public_text(m.title)  # type: ignore[attr-defined]
    children = list(shown_projects().filter(parent=project).select_related("lead_unit").order_by("pk"))
    family = [project, *children]
    updates = list(
        ProgressUpdate.objects.filter(project__in=family).select_related("unit", "project")
        .prefetch_related(Prefetch("photos", queryset=ProgressPhoto.objects.order_by("pk")))
        .order_by("-at", "-pk")[:UPDATES_SHOWN]
    )
    for u in updates:
        u.public_note = public_text(u.note)  # type: ignore[attr-defined]
    return {
        "project": project,
        "description": public_text(project.description),
        "partners": list(project.partner_units.order_by("name")),
        "demands": demands,
        "beneficiaries": sum(d.beneficiary_count for d in demands),
        "milestones": milestones,
        "overdue": sum(1 for m in milestones if getattr(m, "overdue", False)),
        "children": children,
        "updates": updates,
        "satisfaction": satisfaction(project),
        "can_rate": can_be_rated(project),
    }


def can_be_rated(project: Project) -> bool:
    """Residents rate a finished project on the notice."""
    return project.public and project.status == Project.Status.FINISHED


def public_photo(pk: Any) -> ProgressPhoto | None:
    """A progress photo of a project on the notice (None otherwise)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        return None
    return ProgressPhoto.objects.filter(pk=key, update__project__in=shown_projects()).first()

