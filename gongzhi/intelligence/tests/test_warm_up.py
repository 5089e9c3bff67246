"""A web process loads the classifier when it starts (gunicorn's post_worker_init), never failing."""

from __future__ import annotations

from typing import Any

from gongzhi.gunicorn_conf import post_worker_init
from gongzhi.intelligence import actions, suggestions

from .test_autodispatch import train_model


def test_it_loads_the_active_model(db: Any) -> None:
    train_model()
    assert suggestions.warm_up() is True


def test_it_starts_without_a_model(db: Any, monkeypatch: Any) -> None:
    assert suggestions.warm_up() is False
    from django.db import connections

    closed: list[bool] = []
    monkeypatch.setattr(connections, "close_all", lambda: closed.append(True))
    post_worker_init(worker=None)  # the gunicorn hook itself never raises either
    assert closed == [True]  # and hands no connection to the request threads


def test_it_starts_when_the_model_is_broken(db: Any, monkeypatch: Any) -> None:
    train_model()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("broken")

    monkeypatch.setattr(actions, "load_model", broken)
    assert suggestions.warm_up() is False


def test_the_gunicorn_hook_reaches_the_warm_up_through_the_registry(db: Any, monkeypatch: Any) -> None:
    from django.db import connections

    called: list[bool] = []

    def warm_up() -> bool:
        called.append(True)
        return True

    monkeypatch.setattr(suggestions, "warm_up", warm_up)
    monkeypatch.setattr(connections, "close_all", lambda: None)
    post_worker_init(worker=None)  # sends PROCESS_STARTED; intelligence subscribed in its ready()
    assert called == [True]
