"""intelligence 0004 copies the suggestions and the auto-dispatch configuration out of appeals' tables before
appeals 0007 drops them: existing rows survive, and going back copies them back."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("appeals", "0006_subdistrict_offices_for_every_subdistrict"),
          ("intelligence", "0003_version_per_category_figures")]
AFTER = [("appeals", "0007_suggestions_and_auto_dispatch_moved_to_intelligence"),
         ("intelligence", "0004_appeal_suggestions_and_auto_dispatch_config")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_suggestions_and_the_threshold() -> None:
    old = _migrate(BEFORE)
    try:
        category = old.get_model("appeals", "Category").objects.create(name="迁移测试分类", level=1)
        Appeal = old.get_model("appeals", "Appeal")
        top = [{"label": "城乡建设", "confidence": 0.91}, {"label": "交通运输", "confidence": 0.05}]
        with_suggestion = Appeal.objects.create(
            title="路灯坏了", body="小区门口路灯坏了", callback_phone="13800138000", suggestions=top,
            suggested_category=category, suggestion_confidence=0.91, suggestion_version=3)
        without = Appeal.objects.create(title="噪音", body="夜间施工", callback_phone="13800138001")
        old.get_model("appeals", "AutoDispatchConfig").objects.create(threshold=0.85)

        new = _migrate(AFTER)
        rows = list(new.get_model("intelligence", "AppealSuggestion").objects.all())
        assert [(r.appeal_id, r.suggestions, r.category_id, r.confidence, r.version) for r in rows] == [
            (with_suggestion.pk, top, category.pk, 0.91, 3)]
        assert [c.threshold for c in new.get_model("intelligence", "AutoDispatchConfig").objects.all()] == [0.85]
        assert new.get_model("appeals", "Appeal").objects.filter(pk=without.pk).exists()

        back = _migrate(BEFORE)
        restored = back.get_model("appeals", "Appeal").objects.get(pk=with_suggestion.pk)
        assert (restored.suggestions, restored.suggested_category_id, restored.suggestion_confidence,
                restored.suggestion_version) == (top, category.pk, 0.91, 3)
        assert [c.threshold for c in back.get_model("appeals", "AutoDispatchConfig").objects.all()] == [0.85]
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
