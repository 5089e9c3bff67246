"""Versions pickled before the classifier moved to gongzhi.lib.text still load and suggest.

data/classifier-pickled-at-gongzhi.intelligence.classifier.joblib is a small model trained and dumped by the code
as it was before the move: the pickle names `gongzhi.intelligence.classifier.TrainedClassifier` and its
preprocessors, which that module still offers (an alias of the new one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile

from gongzhi.intelligence import actions
from gongzhi.intelligence.models import ClassifierVersion
from gongzhi.lib.text.classifier import TrainedClassifier

OLD_PICKLE = Path(__file__).parent / "data" / "classifier-pickled-at-gongzhi.intelligence.classifier.joblib"


def test_the_old_pickle_names_the_old_module() -> None:
    import zlib

    assert b"gongzhi.intelligence.classifier" in zlib.decompress(OLD_PICKLE.read_bytes())


def test_a_version_pickled_at_the_old_module_path_still_suggests(db: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    actions._cache.clear()
    version = ClassifierVersion(number=1, labels=["城乡建设", "交通运输", "环境保护"], is_active=True)
    version.model_file.save("classifier-v1-old.joblib", ContentFile(OLD_PICKLE.read_bytes()), save=True)
    try:
        model = actions.load_model(version)
        assert isinstance(model, TrainedClassifier)
        assert model.suggest("垃圾三天没清运", "", top_k=1)[0][0] == "城乡建设"
        # Pickled before the leaf layer: none, and the suggestions are the first-level model's.
        assert model.leaves is None and model.suggest_leaf("垃圾三天没清运", "") is None
        assert actions.model_suggestions(model, "垃圾三天没清运", "", top_k=1)[0][0] == "城乡建设"
    finally:
        actions._cache.clear()
