"""Writes of the routing-intelligence app: train a classifier version, activate (roll back) one, record feedback.

Suggestions read the active version through an in-process cache keyed on the version id, so a rollback
in another process takes effect on the next request there (one indexed query per suggestion).
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import joblib
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError
from gongzhi.core.models import User
from gongzhi.lib.ttl import ttl_cached

from . import classifier as clf
from .models import ClassifierVersion, SuggestionFeedback
from .permissions import can_manage_classifier

logger = logging.getLogger("gongzhi.intelligence")

# Fewer closed cases than this and retraining from history is not worth it.
MIN_HISTORY_SIZE = 200


def _require_manage(user: User | None) -> None:
    if user is not None and not can_manage_classifier(user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only city or district administrators may manage the classifier."))


def do_train_classifier(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    acting_user: User | None,
    source: str = ClassifierVersion.Source.FILE,
    source_name: str = "",
    folds: int = 5,
    activate: bool = True,
) -> ClassifierVersion:
    """Cross-validate, train on everything, store a new version and (by default) activate it.

    The slow part (fitting) runs outside the transaction; only the version row, the file and the
    audit event are written in one.
    """
    _require_manage(acting_user)
    if len(texts) != len(labels):
        raise ActionError(_("Every message needs exactly one label."))
    try:
        clf.check_trainable(labels, folds if folds >= 2 else 0)
        figures = clf.cross_validate(texts, labels, folds=folds) if folds >= 2 else None
        model = clf.train(texts, labels)
    except clf.CsvError as exc:
        raise ActionError(str(exc)) from exc
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    return _store_version(model, buffer.getvalue(), figures, acting_user=acting_user, source=source,
                          source_name=source_name, activate=activate)


@transaction.atomic
def _store_version(
    model: clf.TrainedClassifier, blob: bytes, figures: clf.Figures | None, *, acting_user: User | None,
    source: str, source_name: str, activate: bool,
) -> ClassifierVersion:
    number = (ClassifierVersion.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0) + 1
    version = ClassifierVersion(
        number=number, created_by=acting_user, source=source, source_name=source_name[:200],
        training_size=model.training_size, labels=model.labels, training_seconds=round(model.seconds, 2),
        cv_macro_f1=figures.macro_f1 if figures else None, cv_accuracy=figures.accuracy if figures else None,
    )
    version.model_file.save(f"classifier-v{number}-{timezone.now():%Y%m%d%H%M%S}.joblib", ContentFile(blob), save=False)
    version.save()
    log_event(acting_user, "intelligence.train_classifier", version,
              after={"number": number, "source": source, "training_size": model.training_size,
                     "cv_macro_f1": version.cv_macro_f1, "cv_accuracy": version.cv_accuracy})
    if activate:
        _activate(version, acting_user)
    return version


def _activate(version: ClassifierVersion, acting_user: User | None) -> None:
    previous = ClassifierVersion.objects.select_for_update().filter(is_active=True).exclude(pk=version.pk).first()
    ClassifierVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
    ClassifierVersion.objects.filter(pk=version.pk).update(is_active=True)
    version.is_active = True
    active_version.clear()
    transaction.on_commit(active_version.clear)
    log_event(acting_user, "intelligence.activate_classifier", version,
              before={"active": previous.number if previous else None}, after={"active": version.number})


@transaction.atomic
def do_activate_classifier_version(version: ClassifierVersion, acting_user: User | None) -> ClassifierVersion:
    """Make `version` the one suggestions use. Activating an older version is the rollback."""
    _require_manage(acting_user)
    version = ClassifierVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_active:
        raise ActionError(_("Version %(number)d is already active.") % {"number": version.number})
    _activate(version, acting_user)
    return version


@transaction.atomic
def do_record_suggestion_feedback(
    appeal: Any, *, suggested_label: str, final_label: str, acting_user: User | None,
    version: ClassifierVersion | None = None,
) -> SuggestionFeedback:
    """Integration point for dispatch: record what was suggested and what the dispatcher chose."""
    if not final_label.strip():
        raise ActionError(_("The final category is required."), field="final_label")
    feedback = SuggestionFeedback.objects.create(
        appeal=appeal, version=version or active_version(), suggested_label=suggested_label.strip()[:50],
        final_label=final_label.strip()[:50], created_by=acting_user,
    )
    log_event(acting_user, "intelligence.suggestion_feedback", feedback,
              after={"suggested": feedback.suggested_label, "final": feedback.final_label})
    return feedback


# --- reading the active model ---------------------------------------------------------------------

_cache_lock = threading.Lock()
_cache: dict[int, clf.TrainedClassifier] = {}


@ttl_cached(5)
def active_version() -> ClassifierVersion | None:
    """The active version (read at most every 5 s per process; activation clears it at once)."""
    return ClassifierVersion.objects.filter(is_active=True).first()


def load_model(version: ClassifierVersion) -> clf.TrainedClassifier:
    """The unpickled model of a version, cached in this process (only our own files are ever loaded)."""
    model = _cache.get(version.pk)
    if model is None:
        with _cache_lock:
            model = _cache.get(version.pk)
            if model is None:
                with version.model_file.open("rb") as fh:
                    model = joblib.load(fh)  # noqa: S301 - written by do_train_classifier only
                if not isinstance(model, clf.TrainedClassifier):
                    raise ActionError(_("The stored classifier file is not a Gongzhi model."))
                _cache.clear()  # keep one model in memory; switching back reloads it
                _cache[version.pk] = model
    return model


def suggest(title: str, body: str, top_k: int = 3) -> list[tuple[str, float]]:
    """Up to top_k (category, confidence) pairs, most likely first; [] when no version is active."""
    version = active_version()
    if version is None:
        return []
    return load_model(version).suggest(title, body, top_k=top_k)


# --- learning from history ------------------------------------------------------------------------

def _level1_name(category: Any) -> str:
    node = category
    while node is not None and getattr(node, "parent_id", None) is not None:
        node = node.parent
    return node.name if node is not None else ""


def history_rows() -> list[tuple[str, str]]:
    """(text, label) from appeals whose case is closed: a dispatcher's correction wins, else the case's
    final first-level category, else the appeal's own."""
    from gongzhi.appeals.models import Appeal, Case

    corrections = dict(
        SuggestionFeedback.objects.order_by("appeal_id", "created_at").values_list("appeal_id", "final_label")
    )
    appeals = (
        Appeal.objects.filter(case__status=Case.Status.CLOSED)
        .select_related("category__parent__parent", "case__category__parent__parent")
        .only("id", "title", "body", "category", "case__category")
    )
    rows: list[tuple[str, str]] = []
    for appeal in appeals.iterator(chunk_size=2000):
        label = corrections.get(appeal.pk, "")
        if not label and appeal.case is not None and appeal.case.category is not None:
            label = _level1_name(appeal.case.category)
        if not label and appeal.category is not None:
            label = _level1_name(appeal.category)
        if label:
            rows.append((clf.message_text(appeal.title, appeal.body), label))
    return rows


def do_train_classifier_from_history(
    *, acting_user: User | None, extra: Iterable[tuple[str, str]] = (), min_size: int = MIN_HISTORY_SIZE,
) -> ClassifierVersion | None:
    """Retrain from closed cases (plus any extra (text, label) rows); None when there is too little history."""
    rows = history_rows() + list(extra)
    if len(rows) < min_size:
        logger.info("classifier retraining skipped: %d labelled closed appeals, need %d", len(rows), min_size)
        return None
    texts, labels = zip(*rows, strict=True)
    return do_train_classifier(list(texts), list(labels), acting_user=acting_user,
                               source=ClassifierVersion.Source.HISTORY, source_name="history")
