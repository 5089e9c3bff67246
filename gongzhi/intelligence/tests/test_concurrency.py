"""Two administrators acting on the classifier at the same moment: versions get distinct numbers and exactly
one version stays active."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.intelligence import actions
from gongzhi.intelligence.models import ClassifierVersion
from gongzhi.intelligence.tests.conftest import synthetic_rows
from gongzhi.lib.text import classifier as clf
from gongzhi.test import race, require_postgresql


def fitted() -> clf.TrainedClassifier:
    rows = synthetic_rows(8)
    return clf.train([f"{r['title']}。{r['body']}" for r in rows], [r["label"] for r in rows], weak=False)


@pytest.mark.django_db(transaction=True)
def test_two_trainings_finishing_together_get_distinct_versions(settings: Any, tmp_path: Any) -> None:
    require_postgresql()
    settings.MEDIA_ROOT = tmp_path
    model = fitted()

    def store(name: str) -> ClassifierVersion:
        return actions._store_version(model, b"model", None, acting_user=None, source=ClassifierVersion.Source.FILE,
                                      source_name=name, activate=True)

    results = race(lambda: store("a.csv"), lambda: store("b.csv"))
    assert all(isinstance(r, ClassifierVersion) for r in results), results
    assert sorted(v.number for v in ClassifierVersion.objects.all()) == [1, 2]
    assert ClassifierVersion.objects.filter(is_active=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_rollbacks_at_once_leave_exactly_one_active_version(settings: Any, tmp_path: Any) -> None:
    require_postgresql("PostgreSQL row locks")
    settings.MEDIA_ROOT = tmp_path
    model = fitted()
    versions = [actions._store_version(model, b"model", None, acting_user=None, source=ClassifierVersion.Source.FILE,
                                       source_name=f"{i}.csv", activate=True) for i in range(3)]
    older = versions[:2]
    results = race(*(lambda v=v: actions.do_activate_classifier_version(v, None) for v in older))
    assert all(isinstance(r, ClassifierVersion) for r in results), results
    active = list(ClassifierVersion.objects.filter(is_active=True))
    assert len(active) == 1 and active[0].pk in {v.pk for v in older}
