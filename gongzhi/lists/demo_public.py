"""The demo city's public notice and quarterly refresh, step 43 of `gongzhi demo` (after the demands, matching and
projects steps, whose rows it reads from the database):

- residents' ratings of every finished project on the notice (mostly satisfied, a few basically satisfied, one or
  two unsatisfied), through the rating action's demo path (the same checks and write, without the SMS round);
- a closed previous quarter for the community worker `sq_worker`'s community (the first community), taken as the
  lists stood at that quarter's end. The earlier steps make their rows today, so the rows that realistically began
  earlier are dated back into the previous quarter first: most of the community's demands and resources, and the
  projects already claimed or further along; the rest stay new this quarter. The quarter page then has new, changed
  and met items, and the comparison of the two quarters shows what moved.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, Grant, Role, User
from gongzhi.core.registry import DemoContext

from .actions import public as rating_actions
from .actions import quarters as quarter_actions
from .models import Demand, Project, ProjectRating, Resource
from .notice import shown_projects
from .quarters import Quarter, snapshot_of

# How satisfied the demo residents are: (satisfaction, weight).
MOOD = [("satisfied", 14), ("basically_satisfied", 4), ("unsatisfied", 1)]
COMMENTS = {
    "satisfied": ["效果很好，谢谢社区和共建单位！", "施工很规范，工人很负责。", "老人出行方便多了。", ""],
    "basically_satisfied": ["总体不错，希望后续维护跟上。", "工期比计划晚了几天。", ""],
    "unsatisfied": ["施工期间噪音太大，希望以后提前通知。"],
}
# Share of the first community's current rows dated back into the previous quarter.
BACKDATE_SHARE = 0.7


def _first_community() -> tuple[Area, User | None]:
    """The community of the demo's community worker (锦华社区 in the demo city) and the worker."""
    grant = (Grant.objects.select_related("area", "user").filter(user__username="sq_worker",
                                                                  role=Role.COMMUNITY_WORKER).first())
    if grant is not None:
        community, worker = grant.area, grant.user
    else:
        community = Area.objects.filter(level=Area.Level.COMMUNITY).order_by("path").first()  # type: ignore[assignment]
        worker = None
    if community is None:
        raise RuntimeError("the demo city has no community")
    return community, worker


def _rate(rng: random.Random, now: datetime) -> int:
    """Ratings from residents of each finished project on the notice that has none yet."""
    made = 0
    kinds = [k for k, w in MOOD for _ in range(w)]
    for project in shown_projects().filter(status=Project.Status.FINISHED).order_by("pk"):
        if ProjectRating.objects.filter(project=project).exists():
            continue
        finished = project.finished_at or now
        for _i in range(rng.randint(9, 16)):
            kind = rng.choice(kinds)
            at = min(now, finished + timedelta(hours=rng.randint(2, 24 * 10)))
            phone = f"139{rng.randrange(10 ** 8):08d}"
            try:
                rating_actions.do_rate_project_for_demo(project, phone=phone, satisfaction=kind,
                                                        comment=rng.choice(COMMENTS[kind]), at=at)
            except ActionError:  # the same phone drawn twice: that resident has rated already
                continue
            made += 1
    return made


def _back_into(quarter: Quarter, rng: random.Random) -> datetime:
    span = int((quarter.end_at - quarter.start_at).total_seconds())
    # Within the quarter, never its last day (so the rows stood before its end).
    return quarter.start_at + timedelta(seconds=rng.randrange(span - 24 * 3600))


def _date_back(community: Area, previous: Quarter, current: Quarter, rng: random.Random) -> int:
    """Date back into `previous` the first community's rows that realistically began before this quarter."""
    moved = 0
    start = current.start_at
    demands = list(Demand.objects.filter(area__path__startswith=community.path, created_at__gte=start)
                   .order_by("pk"))
    keep_new = max(1, int(len(demands) * (1 - BACKDATE_SHARE)))
    for demand in demands[:-keep_new] if len(demands) > 1 else []:
        Demand.objects.filter(pk=demand.pk).update(created_at=_back_into(previous, rng))
        moved += 1
    resources = list(Resource.objects.filter(area__path__startswith=community.path, created_at__gte=start)
                     .order_by("pk"))
    keep_new = max(1, int(len(resources) * (1 - BACKDATE_SHARE)))
    for resource in resources[:-keep_new] if len(resources) > 1 else []:
        Resource.objects.filter(pk=resource.pk).update(created_at=_back_into(previous, rng))
        moved += 1
    # Projects already claimed or further along began last quarter; those waiting to be claimed are new.
    dated = dict(Project.objects.filter(area=community).values_list("pk", "created_at"))
    for project in (Project.objects.filter(area=community, created_at__gte=start)
                    .exclude(status=Project.Status.PROPOSED).order_by(F("parent_id").asc(nulls_first=True), "pk")):
        created = _back_into(previous, rng)
        if project.parent_id in dated:  # a sub-project is split off its project a few days after it began
            created = min(dated[project.parent_id] + timedelta(days=rng.randint(1, 5)),
                          max(dated[project.parent_id], previous.end_at - timedelta(days=1)))
        dated[project.pk] = created
        Project.objects.filter(pk=project.pk).update(created_at=created)
        # Its demands were there before it.
        Demand.objects.filter(projects=project, created_at__gt=created).update(created_at=created - timedelta(days=7))
        moved += 1
    return moved


@transaction.atomic
def build_demo_public(ctx: DemoContext) -> dict[str, int]:
    rng = random.Random(ctx.seed + 43)
    now = timezone.now()
    community, worker = _first_community()
    current = Quarter.current()
    previous = current.previous()
    ratings = _rate(rng, now)
    closed = 0
    if snapshot_of(community, previous) is None:
        _date_back(community, previous, current, rng)
        # Closed in the first days of this quarter, as the lists stood at the previous quarter's end.
        closed_at = min(now, current.start_at + timedelta(days=2, hours=9))
        quarter_actions.do_close_quarter(community, previous, acting_user=worker, now=closed_at)
        closed = 1
    ctx.say(f"lists public notice: {ratings} ratings, {closed} closed quarter")
    return {"project_ratings": ratings, "closed_quarters": closed}
