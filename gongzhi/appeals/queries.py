"""Read side: the worklists of each role and a case's timeline. Every list starts from `visible_to`.

Worklists are ordered by an indexed column and meant to be sliced (LIMIT) by the caller:
`worklist(user, "overdue")[:50]`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area
from gongzhi.core.paging import COUNT_CAP, capped_count  # noqa: F401  (COUNT_CAP: for callers)
from gongzhi.core.permissions import is_superuser

from . import permissions, rates, routing
from .models import Appeal, Assignment, Case, CaseEvent, Category, ExtensionRequest, Whistle, WhistleReport
from .permissions import DISPATCH_ROLES, _staff_case_q, handler_unit_ids, visible_to

WORKLISTS: dict[str, Any] = {
    "pending_dispatch": _("Waiting for dispatch"),
    "to_accept": _("Waiting for acceptance"),
    "in_progress": _("In progress"),
    "due_soon": _("Due soon"),
    "overdue": _("Overdue"),
    "to_follow_up": _("Waiting for follow-up"),
    "extensions": _("Extensions to decide"),
}
# The worklists and "all cases" (every case the user sees, closed ones too; not counted on the tabs).
LISTS: dict[str, Any] = {**WORKLISTS, "all": _("All cases")}


def _base(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("category", "area", "lead_unit")


def worklist(user: Any, name: str, now: datetime | None = None) -> QuerySet[Case]:
    """One named worklist (or "all") for `user`; raises KeyError for an unknown name."""
    if name not in LISTS:
        raise KeyError(name)
    now = now or timezone.now()
    visible: Any = visible_to(user, Case)
    qs: QuerySet[Case]
    if name == "pending_dispatch":
        dispatch_q = Q() if is_superuser(user) else _staff_case_q(user, DISPATCH_ROLES)
        qs = Case.objects.filter(dispatch_q, status=Case.Status.PENDING_DISPATCH).order_by("created_at", "id")
    elif name == "to_accept":
        units = handler_unit_ids(user)
        q = Q(pk__in=Assignment.objects.filter(unit_id__in=units, status=Assignment.Status.PENDING).values("case_id"))
        if is_superuser(user):
            q = Q()
        qs = visible.filter(q, status__in=Case.RUNNING_STATUSES).order_by("accept_deadline", "id")
    elif name == "all":
        qs = visible.exclude(status=Case.Status.MERGED).order_by("-created_at", "-id")
    elif name == "in_progress":
        qs = visible.filter(status=Case.Status.IN_PROGRESS).order_by("due_at", "id")
    elif name == "due_soon":
        qs = visible.due_soon(now).order_by("due_at", "id")
    elif name == "overdue":
        qs = visible.overdue(now).order_by("due_at", "id")
    elif name == "extensions":
        # Running cases with an extension request the user may decide (dispatchers over the case).
        dispatch_q = Q() if is_superuser(user) else _staff_case_q(user, DISPATCH_ROLES)
        pending = ExtensionRequest.objects.filter(status=ExtensionRequest.Status.PENDING).values("case_id")
        qs = Case.objects.filter(dispatch_q, pk__in=pending, status__in=Case.RUNNING_STATUSES).order_by("due_at", "id")
    else:
        # Answered, and closed before the resident was reached (Case.awaits_follow_up): two partial indexes.
        awaiting = Q(status=Case.Status.REPLIED) | (Q(status=Case.Status.CLOSED) & ~Q(contacted=True))
        qs = visible.filter(awaiting).order_by("replied_at", "id")
    return _base(qs)


# Counting a worklist of a whole city would scan hundreds of thousands of rows on every page view;
# counts stop at COUNT_CAP (gongzhi.core.paging) and show as "1000+" (COUNT_CAP + 1 means "more than COUNT_CAP").


def worklist_counts(user: Any, now: datetime | None = None) -> dict[str, int]:
    return {name: capped_count(worklist(user, name, now)) for name in WORKLISTS}


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor", "unit").prefetch_related("photos").order_by("created_at", "id")


def case_detail(user: Any, case_id: int) -> Case:
    """A case with everything its page shows, in a fixed number of queries."""
    from .permissions import get_case_for_user

    case = get_case_for_user(user, case_id)
    qs = Case.objects.filter(pk=case.pk).select_related("category", "area", "lead_unit", "subdistrict").prefetch_related(
        Prefetch("appeals", queryset=Appeal.objects.select_related("area").prefetch_related("photos").order_by("created_at")),
        Prefetch("assignments", queryset=Assignment.objects.select_related("unit")),
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor", "unit").prefetch_related("photos")),
        Prefetch("extensions", queryset=ExtensionRequest.objects.select_related("requested_by", "decided_by")),
        "replies", "follow_ups",
    )
    return qs.get()


def answer_for_appeal(appeal: Appeal) -> str:
    """The answer an appeal shows: its case's latest reply (merged appeals share it)."""
    if appeal.case_id is None:
        return ""
    reply = appeal.case.replies.order_by("-created_at", "-id").first() if appeal.case else None
    return reply.body if reply else ""


