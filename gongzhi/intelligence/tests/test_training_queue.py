"""Issue 17, finding 16: a training asked for while another waits is refused (409 in Chinese), not queued again."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.intelligence.models import TrainingJob


@pytest.fixture
def _worker_away(settings: Any) -> None:
    """No worker picks the job up: it stays waiting, as in production until the worker gets to it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_a_second_training_while_one_waits_is_refused(client: Any, cast: Any, _worker_away: None) -> None:
    client.force_login(cast.city_admin)
    first = client.post("/api/intelligence/trainings/history")
    assert first.status_code == 202, first.content
    again = client.post("/api/intelligence/trainings/history")
    assert again.status_code == 409, again.content
    assert again.json()["detail"] == "已有一次训练在等待运行，请等它开始后再申请新的训练。"
    assert TrainingJob.objects.filter(status=TrainingJob.Status.QUEUED).count() == 1
    TrainingJob.objects.update(status=TrainingJob.Status.RUNNING)  # the worker took it: a new one may wait
    assert client.post("/api/intelligence/trainings/history").status_code == 202
