"""The schedule's arithmetic, without the database: when a series' n-th meeting falls, and whose turn it is to host.

- A series recurs every `every_months` months from its first meeting (a committee's joint meeting at least
  quarterly, an alliance's every two months). The n-th meeting's slot is `first + (n - 1) * every` months, on the
  same day of the month (the month's last day when it is shorter) at the same local time. A moved meeting changes
  only its own time: the next slot still follows the series.
- An alliance's host rotates in `rotation` order. The next meeting's turn is the one after the last meeting that was
  actually held or is scheduled: a skipped (or cancelled) meeting does not use up its host's turn, so the same
  community hosts the next one; a moved meeting keeps its turn.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

# What uses up a turn of the rotation (a skipped or cancelled meeting does not).
TURN_TAKEN = frozenset({"scheduled", "held"})

MIN_EVERY_MONTHS = 1
MAX_EVERY_MONTHS = 12


def add_months(when: datetime, months: int) -> datetime:
    """`when` moved by whole months, in its own (local) time zone: the same day and time, or the month's last day."""
    local = timezone.localtime(when) if timezone.is_aware(when) else when
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    moved = local.replace(year=year, month=month, day=day, tzinfo=None)
    return timezone.make_aware(moved, local.tzinfo) if timezone.is_aware(local) else moved  # type: ignore[arg-type]


def slot_start(first_starts_at: datetime, every_months: int, number: int) -> datetime:
    """When the `number`-th meeting (1, 2, ...) of a series is due."""
    if number < 1:
        raise ValueError("meetings are numbered from 1")
    return add_months(first_starts_at, (number - 1) * every_months)


def slots(first_starts_at: datetime, every_months: int, count: int, start: int = 1) -> list[datetime]:
    return [slot_start(first_starts_at, every_months, n) for n in range(start, start + count)]


@dataclass(frozen=True)
class Past:
    """A meeting of the series as the rotation sees it."""

    number: int
    rotation_index: int
    status: str


def next_rotation_index(history: Iterable[Past], rotation_length: int) -> int:
    """The turn of the next meeting: the one after the last meeting that took (or holds) its turn; the first turn
    when none has. 0 when the series does not rotate."""
    if rotation_length <= 0:
        return 0
    taken = [m for m in history if m.status in TURN_TAKEN]
    if not taken:
        return 0
    last = max(taken, key=lambda m: m.number)
    return (last.rotation_index + 1) % rotation_length


def host_for(rotation: Sequence[int], index: int) -> int | None:
    """The community id whose turn `index` is (None without a rotation)."""
    if not rotation:
        return None
    return rotation[index % len(rotation)]


def next_number(history: Iterable[Past]) -> int:
    numbers = [m.number for m in history]
    return max(numbers) + 1 if numbers else 1


def default_duration(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)