def find_appeal_by_code(code: str, phone_last4: str) -> Appeal | None:
    """Public tracking: the appeal whose code matches and whose callback phone ends with the four digits."""
    code = (code or "").strip().upper()
    last4 = (phone_last4 or "").strip()
    if len(code) < 8 or len(last4) != 4 or not last4.isdigit():
        return None
    appeal = Appeal.objects.select_related("case", "category").filter(tracking_code=code).first()
    if appeal is None or not appeal.callback_phone.endswith(last4):
        return None
    return appeal


# Whistle-list filters (`?waiting=<name>`): what waits for the user (the home page's tasks link to them).
WHISTLES_TO_REPORT = "report"
WHISTLES_TO_RATE = "rating"
WHISTLE_FILTERS = (WHISTLES_TO_REPORT, WHISTLES_TO_RATE)


def whistle_list(user: Any, *, open_only: bool = False, waiting: str = "") -> QuerySet[Whistle]:
    """The whistles the user sees, newest first. `waiting="report"`: the open ones their unit has not reported to
    yet; `waiting="rating"`: those where a department has finished and waits for the rating the user may give
    (the whistler, or whistle staff over the whistling area)."""
    qs = visible_to(user, Whistle).select_related("area", "whistler_area", "whistler", "case")
    if open_only:
        qs = qs.filter(status=Whistle.Status.OPEN)
    if waiting == WHISTLES_TO_REPORT:
        reports = WhistleReport.objects.filter(unit_id__in=handler_unit_ids(user), reported_at__isnull=True)
        qs = qs.filter(status=Whistle.Status.OPEN, pk__in=reports.values("whistle_id"))
    elif waiting == WHISTLES_TO_RATE:
        reports = WhistleReport.objects.filter(done_at__isnull=False, rating="")
        qs = qs.filter(permissions.whistle_rater_q(user), pk__in=reports.values("whistle_id"))
    return qs.prefetch_related("reports__unit").order_by("-created_at", "-id")


# ---------------------------------------------------------------------------------------------------
# What other apps (intelligence, lists) read of appeals: they use these helpers and the actions, never
# appeals' models, policy or routing directly.

Route = routing.Route


def can(user: Any, action: str, obj: Any) -> bool:
    """The appeals policy's answer (actions: dispatch, handle, supervise, follow_up, note, whistle)."""
    return permissions.can(user, action, obj)


def can_configure(user: Any) -> bool:
    return permissions.can_configure(user)


def can_configure_citywide(user: Any) -> bool:
    return permissions.can_configure_citywide(user)


def get_case_for_user(user: Any, case_id: int) -> Case:
    """The case, or 404 when it does not exist or is outside the user's scope."""
    return permissions.get_case_for_user(user, case_id)


def visible_appeals(user: Any) -> QuerySet[Appeal]:
    return visible_to(user, Appeal)


def visible_cases(user: Any) -> QuerySet[Case]:
    return visible_to(user, Case)


def waits_for_dispatch(case: Case) -> bool:
    return case.status == Case.Status.PENDING_DISPATCH


def case_to_dispatch(case_id: int) -> Case | None:
    """A case with the areas dispatch reads, or None."""
    return Case.objects.select_related("area", "supervising_area").filter(pk=case_id).first()


def first_appeal(case: Case) -> Appeal | None:
    """The case's earliest appeal."""
    return case.appeals.order_by("created_at", "id").first()


def latest_appeals(case: Case, limit: int = 5) -> list[Appeal]:
    """The case's newest appeals (with their area), newest first."""
    return list(case.appeals.select_related("area").order_by("-created_at", "-id")[:limit])


def active_categories() -> list[Category]:
    """Every active category with its parents, by level then sort order."""
    return list(Category.objects.filter(active=True).select_related("parent__parent").order_by(
        "level", "sort_order", "id"))


def active_leaves_under(node: Category) -> list[Category]:
    """The active third-level categories under a first- or second-level one."""
    if node.level >= 3:
        return []
    return list(Category.objects.filter(Q(parent=node) | Q(parent__parent=node), active=True, level=3))


