"""Read side: the worklists of each role and a case's timeline. Every list starts from `visible_to`.

Worklists are ordered by an indexed column and meant to be sliced (LIMIT) by the caller:
`worklist(user, "overdue")[:50]`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.permissions import is_superuser

from .models import Appeal, Assignment, Case, CaseEvent, ExtensionRequest, Whistle
from .permissions import DISPATCH_ROLES, _staff_case_q, handler_unit_ids, visible_to

WORKLISTS: dict[str, Any] = {
    "pending_dispatch": _("Waiting for dispatch"),
    "to_accept": _("Waiting for acceptance"),
    "in_progress": _("In progress"),
    "due_soon": _("Due soon"),
    "overdue": _("Overdue"),
    "to_follow_up": _("Waiting for follow-up"),
}


def _base(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("category", "area", "lead_unit")


def worklist(user: Any, name: str, now: datetime | None = None) -> QuerySet[Case]:
    """One named worklist for `user`; raises KeyError for an unknown name."""
    if name not in WORKLISTS:
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
    elif name == "in_progress":
        qs = visible.filter(status=Case.Status.IN_PROGRESS).order_by("due_at", "id")
    elif name == "due_soon":
        qs = visible.due_soon(now).order_by("due_at", "id")
    elif name == "overdue":
        qs = visible.overdue(now).order_by("due_at", "id")
    else:
        qs = visible.filter(status=Case.Status.REPLIED).order_by("replied_at", "id")
    return _base(qs)


# Counting a worklist of a whole city would scan hundreds of thousands of rows on every page view;
# counts stop at COUNT_CAP and show as "1000+" (COUNT_CAP + 1 means "more than COUNT_CAP").
COUNT_CAP = 1000


def capped_count(qs: QuerySet[Any], cap: int = COUNT_CAP) -> int:
    """The number of rows, or cap + 1 when there are more than `cap` (one bounded query)."""
    return qs.order_by()[: cap + 1].count()


def worklist_counts(user: Any, now: datetime | None = None) -> dict[str, int]:
    return {name: capped_count(worklist(user, name, now)) for name in WORKLISTS}


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor", "unit").prefetch_related("photos").order_by("created_at", "id")


def case_detail(user: Any, case_id: int) -> Case:
    """A case with everything its page shows, in a fixed number of queries."""
    from .permissions import get_case_for_user

    case = get_case_for_user(user, case_id)
    qs = Case.objects.filter(pk=case.pk).select_related("category", "area", "lead_unit", "subdistrict").prefetch_related(
        Prefetch("appeals", queryset=Appeal.objects.prefetch_related("photos").order_by("created_at")),
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


def whistle_list(user: Any, *, open_only: bool = False) -> QuerySet[Whistle]:
    qs = visible_to(user, Whistle).select_related("area", "whistler_area", "whistler", "case")
    if open_only:
        qs = qs.filter(status=Whistle.Status.OPEN)
    return qs.prefetch_related("reports__unit").order_by("-created_at", "-id")


# ---------------------------------------------------------------------------------------------------
# for other apps (lists, later ones): appeals read through these helpers, never appeals.models directly


def appeals_visible_to(user: Any, ids: Iterable[int]) -> QuerySet[Appeal]:
    """The appeals among `ids` that `user` may see, with their area (ids outside the user's scope are left out)."""
    return visible_to(user, Appeal).filter(pk__in=list(ids)).select_related("area")


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
