"""What the commitments part registers (called from gongzhi.service.registration): its hub card, audit verbs, tasks,
scheduled checks and demo step."""

from __future__ import annotations


def register() -> None:
    from gongzhi.core.registry import registry

    registry.verbs({})