def categories_by_id(ids: set[int]) -> dict[int, Category]:
    return {c.pk: c for c in Category.objects.filter(pk__in=ids)}


def category_choices() -> list[tuple[int, str]]:
    """Active categories as (id, label), each under its parent, indented by level (the worklists' filter, the
    lists' demand forms)."""
    nodes = active_categories()
    children: dict[int | None, list[Category]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    out: list[tuple[int, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        for node in children.get(parent, []):
            out.append((node.pk, "\u3000" * depth + node.name))
            if depth < 2:
                walk(node.pk, depth + 1)

    walk(None, 0)
    return out


def active_category(pk: int) -> Category | None:
    """The active category with this id (None when there is none)."""
    return Category.objects.filter(pk=pk, active=True).first()


def category_subtree_q(category: Category, prefix: str = "category") -> Q:
    """A filter for records whose `prefix` category is `category` or lies under it (three levels)."""
    return Q(**{prefix: category}) | Q(**{f"{prefix}__parent": category}) | Q(**{f"{prefix}__parent__parent": category})


def suggest_route(category: Category | None, area: Area | None) -> routing.Route:
    """The routing rules' lead unit and assisting units for a category at a place."""
    return routing.suggest_route(category, area)


def open_appeals_near(
    appeal: Appeal, *, community_path: str | None, same_address: bool, since: datetime, until: datetime,
    user: Any = None, limit: int = 500,
) -> list[Appeal]:
    """Other appeals of open cases (not the appeal's own case) submitted between `since` and `until`, in the
    community at `community_path` or (`same_address`) at the appeal's very address, newest first; with
    `user`, only those the user may see. Loaded with their case and area, and the fields a comparison needs."""
    place_q = Q(area__path__startswith=community_path) if community_path else Q(pk__in=[])
    if same_address:
        place_q |= Q(address__iexact=appeal.address.strip())
    qs = Appeal.objects.filter(
        place_q, case__status__in=Case.OPEN_STATUSES, created_at__gte=since, created_at__lte=until,
    ).exclude(pk=appeal.pk)
    if appeal.case_id is not None:
        qs = qs.exclude(case_id=appeal.case_id)
    if user is not None:
        qs = qs.filter(case__in=visible_to(user, Case).values("pk"))
    return list(
        qs.select_related("case", "area").only(
            "id", "title", "body", "address", "created_at", "tracking_code", "case__id", "case__title",
            "case__status", "case__created_at", "area__path",
        ).order_by("-created_at", "-id")[:limit]
    )


def recent_appeals(user: Any, *, since: datetime, area: Area | None = None, limit: int) -> list[Appeal]:
    """The appeals `user` may see submitted since `since` (under `area`), newest first, with their area."""
    qs = visible_to(user, Appeal).filter(created_at__gte=since)
    if area is not None:
        qs = qs.filter(area__path__startswith=area.path)
    fields = ("id", "title", "body", "created_at", "area_id", "address", "callback_phone", "resident_id", "case_id",
              "tracking_code", "area__id", "area__name", "area__level", "area__path")
    return list(qs.select_related("area").only(*fields).order_by("-created_at", "-id")[:limit])


def closed_case_appeals() -> Iterator[Appeal]:
    """Every appeal of a closed case with its own and its case's category (and their parents), streamed."""
    return (
        Appeal.objects.filter(case__status=Case.Status.CLOSED)
        .select_related("category__parent__parent", "case__category__parent__parent")
        .only("id", "title", "body", "category", "case__category")
        .iterator(chunk_size=2000)
    )


def appeals_visible_to(user: Any, ids: Iterable[int]) -> QuerySet[Appeal]:
    """The appeals among `ids` that `user` may see, with their area (ids outside the user's scope are left out)."""
    return visible_to(user, Appeal).filter(pk__in=list(ids)).select_related("area")


def whistle_reports_of_unit(unit_id: int, *, paths: list[str], since: datetime) -> QuerySet[WhistleReport]:
    """The whistles (吹哨) a unit answered (报到) in these subtrees since `since`, newest first, with their whistle
    (read by the meetings' duty reports)."""
    if not paths:
        return WhistleReport.objects.none()
    q = Q()
    for path in paths:
        q |= Q(whistle__area__path__startswith=path)
    return (WhistleReport.objects.filter(q, unit_id=unit_id, reported_at__gte=since)
            .select_related("whistle").order_by("-reported_at", "-id"))


def cases_handled_by_unit(unit_id: int, *, paths: list[str], since: datetime) -> QuerySet[Case]:
    """The cases (工单) dispatched to a unit (lead or assisting, not returned or withdrawn) in these subtrees since
    `since`, newest first (read by the meetings' duty reports)."""
    if not paths:
        return Case.objects.none()
    q = Q()
    for path in paths:
        q |= Q(area_path__startswith=path)
    handled = Assignment.objects.filter(unit_id=unit_id, created_at__gte=since).exclude(
        status__in=[Assignment.Status.RETURNED, Assignment.Status.CANCELLED]).values("case_id")
    return Case.objects.filter(q, pk__in=handled).order_by("-created_at", "-id")


def appeals_of_case(case: Case) -> QuerySet[Appeal]:
    """A case's appeals (with those merged into it), e.g. to find the records other apps linked to them."""
    return Appeal.objects.filter(case=case)


def resident_key(appeal: Appeal) -> str | None:
    """Who sent the appeal, to count residents without showing them: the linked resident, else a hash of the
    callback phone (never the phone itself); None when neither is known."""
    if appeal.resident_id:
        return f"r:{appeal.resident_id}"
    phone = "".join(ch for ch in (appeal.callback_phone or "") if ch.isdigit())
    if phone:
        return "p:" + hashlib.sha256(phone.encode()).hexdigest()[:16]
    return None


def reopened_cases(user: Any, *, paths: list[str], min_reopens: int = 1) -> QuerySet[Case]:
    """Open cases in these subtrees that were reopened (重办) at least `min_reopens` times, most reopened first
    (read by the meetings' agenda proposals)."""
    qs = visible_to(user, Case).filter(Q(path_q_cases(paths)), reopen_count__gte=min_reopens,
                                       status__in=Case.OPEN_STATUSES)
    return _base(qs).order_by("-reopen_count", "created_at", "id")


def path_q_cases(paths: list[str]) -> Q:
    """Cases whose area lies under one of `paths` (nothing when there are none)."""
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(area_path__startswith=path)
    return q


# --- what a unit did, for the evaluation's evidence -----------------------------------------------------------


def unit_whistle_figures(unit_id: int, *, paths: list[str], start: datetime, end: datetime) -> dict[str, Any]:
    """The whistles (吹哨) in these subtrees that summoned the unit in [start, end) (one query): `summoned`,
    `answered` (reported, 报到), `late` (reported after the deadline, or not reported and the deadline passed), and
    `hours` (the average hours from the whistle to the report, None without reports)."""
    if not paths:
        return {"summoned": 0, "answered": 0, "late": 0, "hours": None}
    q = Q()
    for path in paths:
        q |= Q(whistle__area__path__startswith=path)
    rows = list(WhistleReport.objects.filter(q, unit_id=unit_id, whistle__created_at__gte=start,
                                             whistle__created_at__lt=end)
                .values_list("reported_at", "whistle__created_at", "whistle__report_deadline"))
    now = timezone.now()
    answered = [(reported - whistled).total_seconds() / 3600 for reported, whistled, _deadline in rows
                if reported is not None]
    late = sum(1 for reported, _whistled, deadline in rows if (reported or now) > deadline)
    return {"summoned": len(rows), "answered": len(answered), "late": late,
            "hours": sum(answered) / len(answered) if answered else None}


def unit_whistle_examples(unit_id: int, *, paths: list[str], start: datetime, end: datetime,
                          limit: int = 3) -> list[WhistleReport]:
    """A few of the unit's whistle reports behind `unit_whistle_figures`, latest whistle first (one query)."""
    if not paths:
        return []
    q = Q()
    for path in paths:
        q |= Q(whistle__area__path__startswith=path)
    return list(WhistleReport.objects.filter(q, unit_id=unit_id, whistle__created_at__gte=start,
                                             whistle__created_at__lt=end)
                .select_related("whistle").order_by("-whistle__created_at", "-pk")[:limit])


def _handled(unit_id: int, paths: list[str], start: datetime, end: datetime) -> QuerySet[Case]:
    handled = Assignment.objects.filter(unit_id=unit_id, created_at__gte=start, created_at__lt=end).exclude(
        status__in=[Assignment.Status.RETURNED, Assignment.Status.CANCELLED]).values("case_id")
    return Case.objects.filter(path_q_cases(paths), pk__in=handled)


def _three_rates(followed: QuerySet[Case]) -> dict[str, Any]:
    """The three rates over these followed-up cases, as `rates` counts them (two queries: the counts, the
    weights)."""
    row = {key: int(value or 0) for key, value in followed.aggregate(
        n=Count("pk"),
        contacted_n=Count("pk", filter=Q(contacted=True)),
        solved_n=Count("pk", filter=Q(contacted=True, solved=True)),
        satisfied_n=Count("pk", filter=Q(contacted=True, satisfaction=rates.SATISFIED)),
        basic_n=Count("pk", filter=Q(contacted=True, satisfaction=rates.BASIC)),
    ).items()}
    response, resolution, satisfaction, composite = rates.compute(
        row["n"], row["contacted_n"], row["solved_n"], row["satisfied_n"], row["basic_n"])
    return {"followed_up": row["n"], "response_rate": response, "resolution_rate": resolution,
            "satisfaction_rate": satisfaction, "composite": composite}


def unit_case_figures(unit_id: int, *, paths: list[str], start: datetime, end: datetime) -> dict[str, Any]:
    """The cases (工单) of a unit in these subtrees over [start, end) (four queries): `handled` (dispatched to it
    in the period, lead or assisting, not returned or withdrawn), `overdue` (of those, past their deadline while
    still running, or answered after it), and the three rates over the cases it led whose follow-up (回访) falls
    in the period, as `appeals.rates` counts them (`_three_rates`): `followed_up`, `response_rate`, `resolution_rate`,
    `satisfaction_rate` (None where there is nothing to divide by) and `composite`."""
    now = timezone.now()
    handled = _handled(unit_id, paths, start, end).aggregate(
        n=Count("pk"),
        overdue=Count("pk", filter=Q(status__in=Case.RUNNING_STATUSES, due_at__lte=now)
                      | Q(replied_at__isnull=False, due_at__isnull=False, replied_at__gt=F("due_at"))))
    followed = Case.objects.filter(path_q_cases(paths), lead_unit_id=unit_id, followed_up_at__gte=start,
                                   followed_up_at__lt=end)
    return {"handled": int(handled["n"] or 0), "overdue": int(handled["overdue"] or 0), **_three_rates(followed)}


def unit_case_examples(unit_id: int, *, paths: list[str], start: datetime, end: datetime,
                       limit: int = 3) -> list[Case]:
    """A few of the cases the unit handled in the period, latest first (one query)."""
    return list(_handled(unit_id, paths, start, end).order_by("-created_at", "-pk")[:limit])


def area_case_figures(paths: list[str], *, start: datetime, end: datetime) -> dict[str, Any]:
    """The cases in these subtrees over [start, end) (three queries): `received` (made in the period), `closed` (of
    those), and the three rates over the cases whose follow-up falls in the period (as `unit_case_figures`)."""
    received = Case.objects.filter(path_q_cases(paths), created_at__gte=start, created_at__lt=end).exclude(
        status=Case.Status.MERGED).aggregate(n=Count("pk"), closed=Count("pk", filter=Q(status=Case.Status.CLOSED)))
    followed = Case.objects.filter(path_q_cases(paths), followed_up_at__gte=start, followed_up_at__lt=end)
    return {"received": int(received["n"] or 0), "closed": int(received["closed"] or 0), **_three_rates(followed)}


def area_category_rates(area_path: str, start: datetime, end: datetime, category_names: Iterable[str]) -> dict[str, Any]:
    """The three rates (`rates.compute`) of the cases in a subtree (`area_path`) followed up in [start, end) whose
    category is, or lies under, one of the categories named, at any level (e.g. "物业管理" for an estate's property
    appeals):
    the counts and the rates (None where there is nothing to divide by). Two queries."""
    from django.db.models import Count

    from . import rates

    roots = list(Category.objects.filter(name__in=list(category_names)))
    counts = {"followed_up": 0, "contacted": 0, "solved": 0, "satisfied": 0, "basically_satisfied": 0}
    if roots:
        q = Q(pk__in=[])
        for root in roots:
            q |= category_subtree_q(root)
        data = Case.objects.filter(q, area_path__startswith=area_path, followed_up_at__gte=start,
                                   followed_up_at__lt=end).aggregate(
            n_followed_up=Count("id"),
            n_contacted=Count("id", filter=Q(contacted=True)),
            n_solved=Count("id", filter=Q(contacted=True, solved=True)),
            n_satisfied=Count("id", filter=Q(contacted=True, satisfaction=rates.SATISFIED)),
            n_basically_satisfied=Count("id", filter=Q(contacted=True, satisfaction=rates.BASIC)),
        )
        counts = {key.removeprefix("n_"): int(value or 0) for key, value in data.items()}
    response, resolution, satisfaction, _composite = rates.compute(
        counts["followed_up"], counts["contacted"], counts["solved"], counts["satisfied"],
        counts["basically_satisfied"], (1.0, 0.0, 0.0))
    return {**counts, "categories": sorted({r.name for r in roots}), "response_rate": response,
            "resolution_rate": resolution, "satisfaction_rate": satisfaction}
