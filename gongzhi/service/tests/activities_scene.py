"""Activities for the activities tests, set up through the actions: one at community A (worker_a organises), one at B;
`held(...)` moves an activity whose sign-ups are taken back in time, so its check-ins and hours can follow."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.models import User
from gongzhi.lib import rotating_codes
from gongzhi.service.actions import activities as actions
from gongzhi.service.models import Activity, ActivityKind, SignUp
from gongzhi.test import Cast


def activity(cast: Cast, *, community: Any = None, worker: User | None = None, capacity: int = 10,
             days: float = 2, minutes: int = 120, **kwargs: Any) -> Activity:
    community = community or cast.community_a
    worker = worker or (cast.worker_a if community == cast.community_a else cast.worker_b)
    starts = timezone.now() + timedelta(days=days)
    options: dict[str, Any] = {"kind": ActivityKind.VOLUNTEER, "open_to_residents": True, **kwargs}
    return actions.do_create_activity(acting_user=worker, community=community, title="楼道清洁志愿服务",
                                      place="和平小区1号楼", starts_at=starts,
                                      ends_at=starts + timedelta(minutes=minutes), capacity=capacity, **options)


def held(activity: Activity, starts_at: datetime) -> Activity:
    length = activity.ends_at - activity.starts_at
    Activity.objects.filter(pk=activity.pk).update(starts_at=starts_at, ends_at=starts_at + length)
    activity.refresh_from_db()
    return activity


def check(activity: Activity, user: User, at: datetime) -> actions.CheckResult:
    token = rotating_codes.qr_token(activity.checkin_secret, at.timestamp())
    return actions.do_check_in(activity, acting_user=user, token=token, now=at)


def served(cast: Cast, minutes_in: int = 90, **kwargs: Any) -> tuple[Activity, SignUp]:
    """A past activity (2 hours, ended an hour ago) the party member signed up for, checked in at the start and out
    `minutes_in` minutes later."""
    a = activity(cast, **kwargs)
    actions.do_sign_up(a, acting_user=cast.party_member_user)
    start = timezone.now() - timedelta(hours=3)
    a = held(a, start)
    check(a, cast.party_member_user, start - timedelta(minutes=5))
    check(a, cast.party_member_user, start + timedelta(minutes=minutes_in))
    return a, SignUp.objects.get(activity=a, user=cast.party_member_user)
