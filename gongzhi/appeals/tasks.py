"""What appeals puts on a user's home page (待办, `registry.task`): each role's cases and whistles waiting for it.

Each task counts exactly the rows of the page it links to (a worklist, or the whistle list filtered with
`?waiting=...`), built from the same querysets (`queries.worklist`, `queries.whistle_list`), so the number on the
home page is the number in the list; with one row the link goes to that case or whistle. Only the roles that can act
on a task get it:

- dispatchers (community workers, subdistrict staff, district and city admins): cases to dispatch, due soon and
  overdue (to supervise), extension requests to decide, cases answered and waiting for the follow-up (to close),
  whistles whose departments have finished and wait for the whistler's rating;
- department handlers (and subdistrict staff for their office): cases to accept, in progress, due soon, overdue,
  and whistles their unit has not reported to;
- grid workers (网格员): the cases of their grid that are due soon or overdue (to chase on their round);
- follow-up callers (回访员): cases waiting for the follow-up.

Every count is one bounded query (`capped_count`), two when a list holds more than one row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Role
from gongzhi.core.paging import capped_count
from gongzhi.core.policy import has_role
from gongzhi.core.registry import Task

from . import permissions, queries
from .queries import WHISTLES_TO_RATE, WHISTLES_TO_REPORT


def _task(key: str, label: Any, qs: QuerySet[Any], list_url: str, item_url: Callable[[int], str],
          kind: str = "") -> Task:
    """The task counting `qs`; with one row it links to that row, else to the list."""
    first = list(qs.order_by().values_list("pk", flat=True)[:2])
    count = len(first) if len(first) < 2 else capped_count(qs)
    url = item_url(first[0]) if count == 1 else list_url
    return Task(key, label, count, url, kind if count else "")


def _case_task(user: Any, name: str, kind: str = "") -> Task:
    """A worklist as a task, under the worklist's own name (the tab it opens)."""
    return _task(f"appeals.{name}", queries.WORKLISTS[name], queries.worklist(user, name), reverse("appeals:worklist", args=[name]),
                 lambda pk: reverse("appeals:case", args=[pk]), kind)


def _whistle_task(user: Any, waiting: str, label: Any) -> Task:
    qs = queries.whistle_list(user, waiting=waiting)
    return _task(f"appeals.whistles_{waiting}", label, qs, reverse("appeals:whistles") + f"?waiting={waiting}",
                 lambda pk: reverse("appeals:whistle", args=[pk]))


def appeals_tasks(user: Any) -> list[Task]:
    dispatches = permissions.case_policy.can_somewhere(user, "dispatch")
    handles = bool(permissions.handler_unit_ids(user))
    follows_up = has_role(user, permissions.FOLLOW_UP_ROLES)
    patrols = has_role(user, {Role.GRID_WORKER})
    tasks: list[Task] = []
    if dispatches:
        tasks.append(_case_task(user, "pending_dispatch"))
    if handles:
        tasks.append(_case_task(user, "to_accept"))
        tasks.append(_case_task(user, "in_progress"))
    if dispatches or handles or patrols:
        tasks.append(_case_task(user, "due_soon", "soon"))
        tasks.append(_case_task(user, "overdue", "overdue"))
    if dispatches:
        tasks.append(_case_task(user, "extensions"))
    if dispatches or follows_up:
        tasks.append(_case_task(user, "to_follow_up"))
    if handles:
        tasks.append(_whistle_task(user, WHISTLES_TO_REPORT, _("Whistles to report to")))
    if permissions.can_whistle(user):
        tasks.append(_whistle_task(user, WHISTLES_TO_RATE, _("Whistle reports to rate")))
    return tasks
