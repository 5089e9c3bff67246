"""What the agenda part registers (called from gongzhi.meetings.registration)."""

from __future__ import annotations


def register() -> None:
    pass
