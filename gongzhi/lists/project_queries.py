"""Read side of the project list (项目清单): the list with its filters (status, community, lead unit, overdue, and
what waits for the user), one project's page, and the figures the home page's tasks count.

Every list starts from `permissions.visible_to(user, Project)`. The home page's tasks (`project_tasks.py`) count
`project_list(user, waiting=...)`, the very queryset the list page shows for `?waiting=...`, so the number on the
home page is the number of rows behind its link.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area, Unit
from gongzhi.core.policy import is_superuser, path_q, scope_paths

from . import permissions
from .models import (
    AgreementSignature,
    Milestone,
    ProgressUpdate,
    Project,
    ProjectRating,
    ProjectResource,
    ServiceAgreement,
)
from .notice import _COUNTS, Satisfaction, _satisfaction_of

ACTIVE = (Project.Status.CLAIMED, Project.Status.AGREED, Project.Status.IN_PROGRESS)
# A project being worked on without an update for this long has progress to post.
PROGRESS_STALE_DAYS = 14

# ?waiting=... on the list: what waits for the user (the home page's tasks link here).
WAITING = {
    "claim": _("Waiting for my unit to claim"),
    "unclaimed": _("Proposed, not claimed yet"),
    "my_signature": _("Agreements waiting for my unit's signature"),
    "community_signature": _("Agreements waiting for the community's signature"),
    "overdue": _("Milestones overdue"),
    "progress": _("Progress to post"),
}


def today() -> date:
    return timezone.localdate()


def overdue_exists(on: date | None = None) -> Exists:
    """A milestone of the project (or of one of its sub-projects) past its date and not done."""
    on = on or today()
    return Exists(Milestone.objects.filter(Q(project=OuterRef("pk")) | Q(project__parent=OuterRef("pk")),
                                           done_at__isnull=True, due_on__lt=on))


def is_overdue(on: date | None = None) -> ExpressionWrapper:
    """True for a project being worked on with a milestone (its own or a sub-project's) past due."""
    return ExpressionWrapper(Q(status__in=ACTIVE) & Q(overdue_exists(on)), output_field=BooleanField())


def _waiting_q(user: Any, waiting: str) -> Q:
    if waiting == "claim":
        return (Q(status=Project.Status.PROPOSED, lead_unit__isnull=True, parent__isnull=True)
                & path_q(permissions.registered_paths(user), "area__path"))
    if waiting == "unclaimed":
        return Q(status=Project.Status.PROPOSED, lead_unit__isnull=True, parent__isnull=True)
    if waiting == "my_signature":
        q = Q(pk__in=[])
        for unit_id in sorted(permissions.liaison_unit_ids(user)):
            signed = AgreementSignature.objects.filter(agreement=OuterRef("agreement"), unit_id=unit_id,
                                                       version=OuterRef("agreement__version"))
            q |= (Q(lead_unit_id=unit_id) | Q(partner_units=unit_id)) & ~Q(Exists(signed))
        return Q(agreement__status=ServiceAgreement.Status.SIGNING, parent__isnull=True) & q
    if waiting == "community_signature":
        signed = AgreementSignature.objects.filter(agreement=OuterRef("agreement"), unit__isnull=True,
                                                   version=OuterRef("agreement__version"))
        q = Q(agreement__status=ServiceAgreement.Status.SIGNING, parent__isnull=True) & ~Q(Exists(signed))
        if not is_superuser(user):
            q &= path_q(scope_paths(user, permissions.MANAGE_ROLES), "area__path")
        return q
    if waiting == "overdue":
        return Q(status__in=ACTIVE, parent__isnull=True) & Q(overdue_exists())
    if waiting == "progress":
        since = timezone.now() - timedelta(days=PROGRESS_STALE_DAYS)
        recent = ProgressUpdate.objects.filter(project=OuterRef("pk"), at__gte=since)
        split = Project.objects.filter(parent=OuterRef("pk")).exclude(status=Project.Status.CANCELLED)
        q = ((Q(status=Project.Status.AGREED) | (Q(status=Project.Status.IN_PROGRESS) & ~Q(Exists(recent))))
             & ~Q(Exists(split)))
        units = permissions.liaison_unit_ids(user)
        if units and not is_superuser(user):
            q &= Q(lead_unit_id__in=units)
        return q
    return Q()


def project_list(
    user: Any,
    *,
    status: str = "",
    community: Area | None = None,
    lead_unit: Unit | None = None,
    overdue: bool = False,
    waiting: str = "",
) -> QuerySet[Project]:
    """The projects the user sees, top-level ones (sub-projects are on their project's page; `waiting=progress`
    lists the parts where progress is posted, sub-projects included), newest first, each with `is_overdue`."""
    qs = permissions.visible_to(user, Project)
    if waiting in WAITING:
        qs = qs.filter(_waiting_q(user, waiting))
        if waiting != "progress":
            qs = qs.filter(parent__isnull=True)
    else:
        qs = qs.filter(parent__isnull=True)
    if status in Project.Status.values:
        qs = qs.filter(status=status)
    if community is not None:
        qs = qs.filter(area=community)
    if lead_unit is not None:
        qs = qs.filter(lead_unit=lead_unit)
    if overdue:
        qs = qs.filter(Q(status__in=ACTIVE) & Q(overdue_exists()))
    if waiting == "my_signature":
        qs = qs.distinct()
    return (qs.annotate(is_overdue=is_overdue()).select_related("area", "lead_unit", "parent")
            .order_by("-created_at", "-id"))


def communities_of(user: Any) -> QuerySet[Area]:
    """The communities the list's filter offers: those where the user sees projects."""
    ids = permissions.visible_to(user, Project).order_by().values("area_id")
    return Area.objects.filter(pk__in=ids, level=Area.Level.COMMUNITY).order_by("path")


def lead_units_of(user: Any) -> QuerySet[Unit]:
    ids = permissions.visible_to(user, Project).exclude(lead_unit__isnull=True).order_by().values("lead_unit_id")
    return Unit.objects.filter(pk__in=ids).order_by("name")


def project_detail(project: Project) -> dict[str, Any]:
    """What one project's page shows, in a fixed number of queries."""
    on = today()
    milestones = list(project.milestones.all())
    for m in milestones:
        m.is_overdue = m.done_at is None and m.due_on < on and project.status in ACTIVE  # type: ignore[attr-defined]
    children = list(project.children.select_related("lead_unit").annotate(is_overdue=is_overdue(on))
                    .order_by("created_at", "pk"))
    child_milestones = list(Milestone.objects.filter(project__parent=project).select_related("project"))
    for m in child_milestones:
        m.is_overdue = m.done_at is None and m.due_on < on and m.project.status in ACTIVE  # type: ignore[attr-defined]
    updates = list(ProgressUpdate.objects.filter(Q(project=project) | Q(project__parent=project))
                   .select_related("by", "unit", "project").prefetch_related("photos").order_by("-at", "-id")[:50])
    reservations = list(ProjectResource.objects.filter(Q(project=project) | Q(project__parent=project))
                        .select_related("resource__provider_unit").order_by("pk"))
    agreement = (ServiceAgreement.objects.filter(project=project)
                 .prefetch_related(Prefetch("items", to_attr="item_list")).first())
    return {
        "milestones": milestones, "child_milestones": child_milestones, "children": children, "updates": updates,
        "reservations": reservations, "agreement": agreement,
        "demands": list(project.demands.select_related("area").order_by("pk")),
        "partners": list(project.partner_units.order_by("name")),
        "overdue": any(getattr(m, "is_overdue", False) for m in milestones + child_milestones),
    }


def unit_projects_at(unit_id: int, *, paths: list[str], since: datetime) -> QuerySet[Project]:
    """The projects a unit leads or partners in, in these subtrees, that were not cancelled and were still being
    worked on after `since` (read by the meetings' duty reports), oldest first."""
    if not paths:
        return Project.objects.none()
    return (Project.objects.filter(path_q(paths, "area__path"))
            .filter(Q(lead_unit_id=unit_id) | Q(partner_units=unit_id))
            .exclude(status=Project.Status.CANCELLED)
            .filter(Q(finished_at__isnull=True) | Q(finished_at__gte=since))
            .select_related("lead_unit").distinct().order_by("created_at", "id"))


# --- what a unit did, for the evaluation's evidence -----------------------------------------------------------


def _late_milestones(start: date, end: date, on: date) -> Exists:
    """A milestone of the project (or of a sub-project) due in [start, end] and already past (before `on`) that was
    not done by its date: done later, or not done while the project had not finished by then."""
    due = Q(due_on__gte=start, due_on__lte=end, due_on__lt=on)
    not_done = Q(done_at__isnull=True) & (Q(project__finished_at__isnull=True)
                                          | Q(project__finished_at__date__gt=F("due_on")))
    return Exists(Milestone.objects.filter(Q(project=OuterRef("pk")) | Q(project__parent=OuterRef("pk")))
                  .filter(due).filter(not_done | Q(done_at__date__gt=F("due_on"))))


def unit_project_figures(unit_id: int, *, community_ids: list[int], start: datetime, end: datetime,
                         start_day: date, end_day: date) -> dict[str, int]:
    """What a unit did with the projects it leads at these communities over a period (one aggregate query):
    `claimed` (claimed in [start, end)), `finished` (finished in it), `overdue` (not cancelled, with a milestone due
    in [start_day, end_day] and past that was not done by its date). Top-level projects only (sub-projects follow
    their project)."""
    on = today()
    qs = Project.objects.filter(area_id__in=community_ids, parent__isnull=True, lead_unit_id=unit_id)
    row = qs.aggregate(
        claimed=Count("pk", filter=Q(claimed_at__gte=start, claimed_at__lt=end)),
        finished=Count("pk", filter=Q(status=Project.Status.FINISHED, finished_at__gte=start, finished_at__lt=end)),
        overdue=Count("pk", filter=~Q(status=Project.Status.CANCELLED)
                      & Q(_late_milestones(start_day, end_day, on))),
    )
    return {key: int(value or 0) for key, value in row.items()}


def unit_project_examples(unit_id: int, *, community_ids: list[int], start: datetime, end: datetime,
                          start_day: date, end_day: date, kinds: tuple[str, ...] = ("finished", "overdue"),
                          limit: int = 3) -> dict[str, list[Project]]:
    """A few of the projects behind `unit_project_figures`, for each of `kinds`: "finished" (latest first) and
    "overdue" (newest first); one query per kind asked."""
    qs = Project.objects.filter(area_id__in=community_ids, parent__isnull=True, lead_unit_id=unit_id)
    out: dict[str, list[Project]] = {}
    if "finished" in kinds:
        out["finished"] = list(qs.filter(status=Project.Status.FINISHED, finished_at__gte=start, finished_at__lt=end)
                               .order_by("-finished_at", "-pk")[:limit])
    if "overdue" in kinds:
        out["overdue"] = list(qs.exclude(status=Project.Status.CANCELLED)
                              .filter(_late_milestones(start_day, end_day, today()))
                              .order_by("-created_at", "-pk")[:limit])
    return out


def community_finished_projects(community_ids: list[int], *, start: datetime, end: datetime,
                                limit: int = 3) -> list[Project]:
    """A few projects of these communities finished in [start, end), latest first, with their lead unit (one
    query)."""
    return list(Project.objects.filter(area_id__in=community_ids, parent__isnull=True,
                                       status=Project.Status.FINISHED, finished_at__gte=start, finished_at__lt=end)
                .select_related("lead_unit").order_by("-finished_at", "-pk")[:limit])


def unit_project_ratings(unit_id: int, *, community_ids: list[int], start: datetime, end: datetime) -> Satisfaction:
    """Residents' ratings (from the public notice) given in [start, end) to the projects the unit leads at these
    communities: a `notice.Satisfaction` (counts and the rate; one query)."""
    rows = ProjectRating.objects.filter(project__area_id__in=community_ids, project__lead_unit_id=unit_id,
                                        created_at__gte=start, created_at__lt=end)
    return _satisfaction_of(rows.aggregate(**_COUNTS))


def community_project_figures(community_ids: list[int], *, start: datetime, end: datetime) -> dict[str, int]:
    """The projects of these communities over a period (one query): `created` (put on the list in it), `claimed`,
    `finished` (in it), and `waiting` (proposed and still not claimed)."""
    qs = Project.objects.filter(area_id__in=community_ids, parent__isnull=True)
    row = qs.aggregate(
        created=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
        claimed=Count("pk", filter=Q(claimed_at__gte=start, claimed_at__lt=end)),
        finished=Count("pk", filter=Q(status=Project.Status.FINISHED, finished_at__gte=start, finished_at__lt=end)),
        waiting=Count("pk", filter=Q(status=Project.Status.PROPOSED, created_at__lt=end)),
    )
    return {key: int(value or 0) for key, value in row.items()}
