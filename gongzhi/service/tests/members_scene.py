"""A small scene for the members part's tests: past activities at community A with confirmed hours (written
directly: the activities part owns their actions), and helpers to register and decide."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from gongzhi.core.models import Area, User
from gongzhi.service.models import Activity, SignUp
from gongzhi.test import Cast


@dataclass
class Served:
    activity: Activity
    signup: SignUp


def past(days: int, hour: int = 9) -> datetime:
    day = timezone.localdate() - timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def serve(user: User, community: Area, *, days_ago: int, minutes: int = 120, title: str = "社区清洁",
          confirmed: bool = True) -> Served:
    starts = past(days_ago)
    activity = Activity.objects.create(community=community, title=title, place="党群服务中心", starts_at=starts,
                                       ends_at=starts + timedelta(minutes=max(minutes, 60)), capacity=20,
                                       checkin_secret="x" * 32)
    signup = SignUp.objects.create(activity=activity, user=user, status=SignUp.Status.CONFIRMED, minutes=minutes,
                                   checked_in_at=starts, checked_out_at=starts + timedelta(minutes=minutes),
                                   hours_confirmed_at=starts + timedelta(hours=3) if confirmed else None)
    return Served(activity, signup)


def days_ago_in_year(n: int) -> int:
    """`n` days ago, but not before January 1st (so the year's figures include it)."""
    return min(n, (timezone.localdate() - timezone.localdate().replace(month=1, day=1)).days)


def cast_users(cast: Cast) -> dict[str, User]:
    return {"superuser": cast.superuser, **cast.users()}
