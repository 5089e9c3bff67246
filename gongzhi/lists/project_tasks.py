"""What the project list puts on a user's home page (待办, `registry.task`).

- A member unit's liaison: projects waiting to be claimed in the communities where the unit is registered,
  agreements waiting for the unit's signature, its projects with a milestone overdue, and its projects' progress to
  post (agreed and not started, or no update for `PROGRESS_STALE_DAYS`).
- A community worker: agreements waiting for the community's signature, projects with a milestone overdue, and
  projects proposed and not claimed yet.

Each task counts `project_queries.project_list(user, waiting=...)`, the rows the list page shows at the task's link
(`/lists/projects/?waiting=...`); with one row it links to that project. One bounded query per task, two when
there is more than one row.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gongzhi.core.models import Role
from gongzhi.core.paging import capped_count
from gongzhi.core.policy import has_role, is_active_user
from gongzhi.core.registry import Task

from . import permissions
from .project_queries import WAITING, project_list


def _task(user: Any, waiting: str, kind: str = "") -> Task:
    qs = project_list(user, waiting=waiting)
    first = list(qs.values_list("pk", flat=True)[:2])
    count = len(first) if len(first) < 2 else capped_count(qs)
    url = (reverse("lists:project", args=[first[0]]) if count == 1
           else reverse("lists:projects") + f"?waiting={waiting}")
    return Task(f"lists.projects_{waiting}", WAITING[waiting], count, url, kind if count else "")


def project_tasks(user: Any) -> list[Task]:
    if not is_active_user(user):
        return []
    liaison = bool(permissions.liaison_unit_ids(user))
    worker = has_role(user, {Role.COMMUNITY_WORKER})
    tasks: list[Task] = []
    if liaison:
        tasks.append(_task(user, "claim"))
        tasks.append(_task(user, "my_signature"))
    if worker:
        tasks.append(_task(user, "community_signature"))
    if liaison or worker:
        tasks.append(_task(user, "overdue", "overdue"))
    if liaison:
        tasks.append(_task(user, "progress"))
    if worker:
        tasks.append(_task(user, "unclaimed"))
    return tasks
