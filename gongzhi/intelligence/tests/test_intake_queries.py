"""Intake is the hot path (docs/architecture.md): what a new appeal costs with a classifier active.

In the request's transaction: the case, the appeal, the timeline event and the audit row (as before the
suggestion moved out of the appeal's row). Then, once committed, intelligence's APPEAL_SUBMITTED subscriber
writes the suggestion in one INSERT, in a transaction of its own; the active model, the category names and
the auto-dispatch threshold come from per-process caches. In the test suite hooks run at once, inside the
intake's transaction, so its transactions show as savepoints here."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.intelligence import actions
from gongzhi.intelligence.models import AppealSuggestion

from .test_autodispatch import submit, train_model


def test_it_takes_an_appeal_and_its_suggestion_in_nine_statements(cast: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    actions._cache.clear()
    train_model()
    submit(cast)  # fills this process's caches (model, categories, areas, threshold)
    with CaptureQueriesContext(connection) as captured:
        appeal = submit(cast, title="路灯不亮", body="小区门口路灯坏了")
    statements = [q["sql"].split()[0].upper() for q in captured.captured_queries]
    # SAVEPOINT, 4 INSERTs (case, appeal, event, audit), then the hook: SAVEPOINT, INSERT suggestion, RELEASE;
    # RELEASE. Outside tests: BEGIN, the 4 INSERTs, COMMIT, then BEGIN, INSERT suggestion, COMMIT.
    assert statements == ["SAVEPOINT", "INSERT", "INSERT", "INSERT", "INSERT", "SAVEPOINT", "INSERT", "RELEASE",
                          "RELEASE"], [q["sql"][:80] for q in captured.captured_queries]
    assert AppealSuggestion.objects.filter(appeal=appeal).exists()
    actions._cache.clear()
