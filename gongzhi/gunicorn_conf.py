"""gunicorn settings that need code (`gongzhi serve` passes `--config python:gongzhi.gunicorn_conf`)."""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """Each worker is told it has started (PROCESS_STARTED) before its first request, so the apps load what the
    first request would otherwise wait for (intelligence: the category classifier and jieba's dictionary)."""
    from django.db import connections

    from gongzhi.core.registry import PROCESS_STARTED, registry

    registry.send(PROCESS_STARTED)
    connections.close_all()  # the request threads open their own
