"""Answers checked before a resident reads them: the placeholders of reply templates.

A reply template may hold placeholders in braces, `{单位}`, `{答复内容}`. Those the platform knows are filled from
the case (`KNOWN`: the answering unit, today's date, the deadline, the title); the rest are for the handler to
write over. `prepare_reply` fills what it can and lists what is left; `actions.do_reply_case` refuses an answer
that still holds one, naming it, so no resident ever reads "{答复内容}".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from gongzhi.core.models import Unit

from .models import Case

# {…} or full-width ｛…｝ around a short name without spaces or braces.
PLACEHOLDER = re.compile(r"[{｛]([^{}｛｝\s]{1,20})[}｝]")


def chinese_date(value: date | datetime) -> str:
    """2026年12月2日 (a datetime is read in the local time zone)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


@dataclass(frozen=True)
class Prepared:
    body: str
    missing: tuple[str, ...]  # placeholders still in the body, as written ("{答复内容}"), in order, once each


def _known(case: Case, unit: Unit | None, today: date) -> dict[str, Callable[[], str | None]]:
    """Placeholder name → its value for this case (None: not known here, the handler must write it)."""
    def unit_name() -> str | None:
        return unit.name if unit is not None else None

    def deadline() -> str | None:
        return chinese_date(case.due_at) if case.due_at else None

    return {
        "单位": unit_name, "承办单位": unit_name, "答复单位": unit_name,
        "日期": lambda: chinese_date(today), "答复日期": lambda: chinese_date(today),
        "办理期限": deadline, "办结期限": deadline,
        "受理日期": lambda: chinese_date(case.created_at),
        "诉求标题": lambda: case.title, "标题": lambda: case.title,
    }


# The names filled from the case (for the reply form's help text and the docs).
KNOWN = ("单位", "承办单位", "答复单位", "日期", "答复日期", "办理期限", "办结期限", "受理日期", "诉求标题", "标题")


def prepare_reply(body: str, case: Case, *, unit: Unit | None, today: date | None = None) -> Prepared:
    """Fill the placeholders the platform knows from the case (the answering unit's name, today's date in the
    Chinese order, the deadline, the title) and list those left for the handler."""
    today = today or timezone.localdate()
    known = _known(case, unit, today)
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        value = known[match.group(1)]() if match.group(1) in known else None
        if value is None:
            if match.group(0) not in missing:
                missing.append(match.group(0))
            return match.group(0)
        return value

    return Prepared(PLACEHOLDER.sub(fill, body or ""), tuple(missing))
