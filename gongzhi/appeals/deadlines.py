"""Deadlines: pure functions from the dispatch time and the time-limit policy.

A case's clock starts when it is dispatched: the unit must accept within `accept_minutes` and finish
within `handle_hours`. It is "due soon" from `remind_at` = due − min(24 h, 20 % of the window) and
"overdue" once `due_at` has passed while still dispatched or in progress. Only an approved extension
moves `due_at`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .models import TimeLimitKind, TimeLimitPolicy, Urgency
from .seed import TIME_LIMITS

DUE_SOON_FRACTION = 0.2
DUE_SOON_MAX = timedelta(hours=24)
# An extension moves a deadline by at most this much (from the current deadline, or from now if that has passed).
MAX_EXTENSION = timedelta(days=365)


@dataclass(frozen=True)
class Limits:
    accept: timedelta
    response: timedelta
    handle: timedelta


@dataclass(frozen=True)
class Deadlines:
    accept_deadline: datetime
    due_at: datetime
    remind_at: datetime


def effective_kind(urgency: str, category_kind: str | None) -> str:
    """The time-limit kind of a case: emergencies are always "emergency"; an urgent complex case is ordinary."""
    if urgency == Urgency.EMERGENCY:
        return TimeLimitKind.EMERGENCY
    kind = category_kind or TimeLimitKind.ORDINARY
    if urgency == Urgency.URGENT and kind == TimeLimitKind.COMPLEX:
        return TimeLimitKind.ORDINARY
    return kind


def limits_for(kind: str) -> Limits:
    """The configured limits for a kind, falling back to the Beijing defaults."""
    policy = TimeLimitPolicy.objects.filter(kind=kind).first()
    if policy is not None:
        return Limits(timedelta(minutes=policy.accept_minutes), timedelta(hours=policy.response_hours),
                      timedelta(hours=policy.handle_hours))
    accept, response, handle = TIME_LIMITS.get(kind, TIME_LIMITS["ordinary"])
    return Limits(timedelta(minutes=accept), timedelta(hours=response), timedelta(hours=handle))


def remind_at(start: datetime, due_at: datetime) -> datetime:
    """When a case becomes "due soon": the last 20 % of its window, at most the last 24 hours."""
    window = due_at - start
    return due_at - min(DUE_SOON_MAX, window * DUE_SOON_FRACTION)


def compute_deadlines(dispatched_at: datetime, limits: Limits) -> Deadlines:
    if dispatched_at.tzinfo is None:
        raise ValueError("dispatched_at must be timezone-aware")
    due = dispatched_at + limits.handle
    return Deadlines(accept_deadline=dispatched_at + limits.accept, due_at=due, remind_at=remind_at(dispatched_at, due))


def whistle_report_deadline(created_at: datetime, *, urgent: bool) -> datetime:
    """Departments must report within 30 minutes when urgent, 24 hours otherwise."""
    return created_at + (timedelta(minutes=30) if urgent else timedelta(hours=24))
