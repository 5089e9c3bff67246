from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from gongzhi.core.models import AuditEvent
from gongzhi.intelligence import actions
from gongzhi.intelligence.models import ClassifierVersion

from .conftest import synthetic_rows


def _train(rows: list[dict[str, str]], user=None) -> ClassifierVersion:  # type: ignore[no-untyped-def]
    from gongzhi.lib.text.classifier import message_text

    return actions.do_train_classifier([message_text(r["title"], r["body"]) for r in rows],
                                       [r["label"] for r in rows], acting_user=user, folds=3)


def _swapped(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    swap = {"交通运输": "环境保护", "环境保护": "交通运输"}
    return [{**r, "label": swap.get(r["label"], r["label"])} for r in rows]


def test_it_trains_a_version_with_an_audit_event(cast) -> None:  # type: ignore[no-untyped-def]
    version = _train(synthetic_rows(), cast.city_admin)
    assert version.number == 1 and version.is_active
    assert version.training_size == 36
    assert version.cv_macro_f1 is not None and version.cv_macro_f1 > 0.8
    # The same cross-validation per category: every label once, every message counted once, F1s averaging
    # to the macro F1.
    per_class = version.cv_per_class
    assert [row["label"] for row in per_class] == sorted(version.labels)
    assert sum(row["support"] for row in per_class) == 36
    assert abs(sum(row["f1"] for row in per_class) / len(per_class) - version.cv_macro_f1) < 1e-3
    assert version.model_file.name.startswith("classifiers/")
    assert AuditEvent.objects.filter(verb="intelligence.train_classifier", object_id=str(version.pk)).exists()
    assert actions.suggest("地铁线路", "公交车站太远")[0][0] == "交通运输"


def test_it_rolls_back_to_an_older_version_and_predictions_follow(db) -> None:  # type: ignore[no-untyped-def]
    rows = synthetic_rows()
    v1 = _train(rows)
    v2 = _train(_swapped(rows))
    v1.refresh_from_db()
    assert v2.is_active and not v1.is_active
    assert actions.suggest("工厂排污", "河道污染")[0][0] == "交通运输"  # v2 learnt swapped labels
    actions.do_activate_classifier_version(v1, None)
    assert ClassifierVersion.objects.get(is_active=True) == v1
    assert actions.suggest("工厂排污", "河道污染")[0][0] == "环境保护"
    assert AuditEvent.objects.filter(verb="intelligence.activate_classifier").count() == 3


def test_it_refuses_to_activate_the_active_version(db) -> None:  # type: ignore[no-untyped-def]
    from gongzhi.core.errors import ActionError

    v1 = _train(synthetic_rows())
    with pytest.raises(ActionError):
        actions.do_activate_classifier_version(v1, None)


def test_it_suggests_nothing_without_a_version(db) -> None:  # type: ignore[no-untyped-def]
    assert actions.suggest("路灯", "坏了") == []


def test_it_trains_lists_and_activates_from_the_command(db, synthetic_csv: Path) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("classifier", "train", "--file", str(synthetic_csv), "--folds", "3", stdout=out)
    call_command("classifier", "train", "--file", str(synthetic_csv), "--folds", "0", stdout=out)
    assert "cv_macro_f1=" in out.getvalue() and "版本" in out.getvalue()
    call_command("classifier", "activate", "1", stdout=out)
    listing = StringIO()
    call_command("classifier", "versions", stdout=listing)
    lines = listing.getvalue().splitlines()
    assert lines[0].startswith("  v2") and lines[1].startswith("* v1")


def test_it_retrains_from_closed_cases_via_the_task(db) -> None:  # type: ignore[no-untyped-def]
    from gongzhi.intelligence.tasks import retrain_classifier

    # Too little history: the task skips without creating a version.
    result = retrain_classifier.enqueue()
    assert result.return_value is None
    assert not ClassifierVersion.objects.exists()


def test_it_trains_from_history_plus_extra_rows(db) -> None:  # type: ignore[no-untyped-def]
    from gongzhi.lib.text.classifier import message_text

    extra = [(message_text(r["title"], r["body"]), r["label"]) for r in synthetic_rows()]
    version = actions.do_train_classifier_from_history(acting_user=None, extra=extra, min_size=10)
    assert version is not None and version.source == ClassifierVersion.Source.HISTORY
