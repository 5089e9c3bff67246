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
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appeals import queries as appeals_queries
from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import User
from gongzhi.lib.text import classifier as clf
from gongzhi.lib.ttl import ttl_cached

from .models import AutoDispatchConfig, ClassifierVersion, SuggestionFeedback, TrainingJob
from .permissions import require_manage_classifier

logger = logging.getLogger("gongzhi.intelligence")

# Fewer closed cases than this and retraining from history is not worth it.
MIN_HISTORY_SIZE = 200
# Cross-validation folds for a version trained on request (its scores are shown beside it).
TRAINING_FOLDS = 5
# How often storing a version is tried when another one is being stored at the same moment.
STORE_ATTEMPTS = 5


def do_train_classifier(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    acting_user: User | None,
    source: str = ClassifierVersion.Source.FILE,
    source_name: str = "",
    folds: int = 5,
    activate: bool = True,
    leaves: Sequence[tuple[str, str]] = (),
    leaf_min_examples: int = clf.LEAF_MIN_EXAMPLES,
) -> ClassifierVersion:
    """Cross-validate, train on everything, store a new version and (by default) activate it. `leaves` are
    (text, category path) pairs for the leaf layer (history_leaves(); clf.train); the figures are the first level's.

    The slow part (fitting) runs outside the transaction; only the version row, the file and the
    audit event are written in one.
    """
    require_manage_classifier(acting_user)
    if len(texts) != len(labels):
        raise ActionError(_("Every message needs exactly one label."))
    try:
        clf.check_trainable(labels, folds if folds >= 2 else 0)
        figures = clf.cross_validate(texts, labels, folds=folds) if folds >= 2 else None
        model = clf.train(texts, labels, leaves=leaves, leaf_min_examples=leaf_min_examples)
    except clf.CsvError as exc:
        raise ActionError(str(exc)) from exc
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    return _store_version(model, buffer.getvalue(), figures, acting_user=acting_user, source=source,
                          source_name=source_name, activate=activate)


def _store_version(
    model: clf.TrainedClassifier, blob: bytes, figures: clf.Figures | None, *, acting_user: User | None,
    source: str, source_name: str, activate: bool,
) -> ClassifierVersion:
    """Store (and activate) a new version. Two trainings finishing at the same moment may both take the next
    number, or both become active: the database refuses the second, which tries again with the first
    committed (the work is a few small writes, the training itself is already done)."""
    def store() -> ClassifierVersion:
        return _store_version_once(model, blob, figures, acting_user=acting_user, source=source,
                                   source_name=source_name, activate=activate)

    for _attempt in range(STORE_ATTEMPTS - 1):
        try:
            return store()
        except IntegrityError:
            continue
    return store()  # the last attempt lets the error through


