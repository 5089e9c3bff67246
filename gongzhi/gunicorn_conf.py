"""gunicorn settings that need code (`gongzhi serve` passes `--config python:gongzhi.gunicorn_conf`)."""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """Each worker loads the category classifier before its first request, not during it."""
    from django.db import connections

    from gongzhi.intelligence.suggestions import warm_up

    warm_up()
    connections.close_all()  # the request threads open their own