@transaction.atomic
def _store_version_once(
    model: clf.TrainedClassifier, blob: bytes, figures: clf.Figures | None, *, acting_user: User | None,
    source: str, source_name: str, activate: bool,
) -> ClassifierVersion:
    number = (ClassifierVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ClassifierVersion(
        number=number, created_by=acting_user, source=source, source_name=source_name[:200],
        training_size=model.training_size, labels=model.labels, training_seconds=round(model.seconds, 2),
        cv_macro_f1=figures.macro_f1 if figures else None, cv_accuracy=figures.accuracy if figures else None,
        cv_per_class=figures.per_class if figures else [],
    )
    version.model_file.save(f"classifier-v{number}-{timezone.now():%Y%m%d%H%M%S%f}.joblib", ContentFile(blob),
                            save=False)
    try:
        version.save()
        log_event(acting_user, "intelligence.train_classifier", version,
                  after={"number": number, "source": source, "training_size": model.training_size,
                         "cv_macro_f1": version.cv_macro_f1, "cv_accuracy": version.cv_accuracy})
        if activate:
            _activate(version, acting_user)
    except IntegrityError:
        version.model_file.delete(save=False)
        raise
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
    require_manage_classifier(acting_user)
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


# --- auto-dispatch --------------------------------------------------------------------------------

# The lowest auto-dispatch threshold the platform accepts (the page and the API alike).
MIN_AUTO_DISPATCH_THRESHOLD = 0.5


@ttl_cached(5)
def auto_dispatch_threshold() -> float | None:
    """The configured threshold (read at most every 5 s per process; configuring clears it at once)."""
    return AutoDispatchConfig.current().threshold


@transaction.atomic
def do_configure_auto_dispatch(*, acting_user: User | None, threshold: float | None) -> AutoDispatchConfig:
    """Set the confidence above which new appeals are dispatched without a person; None turns it off.
    At least MIN_AUTO_DISPATCH_THRESHOLD: below it the top suggestion is more often wrong than right.
    City-wide, so city administrators decide (as for the appeals' other city-wide settings). Audited as
    appeals.auto_dispatch_config.update, the name it had when the setting lived in appeals."""
    if acting_user is not None and not appeals_queries.can_configure_citywide(acting_user):
        raise PermissionDenied(_("Only city administrators can change city-wide settings."))
    if threshold is not None and not MIN_AUTO_DISPATCH_THRESHOLD <= threshold <= 1:
        raise ActionError(_("The threshold must be between 0.5 and 1 (50 to 100 percent), or empty to turn "
                            "auto-dispatch off."), field="threshold")
    config = AutoDispatchConfig.objects.select_for_update().order_by("pk").first() or AutoDispatchConfig()
    before = {"threshold": config.threshold}
    config.threshold = threshold
    config.updated_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    config.save()
    auto_dispatch_threshold.clear()
    transaction.on_commit(auto_dispatch_threshold.clear)
    log_event(acting_user, "appeals.auto_dispatch_config.update", config, before=before,
              after={"threshold": threshold})
    return config


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
    """Up to top_k (category, confidence) pairs, most likely first; [] when no version is active. With a leaf
    layer that supports a deeper category, its path ("住房/物业管理/楼道照明") comes first (model_suggestions)."""
    version = active_version()
    if version is None:
        return []
    return model_suggestions(load_model(version), title, body, top_k)


def leaf_threshold() -> float:
    return float(getattr(settings, "CLASSIFIER_LEAF_THRESHOLD", clf.LEAF_THRESHOLD))  # settings.py


def model_suggestions(model: clf.TrainedClassifier, title: str, body: str, top_k: int = 3) -> list[tuple[str, float]]:
    """The leaf layer's path first when it reaches a level at the configured threshold (CLASSIFIER_LEAF_THRESHOLD),
    then the first-level model's labels; top_k in all."""
    pairs = model.suggest(title, body, top_k=top_k)
    leaf = model.suggest_leaf(title, body, leaf_threshold())
    if leaf is None:
        return pairs
    return [leaf, *[p for p in pairs if p[0] != leaf[0]]][:top_k]


# --- learning from history ------------------------------------------------------------------------

def _level1_name(category: Any) -> str:
    node = category
    while node is not None and getattr(node, "parent_id", None) is not None:
        node = node.parent
    return node.name if node is not None else ""


def category_path(category: Any) -> str:
    """A category's names from the top, joined by clf.PATH_SEPARATOR: "住房/物业管理/楼道照明"."""
    names: list[str] = []
    node = category
    while node is not None:
        names.append(node.name)
        node = node.parent if getattr(node, "parent_id", None) is not None else None
    return clf.PATH_SEPARATOR.join(reversed(names))


def history_examples() -> list[tuple[str, str, str]]:
    """(text, first-level label, category path) from appeals whose case is closed. The label: a dispatcher's
    correction wins, else the case's final first-level category, else the appeal's own. The path: the case's
    final category (else the appeal's) down to its level, cut to the correction's first level when a correction
    names another first-level category (corrections carry first-level names only)."""
    corrections = dict(
        SuggestionFeedback.objects.order_by("appeal_id", "created_at").values_list("appeal_id", "final_label")
    )
    rows: list[tuple[str, str, str]] = []
    for appeal in appeals_queries.closed_case_appeals():
        category = appeal.case.category if appeal.case is not None and appeal.case.category is not None else None
        category = category or appeal.category
        label = corrections.get(appeal.pk, "")
        path = category_path(category) if category is not None else ""
        if not label and category is not None:
            label = _level1_name(category)
        if label and path.split(clf.PATH_SEPARATOR)[0] != label:
            path = label
        if label:
            rows.append((clf.message_text(appeal.title, appeal.body), label, path))
    return rows


def history_rows() -> list[tuple[str, str]]:
    """(text, first-level label) of history_examples()."""
    return [(text, label) for text, label, _path in history_examples()]


def history_leaves() -> list[tuple[str, str]]:
    """(text, category path) of history_examples(), for the leaf layer."""
    return [(text, path) for text, _label, path in history_examples()]


def do_train_classifier_from_history(
    *, acting_user: User | None, extra: Iterable[tuple[str, str]] = (), min_size: int = MIN_HISTORY_SIZE,
    rows: list[tuple[str, str]] | None = None,
) -> ClassifierVersion | None:
    """Retrain from closed cases (history_rows(), or `rows` when the caller has them, plus any extra (text,
    label) rows); None when there is too little history."""
    examples = history_examples()
    rows = ([(text, label) for text, label, _p in examples] if rows is None else rows) + list(extra)
    if len(rows) < min_size:
        logger.info("classifier retraining skipped: %d labelled closed appeals, need %d", len(rows), min_size)
        return None
    texts, labels = zip(*rows, strict=True)
    return do_train_classifier(list(texts), list(labels), acting_user=acting_user,
                               source=ClassifierVersion.Source.HISTORY, source_name="history",
                               leaves=[(text, path) for text, _label, path in examples])


def labelled_upload(name: str, content: bytes, size: int | None = None) -> list[clf.LabelledMessage]:
    """The messages of an uploaded labelled CSV file, or an ActionError in Chinese that says what to fix.
    `size` is the upload's size when `content` holds only its beginning (see read_upload)."""
    if not name.lower().endswith(".csv"):
        raise ActionError(_("Only CSV files can be used for training; %(name)s is not one. Save the table as "
                            "CSV UTF-8 with the columns %(columns)s.") % {"name": name, "columns": ",".join(clf.CSV_COLUMNS)},
                          field="file")
    limit = settings.IMPORT_MAX_BYTES
    size = max(size or 0, len(content))
    if size > limit:
        raise ActionError(_("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
                          % {"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"}, field="file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ActionError(_("The file is not UTF-8 text. Save it as CSV UTF-8 and try again."), field="file") from exc
    try:
        rows = clf.read_labelled_csv(io.StringIO(text))
        clf.check_trainable([r.label for r in rows], TRAINING_FOLDS)
    except clf.CsvError as exc:
        raise ActionError(str(exc), field="file") from exc
    return rows


def read_upload(upload: Any) -> tuple[str, bytes, int]:
    """(name, content, size) of an uploaded file, reading no more than one byte past the size limit."""
    return upload.name or "", upload.read(settings.IMPORT_MAX_BYTES + 1), upload.size or 0


@transaction.atomic
def do_request_training(acting_user: User, *, source: str, name: str = "", content: bytes = b"",
                        size: int | None = None) -> TrainingJob:
    """Record a retraining for the worker (run_training_job): from the closed cases, or from an uploaded
    labelled CSV file, which is checked here so that a bad file is refused at once and nothing is queued."""
    require_manage_classifier(acting_user)
    if TrainingJob.objects.filter(status=TrainingJob.Status.QUEUED).exists():
        raise Conflict(_("A training is already waiting to run; wait until it has started before asking for another."))
    job = TrainingJob(source=source, created_by=acting_user)
    if source == ClassifierVersion.Source.FILE:
        if not name and not content:
            raise ActionError(_("Please choose the labelled CSV file to train from."), field="file")
        rows = labelled_upload(name, content, size)
        job.original_name = name[:200]
        job.message = _("%(count)d labelled messages in %(labels)d categories.") % {
            "count": len(rows), "labels": len({r.label for r in rows})}
        job.file.save("training.csv", ContentFile(content), save=False)
    elif source != ClassifierVersion.Source.HISTORY:
        raise ActionError(_("Unknown training source."))
    try:
        with transaction.atomic():
            job.save()  # the constraint one_waiting_training_job settles two requests at the same moment
    except IntegrityError:
        raise Conflict(
            _("A training is already waiting to run; wait until it has started before asking for another.")
        ) from None
    log_event(acting_user, "intelligence.request_training", job,
              after={"source": source, "file": job.original_name or None})
    return job


@transaction.atomic
def _claim_job(job: TrainingJob) -> bool:
    """QUEUED → RUNNING, audited as the worker's (no actor); False when another worker took the job first."""
    if not TrainingJob.objects.filter(pk=job.pk, status=TrainingJob.Status.QUEUED).update(
            status=TrainingJob.Status.RUNNING):
        return False
    log_event(None, "intelligence.start_training_job", job,
              before={"status": TrainingJob.Status.QUEUED}, after={"status": TrainingJob.Status.RUNNING})
    return True


@transaction.atomic
def _finish_job(job: TrainingJob, *, status: str, message: str, version: ClassifierVersion | None = None) -> None:
    TrainingJob.objects.filter(pk=job.pk).update(status=status, message=message[:500], version=version,
                                                 finished_at=timezone.now())
    log_event(None, "intelligence.finish_training_job", job,
              before={"status": TrainingJob.Status.RUNNING},
              after={"status": status, "version": version.number if version is not None else None})


def run_training_job(job: TrainingJob) -> TrainingJob:
    """Train the version a job asks for (slow: outside any transaction) and record the outcome on the job;
    a failure is recorded in Chinese, never raised. The uploaded file is deleted once the job has run."""
    if not _claim_job(job):
        job.refresh_from_db()  # another worker took it
        return job
    try:
        return _run_training_job(job)
    finally:
        if job.file.name:
            job.file.storage.delete(job.file.name)
            TrainingJob.objects.filter(pk=job.pk).update(file="")
            job.file.name = ""


def _run_training_job(job: TrainingJob) -> TrainingJob:
    try:
        if job.source == ClassifierVersion.Source.FILE:
            with job.file.open("rb") as handle:
                rows = labelled_upload(job.original_name, handle.read())
            version: ClassifierVersion | None = do_train_classifier(
                [r.text for r in rows], [r.label for r in rows], acting_user=job.created_by,
                source=ClassifierVersion.Source.FILE, source_name=job.original_name, folds=TRAINING_FOLDS)
        else:
            history = history_rows()
            version = do_train_classifier_from_history(acting_user=job.created_by, rows=history,
                                                       min_size=MIN_HISTORY_SIZE)
            if version is None:
                raise ActionError(_("Only %(count)d closed appeals have a category; retraining needs at least "
                                    "%(min)d. Train from a labelled file until then.")
                                  % {"count": len(history), "min": MIN_HISTORY_SIZE})
    except ActionError as exc:
        _finish_job(job, status=TrainingJob.Status.FAILED, message=exc.message)
    except Exception:
        logger.exception("classifier training job %s failed", job.pk)
        _finish_job(job, status=TrainingJob.Status.FAILED,
                    message=_("Training failed because of a system error; it was logged. Please try again later."))
    else:
        assert version is not None
        _finish_job(job, status=TrainingJob.Status.SUCCEEDED, version=version,
                    message=_("Version %(number)d trained on %(size)d messages and activated.")
                    % {"number": version.number, "size": version.training_size})
    job.refresh_from_db()
    return job
